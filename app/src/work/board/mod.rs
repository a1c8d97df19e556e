//! The station board (`/station`): the inbox of work items by state, with filters, counters,
//! deadline countdowns and quick actions; the department liaison's list of whistles.

use super::api::{Board, BoardFilter, BoardLine, CheckIn, DepartmentLine, Report, SetOnDuty};
use super::{state_label, Action};
use crate::affairs::Family;
use crate::form::{EnhancedForm, FormBanner};
use crate::i18n::{Lang, T};
use crate::work::rules::State;
use leptos::prelude::*;
use server_fn::ServerFn;

/// "3 h left", "2 h overdue": the countdown to a deadline.
pub fn countdown(lang: Lang, ms: i64) -> String {
    let minutes = ms.abs() / 60_000;
    let text = if minutes >= 48 * 60 {
        match lang {
            Lang::Zh => format!("{} 天", minutes / (24 * 60)),
            Lang::En => format!("{} d", minutes / (24 * 60)),
        }
    } else if minutes >= 60 {
        match lang {
            Lang::Zh => format!("{} 小时", minutes / 60),
            Lang::En => format!("{} h", minutes / 60),
        }
    } else {
        match lang {
            Lang::Zh => format!("{minutes} 分钟"),
            Lang::En => format!("{minutes} min"),
        }
    };
    match (lang, ms < 0) {
        (Lang::Zh, false) => format!("剩 {text}"),
        (Lang::Zh, true) => format!("超时 {text}"),
        (Lang::En, false) => format!("{text} left"),
        (Lang::En, true) => format!("{text} overdue"),
    }
}

/// The same filters, from the line after `cursor`.
fn next_page(f: &BoardFilter, cursor: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, v) in [("state", &f.state), ("area", &f.area), ("family", &f.family), ("urgency", &f.urgency)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            // Filter values are codes: letters, digits, '_' and '-'.
            let safe: String = v.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            parts.push(format!("{k}={safe}"));
        }
    }
    if f.overdue {
        parts.push("overdue=true".into());
    }
    if f.mine {
        parts.push("mine=true".into());
    }
    let safe: String = cursor.chars().filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
    parts.push(format!("after={safe}"));
    format!("/station?{}", parts.join("&"))
}

const BOARD_STATES: [State; 9] = [
    State::Received,
    State::Accepted,
    State::InProgress,
    State::VisitScheduled,
    State::Transferred,
    State::HandedOff,
    State::Reopened,
    State::Resolved,
    State::Closed,
];

#[component]
pub fn StationBoard(board: Board, filter: BoardFilter, lang: Lang) -> impl IntoView {
    let f = filter.clone();
    let chosen_state = f.state.clone().unwrap_or_default();
    let chosen_area = f.area.clone().unwrap_or_default();
    let chosen_family = f.family.clone().unwrap_or_default();
    let chosen_urgency = f.urgency.clone().unwrap_or_default();
    let (duty_value, duty_label) = if board.on_duty { ("0", T::GoOffDuty) } else { ("1", T::GoOnDuty) };
    view! {
        <section class="board-head">
            <ul class="counters" aria-label=lang.t(T::Counters)>
                <li>
                    <a href="/station?overdue=true" class="counter danger" class:active=f.overdue>
                        <strong data-testid="count-overdue">{board.overdue}</strong>
                        <span>{lang.t(T::Overdue)}</span>
                    </a>
                </li>
                {BOARD_STATES
                    .into_iter()
                    .map(|s| {
                        let n = board.counts.iter().find(|(st, _)| *st == s).map(|(_, n)| *n).unwrap_or(0);
                        let active = chosen_state == s.as_str();
                        view! {
                            <li>
                                <a href=format!("/station?state={}", s.as_str()) class="counter" class:active=active>
                                    <strong data-testid=format!("count-{}", s.as_str())>{n}</strong>
                                    <span>{lang.t(state_label(s))}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="board-tools">
                <a class="button primary" href="/station/intake">{lang.t(T::IntakeTitle)}</a>
                <form method="post" action=SetOnDuty::url() class="inline-form">
                    <input type="hidden" name="on" value=duty_value />
                    <button type="submit" class="button secondary">{lang.t(duty_label)}</button>
                </form>
            </div>
        </section>
        <details class="card filters" open=filter != BoardFilter::default()>
            <summary>{lang.t(T::Filters)}</summary>
            <form method="get" action="/station" class="filter-form">
                <label>
                    {lang.t(T::State)}
                    <select name="state">
                        <option value="">{lang.t(T::OpenItems)}</option>
                        <option value="all" selected=chosen_state == "all">{lang.t(T::AllItems)}</option>
                        {State::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=chosen_state == s.as_str()>{lang.t(state_label(s))}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {lang.t(T::GridArea)}
                    <select name="area">
                        <option value="">{lang.t(T::Any)}</option>
                        {board
                            .areas
                            .iter()
                            .map(|(code, name)| {
                                view! { <option value=code.clone() selected=chosen_area == *code>{name.get(lang).to_string()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {lang.t(T::ServiceFamily)}
                    <select name="family">
                        <option value="">{lang.t(T::Any)}</option>
                        {Family::ALL
                            .into_iter()
                            .map(|fam| view! { <option value=fam.as_str() selected=chosen_family == fam.as_str()>{lang.t(fam.label())}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {lang.t(T::Urgency)}
                    <select name="urgency">
                        <option value="">{lang.t(T::Any)}</option>
                        <option value="emergency" selected=chosen_urgency == "emergency">{lang.t(T::UrgencyEmergency)}</option>
                        <option value="normal" selected=chosen_urgency == "normal">{lang.t(T::UrgencyNormal)}</option>
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" name="overdue" value="true" checked=f.overdue />
                    {lang.t(T::Overdue)}
                </label>
                <label class="check">
                    <input type="checkbox" name="mine" value="true" checked=f.mine />
                    {lang.t(T::Mine)}
                </label>
                <button type="submit" class="button secondary">{lang.t(T::ApplyFilters)}</button>
            </form>
        </details>
        {if board.lines.is_empty() {
            view! { <p class="empty">{lang.t(T::NothingHere)}</p> }.into_any()
        } else {
            view! {
                <ul class="board-list">
                    {board.lines.into_iter().map(|l| view! { <BoardCard line=l lang=lang /> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        {board.next.map(|cursor| {
            view! {
                <a class="button secondary next-page" rel="next" href=next_page(&filter, &cursor)>
                    {lang.t(T::NextPage)}
                </a>
            }
        })}
    }
}

#[component]
fn BoardCard(line: BoardLine, lang: Lang) -> impl IntoView {
    let l = line;
    // An autonomy project is answered on its thread.
    let href = match l.thread_id {
        Some(t) => format!("/threads/{t}"),
        None => format!("/demands/{}", l.demand_id),
    };
    let due = countdown(lang, l.due_in_ms);
    let due_kind = if l.due_is_response { T::DueResponse } else { T::DueCompletion };
    let can_accept = l.state == State::Received;
    view! {
        <li class="card board-card" class:overdue=l.overdue class:emergency=l.urgency_emergency data-item=l.item_id>
            <div class="board-card-top">
                <span class=format!("state state-{}", l.state.as_str())>{lang.t(state_label(l.state))}</span>
                {l.urgency_emergency.then(|| view! { <span class="tag danger">{lang.t(T::UrgencyEmergency)}</span> })}
                {l.thread_id.is_some().then(|| view! { <span class="tag">{lang.t(T::AutonomyProject)}</span> })}
                <span class="tag">{lang.t(if l.triage_transfer { T::TriageTransfer } else { T::TriageImmediate })}</span>
                {l.overdue.then(|| view! { <span class="tag danger">{lang.t(T::Overdue)}</span> })}
                {l.urged.then(|| view! { <span class="tag danger" data-testid="urged">{lang.t(T::SupervisionUrgedTag)}</span> })}
                {(l.joined > 0).then(|| view! { <span class="tag" data-testid="joined">{format!("+{} ", l.joined)}{lang.t(T::MeToo)}</span> })}
            </div>
            <a class="board-title" href=href.clone()>{l.title.clone()}</a>
            <p class="muted small">
                {l.affair.as_ref().map(|a| a.get(lang).to_string()).unwrap_or_else(|| lang.t(T::OtherAffair).to_string())}
                {l.area.as_ref().map(|a| format!(" · {}", a.get(lang)))}
                " · "
                {l.assignee.clone().unwrap_or_else(|| lang.t(T::Unassigned).to_string())}
                {l.mine.then(|| format!(" ({})", lang.t(T::Mine)))}
            </p>
            <p class="due" class:late=l.due_in_ms < 0>
                {lang.t(due_kind)} ": " <strong>{due}</strong>
            </p>
            {(l.whistles_waiting > 0).then(|| view! {
                <p class="small whistle-summary" class:late={l.whistles_late > 0} data-testid="whistle-summary">
                    {lang.t(T::Whistles)} ": "
                    {format!("{} {}/{}", lang.t(T::CheckedIn), l.whistles_checked_in, l.whistles_waiting)}
                    {(l.whistles_late > 0).then(|| format!(" · {} {}", lang.t(T::Late), l.whistles_late))}
                </p>
            })}
            {l.remote_retrying.then(|| view! { <p class="small tag danger" data-testid="remote-retrying">{lang.t(T::RemoteRetrying)}</p> })}
            {can_accept
                .then(|| {
                    view! {
                        <EnhancedForm lang=lang>
                            <form method="post" action=super::api::Act::url() class="quick">
                                <FormBanner error=None />
                                <input type="hidden" name="item" value=l.item_id />
                                <input type="hidden" name="version" value=l.version />
                                <input type="hidden" name="action" value=Action::Accept.as_str() />
                                <input type="hidden" name="back" value="/station" />
                                <button type="submit" class="button primary small">{lang.t(T::ActAccept)}</button>
                            </form>
                        </EnhancedForm>
                    }
                })}
        </li>
    }
}

#[component]
pub fn DepartmentBoard(lines: Vec<DepartmentLine>, lang: Lang) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="empty">{lang.t(T::NoWhistles)}</p> }.into_any();
    }
    view! {
        <ul class="board-list">
            {lines
                .into_iter()
                .map(|l| {
                    view! {
                        <li class="card board-card" class:overdue=l.late>
                            <p class="board-title">{l.title.clone()}</p>
                            <p class="muted small">
                                {l.community.get(lang).to_string()} " · " {lang.t(T::Summoned)} " " {l.summoned.clone()}
                            </p>
                            <p class="due" class:late=l.late>
                                {lang.t(T::CheckInBy)} ": " <strong>{l.checkin_by.clone()}</strong>
                            </p>
                            {(!l.checked_in)
                                .then(|| {
                                    view! {
                                        <form method="post" action=CheckIn::url() class="quick">
                                            <input type="hidden" name="whistle" value=l.whistle_id />
                                            <button type="submit" class="button primary">{lang.t(T::CheckIn)}</button>
                                        </form>
                                    }
                                })}
                            <EnhancedForm lang=lang>
                                <form method="post" action=Report::url() class="form">
                                    <FormBanner error=None />
                                    <input type="hidden" name="whistle" value=l.whistle_id />
                                    <div class="field">
                                        <label for=format!("report-{}", l.whistle_id)>{lang.t(T::ReportBack)}</label>
                                        <textarea id=format!("report-{}", l.whistle_id) name="report" rows="3" maxlength="2000" required></textarea>
                                        <p class="field-error" data-error-for="report"></p>
                                    </div>
                                    <button type="submit" class="button secondary">{lang.t(T::SendReport)}</button>
                                </form>
                            </EnhancedForm>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub mod query;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns() {
        assert_eq!(countdown(Lang::Zh, 3 * 3_600_000 + 5), "剩 3 小时");
        assert_eq!(countdown(Lang::Zh, -2 * 3_600_000), "超时 2 小时");
        assert_eq!(countdown(Lang::En, 45 * 60_000), "45 min left");
        assert_eq!(countdown(Lang::En, -3 * 24 * 3_600_000), "3 d overdue");
    }
}
