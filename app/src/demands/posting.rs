//! Posting a demand: the resident's form (`/post`) and the window's (一窗受理), multipart
//! with photos; validated into a [`NewCase`] and filed, idempotent on the form's key.

use super::file::{file_case, filed_with_key, NewCase};
use super::*;
use crate::auth::SessionUser;
use crate::error::Problems;
use crate::form::key::IdempotencyKey;
use crate::photos::server::{read_multipart, Upload};
use crate::photos::Owner;
use crate::request;
use crate::store::{Millis, Store};
use crate::work::rules::{AffairLimits, ItemKind, Visibility};
use crate::work::server::{self as work, WorkTx};

/// Who is filing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filing {
    /// A resident, for themselves or a confirmed family member (app channel).
    Resident,
    /// A station worker at the window or on the phone, for a resident.
    Staff,
    /// A station worker, for a case they found themselves (主动发现): nobody reported it.
    Found,
}

/// The text fields of the posting form, as typed.
#[derive(Default, Debug)]
struct Fields {
    for_whom: String,
    requester: String,
    channel: String,
    affair: String,
    description: String,
    place: String,
    building: String,
    place_detail: String,
    urgency: String,
    visibility: String,
    contact_time: String,
    idempotency_key: String,
    found_via: String,
    partner: String,
    /// "1" once the resident was shown the similar open demands (by the form's script as
    /// they typed, or by the page after a first try): then the post goes through.
    similar_checked: String,
}

impl Fields {
    fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "for_whom" => &mut self.for_whom,
            "requester" => &mut self.requester,
            "channel" => &mut self.channel,
            "affair" => &mut self.affair,
            "description" => &mut self.description,
            "place" => &mut self.place,
            "building" => &mut self.building,
            "place_detail" => &mut self.place_detail,
            "urgency" => &mut self.urgency,
            "visibility" => &mut self.visibility,
            "contact_time" => &mut self.contact_time,
            "idempotency_key" => &mut self.idempotency_key,
            "found_via" => &mut self.found_via,
            "partner" => &mut self.partner,
            "similar_checked" => &mut self.similar_checked,
            _ => return,
        };
        *slot = value;
    }

    fn kept(&self) -> Vec<(&'static str, String)> {
        vec![
            ("for_whom", self.for_whom.clone()),
            ("requester", self.requester.clone()),
            ("channel", self.channel.clone()),
            ("affair", self.affair.clone()),
            ("description", self.description.clone()),
            ("place", self.place.clone()),
            ("building", self.building.clone()),
            ("place_detail", self.place_detail.clone()),
            ("urgency", self.urgency.clone()),
            ("visibility", self.visibility.clone()),
            ("contact_time", self.contact_time.clone()),
            ("idempotency_key", self.idempotency_key.clone()),
            ("found_via", self.found_via.clone()),
            ("partner", self.partner.clone()),
            ("similar_checked", self.similar_checked.clone()),
        ]
    }
}

async fn read_form(data: MultipartData) -> Result<(Fields, Vec<Upload>), AppError> {
    let (pairs, uploads) = read_multipart(data).await?;
    let mut fields = Fields::default();
    for (name, value) in pairs {
        fields.set(&name, value);
    }
    Ok((fields, uploads))
}

/// Posts from the multipart form. Returns the demand's id (an existing one if this form was
/// already posted) and the text fields to keep if it failed.
pub async fn post_from_form(
    data: MultipartData,
    filing: Filing,
) -> (Result<i64, AppError>, Vec<(&'static str, String)>) {
    let (fields, uploads) = match read_form(data).await {
        Ok(x) => x,
        Err(e) => return (Err(e), Vec::new()),
    };
    let kept = fields.kept();
    (post(fields, uploads, filing).await, kept)
}

/// After a post: on success, forget the draft and go to the demand; on failure, keep what
/// was typed (without JavaScript) and answer with the error.
pub async fn finish_post(
    form: &'static str,
    result: (Result<i64, AppError>, Vec<(&'static str, String)>),
) -> Result<(), AppError> {
    let (result, kept) = result;
    match &result {
        Ok(id) => {
            crate::form::server::forget(form).await;
            request::redirect(&format!("/demands/{id}"));
        }
        Err(_) if !kept.is_empty() => {
            let kept: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::form::server::keep_input(form, &kept).await;
        }
        Err(_) => {}
    }
    result.map(|_| ())
}

async fn post(f: Fields, uploads: Vec<Upload>, filing: Filing) -> Result<i64, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = request::store()?;
    let key = IdempotencyKey::parse(&f.idempotency_key)?;
    // The same form posted again (double tap, retry, back and resubmit): the same demand.
    if let Some(id) = filed_with_key(&store, user.id, key.as_str()).await? {
        return Ok(id);
    }
    let mut p = Problems::default();
    let (requester, channel) = for_whom(&store, &user, &f, filing, &mut p).await?;
    let found = found_via(&f, filing, &mut p);
    let asked = asked_partner(&store, &user, &f, filing, &mut p).await?;
    let case = validate(&store, &user, &f, requester, channel, &key, &mut p).await?.map(|mut c| {
        c.found_via = found;
        if let Some((id, name)) = &asked {
            c.asked_partner = Some(*id);
            c.note = format!("点名服务伙伴：{name}");
        }
        c
    });
    // A resident about to report what neighbours already reported sees those first (once).
    let unseen = filing == Filing::Resident && f.similar_checked.trim() != "1";
    if let Some(c) = case.as_ref().filter(|_| unseen && p.is_empty()) {
        let now = Millis::now().0;
        let similar = super::me_too::server::similar(
            &store,
            c.community_id,
            c.requester_id,
            &c.description,
            Some(c.place),
            c.building_id,
            now,
            crate::i18n::Lang::Zh,
        )
        .await
        .unwrap_or_else(|e| {
            // A help, never a condition.
            tracing::warn!(error = ?e, "similar demands failed");
            Vec::new()
        });
        if !similar.is_empty() {
            p.add("description", T::ErrSimilarFirst);
        }
    }
    // Photos: already kept from an earlier try of this form, plus the new ones.
    let photos = crate::photos::server::check(&store, user.id, &key, uploads, &mut p).await?;
    if !p.is_empty() {
        // Good photos are kept for the next try of the same form; nothing else is stored.
        photos.keep_for_retry(&store, &p).await?;
        return p.into_result().map(|_| 0);
    }
    let case = case.ok_or(AppError::Internal)?;
    let mut w = WorkTx::begin(&store).await?;
    let Some(filed) = file_case(&mut w, case).await? else {
        // A concurrent post of the same form won; answer with its demand.
        drop(w);
        return filed_with_key(&store, user.id, key.as_str()).await?.ok_or(AppError::Conflict);
    };
    photos.attach(w.tx(), Owner::Demand(filed.demand)).await?;
    w.commit(&store).await?;
    Ok(filed.demand)
}

/// The partner a resident asked for from the directory ("向它求助"): one of the community's
/// or its subdistrict's. The station then hands the case to it.
async fn asked_partner(
    store: &Store,
    user: &SessionUser,
    f: &Fields,
    filing: Filing,
    p: &mut Problems,
) -> Result<Option<(i64, String)>, AppError> {
    let code = f.partner.trim();
    if code.is_empty() || filing != Filing::Resident {
        return Ok(None);
    }
    let Some(id) = crate::affairs::directory::server::asked(store, user.region_id, code).await? else {
        p.add("partner", T::ErrChoosePartner);
        return Ok(None);
    };
    let name: String =
        sqlx::query_scalar("SELECT name_zh FROM partners WHERE id = $1").bind(id).fetch_one(store.pool()).await?;
    Ok(Some((id, name)))
}

/// For whom, and through which channel: a resident posts for themselves or a confirmed
/// family member (app); a worker at the window for a resident of the community.
async fn for_whom(
    store: &Store,
    user: &SessionUser,
    f: &Fields,
    filing: Filing,
    p: &mut Problems,
) -> Result<(i64, Channel), AppError> {
    match filing {
        Filing::Resident => {
            let for_whom = f.for_whom.trim().parse::<i64>().unwrap_or(user.id);
            if for_whom != user.id && !work::is_proxy_of(store, user.id, for_whom).await? {
                // Named under its field; the rest of the form is still checked, as the
                // poster's own (an id of nobody must not reach the queries below).
                p.add("for_whom", T::ErrNotYourFamily);
                return Ok((user.id, Channel::App));
            }
            Ok((for_whom, Channel::App))
        }
        Filing::Found => {
            if !user.role.is_station_team() {
                return Err(AppError::Forbidden);
            }
            // The worker stands as the requester (the column is required); `found_via`
            // tells everyone after that nobody reported it.
            Ok((user.id, Channel::WalkIn))
        }
        Filing::Staff => {
            if !user.role.is_station_team() {
                return Err(AppError::Forbidden);
            }
            let channel = match Channel::parse(&f.channel) {
                Some(c @ (Channel::WalkIn | Channel::Phone)) => c,
                _ => {
                    p.add("channel", T::ErrRequired);
                    Channel::WalkIn
                }
            };
            let id = f.requester.trim().parse::<i64>().unwrap_or(0);
            let ok: Option<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND role = 'resident' AND region_id = $2")
                    .bind(id)
                    .bind(user.region_id)
                    .fetch_optional(store.pool())
                    .await?;
            if ok.is_none() {
                return Err(AppError::invalid("requester", T::ErrUnknownResident));
            }
            Ok((id, channel))
        }
    }
}

/// A found case: how it was found (required), and where: a building or a public place,
/// never "at home" (whose home?).
fn found_via(f: &Fields, filing: Filing, p: &mut Problems) -> Option<crate::work::rules::FoundVia> {
    if filing != Filing::Found {
        return None;
    }
    if f.place.trim() == "home" {
        p.add("place", T::ErrFoundPlace);
    }
    let found = crate::work::rules::FoundVia::parse(f.found_via.trim());
    if found.is_none() {
        p.add("found_via", T::ErrRequired);
    }
    found
}

/// Checks every field (each problem under its field) and, if all are good, makes the case.
#[allow(clippy::too_many_arguments)]
async fn validate(
    store: &Store,
    user: &SessionUser,
    f: &Fields,
    requester: i64,
    channel: Channel,
    key: &IdempotencyKey,
    p: &mut Problems,
) -> Result<Option<NewCase>, AppError> {
    let (community, home_building): (i64, Option<i64>) =
        sqlx::query_as("SELECT region_id, building_id FROM users WHERE id = $1")
            .bind(requester)
            .fetch_one(store.pool())
            .await?;
    let description = f.description.trim().to_string();
    match description.chars().count() {
        0 => p.add("description", T::ErrRequired),
        n if n > MAX_DESCRIPTION => p.add("description", T::ErrDescriptionLength),
        _ => {}
    }
    // No choice: the best match for the words, marked so the requester can change it.
    let (affair, matched) = match f.affair.trim() {
        "other" => (None, false),
        "" if p.is_empty() => {
            // A guess is a help, never a condition: if it fails the post is filed for the
            // station to sort, as "other".
            let best = super::affair::matched(store, community, &description).await.unwrap_or_else(|e| {
                tracing::warn!(error = ?e, "no affair matched: filed as other");
                None
            });
            let matched = best.is_some();
            (best, matched)
        }
        "" => (None, false),
        code => {
            let row = crate::affairs::server::row_by_code(store, community, code).await?;
            if row.is_none() {
                p.add("affair", T::ErrUnknownAffair);
            }
            (row.map(|r| r.summary_with_id()), false)
        }
    };
    let place = Place::parse(&f.place);
    if place.is_none() {
        p.add("place", T::ErrRequired);
    }
    let building = building(store, place, &f.building, community, home_building, p).await?;
    let place_detail = f.place_detail.trim().to_string();
    if place_detail.chars().count() > 100 {
        p.add("place_detail", T::ErrTooLong);
    }
    if place == Some(Place::PublicArea) && place_detail.is_empty() && building.is_none() {
        p.add("place_detail", T::ErrWhereExactly);
    }
    let urgency = Urgency::parse(&f.urgency);
    if urgency.is_none() {
        p.add("urgency", T::ErrRequired);
    }
    let visibility = audience(&f.visibility);
    if visibility.is_none() {
        p.add("visibility", T::ErrRequired);
    }
    let (Some(place), Some(urgency), Some(visibility), true) = (place, urgency, visibility, p.is_empty()) else {
        return Ok(None);
    };
    let mut case = NewCase::new(
        community,
        requester,
        user.id,
        channel,
        ItemKind::Demand,
        description,
        place,
        key.clone(),
        Millis::now().0,
    );
    case.affair_matched = matched;
    if let Some((id, summary)) = affair {
        case.affair = Some(id);
        case.mode = Some(summary.mode);
        case.limits =
            Some(AffairLimits { response_hours: summary.response_hours, completion_hours: summary.completion_hours });
    }
    case.building_id = building;
    case.place_detail = place_detail;
    case.urgency = urgency;
    case.visibility = visibility;
    case.contact_time = f.contact_time.trim().chars().take(50).collect();
    // Recorded at the window: the station has already responded and accepted it.
    case.accepted_by = (channel != Channel::App).then_some(user.id);
    case.tell_requester = (requester != user.id).then(|| user.display_name.clone());
    Ok(Some(case))
}

/// The building: the requester's home, or one of the community's for a building or a
/// public place (where it is optional).
async fn building(
    store: &Store,
    place: Option<Place>,
    building: &str,
    community: i64,
    home: Option<i64>,
    p: &mut Problems,
) -> Result<Option<i64>, AppError> {
    Ok(match (place, building.trim().parse::<i64>().ok()) {
        (Some(Place::Home), _) => home,
        (Some(Place::Building), Some(b)) | (Some(Place::PublicArea), Some(b)) => {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE id = $1 AND community_id = $2")
                .bind(b)
                .bind(community)
                .fetch_optional(store.pool())
                .await?;
            if found.is_none() {
                p.add("building", T::ErrUnknownBuilding);
            }
            found
        }
        (Some(Place::Building), None) => {
            p.add("building", T::ErrRequired);
            None
        }
        _ => None,
    })
}

/// The form's choice of who may see a demand. "everyone" is the explicit choice to publish
/// (Open311 lists it); "public" is what forms before that choice existed sent for "residents
/// of my community", and keeps that promise.
pub fn audience(choice: &str) -> Option<Visibility> {
    match choice {
        "private" => Some(Visibility::Private),
        "community" | "public" => Some(Visibility::Community),
        "everyone" => Some(Visibility::Public),
        _ => None,
    }
}

#[cfg(test)]
mod audience_tests {
    use super::*;

    #[test]
    fn only_an_explicit_choice_publishes_beyond_the_community() {
        assert_eq!(audience("everyone"), Some(Visibility::Public));
        assert_eq!(audience("public"), Some(Visibility::Community), "an old form's promise");
        assert_eq!(audience("community"), Some(Visibility::Community));
        assert_eq!(audience("private"), Some(Visibility::Private));
        assert_eq!(audience("Public"), None);
        assert_eq!(audience(""), None);
    }
}
