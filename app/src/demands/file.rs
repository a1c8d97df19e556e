//! The one way a case is filed: a demand and its work item, in one transaction. Residents'
//! posts, the station's window, Open311, a thread's autonomy project, a callback, an
//! appointment's follow-up, a home visit and the seeded history all come through here.

use super::Channel;
use crate::error::AppError;
use crate::form::key::IdempotencyKey;
use crate::notifications::{server::Send, Kind};
use crate::work::rules::{Action, Actor, AffairLimits, DeadlinePolicy, ItemKind, Mode, Place, Triage, TriageReason};
use crate::work::rules::{Urgency, Visibility};
use crate::work::server::create::Route;
use crate::work::server::{create_item, transition, NewItem, Past, Step, WorkTx};

/// Everything a new case is.
pub struct NewCase {
    pub community_id: i64,
    /// The resident it is for.
    pub requester_id: i64,
    /// Who filed it (the resident, a family member, a worker at the window, a system account).
    pub filed_by: i64,
    pub channel: Channel,
    /// The affair it is about, and how that affair is handled (triage).
    pub affair: Option<i64>,
    /// The affair was the best match for the words (the post chose none).
    pub affair_matched: bool,
    pub mode: Option<Mode>,
    pub description: String,
    pub place: Place,
    pub building_id: Option<i64>,
    pub place_detail: String,
    pub urgency: Urgency,
    pub visibility: Visibility,
    pub contact_time: String,
    /// One case per filer and key: a retry finds the first (see [`file_case`]'s `None`).
    pub key: IdempotencyKey,
    pub at: i64,
    pub kind: ItemKind,
    /// Triage for kinds that do not take it from the affair.
    pub triage: Option<(Triage, TriageReason)>,
    /// The time limits: the affair's, or the kind's own (a project: 24 h to take up, 7 days).
    pub limits: Option<AffairLimits>,
    pub route: Route,
    /// Recorded at the window: the station has already answered and taken it on.
    pub accepted_by: Option<i64>,
    /// Tell the requester who filed it for them (a family member's or a worker's name).
    pub tell_requester: Option<String>,
    /// The first event's note.
    pub note: String,
    /// The deployment's deadline policy (outside a page request, e.g. Open311); the
    /// request's configuration otherwise.
    pub policy: Option<DeadlinePolicy>,
    /// A case of the past (seeded history), written as it went.
    pub past: Option<Past>,
    /// Found by the station itself (主动发现): the requester is the worker who found it.
    pub found_via: Option<crate::work::rules::FoundVia>,
    /// The partner the resident asked for (the station hands the case to it).
    pub asked_partner: Option<i64>,
}

impl NewCase {
    /// A case with the usual defaults: received, routed, told to nobody, no note.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        community_id: i64,
        requester_id: i64,
        filed_by: i64,
        channel: Channel,
        kind: ItemKind,
        description: String,
        place: Place,
        key: IdempotencyKey,
        at: i64,
    ) -> NewCase {
        NewCase {
            community_id,
            requester_id,
            filed_by,
            channel,
            affair: None,
            affair_matched: false,
            mode: None,
            description,
            place,
            building_id: None,
            place_detail: String::new(),
            urgency: Urgency::Normal,
            visibility: Visibility::Private,
            contact_time: String::new(),
            key,
            at,
            kind,
            triage: None,
            limits: None,
            route: Route::Auto,
            accepted_by: None,
            tell_requester: None,
            note: String::new(),
            policy: None,
            past: None,
            found_via: None,
            asked_partner: None,
        }
    }
}

/// A filed case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filed {
    pub demand: i64,
    pub item: i64,
}

/// Files a case in the caller's transaction: the demand, its work item (triage, deadlines,
/// routing, first event) and the notices. `None` when this filer already filed a case with
/// this key (a concurrent retry won): the caller answers with that one.
pub async fn file_case(w: &mut WorkTx, c: NewCase) -> Result<Option<Filed>, AppError> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO demands (community_id, requester_id, filed_by_id, channel, affair_id, description, place, building_id, \
         place_detail, urgency, visibility, contact_time, idempotency_key, created_at, asked_partner_id, affair_matched, tokens) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (filed_by_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(c.community_id)
    .bind(c.requester_id)
    .bind(c.filed_by)
    .bind(c.channel)
    .bind(c.affair)
    .bind(&c.description)
    .bind(c.place)
    .bind(c.building_id)
    .bind(&c.place_detail)
    .bind(c.urgency)
    .bind(c.visibility)
    .bind(&c.contact_time)
    .bind(c.key.as_str())
    .bind(c.at)
    .bind(c.asked_partner)
    .bind(c.affair_matched as i64)
    // Its words as the segmenter reads them, stored with it: similar reports are compared
    // without segmenting history again.
    .bind(crate::intake::segment::tokens(&c.description))
    .fetch_optional(&mut **w.tx())
    .await?;
    let Some(demand) = inserted else { return Ok(None) };
    let policy = c.policy.unwrap_or_else(|| crate::request::config().deadlines);
    let new = NewItem {
        kind: c.kind,
        triage: c.triage,
        demand_id: demand,
        community_id: c.community_id,
        building_id: c.building_id,
        affair_mode: c.mode,
        affair_limits: c.limits,
        urgency: c.urgency,
        place: c.place,
        posted_at: c.at,
        filed_by: c.filed_by,
        note: c.note,
        route: c.route,
        past: c.past,
        found_via: c.found_via,
    };
    let item = create_item(w, new, &policy).await?;
    if let Some(worker) = c.accepted_by {
        transition(w, item, Step::new(Action::Accept, Actor::Station, Some(worker)).quiet()).await?;
    }
    if let Some(name) = &c.tell_requester {
        let notice = Send::new(c.requester_id, Kind::FiledForYou).item(item).detail(name);
        crate::notifications::server::send(w.tx(), notice).await?;
    }
    Ok(Some(Filed { demand, item }))
}

/// The demand this filer already filed with this key, if any.
pub async fn filed_with_key(store: &crate::store::Store, filed_by: i64, key: &str) -> Result<Option<i64>, AppError> {
    Ok(crate::store::created_with_key(store, "demands", "filed_by_id", filed_by, key).await?)
}
