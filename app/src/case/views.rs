//! The case page: `/demands/{id}`.

use super::*;
use crate::demands::place_label;
use crate::demands::views::contact_label;
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use crate::work::{triage_label, triage_reason_label};
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;
use timeline::LiveCase;

#[component]
pub fn DemandPage() -> impl IntoView {
    let lang = use_lang();
    let id = use_params_map().get_untracked().get("id").and_then(|v| v.parse::<i64>().ok());
    let Some(id) = id else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    if current_user().is_none() {
        return redirect_to_login(&format!("/demands/{id}"));
    }
    // Without JavaScript a failed form post on this page comes back with its error in the
    // URL: read while the router is at hand, shown at the top.
    let posted = {
        use crate::supervision::{AnswerUrge, UrgeCase};
        crate::form::any_error_from_url(&[UrgeCase::PATH, AnswerUrge::PATH])
    };
    let data = Resource::new(move || id, demand);
    view! {
        <Suspense fallback=|| ()>
            {move || { let posted = posted.clone(); Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <DemandDetail d=d lang=lang posted=posted /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => view! { <crate::ui::NotFoundPage /> }.into_any(),
                    Err(e) => view! { <Page tab=Tab::None title=lang.t(T::ErrGenericTitle).to_string()><p class="form-banner" role="alert">{e.message(lang)}</p></Page> }.into_any(),
                }
            })}}
        </Suspense>
    }
    .into_any()
}

#[component]
fn DemandDetail(d: DemandView, lang: Lang, posted: Option<crate::error::AppError>) -> impl IntoView {
    let title = d.affair.as_ref().map(|(_, n)| n.get(lang).to_string()).unwrap_or_else(|| {
        let kind = if d.visit.is_some() { T::HomeVisitTitle } else { T::Demand };
        format!("{} #{}", lang.t(kind), d.id)
    });
    let requester = d.viewing == Viewing::Requester;
    let staff = d.staff.clone();
    let tab = if requester { Tab::Me } else { Tab::None };
    view! {
        <Page tab=tab title=title>
            // The form that was posted is folded away: the banner says what it refused.
            {posted.map(|e| view! { <p class="form-banner" role="alert">{e.message_in_full(lang)}</p> })}
            <section class="card demand-facts">
                <p class="badges">
                    {(d.urgency == Urgency::Emergency).then(|| view! { <span class="tag danger">{lang.t(T::UrgencyEmergency)}</span> })}
                    <span class="tag" data-testid="triage">{lang.t(triage_label(d.triage))}</span>
                    {d.overdue.then(|| view! { <span class="tag danger">{lang.t(T::Overdue)}</span> })}
                    <span class="tag">{lang.t(if d.everyone { T::VisibilityEveryoneShort } else if d.public { T::VisibilityPublicShort } else { T::VisibilityPrivateShort })}</span>
                </p>
                <p class="why muted small" data-testid="triage-why">{lang.t(T::Why)} ": " {lang.t(triage_reason_label(d.triage_reason))}</p>
                {d.affair_matched.then(|| view! { <p class="muted small" data-testid="affair-matched">{lang.t(T::AffairMatched)}</p> })}
                {d.affair_choices.clone().map(|choices| view! { <AffairChoices demand=d.id choices=choices lang=lang /> })}
                {(d.joined > 0).then(|| view! { <p class="tag" data-testid="me-too-count">{d.joined} {lang.t(T::MeTooCount)}</p> })}
                {(d.viewing == Viewing::CoRequester).then(|| view! { <p class="notice" data-testid="me-too-you">{lang.t(T::MeTooYou)}</p> })}
                {d.merged_into.map(|into| view! {
                    <p class="notice" data-testid="merged-into">{lang.t(T::ActMerge)} " " <a href=format!("/demands/{into}")>{format!("#{into}")}</a></p>
                })}
                {d.can_join.then(|| view! { <MeTooForm demand=d.id lang=lang /> })}
                <p class="description">{d.description.clone()}</p>
                <dl class="facts">
                    <dt>{lang.t(T::Place)}</dt>
                    <dd>
                        {lang.t(place_label(d.place))}
                        {d.building.as_ref().map(|b| format!(" · {}", b.get(lang)))}
                        {(!d.place_detail.is_empty()).then(|| format!(" · {}", d.place_detail))}
                    </dd>
                    <dt>{lang.t(T::Posted)}</dt>
                    <dd>{d.posted.clone()}</dd>
                    <dt>{lang.t(T::DueResponse)}</dt>
                    <dd data-testid="respond-by">{d.respond_by.clone()}</dd>
                    <dt>{lang.t(T::DueCompletion)}</dt>
                    <dd data-testid="complete-by">{d.complete_by.clone()}</dd>
                    {d.found_via.map(|f| view! {
                        <dt>{lang.t(T::FoundTitle)}</dt>
                        <dd data-testid="found-via">{lang.t(crate::work::found_via_label(f))}</dd>
                    })}
                    {d.requester.clone().map(|r| view! { <dt>{lang.t(T::ForPerson)}</dt><dd>{r}</dd> })}
                    {d.filed_by.clone().map(|f| view! { <dt>{lang.t(T::FiledBy)}</dt><dd>{f}</dd> })}
                    {(!d.contact_time.is_empty()).then(|| view! { <dt>{lang.t(T::ContactTime)}</dt><dd>{contact_label(&d.contact_time, lang)}</dd> })}
                    {d.assignee.clone().map(|a| view! { <dt>{lang.t(T::Assignee)}</dt><dd data-testid="assignee">{a}</dd> })}
                </dl>
                {(!d.photos.is_empty()).then(|| view! {
                    <ul class="photo-grid">
                        {d.photos.iter().map(|p| view! {
                            <li><a href=format!("/photos/{p}")><img src=format!("/photos/{p}/thumb") alt=lang.t(T::Photo) loading="lazy" /></a></li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
            {d.visit.clone().map(|v| view! { <crate::visits::views::VisitSection v=v lang=lang /> })}
            {d.rating.clone().map(|r| view! { <crate::ratings::views::RatingSection r=r lang=lang /> })}
            <LiveCase demand_id=d.id item_id=d.item_id lang=lang requester=requester initial=d.live.clone() />
            {staff.clone().map(|panel| view! {
                <crate::ratings::views::AssessmentSection demand_id=d.id a=panel.assessment.clone() can_assess=panel.can_assess lang=lang />
            })}
            {staff.map(|panel| view! { <super::panel::StaffPanelView d=d.clone() panel=panel lang=lang /> })}
            {matches!(d.viewing, Viewing::Station | Viewing::Overseer).then(|| view! {
                <crate::supervision::views::CaseSupervisionSection demand_id=d.id lang=lang />
            })}
            {matches!(d.viewing, Viewing::Station).then(|| view! {
                <crate::transparency::outcomes::CaseOutcomeSection demand_id=d.id lang=lang />
            })}
        </Page>
    }
}

/// A neighbour reports the same incident: they join it instead of posting it again.
#[component]
fn MeTooForm(demand: i64, lang: Lang) -> impl IntoView {
    view! {
        <crate::form::EnhancedForm lang=lang>
            <form method="post" action=crate::demands::me_too::MeToo::url() class="quick" data-testid="me-too">
                <crate::form::FormBanner error=None />
                <input type="hidden" name="id" value=demand />
                <button type="submit" class="button secondary">{lang.t(T::MeToo)}</button>
            </form>
        </crate::form::EnhancedForm>
    }
}

/// The requester's one tap on the server's choice of affair: the next best matches for the
/// words, or "other" (one form, one button each; works without JavaScript).
#[component]
fn AffairChoices(demand: i64, choices: Vec<(String, crate::i18n::Named)>, lang: Lang) -> impl IntoView {
    view! {
        <crate::form::EnhancedForm lang=lang>
            <form method="post" action=crate::demands::ChangeAffair::url() class="affair-change" data-testid="affair-change">
                <crate::form::FormBanner error=None />
                <input type="hidden" name="id" value=demand />
                <p class="small">{lang.t(T::AffairMatchedAsk)}</p>
                {choices.into_iter().map(|(code, name)| view! {
                    <button type="submit" name="affair" value=code class="button secondary small">{name.get(lang).to_string()}</button>
                }).collect_view()}
                <button type="submit" name="affair" value="other" class="button secondary small">{lang.t(T::OtherAffair)}</button>
            </form>
        </crate::form::EnhancedForm>
    }
}
