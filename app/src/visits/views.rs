//! The request page (`/visits/new`) and the home-visit section of a demand page.

use super::*;
use crate::form::{load_state, EnhancedForm, FormBanner};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use server_fn::ServerFn;

pub fn preferred_label(v: &str) -> T {
    match v {
        "weekday_morning" => T::VisitWeekdayMorning,
        "weekday_afternoon" => T::VisitWeekdayAfternoon,
        "weekend" => T::VisitWeekend,
        _ => T::VisitAnyTime,
    }
}

pub fn mobility_label(v: &str) -> T {
    match v {
        "elderly" => T::MobilityElderly,
        "wheelchair" => T::MobilityWheelchair,
        "bedridden" => T::MobilityBedridden,
        _ => T::MobilityNone,
    }
}

fn proposal_status(s: &str) -> T {
    match s {
        "accepted" => T::VisitAgreed,
        "declined" => T::VisitAnotherTime,
        _ => T::VisitProposed,
    }
}

#[component]
pub fn VisitRequestPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/visits/new");
    }
    let state = Resource::new(|| (), |_| load_state("visit", RequestVisit::PATH));
    view! {
        <Page tab=Tab::Services title=lang.t(T::HomeVisitTitle).to_string()>
            <p class="lead">{lang.t(T::HomeVisitIntro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = state.await;
                    let key = Some(s.value("idempotency_key")).filter(|k| !k.is_empty()).unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
                    let context = crate::demands::load_posting_context(key.clone()).await;
                    let for_whom = context.map(|c| c.for_whom).unwrap_or_default();
                    let problems = s.clone();
                    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
                    let preferred = s.value("preferred");
                    let mobility = s.value("mobility");
                    view! {
                        <EnhancedForm lang=lang>
                            <form method="post" action=RequestVisit::url() class="card form">
                                <FormBanner error=s.error.clone() />
                                <input type="hidden" name="idempotency_key" value=key />
                                {(for_whom.len() > 1).then(|| view! {
                                    <div class="field">
                                        <label for="v-for">{lang.t(T::ForWhom)}</label>
                                        <select id="v-for" name="for_whom">
                                            {for_whom.iter().map(|p| {
                                                let label = if p.myself { format!("{} ({})", p.name, lang.t(T::Myself)) } else { p.name.clone() };
                                                view! { <option value=p.user_id>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                        <p class="field-error" data-error-for="for_whom">{problem("for_whom")}</p>
                                    </div>
                                })}
                                <div class="field">
                                    <label for="v-reason">{lang.t(T::VisitReason)}</label>
                                    <textarea id="v-reason" name="reason" rows="4" maxlength="500" required>{s.value("reason")}</textarea>
                                    <p class="field-error" data-error-for="reason">{problem("reason")}</p>
                                </div>
                                <div class="field">
                                    <label for="v-preferred">{lang.t(T::VisitPreferred)}</label>
                                    <select id="v-preferred" name="preferred">
                                        {PREFERRED.into_iter().map(|v| view! { <option value=v selected=preferred == v>{lang.t(preferred_label(v))}</option> }).collect_view()}
                                    </select>
                                    <input name="preferred_note" type="text" maxlength="200" aria-label=lang.t(T::VisitPreferredNote)
                                        placeholder=lang.t(T::VisitPreferredNote) value=s.value("preferred_note") />
                                </div>
                                <div class="field">
                                    <label for="v-mobility">{lang.t(T::VisitMobility)}</label>
                                    <select id="v-mobility" name="mobility">
                                        {MOBILITY.into_iter().map(|v| view! { <option value=v selected=mobility == v>{lang.t(mobility_label(v))}</option> }).collect_view()}
                                    </select>
                                    <input name="mobility_note" type="text" maxlength="200" aria-label=lang.t(T::VisitMobilityNote)
                                        placeholder=lang.t(T::VisitMobilityNote) value=s.value("mobility_note") />
                                </div>
                                <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Submit)}</button>
                            </form>
                        </EnhancedForm>
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
pub fn VisitSection(v: VisitPanel, lang: Lang) -> impl IntoView {
    let demand = v.demand_id;
    view! {
        <section class="card visit" aria-labelledby="visit-h" data-testid="visit">
            <h2 id="visit-h">{lang.t(T::HomeVisitTitle)}</h2>
            <p>{lang.t(T::VisitPreferred)} ": " {lang.t(preferred_label(&v.preferred))} " " {v.preferred_note.clone()}</p>
            <p>{lang.t(T::VisitMobility)} ": " {lang.t(mobility_label(&v.mobility))} " " {v.mobility_note.clone()}</p>
            <ul class="proposals">
                {v.proposals.iter().map(|p| view! {
                    <li data-testid="proposal">
                        <strong>{p.when.clone()}</strong> " " <span class="tag">{lang.t(proposal_status(&p.status))}</span>
                        {(!p.note.is_empty()).then(|| view! { <span class="muted small">{format!(" {}", p.note)}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            {(!v.outcome.is_empty()).then(|| view! { <p data-testid="visit-outcome"><strong>{lang.t(T::VisitOutcome)} ": "</strong>{v.outcome.clone()}</p> })}
            {v.can_answer.map(|id| view! {
                <form method="post" action=AnswerVisit::url() class="inline-form">
                    <input type="hidden" name="proposal_id" value=id />
                    <input type="hidden" name="accept" value="1" />
                    <button type="submit" class="button primary">{lang.t(T::AcceptVisitTime)}</button>
                </form>
                <details>
                    <summary>{lang.t(T::AskAnotherTime)}</summary>
                    <form method="post" action=AnswerVisit::url() class="form">
                        <p class="form-banner" data-form-error="" role="alert" hidden></p>
                        <input type="hidden" name="proposal_id" value=id />
                        <input type="hidden" name="accept" value="0" />
                        <label for="v-note">{lang.t(T::VisitAnotherTimeNote)}</label>
                        <input id="v-note" name="note" type="text" maxlength="200" required />
                        <p class="field-error" data-error-for="note"></p>
                        <button type="submit" class="button secondary">{lang.t(T::AskAnotherTime)}</button>
                    </form>
                </details>
            })}
            {v.can_propose.then(|| view! {
                <form method="post" action=ProposeVisit::url() class="form">
                    <p class="form-banner" data-form-error="" role="alert" hidden></p>
                    <input type="hidden" name="demand_id" value=demand />
                    <div class="field-row">
                        <div class="field">
                            <label for="v-date">{lang.t(T::Date)}</label>
                            <input id="v-date" name="date" type="date" required />
                            <p class="field-error" data-error-for="date"></p>
                        </div>
                        <div class="field">
                            <label for="v-time">{lang.t(T::StartTime)}</label>
                            <input id="v-time" name="time" type="time" required />
                        </div>
                    </div>
                    <button type="submit" class="button primary">{lang.t(T::ProposeVisitTime)}</button>
                </form>
            })}
            {v.can_record.then(|| view! {
                <form method="post" action=RecordVisit::url() class="form">
                    <p class="form-banner" data-form-error="" role="alert" hidden></p>
                    <input type="hidden" name="demand_id" value=demand />
                    <label for="v-outcome">{lang.t(T::VisitOutcome)}</label>
                    <textarea id="v-outcome" name="outcome" rows="3" required></textarea>
                    <p class="field-error" data-error-for="outcome"></p>
                    <button type="submit" class="button primary">{lang.t(T::Save)}</button>
                </form>
            })}
        </section>
    }
}
