//! A thread's consultation meetings.

use super::*;

#[component]
pub(super) fn Meetings(t: ThreadView, state: FormState, lang: Lang) -> impl IntoView {
    let station = t.powers.station;
    let resident = t.powers.can_support || t.powers.can_flag;
    let s = state;
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    let show = station || !t.meetings.is_empty();
    let open_schedule = s.error.is_some();
    show.then(|| view! {
        <section class="card meetings" id="meetings" aria-labelledby="meetings-h">
            <h2 id="meetings-h">{lang.t(T::ConsultationMeetings)}</h2>
            {t.meetings.iter().map(|m| {
                let full = m.taken >= m.capacity;
                view! {
                    <article class="meeting" data-testid="meeting">
                        <p><strong>{format!("{}–{}", m.starts, m.ends)}</strong></p>
                        <p>{m.place.clone()}</p>
                        <p class="muted small" data-testid="meeting-places">
                            {crate::i18n::fmt::places(lang, m.taken, m.capacity, m.waitlist)}
                        </p>
                        {m.mine.map(|o| view! {
                            <p class="notice" data-testid="my-signup">
                                {match o {
                                    SignupOutcome::Confirmed => lang.t(T::SignedUp).to_string(),
                                    SignupOutcome::Waitlisted => crate::i18n::fmt::waitlist_position(lang, m.waitlist_position.unwrap_or(0)),
                                }}
                            </p>
                        })}
                        {(resident && !m.started).then(|| view! {
                            <form method="post" action=MeetingSignup::url() class="inline-form">
                                <input type="hidden" name="meeting_id" value=m.id />
                                <input type="hidden" name="join" value=if m.mine.is_some() { "0" } else { "1" } />
                                <button type="submit" class=if m.mine.is_some() { "button secondary" } else { "button primary" }>
                                    {lang.t(match (m.mine.is_some(), full) {
                                        (true, _) => T::CancelSignup,
                                        (false, true) => T::JoinWaitlist,
                                        (false, false) => T::SignUp,
                                    })}
                                </button>
                            </form>
                        })}
                        <p><a href=format!("/meetings/{}/ics", m.id) download="">{lang.t(T::AddToCalendar)}</a></p>
                        {(!m.minutes.is_empty()).then(|| view! {
                            <h3>{lang.t(T::Minutes)}</h3>
                            <p class="minutes" data-testid="minutes"><Body pieces=rules::pieces(&m.minutes) /></p>
                            <p><strong>{lang.t(T::MeetingDecision)} ": "</strong>{m.decision.clone()}</p>
                        })}
                        {(station && !m.attendees.is_empty()).then(|| view! {
                            <details><summary>{lang.t(T::Attendees)}</summary>
                                <ul>{m.attendees.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
                            </details>
                        })}
                        {(station && m.started).then(|| view! {
                            <details open=m.minutes.is_empty()>
                                <summary>{lang.t(T::PostMinutes)}</summary>
                                <form method="post" action=MeetingMinutes::url() class="form">
                                    <p class="form-banner" data-form-error="" role="alert" hidden></p>
                                    <input type="hidden" name="meeting_id" value=m.id />
                                    <label for=format!("minutes-{}", m.id)>{lang.t(T::Minutes)}</label>
                                    <textarea id=format!("minutes-{}", m.id) name="minutes" rows="4">{m.minutes.clone()}</textarea>
                                    <p class="field-error" data-error-for="minutes"></p>
                                    <label for=format!("decision-text-{}", m.id)>{lang.t(T::MeetingDecision)}</label>
                                    <input id=format!("decision-text-{}", m.id) name="decision" type="text" maxlength="1000" value=m.decision.clone() />
                                    <p class="field-error" data-error-for="decision"></p>
                                    <button type="submit" class="button primary">{lang.t(T::Save)}</button>
                                </form>
                            </details>
                        })}
                    </article>
                }
            }).collect_view()}
            {station.then(|| view! {
                <details class="schedule" open=open_schedule>
                    <summary class="button secondary">{lang.t(T::ScheduleMeeting)}</summary>
                    <EnhancedForm lang=lang>
                        <form method="post" action=ScheduleMeeting::url() class="form">
                            <FormBanner error=s.error.clone() />
                            <input type="hidden" name="thread_id" value=t.id />
                            <div class="field">
                                <label for="m-date">{lang.t(T::Date)}</label>
                                <input id="m-date" name="date" type="date" required value=s.value("date") />
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="m-start">{lang.t(T::StartTime)}</label>
                                    <input id="m-start" name="start" type="time" required value=s.value("start") />
                                    <p class="field-error" data-error-for="start">{problem("start")}</p>
                                </div>
                                <div class="field">
                                    <label for="m-end">{lang.t(T::EndTime)}</label>
                                    <input id="m-end" name="end" type="time" required value=s.value("end") />
                                    <p class="field-error" data-error-for="end">{problem("end")}</p>
                                </div>
                            </div>
                            <div class="field">
                                <label for="m-place">{lang.t(T::MeetingPlace)}</label>
                                <input id="m-place" name="place" type="text" maxlength="100" required
                                    value={ let v = s.value("place"); if v.is_empty() { lang.t(T::DefaultMeetingPlace).to_string() } else { v } } />
                                <p class="field-error" data-error-for="place">{problem("place")}</p>
                            </div>
                            <div class="field">
                                <label for="m-capacity">{lang.t(T::Capacity)}</label>
                                <input id="m-capacity" name="capacity" type="number" min="1" max="500" inputmode="numeric" required
                                    value={ let v = s.value("capacity"); if v.is_empty() { "30".to_string() } else { v } } />
                                <p class="field-error" data-error-for="capacity">{problem("capacity")}</p>
                            </div>
                            <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::ScheduleMeeting)}</button>
                        </form>
                    </EnhancedForm>
                </details>
            })}
        </section>
    })
}
