//! Pages: coverage by grid area and an area's round or a building's households
//! (`/station/rounds`), one household (`/station/rounds/{id}`: visits, care flags, plan,
//! record a visit). GET filters and plain forms: all of it works without JavaScript.

use super::rules::{coverage, CareFlag, Topic, MAX_NOTE};
use super::*;
use crate::form::{error_from_url, load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::{Lang, T};
use crate::paging::failed;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, StationFrame};
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

fn percent(visited: i64, all: i64) -> String {
    coverage(visited, all).map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())
}

#[component]
fn CareTags(care: Vec<CareFlag>, lang: Lang) -> impl IntoView {
    care.into_iter()
        .map(|c| view! { <span class="tag warn" data-testid="care-flag">{lang.t(c.label())}</span> " " })
        .collect_view()
}

#[component]
pub fn RoundsDeskPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/rounds") };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let q = use_query_map().get_untracked();
    let (area, building) = (q.get("area"), q.get("building"));
    let error = [AddHousehold::PATH, ImportHouseholds::PATH].into_iter().find_map(error_from_url);
    let data = Resource::new(move || (area.clone(), building.clone()), |(a, b)| load_rounds(a, b));
    view! {
        <StationFrame title=lang.t(T::RoundsTitle).to_string()>
            <p class="lead">{lang.t(T::RoundsIntro)}</p>
            {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <RoundsBody p=p lang=lang /> }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn RoundsBody(p: super::RoundsPage, lang: Lang) -> impl IntoView {
    let area = p.area.clone().unwrap_or_default();
    let building = p.building.clone().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="coverage-h">
            <h2 id="coverage-h">{lang.t(T::RoundsCoverage)} " · " {p.quarter.clone()}</h2>
            <div class="table-wrap">
                <table class="rates" data-testid="coverage">
                    <thead><tr>
                        <th scope="col">{lang.t(T::GridArea)}</th>
                        <th scope="col">{lang.t(T::RoundsHouseholds)}</th>
                        <th scope="col">{lang.t(T::RoundsVisited)}</th>
                        <th scope="col">{lang.t(T::RoundsCared)}</th>
                    </tr></thead>
                    <tbody>
                        {p.areas.iter().map(|a| view! {
                            <tr data-area=a.code.clone() data-households=a.households.to_string()>
                                <th scope="row"><a href=format!("/station/rounds?area={}", a.code)>{a.name.get(lang).to_string()}</a></th>
                                <td>{a.households}</td>
                                <td data-testid="area-visited">{format!("{} ({})", a.visited, percent(a.visited, a.households))}</td>
                                <td>{format!("{}/{}", a.cared_for_visited, a.cared_for)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="hint">{lang.t(T::RoundsCoverageHint)}</p>
            <form method="post" action=ImportHouseholds::url() class="inline-form">
                <button type="submit" class="button secondary small">{lang.t(T::RoundsImport)}</button>
            </form>
        </section>
        {p.area.clone().map(|code| view! {
            <form method="get" action="/station/rounds" class="card form filters">
                <input type="hidden" name="area" value=code.clone() />
                <div class="field">
                    <label for="f-building">{lang.t(T::Building)}</label>
                    <select id="f-building" name="building">
                        <option value="">{lang.t(T::RoundsNext)}</option>
                        {p.buildings.iter().map(|(c, n)| view! {
                            <option value=c.clone() selected=*c == building>{n.get(lang).to_string()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button secondary">{lang.t(T::Filter)}</button>
            </form>
            <section class="card" aria-labelledby="round-h">
                <h2 id="round-h">{lang.t(if building.is_empty() { T::RoundsNext } else { T::RoundsBuilding })}</h2>
                {p.lines.is_empty().then(|| view! { <p class="empty">{lang.t(T::RoundsNoHouseholds)}</p> })}
                <ul class="day-list round">
                    {p.lines.iter().map(|l| view! {
                        <li class="day-line" data-testid="round-line" data-household=l.id.to_string()>
                            <a href=format!("/station/rounds/{}", l.id)><strong>{l.address.clone()}</strong></a> " "
                            <CareTags care=l.care.clone() lang=lang />
                            <span class="meta">
                                {l.plan_on.clone().map(|d| format!("{} {d} · ", lang.t(T::RoundsPlanned)))}
                                {match &l.last_visit {
                                    Some(d) => format!("{} {d}", lang.t(T::RoundsLastVisit)),
                                    None => lang.t(T::RoundsNeverVisited).to_string(),
                                }}
                                {format!(" · {} {}", lang.t(T::RoundsResidents), l.residents)}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
            <details class="card">
                <summary>{lang.t(T::RoundsAdd)}</summary>
                <form method="post" action=AddHousehold::url() class="form">
                    <div class="field">
                        <label for="h-building">{lang.t(T::Building)}</label>
                        <select id="h-building" name="building">
                            {p.buildings.iter().map(|(c, n)| view! { <option value=c.clone()>{n.get(lang).to_string()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="h-unit">{lang.t(T::UnitNo)}</label>
                        <input id="h-unit" name="unit_no" required maxlength="10" />
                    </div>
                    <div class="field">
                        <label for="h-room">{lang.t(T::Room)}</label>
                        <input id="h-room" name="room" required maxlength="10" />
                    </div>
                    <button type="submit" class="button primary">{lang.t(T::RoundsAdd)}</button>
                </form>
            </details>
        })}
        {area.is_empty().then(|| view! { <p class="hint">{lang.t(T::RoundsChooseArea)}</p> })}
    }
}

#[component]
pub fn HouseholdVisitsPage() -> impl IntoView {
    let lang = use_lang();
    let id = use_params_map().get_untracked().get("id").and_then(|v| v.parse::<i64>().ok());
    let Some(id) = id else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    let Some(user) = current_user() else { return redirect_to_login(&format!("/station/rounds/{id}")) };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let other = [SetCare::PATH, PlanVisit::PATH].into_iter().find_map(error_from_url);
    let data = Resource::new(
        move || id,
        |id| async move { (load_household(id).await, load_state("visit-record", RecordVisit::PATH).await) },
    );
    view! {
        <StationFrame title=lang.t(T::HouseholdTitle).to_string()>
            {other.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(h), state) => view! { <HouseholdBody h=h state=state lang=lang /> }.into_any(),
                        (Err(AppError::NotFound), _) => view! { <crate::ui::NotFoundPage /> }.into_any(),
                        (Err(e), _) => failed(e, lang),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn HouseholdBody(h: super::HouseholdPage, state: FormState, lang: Lang) -> impl IntoView {
    let id = h.id;
    let today = h.today.clone();
    let visited_on = if state.error.is_some() { state.value("visited_on") } else { h.today.clone() };
    let chosen: Vec<Topic> =
        Topic::ALL.into_iter().filter(|t| !state.value(&format!("topics[{}]", t.as_str())).is_empty()).collect();
    view! {
        <section class="card">
            <h2 data-testid="household-address">{h.address.clone()}</h2>
            <p class="meta">{h.area.clone()} " · " {lang.t(T::RoundsResidents)} " " {h.residents.join("、")}</p>
            <p><CareTags care=h.care.clone() lang=lang /></p>
            <p><a href="/station/found">{lang.t(T::RoundsFileFollowUp)}</a></p>
        </section>
        <section class="card" aria-labelledby="record-h">
            <h2 id="record-h">{lang.t(T::RoundsRecord)}</h2>
            <EnhancedForm lang=lang>
                <form method="post" action=RecordVisit::url() class="form" data-testid="visit-form">
                    <FormBanner error=state.error.clone() />
                    <input type="hidden" name="household" value=id />
                    <input type="hidden" name="idempotency_key" value=crate::form::key::IdempotencyKey::fresh() />
                    <div class="field">
                        <label for="v-day">{lang.t(T::RoundsVisitDay)}</label>
                        <input id="v-day" name="visited_on" type="date" required value=visited_on max=h.today.clone() />
                        <p class="field-error" data-error-for="visited_on">{state.problem("visited_on").map(|p| lang.t(p))}</p>
                    </div>
                    <fieldset class="field">
                        <legend>{lang.t(T::RoundsTopics)}</legend>
                        {Topic::ALL.into_iter().map(|t| view! {
                            <label class="choice">
                                <input type="checkbox" name=format!("topics[{}]", t.as_str()) value="1" checked=chosen.contains(&t) />
                                " " {lang.t(t.label())}
                            </label>
                        }).collect_view()}
                        <p class="field-error" data-error-for="topics">{state.problem("topics").map(|p| lang.t(p))}</p>
                    </fieldset>
                    <div class="field">
                        <label for="v-note">{lang.t(T::RoundsNote)}</label>
                        <textarea id="v-note" name="note" rows="3" maxlength=MAX_NOTE.to_string()>{state.value("note")}</textarea>
                        <p class="field-error" data-error-for="note">{state.problem("note").map(|p| lang.t(p))}</p>
                    </div>
                    <div class="field">
                        <label for="v-demand">{lang.t(T::RoundsFollowUp)}</label>
                        <input id="v-demand" name="demand" inputmode="numeric" maxlength="12" value=state.value("demand") />
                        <p class="field-error" data-error-for="demand">{state.problem("demand").map(|p| lang.t(p))}</p>
                    </div>
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::RoundsRecord)}</button>
                </form>
            </EnhancedForm>
        </section>
        <section class="card" aria-labelledby="visits-h">
            <h2 id="visits-h">{lang.t(T::RoundsVisits)}</h2>
            {h.visits.is_empty().then(|| view! { <p class="empty">{lang.t(T::RoundsNeverVisited)}</p> })}
            <ul class="plain">
                {h.visits.into_iter().map(|v| view! {
                    <li class="visit" data-testid="visit-line">
                        <p><strong>{v.visited_on}</strong> " · " {v.visitor} " · "
                            {v.topics.iter().map(|t| lang.t(t.label())).collect::<Vec<_>>().join("、")}</p>
                        {(!v.note.is_empty()).then(|| view! { <p>{v.note.clone()}</p> })}
                        {v.demand.map(|d| view! { <p><a href=format!("/demands/{d}")>{lang.t(T::Demand)} " #" {d}</a></p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="plan-h">
            <h2 id="plan-h">{lang.t(T::RoundsPlan)}</h2>
            <form method="post" action=PlanVisit::url() class="form">
                <input type="hidden" name="household" value=id />
                <div class="field">
                    <label for="p-day">{lang.t(T::RoundsPlanned)}</label>
                    <input id="p-day" name="plan_on" type="date" min=today value=h.plan_on.clone().unwrap_or_default() />
                    <p class="hint">{lang.t(T::RoundsPlanHint)}</p>
                </div>
                <button type="submit" class="button secondary">{lang.t(T::Save)}</button>
            </form>
        </section>
        <section class="card" aria-labelledby="care-h">
            <h2 id="care-h">{lang.t(T::RoundsCare)}</h2>
            <p class="hint">{lang.t(T::RoundsCareHint)}</p>
            <form method="post" action=SetCare::url() class="form" data-testid="care-form">
                <input type="hidden" name="household" value=id />
                {CareFlag::ALL.into_iter().map(|c| view! {
                    <label class="choice">
                        <input type="checkbox" name=format!("care[{}]", c.as_str()) value="1" checked=h.care.contains(&c) />
                        " " {lang.t(c.label())}
                    </label>
                }).collect_view()}
                <button type="submit" class="button secondary">{lang.t(T::Save)}</button>
            </form>
            {(!h.care_log.is_empty()).then(|| view! {
                <h3>{lang.t(T::RoundsCareLog)}</h3>
                <ul class="plain small" data-testid="care-log">
                    {h.care_log.into_iter().map(|c| {
                        let names = |f: &[CareFlag]| if f.is_empty() { "–".to_string() } else { f.iter().map(|x| lang.t(x.label())).collect::<Vec<_>>().join("、") };
                        view! { <li>{format!("{} · {} · {} → {}", c.at, c.by, names(&c.before), names(&c.after))}</li> }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
