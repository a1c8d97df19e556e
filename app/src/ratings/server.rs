//! Server side of ratings: only the requester, only a closed case, within the window; a
//! rating of 不满意 or worse opens one callback work item for the stationmaster.

use super::rules::{self, Scores};
use super::*;
use crate::auth::SessionUser;
use crate::demands::file::{file_case, NewCase};
use crate::demands::Channel;
use crate::form::key::IdempotencyKey;
use crate::notifications::Kind;
use crate::store::{Millis, Store, Tx};
use crate::time::format_local;
use crate::work::rules::{AffairLimits, ItemKind, Place, RouteReason, State, Triage, TriageReason};
use crate::work::server::create::Route;
use crate::work::server::{self as work, ItemRow, Relation, WorkTx};

/// The rating card of a case page, for the requester and the station (nobody else), and a
/// co-requester's own.
pub async fn card(store: &Store, item: &ItemRow, rel: Relation, viewer: i64) -> Result<Option<RatingCard>, AppError> {
    if !matches!(rel, Relation::Requester | Relation::Station | Relation::Overseer | Relation::CoRequester)
        || item.state() != State::Closed
    {
        return Ok(None);
    }
    let Some(demand) = item.demand_id else { return Ok(None) };
    if rel == Relation::CoRequester {
        return co_card(store, item, demand, viewer).await.map(Some);
    }
    let row: Option<(i64, i64, i64, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT r.overall, r.timeliness, r.attitude, r.outcome, r.comment, w.demand_id FROM ratings r \
         LEFT JOIN work_items w ON w.id = r.callback_item_id WHERE r.work_item_id = $1",
    )
    .bind(item.id)
    .fetch_optional(store.pool())
    .await?;
    let now = Millis::now().0;
    Ok(Some(RatingCard {
        demand_id: demand,
        appointment_id: None,
        scores: row.as_ref().map(|r| Scores { overall: r.0, timeliness: r.1, attitude: r.2, outcome: r.3 }),
        comment: row.as_ref().map(|r| r.4.clone()).unwrap_or_default(),
        can_rate: rel == Relation::Requester && rules::may_rate(true, item.closed_at, now),
        window_ends: item.closed_at.map(|c| format_local(c + rules::RATING_WINDOW_MS)).unwrap_or_default(),
        callback_demand: if rel == Relation::Requester { None } else { row.and_then(|r| r.5) },
        units: super::units::parts(store, item.id).await?,
    }))
}

/// The checks every rating passes: within its window, a level on each line, a short comment.
fn check<'a>(may_rate: bool, scores: &Scores, comment: &'a str) -> Result<&'a str, AppError> {
    if !may_rate {
        return Err(AppError::invalid("overall", T::ErrRatingWindow));
    }
    if !scores.valid() {
        return Err(AppError::invalid("overall", T::ErrRatingLevels));
    }
    let comment = comment.trim();
    if comment.chars().count() > 1000 {
        return Err(AppError::invalid("comment", T::ErrTooLong));
    }
    Ok(comment)
}

pub async fn rate(
    store: &Store,
    user: &SessionUser,
    demand: i64,
    scores: Scores,
    comment: &str,
    units: &std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    let rel = work::relation(store, user, &item).await?;
    match rel {
        Relation::Requester | Relation::CoRequester => {}
        Relation::None => return Err(AppError::NotFound),
        _ => return Err(AppError::Forbidden),
    }
    let now = Millis::now().0;
    let comment = check(rules::may_rate(item.state() == State::Closed, item.closed_at, now), &scores, comment)?;
    if rel == Relation::CoRequester {
        // Their own rating: in the satisfaction rate like any; the requester's rating
        // rates the units and opens the callback.
        let mut w = WorkTx::begin(store).await?;
        Rated::CoCase(item.id).upsert(w.tx(), user.id, &scores, comment, now).await?;
        return w.commit(store).await;
    }
    let unit_scores = super::units::check(store, item.id, units).await?;
    let mut w = WorkTx::begin(store).await?;
    Rated::Case(item.id).upsert(w.tx(), user.id, &scores, comment, now).await?;
    super::units::save(w.tx(), item.id, user.id, &unit_scores, now).await?;
    if rules::needs_callback(scores.overall) {
        open_callback(&mut w, &item, user.id, now).await?;
    }
    w.commit(store).await
}

/// The callback (回访), once per rated case, assigned to the stationmaster.
async fn open_callback(w: &mut WorkTx, item: &ItemRow, rater: i64, now: i64) -> Result<(), AppError> {
    if !Rated::Case(item.id).claim_callback(w.tx()).await? {
        return Ok(());
    }
    let demand = item.demand_id.ok_or(AppError::Internal)?;
    let (requester, affair, building, contact_time): (i64, Option<i64>, Option<i64>, String) =
        sqlx::query_as("SELECT requester_id, affair_id, building_id, contact_time FROM demands WHERE id = $1")
            .bind(demand)
            .fetch_one(&mut **w.tx())
            .await?;
    let text = format!("【回访 Callback】居民对诉求 #{demand} 的处理不满意，请站长回访。/demands/{demand}");
    let mut case =
        callback_case(w, item.community_id, requester, rater, text, format!("callback-{}", item.id), now).await?;
    case.affair = affair;
    case.building_id = building;
    case.contact_time = contact_time;
    let callback = file_case(w, case).await?.ok_or(AppError::Conflict)?;
    Rated::Case(item.id).link_callback(w.tx(), callback.item).await
}

/// A callback case: private, at the resident's home, triaged as a callback, due in three
/// days, for the community's stationmaster (whoever handled the case), told as a callback.
async fn callback_case(
    w: &mut WorkTx,
    community: i64,
    requester: i64,
    rater: i64,
    text: String,
    key: String,
    now: i64,
) -> Result<NewCase, AppError> {
    let master: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE region_id = $1 AND role = 'stationmaster' AND disabled_at IS NULL ORDER BY id LIMIT 1",
    )
    .bind(community)
    .fetch_optional(&mut **w.tx())
    .await?;
    let key = IdempotencyKey::internal(key);
    let mut case =
        NewCase::new(community, requester, rater, Channel::App, ItemKind::Callback, text, Place::Home, key, now);
    case.triage = Some((Triage::Immediate, TriageReason::Callback));
    case.limits = Some(AffairLimits { response_hours: 24, completion_hours: 72 });
    if let Some(m) = master {
        case.route = Route::To(m, RouteReason::Stationmaster, Kind::Callback);
    }
    Ok(case)
}

/// A rating of the past (seeded history).
pub async fn record_past(tx: &mut Tx, item: i64, rater: i64, scores: &Scores, at: i64) -> Result<(), AppError> {
    Rated::Case(item).upsert(tx, rater, scores, "", at).await
}

/// The callback a rating of the past opened.
pub async fn link_past_callback(tx: &mut Tx, rated: i64, callback: i64) -> Result<(), AppError> {
    let rated = Rated::Case(rated);
    rated.claim_callback(tx).await?;
    rated.link_callback(tx, callback).await
}

pub async fn assessment(store: &Store, item: &ItemRow) -> Result<Option<Assessment>, AppError> {
    let row: Option<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT a.difficulty, a.cooperation, a.helped, u.display_name FROM worker_assessments a JOIN users u ON u.id = a.author_id \
         WHERE a.work_item_id = $1",
    )
    .bind(item.id)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|(difficulty, cooperation, helped, author)| Assessment { difficulty, cooperation, helped, author }))
}

pub async fn assess(
    store: &Store,
    user: &SessionUser,
    demand: i64,
    difficulty: i64,
    cooperation: i64,
    helped: &str,
) -> Result<(), AppError> {
    let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    match work::relation(store, user, &item).await? {
        Relation::Station => {}
        Relation::None => return Err(AppError::NotFound),
        _ => return Err(AppError::Forbidden),
    }
    if !matches!(item.state(), State::Resolved | State::Closed) {
        return Err(AppError::WrongState);
    }
    if !rules::valid_level(difficulty) || !rules::valid_level(cooperation) {
        return Err(AppError::invalid("difficulty", T::ErrRatingLevels));
    }
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO worker_assessments (work_item_id, author_id, difficulty, cooperation, helped, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (work_item_id) DO UPDATE SET author_id = $2, difficulty = $3, \
         cooperation = $4, helped = $5, created_at = $6",
    )
    .bind(item.id)
    .bind(user.id)
    .bind(difficulty)
    .bind(cooperation)
    .bind(helped.trim().chars().take(1000).collect::<String>())
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rating card of a served appointment, for the resident it was for.
pub async fn appointment_card(
    store: &Store,
    user: &SessionUser,
    appointment: i64,
) -> Result<Option<RatingCard>, AppError> {
    let row: Option<(i64, String, i64)> =
        sqlx::query_as("SELECT resident_id, status, COALESCE(marked_at, starts_at) FROM appointments WHERE id = $1")
            .bind(appointment)
            .fetch_optional(store.pool())
            .await?;
    let Some((resident, status, served)) = row else { return Ok(None) };
    if resident != user.id || status != "arrived" {
        return Ok(None);
    }
    let rated: Option<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT overall, timeliness, attitude, outcome, comment FROM appointment_ratings WHERE appointment_id = $1",
    )
    .bind(appointment)
    .fetch_optional(store.pool())
    .await?;
    Ok(Some(RatingCard {
        demand_id: 0,
        appointment_id: Some(appointment),
        scores: rated.as_ref().map(|r| Scores { overall: r.0, timeliness: r.1, attitude: r.2, outcome: r.3 }),
        comment: rated.map(|r| r.4).unwrap_or_default(),
        can_rate: rules::may_rate(true, Some(served), Millis::now().0),
        window_ends: format_local(served + rules::RATING_WINDOW_MS),
        callback_demand: None,
        units: Vec::new(),
    }))
}

/// The resident rates a served appointment: only their own, only once served, within the
/// window; a second post edits it; 不满意 or worse opens one callback.
pub async fn rate_appointment(
    store: &Store,
    user: &SessionUser,
    appointment: i64,
    scores: Scores,
    comment: &str,
) -> Result<(), AppError> {
    let row: Option<(i64, i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT resident_id, community_id, status, COALESCE(marked_at, starts_at), affair_id FROM appointments WHERE id = $1",
    )
    .bind(appointment)
    .fetch_optional(store.pool())
    .await?;
    let Some((resident, community, status, served, affair)) = row else { return Err(AppError::NotFound) };
    if resident != user.id {
        return Err(if user.role.is_staff() { AppError::Forbidden } else { AppError::NotFound });
    }
    let now = Millis::now().0;
    let comment = check(rules::may_rate(status == "arrived", Some(served), now), &scores, comment)?;
    let mut w = WorkTx::begin(store).await?;
    let rated = Rated::Appointment(appointment);
    rated.upsert(w.tx(), user.id, &scores, comment, now).await?;
    if rules::needs_callback(scores.overall) && rated.claim_callback(w.tx()).await? {
        let text =
            format!("【回访 Callback】居民对预约办理 #{appointment} 不满意，请站长回访。/appointments/{appointment}");
        let key = format!("callback-appointment-{appointment}");
        let mut case = callback_case(&mut w, community, user.id, user.id, text, key, now).await?;
        case.affair = affair;
        case.building_id = sqlx::query_scalar("SELECT building_id FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&mut **w.tx())
            .await?;
        let callback = file_case(&mut w, case).await?.ok_or(AppError::Conflict)?;
        rated.link_callback(w.tx(), callback.item).await?;
    }
    w.commit(store).await
}

/// What a rating is of: a case (its work item) or a served appointment. Both tables have the
/// same columns; one rating per thing, and one callback per rating.
/// A co-requester's rating card: their own rating, nothing of the requester's.
async fn co_card(store: &Store, item: &ItemRow, demand: i64, viewer: i64) -> Result<RatingCard, AppError> {
    let row: Option<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT overall, timeliness, attitude, outcome, comment FROM co_ratings WHERE work_item_id = $1 AND rater_id = $2",
    )
    .bind(item.id)
    .bind(viewer)
    .fetch_optional(store.pool())
    .await?;
    Ok(RatingCard {
        demand_id: demand,
        appointment_id: None,
        scores: row.as_ref().map(|r| Scores { overall: r.0, timeliness: r.1, attitude: r.2, outcome: r.3 }),
        comment: row.map(|r| r.4).unwrap_or_default(),
        can_rate: rules::may_rate(true, item.closed_at, Millis::now().0),
        window_ends: item.closed_at.map(|c| format_local(c + rules::RATING_WINDOW_MS)).unwrap_or_default(),
        callback_demand: None,
        units: Vec::new(),
    })
}

#[derive(Clone, Copy)]
enum Rated {
    Case(i64),
    Appointment(i64),
    /// A co-requester's own rating of a case (no callback: the requester's opens it).
    CoCase(i64),
}

impl Rated {
    fn table(self) -> (&'static str, &'static str, i64) {
        match self {
            Rated::Case(id) => ("ratings", "work_item_id", id),
            Rated::Appointment(id) => ("appointment_ratings", "appointment_id", id),
            Rated::CoCase(id) => ("co_ratings", "work_item_id", id),
        }
    }

    /// What makes a rating the same one again: the rated thing, or (for co-requesters)
    /// the thing and its rater.
    fn one_per(self) -> &'static str {
        match self {
            Rated::CoCase(_) => "work_item_id, rater_id",
            Rated::Case(_) => "work_item_id",
            Rated::Appointment(_) => "appointment_id",
        }
    }

    /// A second post edits the rating.
    async fn upsert(self, tx: &mut Tx, rater: i64, scores: &Scores, comment: &str, now: i64) -> Result<(), AppError> {
        let (table, key, id) = self.table();
        let one_per = self.one_per();
        sqlx::query(&format!(
            "INSERT INTO {table} ({key}, rater_id, overall, timeliness, attitude, outcome, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT ({one_per}) DO UPDATE SET overall = $3, timeliness = $4, attitude = $5, outcome = $6, comment = $7, updated_at = $8"
        ))
        .bind(id)
        .bind(rater)
        .bind(scores.overall)
        .bind(scores.timeliness)
        .bind(scores.attitude)
        .bind(scores.outcome)
        .bind(comment)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Claims the rating's one callback: a second bad rating (an edit) finds it taken.
    async fn claim_callback(self, tx: &mut Tx) -> Result<bool, AppError> {
        let (table, key, id) = self.table();
        let done =
            sqlx::query(&format!("UPDATE {table} SET callback_opened = 1 WHERE {key} = $1 AND callback_opened = 0"))
                .bind(id)
                .execute(&mut **tx)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn link_callback(self, tx: &mut Tx, callback: i64) -> Result<(), AppError> {
        let (table, key, id) = self.table();
        sqlx::query(&format!("UPDATE {table} SET callback_item_id = $1 WHERE {key} = $2"))
            .bind(callback)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// The last invitation to rate: a day before the window ends, to a requester who has not
/// rated (once: the notification's key).
pub async fn remind(store: &Store, now: i64) -> Result<usize, AppError> {
    const DAY: i64 = 24 * 3_600_000;
    let due: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT w.id, d.requester_id FROM work_items w JOIN demands d ON d.id = w.demand_id \
         WHERE w.closed_at <= $1 AND w.closed_at > $2 AND w.state = 'closed' AND w.found_via IS NULL \
         AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.work_item_id = w.id) \
         AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = 'rate-remind:' || CAST(w.id AS TEXT))",
    )
    .bind(now - (rules::RATING_WINDOW_MS - DAY))
    .bind(now - rules::RATING_WINDOW_MS)
    .fetch_all(store.pool())
    .await?;
    let mut sent = 0;
    for (item, requester) in due {
        let mut tx = store.write().await?;
        let n = crate::notifications::server::Send::new(requester, Kind::RateReminder).item(item);
        sent += crate::notifications::server::send(&mut tx, n.once(format!("rate-remind:{item}"))).await? as usize;
        tx.commit().await?;
    }
    Ok(sent)
}
