//! Duplicates and "me too" (issue 17): ten neighbours reporting one broken streetlight are
//! one incident. Before posting, a resident sees the community's open demands that look
//! like theirs (same words and the affairs they point to, same building or public place,
//! recent) and may join one (我也遇到了): they become a co-requester, told of every change
//! and invited to rate it, and no work item is added. The station merges what slipped
//! through: the merged case ends pointing to the other, its requester joins it, and the
//! rates count the incident once.

use crate::error::AppError;
use crate::work::rules::State;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An open demand that may be the same incident as the one being written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimilarDemand {
    pub id: i64,
    /// The start of what its requester wrote (shown to the community already).
    pub excerpt: String,
    /// Its building's name, in the viewer's language ("" for a public place).
    pub building: String,
    /// When it was posted, Beijing time ("12-03 09:40").
    pub posted: String,
    pub state: State,
    /// The state as the viewer reads it.
    pub state_label: String,
    /// Residents who joined it so far.
    pub joined: u32,
}

/// At most this many shown.
pub const SHOWN: usize = 3;
/// Characters of a similar demand's text shown.
#[cfg(feature = "ssr")]
const EXCERPT: usize = 60;

/// Open demands of the viewer's community that look like `text` at the chosen place
/// (`place` as the post form's radio, `building` its select: "" for none).
#[server(endpoint = "demands/similar")]
pub async fn similar_demands(text: String, place: String, building: String) -> Result<Vec<SimilarDemand>, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let place = crate::work::rules::Place::parse(place.trim());
    let building = building.trim().parse::<i64>().ok();
    let lang = crate::prefs::from_request().lang;
    server::similar(&store, user.region_id, user.id, &text, place, building, crate::store::Millis::now().0, lang).await
}

/// Joins an open demand of the viewer's community as a co-requester (我也遇到了). Joining
/// twice is joining once. Works as a plain form post (then on to the demand's page).
#[server(endpoint = "demands/me-too")]
pub async fn me_too(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::join(&crate::request::store()?, &user, id).await?;
    crate::request::redirect(&format!("/demands/{id}"));
    Ok(())
}

/// The station merges a demand into another of its community, the same incident (`into`:
/// the other's number; `version`: the case as the worker saw it).
#[server(endpoint = "demands/merge")]
pub async fn merge_demand(id: i64, into: String, version: Option<i64>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let into = into
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .map_err(|_| AppError::invalid("into", crate::i18n::T::ErrMergeTarget))?;
    server::merge(&crate::request::store()?, &user, id, into, version).await?;
    crate::request::redirect(&format!("/demands/{into}"));
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::auth::{Role, SessionUser};
    use crate::i18n::{Named, T};
    use crate::intake::similar::{self, Pool, Report, Spot};
    use crate::store::Store;
    use crate::work::rules::{Action, Actor, Place};
    use crate::work::server::change::{amend, mark_merged, transition, Amend, Event, Step};
    use crate::work::server::{self as work, Relation, WorkTx};
    use crate::work::EventKind;

    /// Only demands posted this recently are compared: an older open one is the station's
    /// backlog, not a report a neighbour is about to repeat.
    const RECENT_DAYS: i64 = 30;
    /// The newest this many open demands of the community are compared, however many.
    const CANDIDATES: i64 = 200;

    #[derive(sqlx::FromRow)]
    struct Candidate {
        id: i64,
        description: String,
        tokens: String,
        place: Place,
        building_id: Option<i64>,
        building_zh: Option<String>,
        building_en: Option<String>,
        created_at: i64,
        state: State,
        joined: i64,
    }

    fn spot(place: Option<Place>, building: Option<i64>) -> Option<Spot> {
        match (place?, building) {
            // One's home is one's own: nobody else reports the same incident there.
            (Place::Home, _) => None,
            (Place::Building, Some(b)) => Some(Spot::Building(b)),
            (Place::Building, None) => None,
            // A public place: the building the form offers is often just the writer's own
            // (its default); the words say which gate or square.
            (Place::PublicArea, _) => Some(Spot::Public),
        }
    }

    /// The open demands of `community` most like `text` at that place, best first, never
    /// the writer's own, only those shown to the community.
    pub async fn similar(
        store: &Store,
        community: i64,
        writer: i64,
        text: &str,
        place: Option<Place>,
        building: Option<i64>,
        now: i64,
        lang: crate::i18n::Lang,
    ) -> Result<Vec<SimilarDemand>, AppError> {
        let Some(here) = spot(place, building) else { return Ok(Vec::new()) };
        let text: String = text.chars().take(crate::intake::server::MAX_QUERY).collect();
        if text.trim().chars().count() < 2 {
            return Ok(Vec::new());
        }
        let open: Vec<String> =
            State::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
        // The community's shown demands, newest first (demands_shown), each with its item.
        let sql = format!(
            "SELECT d.id, d.description, d.tokens, d.place, d.building_id, b.name_zh AS building_zh, \
             b.name_en AS building_en, d.created_at, w.state, \
             (SELECT COUNT(*) FROM co_requesters c WHERE c.demand_id = d.id) AS joined \
             FROM demands d JOIN work_items w ON w.demand_id = d.id LEFT JOIN buildings b ON b.id = d.building_id \
             WHERE d.community_id = $1 AND d.visibility <> 'private' AND d.created_at >= $2 AND d.place <> 'home' \
             AND w.state IN ({}) AND d.requester_id <> $3 ORDER BY d.created_at DESC, d.id DESC LIMIT $4",
            open.join(", ")
        );
        let rows: Vec<Candidate> = sqlx::query_as(&sql)
            .bind(community)
            .bind(now - RECENT_DAYS * 86_400_000)
            .bind(writer)
            .bind(CANDIDATES)
            .fetch_all(store.pool())
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let index = crate::intake::server::index(store, community).await?;
        // Comparing is CPU work: off the async threads.
        let scored = tokio::task::spawn_blocking(move || {
            let mine = crate::intake::segment::terms(&text);
            let theirs: Vec<Vec<crate::intake::rules::Term>> = rows
                .iter()
                .map(|r| {
                    // Demands filed before their words were stored are read now.
                    if r.tokens.is_empty() {
                        crate::intake::segment::terms(&r.description)
                    } else {
                        similar::terms_of(&r.tokens)
                    }
                })
                .collect();
            let pool = Pool::new(theirs.iter().map(Vec::as_slice).chain([mine.as_slice()]));
            let rank = |t: &[crate::intake::rules::Term]| -> Vec<(String, f64)> {
                index.rank(t, 5).into_iter().map(|r| (r.code, r.score)).collect()
            };
            let my_affairs = rank(&mine);
            let me = Report { terms: &mine, affairs: &my_affairs, spot: here, at: now };
            let mut scored: Vec<(f64, Candidate)> = rows
                .into_iter()
                .zip(&theirs)
                .filter_map(|(r, terms)| {
                    let there = spot(Some(r.place), r.building_id)?;
                    let affairs = rank(terms);
                    let score =
                        pool.similarity(&me, &Report { terms, affairs: &affairs, spot: there, at: r.created_at });
                    (score >= similar::ALIKE).then_some((score, r))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id)));
            scored.truncate(SHOWN);
            scored
        })
        .await
        .map_err(|_| AppError::Internal)?;
        Ok(scored
            .into_iter()
            .map(|(_, r)| SimilarDemand {
                id: r.id,
                excerpt: excerpt(&r.description),
                building: r
                    .building_zh
                    .zip(r.building_en)
                    .map(|(zh, en)| Named { zh, en }.get(lang).to_string())
                    .unwrap_or_default(),
                posted: crate::time::to_local(r.created_at).format("%m-%d %H:%M").to_string(),
                state: r.state,
                state_label: lang.t(crate::work::state_label(r.state)).to_string(),
                joined: r.joined.max(0) as u32,
            })
            .collect())
    }

    fn excerpt(text: &str) -> String {
        let mut out: String = text.chars().take(EXCERPT).collect();
        if text.chars().count() > EXCERPT {
            out.push('…');
        }
        out
    }

    /// The resident joins the demand: it must be open, shown to them (their community, not
    /// private), not theirs, not at someone's home. The timeline says a resident joined
    /// (never who); the station sees the count.
    pub async fn join(store: &Store, user: &SessionUser, demand: i64) -> Result<(), AppError> {
        let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
        match work::relation(store, user, &item).await? {
            Relation::Neighbour if user.role == Role::Resident => {}
            // Already in: joining again changes nothing.
            Relation::CoRequester => return Ok(()),
            Relation::Requester | Relation::Station | Relation::Department | Relation::Overseer => {
                return Err(AppError::Forbidden)
            }
            _ => return Err(AppError::NotFound),
        }
        let place: Place =
            sqlx::query_scalar("SELECT place FROM demands WHERE id = $1").bind(demand).fetch_one(store.pool()).await?;
        if place == Place::Home || !item.state.is_open() {
            return Err(AppError::WrongState);
        }
        let mut w = WorkTx::begin(store).await?;
        let joined = add(&mut w, demand, user.id, "me_too").await?;
        if joined {
            let event = Event { kind: EventKind::MeToo, actor: None, note: "", public: true };
            amend(&mut w, item.id, Amend { bump: true, event: Some(event), ..Default::default() }).await?;
        }
        w.commit(store).await?;
        Ok(())
    }

    /// Adds a co-requester (once: the key is the pair). True if they were not one yet.
    async fn add(w: &mut WorkTx, demand: i64, user: i64, via: &str) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO co_requesters (demand_id, user_id, via, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (demand_id, user_id) DO NOTHING",
        )
        .bind(demand)
        .bind(user)
        .bind(via)
        .bind(crate::store::Millis::now().0)
        .execute(&mut **w.tx())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The station merges `demand` into `into`: both open, of its community, and distinct;
    /// `demand` ends (withdrawn, pointing to `into`) and its requester and co-requesters
    /// join `into`. One transaction: all of it or nothing.
    pub async fn merge(
        store: &Store,
        user: &SessionUser,
        demand: i64,
        into: i64,
        seen: Option<i64>,
    ) -> Result<(), AppError> {
        let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
        if work::relation(store, user, &item).await? != Relation::Station {
            return Err(AppError::NotFound);
        }
        let target = work::item_of_demand(store, into)
            .await?
            .filter(|t| t.community_id == item.community_id && t.id != item.id)
            .ok_or_else(|| AppError::invalid("into", T::ErrMergeTarget))?;
        if !target.state.is_open() || target.merged_into.is_some() {
            return Err(AppError::invalid("into", T::ErrMergeTarget));
        }
        let joining: Vec<i64> = sqlx::query_scalar(
            "SELECT requester_id FROM demands WHERE id = $1 UNION SELECT user_id FROM co_requesters WHERE demand_id = $1",
        )
        .bind(demand)
        .fetch_all(store.pool())
        .await?;
        let note = format!("#{into}");
        let mut w = WorkTx::begin(store).await?;
        let step = Step { seen, note: &note, ..Step::new(Action::Merge, Actor::Station, Some(user.id)) };
        transition(&mut w, item.id, step).await?;
        mark_merged(&mut w, item.id, target.id).await?;
        for resident in joining.into_iter().filter(|r| *r != target.requester_id) {
            add(&mut w, into, resident, "merge").await?;
        }
        let note = format!("#{demand}");
        let event = Event { kind: EventKind::MeToo, actor: Some(user.id), note: &note, public: true };
        amend(&mut w, target.id, Amend { bump: true, event: Some(event), ..Default::default() }).await?;
        w.commit(store).await?;
        Ok(())
    }

    /// How many residents joined a demand.
    pub async fn count(store: &Store, demand: i64) -> Result<u32, AppError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM co_requesters WHERE demand_id = $1")
            .bind(demand)
            .fetch_one(store.pool())
            .await?;
        Ok(n.max(0) as u32)
    }
}
