//! The staff side of a demand page: the station's actions, whistles, hand-offs, reassigning,
//! urging and the confidential case notes; a department's check-in and report.

use super::{DemandView, StaffPanel, Viewing};
use crate::form::{EnhancedForm, FormBanner};
use crate::i18n::{Lang, T};
use crate::work::action_label;
use crate::work::api::{Act, CaseNote, CheckIn, HandOff, HandOffOutcome, Reassign, Reply, Report, Urge, Whistle};
use crate::work::rules::{transition, transition_case, Action, Actor, State};
use leptos::prelude::*;
use server_fn::ServerFn;

/// Station transitions offered as buttons, in the order of the closed loop.
const STATION_ACTIONS: [Action; 5] =
    [Action::Accept, Action::Start, Action::ScheduleVisit, Action::VisitDone, Action::Resolve];

fn step_label(step: &str) -> T {
    match step {
        "intake" => T::StepIntake,
        "assessment" => T::StepAssessment,
        "plan" => T::StepPlan,
        "execution" => T::StepExecution,
        "coordination" => T::StepCoordination,
        _ => T::StepClosure,
    }
}

fn textarea(name: &'static str, label: T, lang: Lang, item: i64, required: bool) -> impl IntoView {
    let id = format!("{name}-{item}");
    view! {
        <div class="field">
            <label for=id.clone()>{lang.t(label)}</label>
            <textarea id=id name=name rows="3" maxlength="2000" required=required></textarea>
            <p class="field-error" data-error-for=name></p>
        </div>
    }
}

#[component]
pub fn StaffPanelView(d: DemandView, panel: StaffPanel, lang: Lang) -> impl IntoView {
    let item = d.item_id;
    let state = d.live.state;
    let version = d.live.version;
    let station = d.viewing == Viewing::Station;
    let department = d.viewing == Viewing::Department;
    let can = |a: Action| station && transition(state, a, Actor::Station).is_ok();
    let back = format!("/demands/{}", d.id);
    view! {
        <section class="card staff-panel" aria-labelledby="staff-title">
            <h2 id="staff-title">{lang.t(T::StaffPanel)}</h2>
            <ContactFacts panel=panel.clone() demand=d.id channel=d.channel.clone() lang=lang />
            {station.then(|| view! { <StationActions item=item version=version state=state back=back lang=lang /> })}
            {station.then(|| view! { <ReplyForm item=item lang=lang /> })}
            {(!panel.whistles.is_empty()).then(|| view! { <WhistleTable panel=panel.clone() lang=lang /> })}
            {department.then(|| view! { <DepartmentActions panel=panel.clone() lang=lang /> })}
            {(panel.can_whistle && transition(state, Action::Whistle, Actor::Station).is_ok()).then(|| view! { <WhistleForm item=item version=version panel=panel.clone() lang=lang /> })}
            {(!panel.handoffs.is_empty()).then(|| view! { <HandoffList panel=panel.clone() lang=lang /> })}
            {can(Action::HandOff).then(|| view! { <HandOffForm item=item version=version panel=panel.clone() lang=lang /> })}
            {(station && state == State::HandedOff).then(|| view! { <PartnerOutcomeForm item=item version=version lang=lang /> })}
            {(station && d.found_via.is_some() && transition_case(state, Action::Withdraw, Actor::Station, true).is_ok()).then(|| view! { <WithdrawFoundForm item=item version=version back=format!("/demands/{}", d.id) lang=lang /> })}
            {(station && !panel.affairs.is_empty()).then(|| view! { <AffairForm demand=d.id version=version current=d.affair.as_ref().map(|a| a.0.clone()).unwrap_or_default() panel=panel.clone() lang=lang /> })}
            {(station && transition(state, Action::Merge, Actor::Station).is_ok()).then(|| view! { <MergeForm demand=d.id version=version lang=lang /> })}
            {(panel.can_reassign && !state.is_final()).then(|| view! { <ReassignForm item=item version=version panel=panel.clone() lang=lang /> })}
            {(panel.can_urge && state.is_open()).then(|| view! { <UrgeForm item=item lang=lang /> })}
            {station.then(|| view! { <CaseNotes item=item panel=panel.clone() lang=lang /> })}
            <crate::notifications::views::DeliveryLog lines=panel.deliveries.clone() lang=lang />
        </section>
    }
}

/// Who it is for and how it came in (staff only).
#[component]
fn ContactFacts(panel: StaffPanel, demand: i64, channel: String, lang: Lang) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>{lang.t(T::Phone)}</dt>
            <dd data-testid="requester-phone">{panel.requester_phone.clone()}</dd>
            <dt>{lang.t(T::Address)}</dt>
            <dd>{panel.requester_address.clone()}</dd>
            <dt>{lang.t(T::Channel)}</dt>
            <dd>{lang.t(match channel.as_str() { "walk_in" => T::ChannelWalkIn, "phone" => T::ChannelPhone, "open311" => T::ChannelOpen311, _ => T::ChannelApp })}</dd>
            {panel.open311_source.clone().map(|s| view! { <dt>{lang.t(T::Open311Source)}</dt><dd data-testid="open311-source">{s}</dd> })}
        </dl>
        {panel.contact_masked.then(|| view! {
            <EnhancedForm lang=lang>
                <form method="post" action=crate::case::ShowContact::url() class="form panel-part">
                    <FormBanner error=None />
                    <input type="hidden" name="id" value=demand />
                    <div class="field">
                        <label for="f-contact-reason">{lang.t(T::ShowContactReason)}</label>
                        <input id="f-contact-reason" name="reason" maxlength="200" required />
                        <p class="field-error" data-error-for="reason"></p>
                    </div>
                    <button type="submit" class="button secondary small">{lang.t(T::ShowContact)}</button>
                    <p class="hint">{lang.t(T::ShowContactHint)}</p>
                </form>
            </EnhancedForm>
        })}
    }
}

/// The station's moves that the state allows, as buttons.
#[component]
fn StationActions(item: i64, version: i64, state: State, back: String, lang: Lang) -> impl IntoView {
    let offered: Vec<Action> =
        STATION_ACTIONS.into_iter().filter(|a| transition(state, *a, Actor::Station).is_ok()).collect();
    (!offered.is_empty()).then(|| view! {
        <div class="action-row">
            {offered.into_iter().map(|a| { let back = back.clone(); view! {
                <EnhancedForm lang=lang>
                    <form method="post" action=Act::url() class="quick">
                        <FormBanner error=None />
                        <input type="hidden" name="item" value=item />
                        <input type="hidden" name="version" value=version />
                        <input type="hidden" name="action" value=a.as_str() />
                        <input type="hidden" name="back" value=back />
                        <button type="submit" class=if a == Action::Resolve { "button primary" } else { "button secondary" }
                            data-busy-label=lang.t(T::Sending)>{lang.t(action_label(a))}</button>
                    </form>
                </EnhancedForm>
            }}).collect_view()}
        </div>
    })
}

#[component]
fn ReplyForm(item: i64, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part" open>
            <summary>{lang.t(T::ReplyToResident)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=Reply::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="item" value=item />
                    {textarea("text", T::ReplyText, lang, item, true)}
                    <button type="submit" class="button secondary" data-busy-label=lang.t(T::Sending)>{lang.t(T::SendReply)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

/// The departments whistled up, their check-ins and reports.
#[component]
fn WhistleTable(panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <h3>{lang.t(T::Whistles)}</h3>
        <table class="table whistles">
            <thead><tr>
                <th scope="col">{lang.t(T::Department)}</th>
                <th scope="col">{lang.t(T::CheckIn)}</th>
                <th scope="col">{lang.t(T::ReportBack)}</th>
            </tr></thead>
            <tbody>
                {panel.whistles.iter().map(|w| view! {
                    <tr class:late=w.late>
                        <th scope="row">{w.department.get(lang).to_string()}</th>
                        <td data-testid="checkin">{match &w.checked_in {
                            Some(t) => format!("✓ {t}"),
                            None if w.late => format!("{} ({} {})", lang.t(T::Late), lang.t(T::CheckInBy), w.checkin_by),
                            None => format!("{} {}", lang.t(T::CheckInBy), w.checkin_by),
                        }}</td>
                        <td>{w.report.clone().unwrap_or_else(|| lang.t(T::Waiting).to_string())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A liaison's check-in and report on their department's open whistle.
#[component]
fn DepartmentActions(panel: StaffPanel, lang: Lang) -> impl IntoView {
    panel.whistles.into_iter().filter(|w| w.reported.is_none()).map(|w| view! {
        <div class="panel-part">
            {w.checked_in.is_none().then(|| view! {
                <form method="post" action=CheckIn::url() class="quick">
                    <input type="hidden" name="whistle" value=w.id />
                    <button type="submit" class="button primary">{lang.t(T::CheckIn)}</button>
                </form>
            })}
            <EnhancedForm lang=lang>
                <form method="post" action=Report::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="whistle" value=w.id />
                    {textarea("report", T::ReportBack, lang, w.id, true)}
                    <button type="submit" class="button secondary" data-busy-label=lang.t(T::Sending)>{lang.t(T::SendReport)}</button>
                </form>
            </EnhancedForm>
        </div>
    }).collect_view()
}

#[component]
fn WhistleForm(item: i64, version: i64, panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part">
            <summary>{lang.t(T::ActWhistle)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=Whistle::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="item" value=item />
                    <input type="hidden" name="version" value=version />
                    <fieldset class="field">
                        <legend>{lang.t(T::SummonDepartments)}</legend>
                        {panel.departments.iter().enumerate().map(|(i, (id, name))| view! {
                            <label class="choice">
                                <input type="checkbox" name=format!("departments[{i}]") value=*id />
                                <span>{name.get(lang).to_string()}</span>
                            </label>
                        }).collect_view()}
                        <p class="field-error" data-error-for="departments"></p>
                    </fieldset>
                    {textarea("note", T::Note, lang, item, false)}
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::ActWhistle)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

#[component]
fn HandoffList(panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <h3>{lang.t(T::Handoffs)}</h3>
        <ul class="plain">
            {panel.handoffs.iter().map(|h| view! {
                <li>
                    <strong>{h.partner.get(lang).to_string()}</strong> " · " {h.phone.clone()} " · " {h.handed.clone()}
                    {(!h.note.is_empty()).then(|| view! { <p class="small">{h.note.clone()}</p> })}
                    <p class="small">{lang.t(T::Outcome)} ": " {h.outcome.clone().unwrap_or_else(|| lang.t(T::Waiting).to_string())}</p>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn HandOffForm(item: i64, version: i64, panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part" open=panel.asked_partner.is_some()>
            <summary>{lang.t(T::ActHandOff)}</summary>
            {panel.asked_partner.and_then(|a| panel.partners.iter().find(|p| p.id == a)).map(|p| view! {
                <p class="notice" data-testid="panel-asked-partner">{lang.t(T::PartnerAskedByResident)} " " <strong>{p.name.get(lang).to_string()}</strong></p>
            })}
            <EnhancedForm lang=lang>
                <form method="post" action=HandOff::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="item" value=item />
                    <input type="hidden" name="version" value=version />
                    <div class="field">
                        <label for=format!("partner-{item}")>{lang.t(T::Partner)}</label>
                        <select id=format!("partner-{item}") name="partner" required>
                            <option value="">{lang.t(T::ChoosePartner)}</option>
                            {panel.partners.iter().map(|p| view! {
                                <option value=p.id selected=panel.asked_partner == Some(p.id)>{format!("{} — {}", p.name.get(lang), p.serves.get(lang))}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error" data-error-for="partner"></p>
                    </div>
                    {textarea("note", T::Note, lang, item, false)}
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::ActHandOff)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

#[component]
fn PartnerOutcomeForm(item: i64, version: i64, lang: Lang) -> impl IntoView {
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=HandOffOutcome::url() class="form panel-part">
                <FormBanner error=None />
                <input type="hidden" name="item" value=item />
                <input type="hidden" name="version" value=version />
                {textarea("outcome", T::Outcome, lang, item, true)}
                <button type="submit" class="button secondary" data-busy-label=lang.t(T::Sending)>{lang.t(T::ActPartnerDone)}</button>
            </form>
        </EnhancedForm>
    }
}

/// A case the station found and should not pursue (a false alarm, a duplicate): withdrawn
/// with the reason, on the timeline.
#[component]
fn WithdrawFoundForm(item: i64, version: i64, back: String, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part">
            <summary>{lang.t(T::WithdrawFound)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=Act::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="item" value=item />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="action" value="withdraw" />
                    <input type="hidden" name="back" value=back />
                    {textarea("note", T::WithdrawFoundReason, lang, item, true)}
                    <button type="submit" class="button secondary" data-busy-label=lang.t(T::Sending)>{lang.t(T::WithdrawFound)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

#[component]
fn ReassignForm(item: i64, version: i64, panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part">
            <summary>{lang.t(T::Reassign)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=Reassign::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="item" value=item />
                    <input type="hidden" name="version" value=version />
                    <div class="field">
                        <label for=format!("assignee-{item}")>{lang.t(T::Assignee)}</label>
                        <select id=format!("assignee-{item}") name="assignee">
                            {panel.workers.iter().map(|(id, name)| view! { <option value=*id>{name.clone()}</option> }).collect_view()}
                        </select>
                        <p class="field-error" data-error-for="assignee"></p>
                    </div>
                    <button type="submit" class="button secondary">{lang.t(T::Reassign)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

/// The station team corrects an open case's affair: the demand's words then count for the
/// new affair in the suggestions (and, before it is taken up, triage and deadlines follow).
#[component]
fn AffairForm(demand: i64, version: i64, current: String, panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part">
            <summary>{lang.t(T::ChangeAffair)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=crate::demands::ChangeAffair::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="id" value=demand />
                    <input type="hidden" name="version" value=version />
                    <div class="field">
                        <label for=format!("affair-{demand}")>{lang.t(T::AffairLabel)}</label>
                        <select id=format!("affair-{demand}") name="affair">
                            <option value="other" selected=current.is_empty()>{lang.t(T::OtherAffair)}</option>
                            {panel.affairs.iter().map(|(code, name)| view! {
                                <option value=code.clone() selected=*code == current>{name.get(lang).to_string()}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error" data-error-for="affair"></p>
                    </div>
                    <button type="submit" class="button secondary">{lang.t(T::ChangeAffair)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

/// The station merges this demand into another report of the same incident.
#[component]
fn MergeForm(demand: i64, version: i64, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part">
            <summary>{lang.t(T::MergeInto)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=crate::demands::me_too::MergeDemand::url() class="form" data-testid="merge">
                    <FormBanner error=None />
                    <input type="hidden" name="id" value=demand />
                    <input type="hidden" name="version" value=version />
                    <div class="field">
                        <label for=format!("merge-{demand}")>{lang.t(T::MergeTarget)}</label>
                        <input id=format!("merge-{demand}") name="into" type="text" inputmode="numeric" maxlength="20" required />
                        <p class="hint">{lang.t(T::MergeHint)}</p>
                        <p class="field-error" data-error-for="into"></p>
                    </div>
                    <button type="submit" class="button secondary">{lang.t(T::MergeInto)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

#[component]
fn UrgeForm(item: i64, lang: Lang) -> impl IntoView {
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=Urge::url() class="quick panel-part">
                <FormBanner error=None />
                <input type="hidden" name="item" value=item />
                <button type="submit" class="button danger-outline">{lang.t(T::Urge)}</button>
            </form>
        </EnhancedForm>
    }
}

/// The confidential case notes of six-step case management (station team only).
#[component]
fn CaseNotes(item: i64, panel: StaffPanel, lang: Lang) -> impl IntoView {
    view! {
        <details class="panel-part case-notes">
            <summary>{lang.t(T::CaseNotes)} " (" {panel.case_notes.len()} ")"</summary>
            <p class="hint">{lang.t(T::CaseNotesHint)}</p>
            <ol class="plain">
                {panel.case_notes.iter().map(|n| view! {
                    <li class="case-note">
                        <p class="small"><strong>{lang.t(step_label(&n.step))}</strong> " · " {n.author.clone()} " · " {n.when.clone()}</p>
                        <p>{n.body.clone()}</p>
                    </li>
                }).collect_view()}
            </ol>
            <EnhancedForm lang=lang>
                <form method="post" action=CaseNote::url() class="form">
                    <FormBanner error=None />
                    <input type="hidden" name="item" value=item />
                    <div class="field">
                        <label for=format!("step-{item}")>{lang.t(T::CaseStep)}</label>
                        <select id=format!("step-{item}") name="step">
                            {crate::work::server_steps().into_iter().map(|s| view! { <option value=s>{lang.t(step_label(s))}</option> }).collect_view()}
                        </select>
                    </div>
                    {textarea("body", T::CaseNote, lang, item, true)}
                    <button type="submit" class="button secondary">{lang.t(T::AddCaseNote)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}
