//! The page `/activities`: volunteer hours, upcoming and past activities, sign-ups, and for
//! staff the publishing form and attendance.

use super::*;
use crate::form::{error_from_url, load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use server_fn::ServerFn;

pub fn category_label(c: &str) -> T {
    match c {
        "garbage_sorting" => T::ActGarbageSorting,
        "safety_patrol" => T::ActSafetyPatrol,
        "culture_sports" => T::ActCultureSports,
        "welfare" => T::ActWelfare,
        _ => T::TopicOther,
    }
}

#[component]
pub fn ActivitiesPageView() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/activities");
    }
    let data = Resource::new(|| (), |_| load_activities());
    let error = [ActivitySignup::PATH, MarkAttended::PATH].into_iter().find_map(error_from_url);
    view! {
        <Page tab=Tab::Services title=lang.t(T::VolunteerActivities).to_string()>
            {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let state = load_state("activity", PublishActivity::PATH).await;
                    match data.await {
                        Ok(p) => view! { <ActivitiesBody p=p state=state lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn ActivitiesBody(p: ActivitiesPage, state: FormState, lang: Lang) -> impl IntoView {
    view! {
        <section class="card hours" aria-label=lang.t(T::VolunteerHours)>
            {p.resident.then(|| view! {
                <p>{lang.t(T::MyVolunteerHours)} " " <strong data-testid="my-hours">{p.my_hours.clone()}</strong> " " {lang.t(T::HoursUnit)}</p>
            })}
            <p>{lang.t(T::CommunityVolunteerHours)} " " <strong data-testid="community-hours">{p.community_hours.clone()}</strong> " " {lang.t(T::HoursUnit)}</p>
        </section>
        {p.station.then(|| view! { <PublishForm state=state lang=lang /> })}
        <h2>{lang.t(T::UpcomingActivities)}</h2>
        {p.upcoming.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoActivities)}</p> })}
        {p.upcoming.into_iter().map(|a| view! { <ActivityCard a=a resident=p.resident lang=lang /> }).collect_view()}
        {(!p.past.is_empty()).then(|| view! { <h2>{lang.t(T::PastActivities)}</h2> })}
        {p.past.into_iter().map(|a| view! { <ActivityCard a=a resident=p.resident lang=lang /> }).collect_view()}
    }
}

#[component]
fn ActivityCard(a: ActivityView, resident: bool, lang: Lang) -> impl IntoView {
    let full = a.taken >= a.capacity;
    let id = a.id;
    view! {
        <article class="card activity" id=format!("a{id}") data-testid="activity">
            <p class="badges"><span class="tag">{lang.t(category_label(&a.category))}</span></p>
            <h3>{a.title.clone()}</h3>
            <p><strong>{format!("{}–{}", a.starts, a.ends)}</strong> " · " {a.place.clone()}</p>
            {(!a.description.is_empty()).then(|| view! { <p>{a.description.clone()}</p> })}
            <p class="muted small" data-testid="activity-places">
                {crate::i18n::fmt::places(lang, a.taken, a.capacity, a.waiting)}
                {format!(" · {} {} {}", lang.t(T::HoursCredited), a.hours, lang.t(T::HoursUnit))}
            </p>
            {a.mine.map(|o| view! {
                <p class="notice" data-testid="my-activity-signup">
                    {match (o, a.attended) {
                        (_, true) => lang.t(T::Attended).to_string(),
                        (SignupOutcome::Confirmed, _) => lang.t(T::SignedUp).to_string(),
                        (SignupOutcome::Waitlisted, _) => crate::i18n::fmt::waitlist_position(lang, a.waitlist_position.unwrap_or(0)),
                    }}
                </p>
            })}
            {(resident && !a.started && (a.open_for_signup || a.mine.is_some()) && !a.attended).then(|| view! {
                <form method="post" action=ActivitySignup::url() class="inline-form">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="join" value=if a.mine.is_some() { "0" } else { "1" } />
                    <button type="submit" class=if a.mine.is_some() { "button secondary" } else { "button primary" }>
                        {lang.t(match (a.mine.is_some(), full) {
                            (true, _) => T::CancelSignup,
                            (false, true) => T::JoinWaitlist,
                            (false, false) => T::SignUp,
                        })}
                    </button>
                </form>
            })}
            {(resident && a.mine.is_none() && !a.open_for_signup && !a.started).then(|| view! { <p class="muted small">{lang.t(T::ErrSignupClosed)}</p> })}
            {(!a.attendees.is_empty()).then(|| view! {
                <details>
                    <summary>{format!("{} ({})", lang.t(T::Attendees), a.attendees.len())}</summary>
                    <ul class="attendees">
                        {a.attendees.iter().map(|p| view! {
                            <li data-testid="attendee">
                                {format!("{} {}", p.name, p.phone)}
                                {p.waiting.then(|| view! { <span class="tag">{lang.t(T::Waitlisted)}</span> })}
                                {p.attended.then(|| view! { <span class="tag">{lang.t(T::Attended)}</span> })}
                                {(a.started && !p.waiting && !p.attended).then(|| view! {
                                    <form method="post" action=MarkAttended::url() class="inline-form">
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="user_id" value=p.user_id />
                                        <button type="submit" class="button secondary small">{lang.t(T::MarkAttendedButton)}</button>
                                    </form>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </article>
    }
}

#[component]
fn PublishForm(state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    let open = s.error.is_some();
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    let category = s.value("category");
    let values = s.clone();
    let value_or = move |f: &str, d: &str| {
        let v = values.value(f);
        if v.is_empty() {
            d.to_string()
        } else {
            v
        }
    };
    view! {
        <details class="card new-thread" open=open>
            <summary class="button primary">{lang.t(T::PublishActivity)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=PublishActivity::url() class="form">
                    <FormBanner error=s.error.clone() />
                    <div class="field">
                        <label for="act-title">{lang.t(T::ActivityTitle)}</label>
                        <input id="act-title" name="title" type="text" maxlength="80" required value=s.value("title") />
                        <p class="field-error" data-error-for="title">{problem("title")}</p>
                    </div>
                    <div class="field">
                        <label for="act-category">{lang.t(T::Topic)}</label>
                        <select id="act-category" name="category">
                            {CATEGORIES.into_iter().map(|c| view! { <option value=c selected=category == c>{lang.t(category_label(c))}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="act-description">{lang.t(T::ThreadBody)}</label>
                        <textarea id="act-description" name="description" rows="3" maxlength="2000">{s.value("description")}</textarea>
                    </div>
                    <div class="field">
                        <label for="act-place">{lang.t(T::MeetingPlace)}</label>
                        <input id="act-place" name="place" type="text" maxlength="100" required value=s.value("place") />
                        <p class="field-error" data-error-for="place">{problem("place")}</p>
                    </div>
                    <div class="field">
                        <label for="act-date">{lang.t(T::Date)}</label>
                        <input id="act-date" name="date" type="date" required value=s.value("date") />
                    </div>
                    <div class="field-row">
                        <div class="field">
                            <label for="act-start">{lang.t(T::StartTime)}</label>
                            <input id="act-start" name="start" type="time" required value=s.value("start") />
                            <p class="field-error" data-error-for="start">{problem("start")}</p>
                        </div>
                        <div class="field">
                            <label for="act-end">{lang.t(T::EndTime)}</label>
                            <input id="act-end" name="end" type="time" required value=s.value("end") />
                            <p class="field-error" data-error-for="end">{problem("end")}</p>
                        </div>
                    </div>
                    <div class="field-row">
                        <div class="field">
                            <label for="act-capacity">{lang.t(T::Capacity)}</label>
                            <input id="act-capacity" name="capacity" type="number" min="1" max="500" inputmode="numeric" required value=value_or("capacity", "20") />
                            <p class="field-error" data-error-for="capacity">{problem("capacity")}</p>
                        </div>
                        <div class="field">
                            <label for="act-hours">{lang.t(T::HoursCredited)}</label>
                            <input id="act-hours" name="hours" type="number" min="0" max="24" step="0.5" inputmode="decimal" required value=value_or("hours", "2") />
                            <p class="field-error" data-error-for="hours">{problem("hours")}</p>
                        </div>
                    </div>
                    <div class="field">
                        <label for="act-deadline">{lang.t(T::SignupClosesHint)}</label>
                        <input id="act-deadline" name="deadline_hours" type="number" min="0" max="168" inputmode="numeric" value=value_or("deadline_hours", "2") />
                        <p class="field-error" data-error-for="deadline_hours">{problem("deadline_hours")}</p>
                    </div>
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::PublishActivity)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}
