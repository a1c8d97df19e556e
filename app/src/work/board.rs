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
                                <input type="hidden" name="action" value=super::action_code(Action::Accept) />
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
pub mod server {
    use super::super::api::{Board, BoardFilter, BoardLine, DepartmentLine};
    use crate::auth::SessionUser;
    use crate::community::Named;
    use crate::error::AppError;
    use crate::store::{Millis, Store};
    use crate::work::rules::State;

    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        demand_id: i64,
        version: i64,
        state: String,
        description: String,
        affair_zh: Option<String>,
        affair_en: Option<String>,
        family: Option<String>,
        urgency: String,
        triage: String,
        area_zh: Option<String>,
        area_en: Option<String>,
        assignee: Option<String>,
        assignee_id: Option<i64>,
        channel: String,
        created_at: i64,
        respond_by: i64,
        complete_by: i64,
        first_response_at: Option<i64>,
        whistles_waiting: i64,
        whistles_checked_in: i64,
        whistles_late: i64,
        remote_retrying: i64,
        thread_id: Option<i64>,
    }

    /// The overdue test, the same on both backends (integer times, bound `now`).
    const OVERDUE: &str =
        "(w.state NOT IN ('resolved', 'closed', 'withdrawn') AND ((w.first_response_at IS NULL AND w.respond_by < $2) OR w.complete_by < $2))";

    pub async fn board(store: &Store, user: &SessionUser, f: &BoardFilter) -> Result<Board, AppError> {
        let now = Millis::now().0;
        let mut sql = String::from(
            "SELECT w.id, w.demand_id, w.version, w.state, d.description, a.name_zh AS affair_zh, a.name_en AS affair_en, \
             a.family, d.urgency, w.triage, g.name_zh AS area_zh, g.name_en AS area_en, u.display_name AS assignee, w.assignee_id, \
             d.channel, d.created_at, w.respond_by, w.complete_by, w.first_response_at, \
             (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND h.reported_at IS NULL) AS whistles_waiting, \
             (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND h.reported_at IS NULL \
                AND h.checked_in_at IS NOT NULL) AS whistles_checked_in, \
             (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND h.checked_in_at IS NULL \
                AND h.checkin_by < $2) AS whistles_late, \
             (SELECT COUNT(*) FROM open311_outbox o WHERE o.work_item_id = w.id AND o.state = 'pending' \
                AND o.attempts > 0) AS remote_retrying, \
             (SELECT t.id FROM threads t WHERE t.work_item_id = w.id) AS thread_id \
             FROM work_items w JOIN demands d ON d.id = w.demand_id LEFT JOIN affairs a ON a.id = d.affair_id \
             LEFT JOIN grid_areas g ON g.id = w.grid_area_id LEFT JOIN users u ON u.id = w.assignee_id \
             WHERE w.community_id = $1 AND $2 = $2",
        );
        let mut binds: Vec<String> = Vec::new();
        let mut n = 2;
        match f.state.as_deref().filter(|s| !s.is_empty()) {
            None => sql.push_str(" AND w.state NOT IN ('resolved', 'closed', 'withdrawn')"),
            Some("all") => {}
            Some(s) => {
                let s = State::parse(s).ok_or(AppError::BadRequest)?;
                n += 1;
                sql.push_str(&format!(" AND w.state = ${n}"));
                binds.push(s.as_str().to_string());
            }
        }
        if let Some(area) = f.area.as_deref().filter(|s| !s.is_empty()) {
            n += 1;
            sql.push_str(&format!(" AND g.code = ${n}"));
            binds.push(area.to_string());
        }
        if let Some(family) = f.family.as_deref().filter(|s| !s.is_empty()) {
            n += 1;
            sql.push_str(&format!(" AND a.family = ${n}"));
            binds.push(family.to_string());
        }
        if let Some(urgency) = f.urgency.as_deref().filter(|s| !s.is_empty()) {
            n += 1;
            sql.push_str(&format!(" AND d.urgency = ${n}"));
            binds.push(urgency.to_string());
        }
        if f.overdue {
            sql.push_str(&format!(" AND {OVERDUE}"));
        }
        if f.mine {
            sql.push_str(&format!(" AND w.assignee_id = {}", user.id));
        }
        // Overdue first, then emergencies, then the nearest deadline.
        sql.push_str(&format!(
            " ORDER BY CASE WHEN {OVERDUE} THEN 0 ELSE 1 END, CASE d.urgency WHEN 'emergency' THEN 0 ELSE 1 END, \
             CASE WHEN w.first_response_at IS NULL THEN w.respond_by ELSE w.complete_by END, w.id LIMIT 200"
        ));
        let mut q = sqlx::query_as::<_, Row>(&sql).bind(user.region_id).bind(now);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(store.pool()).await?;
        let lines = rows
            .into_iter()
            .map(|r| {
                let state = State::parse(&r.state).unwrap_or(State::Received);
                let due_is_response = r.first_response_at.is_none();
                let due = if due_is_response { r.respond_by } else { r.complete_by };
                let mut title: String = r.description.lines().next().unwrap_or("").chars().take(40).collect();
                if r.description.chars().count() > title.chars().count() {
                    title.push('…');
                }
                BoardLine {
                    item_id: r.id,
                    demand_id: r.demand_id,
                    thread_id: r.thread_id,
                    version: r.version,
                    state,
                    title,
                    affair: r.affair_zh.zip(r.affair_en).map(|(zh, en)| Named { zh, en }),
                    family: r.family,
                    urgency_emergency: r.urgency == "emergency",
                    triage_transfer: r.triage == "transfer",
                    area: r.area_zh.zip(r.area_en).map(|(zh, en)| Named { zh, en }),
                    assignee: r.assignee,
                    mine: r.assignee_id == Some(user.id),
                    channel: r.channel,
                    posted: crate::time::format_local(r.created_at),
                    due_in_ms: due - now,
                    due_is_response,
                    overdue: crate::work::rules::is_overdue(
                        state,
                        r.first_response_at,
                        r.respond_by,
                        r.complete_by,
                        now,
                    ),
                    whistles_waiting: r.whistles_waiting,
                    whistles_checked_in: r.whistles_checked_in,
                    whistles_late: r.whistles_late,
                    remote_retrying: r.remote_retrying > 0,
                }
            })
            .collect();
        let counts: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM work_items WHERE community_id = $1 GROUP BY state")
                .bind(user.region_id)
                .fetch_all(store.pool())
                .await?;
        let overdue: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM work_items w WHERE w.community_id = $1 AND {OVERDUE}"))
                .bind(user.region_id)
                .bind(now)
                .fetch_one(store.pool())
                .await?;
        let areas: Vec<(String, String, String)> =
            sqlx::query_as("SELECT code, name_zh, name_en FROM grid_areas WHERE community_id = $1 ORDER BY code")
                .bind(user.region_id)
                .fetch_all(store.pool())
                .await?;
        let on_duty: i64 =
            sqlx::query_scalar("SELECT on_duty FROM users WHERE id = $1").bind(user.id).fetch_one(store.pool()).await?;
        Ok(Board {
            counts: counts.into_iter().filter_map(|(s, n)| State::parse(&s).map(|s| (s, n))).collect(),
            overdue,
            lines,
            areas: areas.into_iter().map(|(code, zh, en)| (code, Named { zh, en })).collect(),
            on_duty: on_duty == 1,
            can_urge: user.role == crate::auth::Role::Stationmaster,
        })
    }

    /// Whistles to the liaison's department that still wait for its report.
    pub async fn department(store: &Store, user: &SessionUser) -> Result<Vec<DepartmentLine>, AppError> {
        let rows: Vec<(i64, i64, String, String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT h.id, h.work_item_id, d.description, c.name_zh, c.name_en, h.summoned_at, h.checkin_by, h.checked_in_at \
             FROM whistles h JOIN work_items w ON w.id = h.work_item_id JOIN demands d ON d.id = w.demand_id \
             JOIN regions c ON c.id = w.community_id \
             WHERE h.department_id = $1 AND h.reported_at IS NULL ORDER BY h.checkin_by",
        )
        .bind(user.department_id.unwrap_or(-1))
        .fetch_all(store.pool())
        .await?;
        let now = Millis::now().0;
        Ok(rows
            .into_iter()
            .map(|(whistle_id, item_id, description, zh, en, summoned, checkin_by, checked_in)| DepartmentLine {
                whistle_id,
                item_id,
                title: description.lines().next().unwrap_or("").chars().take(60).collect(),
                community: Named { zh, en },
                summoned: crate::time::format_local(summoned),
                checkin_by: crate::time::format_local(checkin_by),
                checked_in: checked_in.is_some(),
                late: checked_in.is_none() && now > checkin_by,
            })
            .collect())
    }
}

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
