//! Pages: book and my bookings (`/appointments`), one booking (`/appointments/{id}`), the
//! station's day (`/station/appointments`). Plain forms throughout.

use super::*;
use crate::form::{error_from_url, EnhancedForm};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, StationFrame, Tab};
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

fn status_label(s: &str) -> T {
    match s {
        "booked" => T::StatusBooked,
        "cancelled" => T::StatusCancelled,
        "arrived" => T::StatusArrived,
        _ => T::StatusNoShow,
    }
}

#[component]
fn Checklist(documents: Vec<Named>, lang: Lang) -> impl IntoView {
    view! {
        <section class="card checklist-card" data-testid="checklist">
            <h2>{lang.t(T::BringThese)}</h2>
            {if documents.is_empty() {
                view! { <p>{lang.t(T::NothingToBring)}</p> }.into_any()
            } else {
                view! {
                    <ul class="checklist">
                        {documents.into_iter().enumerate().map(|(i, d)| {
                            let id = format!("doc-{i}");
                            let for_id = id.clone();
                            view! { <li><input type="checkbox" id=id /><label for=for_id>{d.get(lang).to_string()}</label></li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/appointments");
    }
    let query = use_query_map().get_untracked();
    let affair = query.get("affair").unwrap_or_default();
    let day = query.get("date").unwrap_or_default();
    // Moving an existing booking: the same page, posting to reschedule.
    let moving = query.get("reschedule").and_then(|r| r.parse::<i64>().ok());
    let error = [Book::PATH, Cancel::PATH, Reschedule::PATH].into_iter().find_map(error_from_url);
    let data = Resource::new(move || affair.clone(), load_booking_page);
    view! {
        <Page tab=Tab::Services title=lang.t(T::Appointments).to_string()>
            <p class="lead">{lang.t(T::AppointmentsIntro)}</p>
            <p><a href="/visits/new">{lang.t(T::HomeVisitAsk)}</a> " · " <a href="/activities">{lang.t(T::VolunteerActivities)}</a> " · " <a href="/spaces">{lang.t(T::SpacesTitle)}</a></p>
            <Suspense fallback=|| ()>
                {move || {
                    let (error, day) = (error.clone(), day.clone());
                    Suspend::new(async move {
                        match data.await {
                            Ok(p) => view! { <BookingBody p=p error=error day=day moving=moving lang=lang /> }.into_any(),
                            Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn BookingBody(p: BookingPage, error: Option<AppError>, day: String, moving: Option<i64>, lang: Lang) -> impl IntoView {
    // One day's times at a time; the other days with free times as chips.
    let shown = p.days.iter().find(|d| d.date == day).or(p.days.first()).map(|d| d.date.clone()).unwrap_or_default();
    let chosen_code = p.chosen.as_ref().map(|a| a.code.clone()).unwrap_or_default();
    let next = match &error {
        Some(AppError::SlotFull { next }) => next.clone(),
        _ => Vec::new(),
    };
    view! {
        {error.map(|e| view! { <p class="form-banner" role="alert" data-testid="booking-error">{e.message(lang)}</p> })}
        {p.banned_until.clone().map(|u| view! { <p class="form-banner" role="alert">{crate::i18n::fmt::booking_banned(lang, &u)}</p> })}
        <section class="card" aria-labelledby="mine-h">
            <h2 id="mine-h">{lang.t(T::MyBookings)}</h2>
            {p.mine.iter().all(|b| !b.upcoming).then(|| view! { <p class="empty">{lang.t(T::NoBookings)}</p> })}
            <ul class="booking-list">
                {p.mine.iter().filter(|b| b.upcoming).map(|b| view! {
                    <li data-testid="my-booking">
                        <a href=format!("/appointments/{}", b.id)>
                            <strong>{format!("{}–{}", b.when, b.ends)}</strong>
                            " " {b.affair.as_ref().map(|a| a.get(lang).to_string())}
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <form method="get" action="/appointments" class="card form">
            <div class="field">
                <label for="f-affair">{lang.t(T::ChooseAffair)}</label>
                <select id="f-affair" name="affair">
                    {p.affairs.iter().map(|a| view! {
                        <option value=a.code.clone() selected=a.code == chosen_code>{a.name.get(lang).to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button secondary">{lang.t(T::ShowSlots)}</button>
        </form>
        {p.chosen.clone().map(|a| {
            let code = a.code.clone();
            view! {
                <Checklist documents=a.documents.clone() lang=lang />
                <section class="card" aria-labelledby="slots-h">
                    <h2 id="slots-h">{lang.t(T::FreeSlots)}</h2>
                    <p class="muted small">{lang.t(T::BookingRules)}</p>
                    {(!next.is_empty()).then(|| view! { <p class="notice">{lang.t(T::NextFreeSlots)}</p> })}
                    {p.days.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoFreeSlots)}</p> })}
                    <EnhancedForm lang=lang>
                        <form method="post" action=if moving.is_some() { Reschedule::url() } else { Book::url() } class="form booking-form">
                            <p class="form-banner" data-form-error="" role="alert" hidden></p>
                            {match moving {
                                Some(m) => view! { <input type="hidden" name="id" value=m /> }.into_any(),
                                None => view! {
                                    <input type="hidden" name="affair" value=code />
                                    <input type="hidden" name="idempotency_key" value=crate::form::key::IdempotencyKey::fresh() />
                                }.into_any(),
                            }}
                            <nav class="family-tabs day-tabs" aria-label=lang.t(T::Day)>
                                {p.days.iter().map(|d| {
                                    let href = match moving {
                                        Some(m) => format!("/appointments?affair={}&date={}&reschedule={m}", chosen_code, d.date),
                                        None => format!("/appointments?affair={}&date={}", chosen_code, d.date),
                                    };
                                    let here = d.date == shown;
                                    view! { <a href=href aria-current=here.then_some("page")>{d.label.clone()}</a> }
                                }).collect_view()}
                            </nav>
                            {p.days.iter().filter(|d| d.date == shown).map(|d| view! {
                                <fieldset class="day-slots">
                                    <legend>{d.label.clone()}</legend>
                                    {d.slots.iter().map(|s| {
                                        let id = format!("slot-{}", s.start);
                                        let for_id = id.clone();
                                        view! {
                                            <label class="slot" for=for_id>
                                                <input type="radio" id=id name="start" value=s.start.to_string() />
                                                <span>{s.label.clone()}</span>
                                                <small>{crate::i18n::fmt::places_left(lang, s.places_left)}</small>
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }).collect_view()}
                            <p class="field-error" data-error-for="start"></p>
                            {(!p.days.is_empty()).then(|| view! {
                                <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(if moving.is_some() { T::MoveHere } else { T::BookThis })}</button>
                            })}
                        </form>
                    </EnhancedForm>
                </section>
            }
        })}
    }
}

#[component]
pub fn BookingPageOne() -> impl IntoView {
    let lang = use_lang();
    let id = use_params_map().get_untracked().get("id").and_then(|v| v.parse::<i64>().ok());
    let Some(id) = id else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    if current_user().is_none() {
        return redirect_to_login(&format!("/appointments/{id}"));
    }
    let data = Resource::new(move || id, load_booking);
    let error = error_from_url(Cancel::PATH);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(b) => view! {
                            <Page tab=Tab::Services title=lang.t(T::BookingConfirmed).to_string()>
                                {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
                                <section class="card booking">
                                    <p><span class="state" data-testid="booking-status">{lang.t(status_label(&b.status))}</span></p>
                                    <p class="booking-time" data-testid="booking-time"><strong>{format!("{}–{}", b.when, b.ends)}</strong></p>
                                    <p>{b.affair.as_ref().map(|a| a.get(lang).to_string())}</p>
                                    <p><a href=format!("/appointments/{id}/ics") download="">{lang.t(T::AddToCalendar)}</a></p>
                                    {(b.can_cancel && b.affair_code.is_some()).then(|| view! {
                                        <p><a class="button secondary" href=format!("/appointments?affair={}&reschedule={id}", b.affair_code.clone().unwrap_or_default())>{lang.t(T::Reschedule)}</a></p>
                                    })}
                                    {b.can_cancel.then(|| view! {
                                        <form method="post" action=Cancel::url() class="inline-form">
                                            <input type="hidden" name="id" value=id />
                                            <button type="submit" class="button secondary">{lang.t(T::CancelBooking)}</button>
                                        </form>
                                    })}
                                </section>
                                {b.rating.clone().map(|r| view! { <crate::ratings::views::RatingSection r=r lang=lang /> })}
                                <Checklist documents=b.documents.clone() lang=lang />
                                <p><a href="/appointments">{lang.t(T::MyBookings)}</a></p>
                            </Page>
                        }.into_any(),
                        Err(AppError::NotFound) => view! { <crate::ui::NotFoundPage /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn StationAppointmentsPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/appointments") };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let date = use_query_map().get_untracked().get("date").unwrap_or_default();
    let data = Resource::new(move || date.clone(), load_station_day);
    let error = [Mark::PATH, WalkIn::PATH, SaveSettings::PATH].into_iter().find_map(error_from_url);
    view! {
        <StationFrame title=lang.t(T::StationDayTitle).to_string()>
            {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DayBody d=d lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn DayBody(d: StationDay, lang: Lang) -> impl IntoView {
    let mark_form = move |id: i64, mark: &'static str, label: T| {
        view! {
            <form method="post" action=Mark::url() class="inline-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="mark" value=mark />
                <button type="submit" class="button secondary small">{lang.t(label)}</button>
            </form>
        }
    };
    view! {
        <form method="get" action="/station/appointments" class="inline-form topic-filter">
            <label for="f-day" class="visually-hidden">{lang.t(T::Day)}</label>
            <input id="f-day" name="date" type="date" value=d.date.clone() />
            <button type="submit" class="button secondary">{lang.t(T::Filter)}</button>
        </form>
        <section class="card">
            {d.lines.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoAppointmentsThatDay)}</p> })}
            <ul class="day-list">
                {d.lines.into_iter().map(|l| view! {
                    <li class="day-line" data-testid="day-line">
                        <p>
                            <strong>{l.time.clone()}</strong> " "
                            <span class="state" data-testid="day-status">{lang.t(status_label(&l.status))}</span>
                            {l.walk_in.then(|| view! { <span class="tag">{lang.t(T::WalkIn)}</span> })}
                        </p>
                        <p>{format!("{} {}", l.resident, l.phone)} " · " {l.affair.as_ref().map(|a| a.get(lang).to_string())}</p>
                        <div class="row">
                            {(l.status == "booked").then(|| mark_form(l.id, "arrived", T::MarkArrived))}
                            {(l.status == "booked" && l.started).then(|| mark_form(l.id, "no_show", T::MarkNoShow))}
                            {(l.status == "arrived" && l.demand_id.is_none()).then(|| mark_form(l.id, "follow_up", T::FollowUp))}
                            {l.demand_id.map(|dm| view! { <a href=format!("/demands/{dm}")>{lang.t(T::Demand)} " #" {dm}</a> })}
                        </div>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <details class="card">
            <summary>{lang.t(T::WalkIn)}</summary>
            <form method="post" action=WalkIn::url() class="form">
                <div class="field">
                    <label for="w-phone">{lang.t(T::Phone)}</label>
                    <input id="w-phone" name="phone" type="tel" inputmode="numeric" required />
                </div>
                <div class="field">
                    <label for="w-affair">{lang.t(T::ChooseAffair)}</label>
                    <select id="w-affair" name="affair">
                        {d.affairs.iter().map(|(code, n)| view! { <option value=code.clone()>{n.get(lang).to_string()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button primary">{lang.t(T::WalkIn)}</button>
            </form>
        </details>
        <details class="card">
            <summary>{lang.t(T::Settings)}</summary>
            <form method="post" action=SaveSettings::url() class="form">
                <div class="field">
                    <label for="s-capacity">{lang.t(T::PlacesPerSlot)}</label>
                    <input id="s-capacity" name="capacity" type="number" min="1" inputmode="numeric"
                        value=d.capacity_setting.map(|c| c.to_string()).unwrap_or_default() placeholder=d.capacity.to_string() />
                    <p class="hint">{lang.t(T::CapacityHint)}</p>
                </div>
                <div class="field">
                    <label for="s-hours">{lang.t(T::OpeningHours)}</label>
                    <textarea id="s-hours" name="hours" rows="8">{d.hours.join("\n")}</textarea>
                    <p class="hint">{lang.t(T::OpeningHoursHint)}</p>
                </div>
                <div class="field">
                    <label for="s-durations">{lang.t(T::AffairDurations)}</label>
                    <textarea id="s-durations" name="durations" rows="3">{d.durations.iter().map(|(c, m)| format!("{c} {m}")).collect::<Vec<_>>().join("\n")}</textarea>
                    <p class="hint">{lang.t(T::AffairDurationsHint)}</p>
                </div>
                <div class="field">
                    <label for="s-closed">{lang.t(T::ClosedDays)}</label>
                    <textarea id="s-closed" name="closed" rows="3">{d.closed.iter().map(|(d, r)| format!("{d} {r}")).collect::<Vec<_>>().join("\n")}</textarea>
                    <p class="hint">{lang.t(T::ClosedDaysHint)}</p>
                </div>
                <button type="submit" class="button primary">{lang.t(T::Save)}</button>
            </form>
        </details>
    }
}
