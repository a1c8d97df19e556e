//! Sixteen weeks of realistic history for the demo, so the dashboard shows something true:
//! demands from residents of both demo communities, answered, resolved, confirmed or closed
//! by themselves, a few reopened or withdrawn, most rated, the bad ratings called back.
//! Deterministic (a fixed seed) and written once; history residents have no password.

use crate::auth::server::{insert_user, NewUser};
use crate::auth::Role;
use crate::demands::file::{file_case, NewCase};
use crate::demands::Channel;
use crate::error::AppError;
use crate::form::key::IdempotencyKey;
use crate::store::{Store, Tx};
use crate::work::rules::{self, AffairLimits, DeadlinePolicy, ItemKind, Mode, Place, RouteReason, State};
use crate::work::rules::{Triage, TriageReason, Urgency};
use crate::work::server::{Past, PastWhistle, WorkTx};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;
const WEEKS: i64 = 16;

const QIANGGEN_RESIDENTS: [&str; 10] =
    ["孙淑珍", "马国庆", "高玉兰", "林志强", "郭桂英", "罗建华", "梁秀英", "宋德胜", "唐丽华", "韩振东"];
const HETAOYUAN_RESIDENTS: [&str; 6] = ["冯玉梅", "曹宝山", "彭秀云", "董立新", "萧春花", "程永刚"];

const TEXTS: [&str; 12] = [
    "楼道灯不亮了，晚上上下楼看不清，请尽快修理。",
    "想咨询一下高龄津贴怎么申请，需要带哪些材料？",
    "单元门口的井盖松动，走上去会响，担心有危险。",
    "家里暖气不热，室温只有十五度左右。",
    "楼下有人长期占用消防通道停车。",
    "老伴腿脚不便，想申请助餐服务。",
    "想办理居住证明，请问什么时候可以来？",
    "楼顶漏水，下雨时家里墙面渗水。",
    "小区垃圾桶满了没人清运，气味很大。",
    "想报名社区的志愿服务，怎么登记？",
    "孩子入学需要开具社区证明。",
    "邻居装修噪音太大，中午也不停。",
];

pub struct Affair {
    id: i64,
    limits: AffairLimits,
}

pub struct Community {
    id: i64,
    affairs: Vec<Affair>,
    /// (building, grid area, the area's director)
    buildings: Vec<(i64, i64, Option<i64>)>,
    workers: Vec<i64>,
    stationmaster: Option<i64>,
    residents: Vec<i64>,
    /// The subdistrict's departments (whistles at scale).
    departments: Vec<i64>,
}

impl Community {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn residents(&self) -> &[i64] {
        &self.residents
    }
    /// Who marks arrivals at the window: the stationmaster, else a worker.
    pub fn window_staff(&self) -> i64 {
        self.stationmaster.or(self.workers.first().copied()).unwrap_or(self.residents[0])
    }
}

/// Writes the history once (a second run finds it and does nothing). Returns the number of
/// work items written.
pub async fn seed_history(store: &Store, now: i64) -> Result<usize, AppError> {
    let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM demands WHERE idempotency_key LIKE 'history-%'")
        .fetch_one(store.pool())
        .await?;
    if done > 0 {
        return Ok(0);
    }
    let mut w = WorkTx::begin(store).await?;
    let mut rng = StdRng::seed_from_u64(20_260_101);
    let mut written = 0;
    // Qianggen: about two a day; its history stops three days ago and leaves nothing open,
    // so the live demo's routing and board start clean. Hetaoyuan: about one a day, up to
    // today, with a few items still open (some overdue).
    for (code, names, phone_base, per_day, open_tail) in [
        ("qianggen", &QIANGGEN_RESIDENTS[..], 13_900_001_000_i64, 2.2, false),
        ("hetaoyuan", &HETAOYUAN_RESIDENTS[..], 13_900_002_000, 1.1, true),
    ] {
        let Some(c) = load(w.tx(), code, names, phone_base).await? else { continue };
        let first_day = crate::time::day_start(now) - WEEKS * 7 * DAY;
        let last_day = crate::time::day_start(now) - if open_tail { 0 } else { 3 * DAY };
        let span = Span { first_day, last_day, per_day, open_tail, key: "history" };
        written += fill(&mut w, &mut rng, &c, &span, now).await?;
    }
    w.commit(store).await?;
    Ok(written)
}

/// Which days of history to write for a community, how many a day, and the keys' prefix.
pub struct Span {
    pub first_day: i64,
    pub last_day: i64,
    pub per_day: f64,
    /// Items near `now` may stay open (else they end, so the board starts clean).
    pub open_tail: bool,
    pub key: &'static str,
}

/// Writes the community's cases of `span`, day by day; returns how many.
pub async fn fill(w: &mut WorkTx, rng: &mut StdRng, c: &Community, span: &Span, now: i64) -> Result<usize, AppError> {
    if c.affairs.is_empty() || c.buildings.is_empty() || c.residents.is_empty() {
        return Ok(0);
    }
    let mut written = 0;
    let mut day = span.first_day;
    let whole = (now - span.first_day).max(1);
    while day <= span.last_day {
        let weekday = ((day + 8 * H).div_euclid(DAY) + 3).rem_euclid(7);
        let mean: f64 = if weekday >= 5 { span.per_day * 0.5 } else { span.per_day };
        let n = if span.key == "scale" {
            // Binomial over four times the mean: the exact average at any rate.
            let trials = (4.0 * mean).ceil().max(1.0) as usize;
            (0..trials).filter(|_| rng.gen_bool((mean / trials as f64).min(1.0))).count() as i64
        } else {
            // 0..=2·mean, uniform: the right average, some quiet days.
            rng.gen_range(0..=(2.0 * mean).round() as i64)
        };
        for _ in 0..n {
            let created = day + rng.gen_range(8 * H..20 * H);
            if created >= now - H {
                continue;
            }
            // The station got better over the months: more answered in time.
            let progress = (created - span.first_day) as f64 / whole as f64;
            item(w, rng, c, created, now, progress, span).await?;
            written += 1;
        }
        day += DAY;
    }
    Ok(written)
}

pub async fn load(tx: &mut Tx, code: &str, names: &[&str], phone_base: i64) -> Result<Option<Community>, AppError> {
    let Some(id): Option<i64> = sqlx::query_scalar("SELECT id FROM regions WHERE code = $1 AND level = 'community'")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let affairs: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, response_hours, completion_hours FROM affairs WHERE community_id = $1 AND retired_at IS NULL ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let buildings: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT b.id, g.id, g.director_id FROM buildings b JOIN grid_areas g ON g.id = b.grid_area_id WHERE b.community_id = $1 ORDER BY b.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let staff: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, role FROM users WHERE region_id = $1 AND role IN ('social_worker', 'dispatcher', 'stationmaster') ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut workers: Vec<i64> = staff.iter().filter(|s| s.1 == "social_worker").map(|s| s.0).collect();
    if workers.is_empty() {
        // A community without a demo login still has a station: one worker for its history.
        let w = insert_user(
            tx,
            NewUser {
                phone: format!("{}", phone_base + 999),
                password_hash: None,
                display_name: "钱社工".into(),
                role: Role::SocialWorker,
                region_id: id,
                department_id: None,
                building_id: None,
                unit_no: None,
                room: None,
            },
        )
        .await?;
        workers.push(w);
    }
    let mut residents = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let (building, ..) = buildings[k % buildings.len().max(1)];
        let r = insert_user(
            tx,
            NewUser {
                phone: format!("{}", phone_base + k as i64),
                password_hash: None,
                display_name: name.to_string(),
                role: Role::Resident,
                region_id: id,
                department_id: None,
                building_id: Some(building),
                unit_no: Some(format!("{}", 1 + k % 3)),
                room: Some(format!("{}0{}", 1 + k % 6, 1 + k % 2)),
            },
        )
        .await?;
        residents.push(r);
    }
    let departments: Vec<i64> = sqlx::query_scalar(
        "SELECT d.id FROM departments d JOIN regions c ON c.parent_id = d.subdistrict_id WHERE c.id = $1 ORDER BY d.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(Community {
        id,
        departments,
        affairs: affairs
            .into_iter()
            .map(|(id, r, c)| Affair { id, limits: AffairLimits { response_hours: r, completion_hours: c } })
            .collect(),
        buildings,
        workers,
        stationmaster: staff.iter().find(|s| s.1 == "stationmaster").map(|s| s.0),
        residents,
    }))
}

/// What happened to one item, in order.
struct Story {
    state: State,
    first_response: Option<i64>,
    resolved: Option<i64>,
    closed: Option<i64>,
    /// (at, from, to) transitions after posting.
    steps: Vec<(i64, State, State)>,
    rating: Option<(i64, i64)>,
}

fn story(
    rng: &mut StdRng,
    created: i64,
    respond_by: i64,
    complete_by: i64,
    now: i64,
    progress: f64,
    may_stay_open: bool,
) -> Story {
    use State as S;
    let window = respond_by - created;
    let on_time = rng.gen_bool((0.78 + 0.17 * progress).min(0.97));
    let response = if on_time {
        created + (window as f64 * rng.gen_range(0.05..0.9)) as i64
    } else {
        respond_by + (window as f64 * rng.gen_range(0.1..2.0)) as i64
    };
    let mut s = Story {
        state: S::Received,
        first_response: None,
        resolved: None,
        closed: None,
        steps: Vec::new(),
        rating: None,
    };
    // A few are withdrawn early (the resident sorted it out themselves).
    if rng.gen_bool(0.03) {
        let at = created + rng.gen_range(H..30 * H);
        if at < now {
            if response < at {
                s.first_response = Some(response);
                s.steps.push((response, S::Received, S::Accepted));
                s.steps.push((at, S::Accepted, S::Withdrawn));
            } else {
                s.steps.push((at, S::Received, S::Withdrawn));
            }
            s.state = S::Withdrawn;
            return s;
        }
    }
    if response >= now {
        if may_stay_open {
            // Not answered yet.
            return s;
        }
        return withdrawn_unanswered(s, created, now);
    }
    s.first_response = Some(response);
    s.steps.push((response, S::Received, S::Accepted));
    s.state = S::Accepted;
    let span = (complete_by - created) as f64;
    let mut resolved = created + (span * rng.gen_range(0.15..1.25)) as i64;
    resolved = resolved.max(response + H);
    if resolved >= now {
        if may_stay_open {
            s.steps.push((response + H / 2, S::Accepted, S::InProgress));
            s.state = S::InProgress;
            return s;
        }
        resolved = response + (now - response) / 2;
    }
    s.steps.push((resolved, S::Accepted, S::Resolved));
    s.resolved = Some(resolved);
    s.state = S::Resolved;
    // Now and then the resident says it is not solved (with room for what follows).
    if rng.gen_bool(0.05) && resolved + 10 * DAY < now {
        let reopened = resolved + rng.gen_range(2 * H..3 * DAY);
        if reopened < now {
            s.steps.push((reopened, S::Resolved, S::Reopened));
            s.state = S::Reopened;
            if rng.gen_bool(0.3) {
                let gave_up = reopened + rng.gen_range(DAY..3 * DAY);
                if gave_up < now {
                    s.steps.push((gave_up, S::Reopened, S::Withdrawn));
                    s.state = S::Withdrawn;
                    return s;
                }
            }
            let again = reopened + rng.gen_range(6 * H..4 * DAY);
            s.steps.push((again, S::Reopened, S::Resolved));
            s.resolved = Some(again);
            s.state = S::Resolved;
            resolved = again;
        }
    }
    // Confirmed by the resident, or closed by itself after 7 days.
    let confirms = rng.gen_bool(0.55);
    let closed =
        if confirms { resolved + rng.gen_range(2 * H..3 * DAY) } else { resolved + rules::CONFIRM_WINDOW_DAYS * DAY };
    if closed >= now {
        return s;
    }
    s.steps.push((closed, S::Resolved, S::Closed));
    s.closed = Some(closed);
    s.state = S::Closed;
    if rng.gen_bool(if confirms { 0.8 } else { 0.3 }) {
        let at = closed + rng.gen_range(H / 2..2 * DAY);
        if at < now {
            // Late answers please less.
            let roll: f64 = rng.gen_range(0.0..1.0) + if on_time { 0.0 } else { 0.15 };
            let level = match roll {
                x if x < 0.55 => 5,
                x if x < 0.83 => 4,
                x if x < 0.93 => 3,
                x if x < 0.98 => 2,
                _ => 1,
            };
            s.rating = Some((level, at));
        }
    }
    s
}

/// Qianggen's history leaves nothing open: an item whose late answer would fall after now
/// ends withdrawn by the resident, unanswered (its response counts as missed).
fn withdrawn_unanswered(mut s: Story, created: i64, now: i64) -> Story {
    let at = (now - H).max(created + H);
    s.steps.push((at, State::Received, State::Withdrawn));
    s.state = State::Withdrawn;
    s
}

async fn item(
    w: &mut WorkTx,
    rng: &mut StdRng,
    c: &Community,
    created: i64,
    now: i64,
    progress: f64,
    span: &Span,
) -> Result<(), AppError> {
    let affair = (!rng.gen_bool(0.1)).then(|| &c.affairs[rng.gen_range(0..c.affairs.len())]);
    let urgency = if rng.gen_bool(0.05) { Urgency::Emergency } else { Urgency::Normal };
    let (building, area, director) = c.buildings[rng.gen_range(0..c.buildings.len())];
    let requester = c.residents[rng.gen_range(0..c.residents.len())];
    let assignee =
        director.filter(|_| rng.gen_bool(0.7)).or_else(|| Some(c.workers[rng.gen_range(0..c.workers.len())]));
    let (respond_by, complete_by) =
        rules::deadlines(created, urgency, affair.map(|a| a.limits), &DeadlinePolicy::default());
    let s = story(rng, created, respond_by, complete_by, now, progress, span.open_tail);
    let channel = if rng.gen_bool(0.8) { Channel::App } else { Channel::WalkIn };
    let text = TEXTS[rng.gen_range(0..TEXTS.len())].to_string();
    let key = IdempotencyKey::internal(format!("{}-{created}-{requester}", span.key));
    // The scale seed also has cases about buildings and public areas, most of them public
    // (the demo's history keeps its own draws: its figures stay as they were).
    let (place, public) = if span.key == "scale" {
        match rng.gen_range(0..100) {
            0..=59 => (Place::Home, false),
            60..=84 => (Place::Building, rng.gen_bool(0.7)),
            _ => (Place::PublicArea, rng.gen_bool(0.7)),
        }
    } else {
        (Place::Home, false)
    };
    let mut case = NewCase::new(c.id, requester, requester, channel, ItemKind::Demand, text, place, key, created);
    if public {
        case.visibility = crate::work::rules::Visibility::Community;
    }
    case.affair = affair.map(|a| a.id);
    case.mode = affair.map(|_| Mode::OnTheSpot);
    case.limits = affair.map(|a| a.limits);
    case.building_id = Some(building);
    case.urgency = urgency;
    case.triage = Some((Triage::Immediate, TriageReason::AffairOnTheSpot));
    // At scale, a third of the cases about buildings and public areas need a subdistrict
    // department (吹哨报到): whistled after the answer, reported before it is resolved, or
    // still waiting when it is not. (The demo's history keeps its own draws.)
    let mut s = s;
    let mut whistles = Vec::new();
    if span.key == "scale" && place != Place::Home && !c.departments.is_empty() && rng.gen_bool(0.33) {
        whistles = whistled(rng, &mut s, c, assignee.unwrap_or(requester), now);
    }
    let summoned: Vec<i64> = whistles.iter().map(|wh| wh.department).collect();
    let steps = s
        .steps
        .iter()
        .map(|&(at, from, to)| {
            let by_resident =
                matches!(to, State::Withdrawn | State::Reopened) || from == State::Resolved && to == State::Closed;
            (at, from, to, if by_resident { Some(requester) } else { assignee })
        })
        .collect();
    case.past = Some(Past {
        state: s.state,
        assignee,
        grid_area: Some(area),
        route_reason: RouteReason::AreaDirector,
        respond_by,
        complete_by,
        first_response: s.first_response,
        resolved: s.resolved,
        closed: s.closed,
        overdue_flagged: s.first_response.map_or(now > respond_by, |r| r > respond_by).then_some(respond_by),
        steps,
        whistles,
    });
    let Some(filed) = file_case(w, case).await? else { return Ok(()) };
    if let Some((level, at)) = s.rating {
        let near = |rng: &mut StdRng| (level + rng.gen_range(-1..=1)).clamp(1, 5);
        let scores = crate::ratings::rules::Scores {
            overall: level,
            timeliness: near(rng),
            attitude: near(rng),
            outcome: near(rng),
        };
        crate::ratings::server::record_past(w.tx(), filed.item, requester, &scores, at).await?;
        // Most residents also rate the departments' part (双向考核), near their overall view.
        let mut units = Vec::new();
        for d in &summoned {
            if rng.gen_bool(0.7) {
                units.push((crate::ratings::UnitKind::Department, *d, near(rng)));
            }
        }
        crate::ratings::units::save(w.tx(), filed.item, requester, &units, at).await?;
        if crate::ratings::rules::needs_callback(level) {
            callback(w, c, filed.demand, filed.item, requester, at, now, span.key).await?;
        }
    }
    Ok(())
}

/// Turns a story's "accepted → in progress / resolved" into a whistle to one or two
/// departments: transferred half an hour after the answer; each checks in within the hour
/// and reports before the case is resolved; a case still open is still waiting for them.
fn whistled(rng: &mut StdRng, s: &mut Story, c: &Community, by: i64, now: i64) -> Vec<PastWhistle> {
    use State as S;
    let Some(i) = s.steps.iter().position(|st| st.1 == S::Accepted && matches!(st.2, S::Resolved | S::InProgress))
    else {
        return Vec::new();
    };
    let (end, _, to) = s.steps[i];
    let done = to == S::Resolved;
    let summoned = if done { s.first_response.unwrap_or(end) + H / 2 } else { end };
    if summoned >= now || done && summoned >= end {
        return Vec::new();
    }
    let mut steps = vec![(summoned, S::Accepted, S::Transferred)];
    let reported = done.then(|| summoned + (end - summoned) * 3 / 4);
    if let Some(r) = reported {
        steps.push((r, S::Transferred, S::InProgress));
        steps.push((end, S::InProgress, S::Resolved));
    } else {
        s.state = S::Transferred;
    }
    s.steps.splice(i..=i, steps);
    let first = rng.gen_range(0..c.departments.len());
    let count = if c.departments.len() > 1 && rng.gen_bool(0.25) { 2 } else { 1 };
    (0..count)
        .map(|k| {
            let checked_in = (summoned + rng.gen_range(H / 6..2 * H)).min(reported.unwrap_or(i64::MAX));
            PastWhistle {
                department: c.departments[(first + k) % c.departments.len()],
                summoned_by: by,
                summoned_at: summoned,
                checked_in_at: Some(checked_in).filter(|t| *t < now),
                reported_at: reported,
                report: "已到现场处置完毕。",
            }
        })
        .collect()
}

/// The stationmaster's callback after a bad rating, answered the same day and closed.
async fn callback(
    w: &mut WorkTx,
    c: &Community,
    demand: i64,
    rated: i64,
    requester: i64,
    at: i64,
    now: i64,
    prefix: &str,
) -> Result<(), AppError> {
    let (responded, resolved) = (at + 3 * H, at + DAY);
    let closed = resolved + rules::CONFIRM_WINDOW_DAYS * DAY;
    let (state, closed) = if resolved >= now {
        (State::Accepted, None)
    } else if closed < now {
        (State::Closed, Some(closed))
    } else {
        (State::Resolved, None)
    };
    let text = format!("【回访 Callback】居民对诉求 #{demand} 的处理不满意，请站长回访。/demands/{demand}");
    let key = IdempotencyKey::internal(format!("{prefix}-callback-{rated}"));
    let mut case =
        NewCase::new(c.id, requester, requester, Channel::App, ItemKind::Callback, text, Place::Home, key, at);
    let copied: (Option<i64>, Option<i64>) = sqlx::query_as("SELECT affair_id, building_id FROM demands WHERE id = $1")
        .bind(demand)
        .fetch_one(&mut **w.tx())
        .await?;
    case.affair = copied.0;
    case.limits = Some(AffairLimits { response_hours: 24, completion_hours: 72 });
    case.building_id = copied.1;
    case.triage = Some((Triage::Immediate, TriageReason::Callback));
    case.past = Some(Past {
        state,
        assignee: c.stationmaster.or(c.workers.first().copied()),
        grid_area: None,
        route_reason: RouteReason::Stationmaster,
        respond_by: at + 24 * H,
        complete_by: at + 72 * H,
        first_response: Some(responded).filter(|r| *r < now),
        resolved: Some(resolved).filter(|r| *r < now),
        closed,
        overdue_flagged: None,
        steps: Vec::new(),
        whistles: Vec::new(),
    });
    if let Some(filed) = file_case(w, case).await? {
        crate::ratings::server::link_past_callback(w.tx(), rated, filed.item).await?;
    }
    Ok(())
}
