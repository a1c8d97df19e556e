//! Pages: the station's rooms and things and my bookings (`/spaces`), one space's free
//! times and the booking form (`/spaces/{code}`), one booking (`/spaces/bookings/{id}`),
//! and the station's desk (`/station/spaces`: decide, see what is coming, keep the spaces).
//! Plain links and forms: all of it works without JavaScript.

use super::rules::{BookingStatus, SpaceKind, MAX_ABOUT, MAX_NOTE, MAX_PURPOSE};
use super::*;
use crate::form::{error_from_url, load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::{Lang, T};
use crate::paging::failed;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, StationFrame, Tab};
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

fn status_class(s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Refused => "tag danger",
        BookingStatus::Pending => "tag warn",
        _ => "tag",
    }
}

#[component]
fn SpaceTags(s: SpaceCard, lang: Lang) -> impl IntoView {
    view! {
        <span class="tag">{lang.t(if s.kind == SpaceKind::Room { T::SpaceRoom } else { T::SpaceThing })}</span> " "
        <span class="tag">{lang.t(if s.approval { T::SpaceNeedsApproval } else { T::SpaceInstant })}</span>
    }
}

#[component]
pub fn SpacesListPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/spaces");
    }
    let data = Resource::new(|| (), |_| load_spaces());
    view! {
        <Page tab=Tab::Services title=lang.t(T::SpacesTitle).to_string()>
            <p class="lead">{lang.t(T::SpacesIntro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <SpacesBody p=p lang=lang /> }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn SpacesBody(p: SpacesPage, lang: Lang) -> impl IntoView {
    let upcoming: Vec<SpaceBooking> = p.mine.iter().filter(|b| b.upcoming).cloned().collect();
    view! {
        <p class="muted small">{lang.t(T::OpeningHours)} ": " {crate::appointments::rules::describe_hours(&p.hours, lang)}</p>
        {(!upcoming.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="my-spaces-h">
                <h2 id="my-spaces-h">{lang.t(T::MyBookings)}</h2>
                <ul class="booking-list">
                    {upcoming.into_iter().map(|b| view! {
                        <li data-testid="my-space-booking">
                            <a href=format!("/spaces/bookings/{}", b.id)>
                                <strong>{format!("{}–{}", b.when, b.ends)}</strong> " " {b.space.get(lang).to_string()} " "
                                <span class=status_class(b.status)>{lang.t(b.status.label())}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {p.spaces.is_empty().then(|| view! { <p class="empty">{lang.t(T::SpacesNone)}</p> })}
        <ul class="plain space-list">
            {p.spaces.into_iter().map(|s| view! {
                <li class="card" data-space=s.code.clone()>
                    <a class="card-link" href=format!("/spaces/{}", s.code)>
                        <strong>{s.name.get(lang).to_string()}</strong>
                        <span class="meta"><SpaceTags s=s.clone() lang=lang /></span>
                        <span class="meta">{s.about.clone()}</span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn SpaceTimesPage() -> impl IntoView {
    let lang = use_lang();
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    if current_user().is_none() {
        return redirect_to_login(&format!("/spaces/{code}"));
    }
    let q = use_query_map().get_untracked();
    let hours = q.get("hours").and_then(|h| h.parse::<i64>().ok());
    let day = q.get("date").unwrap_or_default();
    let data = Resource::new(
        move || (code.clone(), hours),
        |(c, h)| async move { (load_space_times(c, h).await, load_state("space-book", BookSpace::PATH).await) },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let day = day.clone();
                Suspend::new(async move {
                    match data.await {
                        (Ok(t), state) => view! {
                            <Page tab=Tab::Services title=t.space.name.get(lang).to_string()>
                                <SpaceTimesBody t=t state=state day=day lang=lang />
                            </Page>
                        }.into_any(),
                        (Err(AppError::NotFound), _) => view! { <crate::ui::NotFoundPage /> }.into_any(),
                        (Err(e), _) => failed(e, lang),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn SpaceTimesBody(t: SpaceTimes, state: FormState, day: String, lang: Lang) -> impl IntoView {
    let shown = t.days.iter().find(|d| d.date == day).or(t.days.first()).map(|d| d.date.clone()).unwrap_or_default();
    let code = t.space.code.clone();
    let room = t.space.kind == SpaceKind::Room;
    let next = match &state.error {
        Some(AppError::SlotFull { next }) => next.clone(),
        _ => Vec::new(),
    };
    view! {
        <section class="card">
            <p><SpaceTags s=t.space.clone() lang=lang /></p>
            <p>{t.space.about.clone()}</p>
            <p class="muted small">{lang.t(if t.space.approval { T::SpaceApprovalHint } else { T::SpaceInstantHint })}</p>
        </section>
        <form method="get" action=format!("/spaces/{code}") class="card form filters">
            <div class="field">
                <label for="f-hours">{lang.t(T::SpaceHours)}</label>
                <select id="f-hours" name="hours">
                    {(1..=t.space.max_hours).map(|h| view! {
                        <option value=h.to_string() selected=h == t.hours>{crate::i18n::fmt::hours(lang, h)}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button secondary">{lang.t(T::ShowSlots)}</button>
        </form>
        <section class="card" aria-labelledby="space-times-h">
            <h2 id="space-times-h">{lang.t(T::FreeSlots)}</h2>
            {(!next.is_empty()).then(|| view! {
                <p class="notice" data-testid="next-free">{lang.t(T::NextFreeSlots)} " "
                    {next.iter().map(|n| n.1.clone()).collect::<Vec<_>>().join("、")}</p>
            })}
            {t.days.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoFreeSlots)}</p> })}
            <EnhancedForm lang=lang>
                <form method="post" action=BookSpace::url() class="form booking-form" data-testid="space-book">
                    <FormBanner error=state.error.clone() />
                    <input type="hidden" name="space" value=code.clone() />
                    <input type="hidden" name="hours" value=t.hours.to_string() />
                    <input type="hidden" name="idempotency_key" value=crate::form::key::IdempotencyKey::fresh() />
                    <nav class="family-tabs day-tabs" aria-label=lang.t(T::Day)>
                        {t.days.iter().map(|d| {
                            let href = format!("/spaces/{}?hours={}&date={}", code, t.hours, d.date);
                            view! { <a href=href aria-current=(d.date == shown).then_some("page")>{d.label.clone()}</a> }
                        }).collect_view()}
                    </nav>
                    {t.days.iter().filter(|d| d.date == shown).map(|d| view! {
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
                    <p class="field-error" data-error-for="start">{state.problem("start").map(|p| lang.t(p))}</p>
                    <div class="field">
                        <label for="f-purpose">{lang.t(T::SpacePurpose)}</label>
                        <textarea id="f-purpose" name="purpose" rows="2" maxlength=MAX_PURPOSE.to_string() required>{state.value("purpose")}</textarea>
                        <p class="field-error" data-error-for="purpose">{state.problem("purpose").map(|p| lang.t(p))}</p>
                    </div>
                    {room.then(|| view! {
                        <div class="field">
                            <label for="f-people">{lang.t(T::SpacePeople)}</label>
                            <input id="f-people" name="people" type="number" min="1" max="200" inputmode="numeric" required value=state.value("people") />
                            <p class="field-error" data-error-for="people">{state.problem("people").map(|p| lang.t(p))}</p>
                        </div>
                    })}
                    <p class="field-error" data-error-for="hours">{state.problem("hours").map(|p| lang.t(p))}</p>
                    {(!t.days.is_empty()).then(|| view! {
                        <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::BookThis)}</button>
                    })}
                </form>
            </EnhancedForm>
        </section>
        <p><a href="/spaces">{lang.t(T::SpacesTitle)}</a></p>
    }
}

#[component]
pub fn SpaceBookingPage() -> impl IntoView {
    let lang = use_lang();
    let id = use_params_map().get_untracked().get("id").and_then(|v| v.parse::<i64>().ok());
    let Some(id) = id else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    if current_user().is_none() {
        return redirect_to_login(&format!("/spaces/bookings/{id}"));
    }
    let error = error_from_url(CancelSpaceBooking::PATH);
    let data = Resource::new(move || id, load_space_booking);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(b) => view! {
                            <Page tab=Tab::Services title=b.space.get(lang).to_string()>
                                {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
                                <section class="card booking">
                                    <p><span class=status_class(b.status) data-testid="space-status">{lang.t(b.status.label())}</span></p>
                                    <p class="booking-time" data-testid="space-time"><strong>{format!("{}–{}", b.when, b.ends)}</strong></p>
                                    <p>{lang.t(T::SpacePurpose)} ": " {b.purpose.clone()}</p>
                                    {(b.kind == SpaceKind::Room).then(|| view! { <p>{lang.t(T::SpacePeople)} ": " {b.people}</p> })}
                                    {(b.status == BookingStatus::Pending).then(|| view! { <p class="muted">{lang.t(T::SpaceWaitingHint)}</p> })}
                                    {(!b.decision_note.is_empty()).then(|| view! {
                                        <p data-testid="space-note">{lang.t(T::SpaceStationNote)} ": " {b.decision_note.clone()}</p>
                                    })}
                                    {b.booker.clone().map(|who| view! { <p class="meta">{who}</p> })}
                                    {(b.can_cancel && b.booker.is_none()).then(|| view! {
                                        <form method="post" action=CancelSpaceBooking::url() class="inline-form">
                                            <input type="hidden" name="id" value=id />
                                            <button type="submit" class="button secondary">{lang.t(T::CancelBooking)}</button>
                                        </form>
                                    })}
                                </section>
                                <p><a href="/spaces">{lang.t(T::SpacesTitle)}</a></p>
                            </Page>
                        }.into_any(),
                        Err(AppError::NotFound) => view! { <crate::ui::NotFoundPage /> }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn StationSpacesPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/spaces") };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let decide_error = error_from_url(DecideSpaceBooking::PATH);
    let data = Resource::new(
        || (),
        |_| async move { (load_spaces_desk().await, load_state("space-save", SaveSpace::PATH).await) },
    );
    view! {
        <StationFrame title=lang.t(T::SpacesDesk).to_string()>
            {decide_error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(d), save) => view! { <DeskBody d=d save=save lang=lang /> }.into_any(),
                        (Err(e), _) => failed(e, lang),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn DeskLine(b: SpaceBooking, decide: bool, lang: Lang) -> impl IntoView {
    let id = b.id;
    view! {
        <li class="day-line" data-testid="space-line" data-booking=id.to_string()>
            <p>
                <strong>{format!("{}–{}", b.when, b.ends)}</strong> " " {b.space.get(lang).to_string()} " "
                <span class=status_class(b.status)>{lang.t(b.status.label())}</span>
            </p>
            <p>{b.purpose.clone()} {(b.kind == SpaceKind::Room).then(|| format!(" · {} {}", lang.t(T::SpacePeople), b.people))}</p>
            <p class="meta">{b.booker.clone().unwrap_or_default()}</p>
            {decide.then(|| view! {
                <form method="post" action=DecideSpaceBooking::url() class="form decide-form">
                    <input type="hidden" name="id" value=id />
                    <div class="field">
                        <label for=format!("note-{id}")>{lang.t(T::SpaceDecisionNote)}</label>
                        <input id=format!("note-{id}") name="note" maxlength=MAX_NOTE.to_string() />
                    </div>
                    <div class="row">
                        <button type="submit" name="decision" value="approve" class="button primary small">{lang.t(T::SpaceApprove)}</button>
                        <button type="submit" name="decision" value="refuse" class="button secondary small">{lang.t(T::SpaceRefuse)}</button>
                    </div>
                </form>
            })}
        </li>
    }
}

#[component]
fn DeskBody(d: SpacesDesk, save: FormState, lang: Lang) -> impl IntoView {
    let may_edit = d.may_edit;
    view! {
        <section class="card" aria-labelledby="waiting-h">
            <h2 id="waiting-h">{lang.t(T::SpacesWaiting)} " (" {d.waiting.len()} ")"</h2>
            {d.waiting.is_empty().then(|| view! { <p class="empty">{lang.t(T::SpacesNothingWaiting)}</p> })}
            <ul class="day-list">
                {d.waiting.into_iter().map(|b| view! { <DeskLine b=b decide=true lang=lang /> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="coming-h">
            <h2 id="coming-h">{lang.t(T::SpacesComing)}</h2>
            {d.coming.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoBookings)}</p> })}
            <ul class="day-list">
                {d.coming.into_iter().map(|b| view! { <DeskLine b=b decide=false lang=lang /> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="spaces-h">
            <h2 id="spaces-h">{lang.t(T::SpacesTitle)}</h2>
            <ul class="plain">
                {d.spaces.iter().map(|s| view! {
                    <li data-space=s.code.clone()>
                        <strong>{s.name.get(lang).to_string()}</strong> " " <SpaceTags s=s.clone() lang=lang />
                        {s.retired.then(|| view! { " " <span class="tag danger">{lang.t(T::SpaceRetired)}</span> })}
                        <span class="meta">{format!(" · {} × {} · ≤{}h", s.code, s.capacity, s.max_hours)}</span>
                    </li>
                }).collect_view()}
            </ul>
            {may_edit.then(|| view! { <SpaceForm save=save spaces=d.spaces.clone() lang=lang /> })}
        </section>
    }
}

/// Adds a space or changes one: the code names which.
#[component]
fn SpaceForm(save: FormState, spaces: Vec<SpaceCard>, lang: Lang) -> impl IntoView {
    let open = save.error.is_some();
    let v = |f: &str, d: &str| if open { save.value(f) } else { d.to_string() };
    let p = |f: &str| save.problem(f).map(|t| lang.t(t));
    let (code, kind, name_zh, name_en, about, capacity, max_hours) = (
        v("code", ""),
        v("kind", "room"),
        v("name_zh", ""),
        v("name_en", ""),
        v("about", ""),
        v("capacity", "1"),
        v("max_hours", "2"),
    );
    let problems: Vec<Option<&'static str>> =
        ["code", "kind", "name_zh", "name_en", "about", "capacity", "max_hours"].into_iter().map(p).collect();
    let banner = save.error.clone();
    view! {
        <details class="panel-part" open=open>
            <summary>{lang.t(T::SpaceAddOrChange)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=SaveSpace::url() class="form" data-testid="space-form">
                    <FormBanner error=banner />
                    <p class="hint">{lang.t(T::SpaceCodeHint)} " "
                        {spaces.iter().map(|s| s.code.clone()).collect::<Vec<_>>().join(", ")}</p>
                    <div class="field">
                        <label for="s-code">{lang.t(T::SpaceCode)}</label>
                        <input id="s-code" name="code" required maxlength="32" value=code />
                        <p class="field-error" data-error-for="code">{problems[0]}</p>
                    </div>
                    <div class="field">
                        <label for="s-kind">{lang.t(T::SpaceKindLabel)}</label>
                        <select id="s-kind" name="kind">
                            <option value="room" selected=kind == "room">{lang.t(T::SpaceRoom)}</option>
                            <option value="thing" selected=kind == "thing">{lang.t(T::SpaceThing)}</option>
                        </select>
                        <p class="field-error" data-error-for="kind">{problems[1]}</p>
                    </div>
                    <div class="field">
                        <label for="s-name-zh">{lang.t(T::NameZh)}</label>
                        <input id="s-name-zh" name="name_zh" required maxlength="30" value=name_zh />
                        <p class="field-error" data-error-for="name_zh">{problems[2]}</p>
                    </div>
                    <div class="field">
                        <label for="s-name-en">{lang.t(T::NameEn)}</label>
                        <input id="s-name-en" name="name_en" required maxlength="30" value=name_en />
                        <p class="field-error" data-error-for="name_en">{problems[3]}</p>
                    </div>
                    <div class="field">
                        <label for="s-about">{lang.t(T::SpaceAbout)}</label>
                        <textarea id="s-about" name="about" rows="2" maxlength=MAX_ABOUT.to_string()>{about}</textarea>
                        <p class="field-error" data-error-for="about">{problems[4]}</p>
                    </div>
                    <div class="field">
                        <label for="s-capacity">{lang.t(T::SpaceCapacity)}</label>
                        <input id="s-capacity" name="capacity" type="number" min="1" max="20" inputmode="numeric" required value=capacity />
                        <p class="field-error" data-error-for="capacity">{problems[5]}</p>
                    </div>
                    <div class="field">
                        <label for="s-max-hours">{lang.t(T::SpaceMaxHours)}</label>
                        <input id="s-max-hours" name="max_hours" type="number" min="1" max="8" inputmode="numeric" required value=max_hours />
                        <p class="field-error" data-error-for="max_hours">{problems[6]}</p>
                    </div>
                    <div class="field check">
                        <input id="s-approval" name="approval" type="checkbox" value="1" checked=true />
                        <label for="s-approval">{lang.t(T::SpaceNeedsApproval)}</label>
                    </div>
                    <div class="field check">
                        <input id="s-retired" name="retired" type="checkbox" value="1" />
                        <label for="s-retired">{lang.t(T::SpaceRetire)}</label>
                    </div>
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Save)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}
