//! Server side of demands: posting (multipart, photos, idempotency), reading with the right
//! view for each viewer, lists, and the photo route.

use super::photos::{self, PhotoError};
use super::*;
use crate::auth::{Role, SessionUser};
use crate::error::Problems;
use crate::request::{self, Viewer};
use crate::store::{Millis, Store};
use crate::time::format_local;
use crate::work::rules::AffairLimits;
use crate::work::server::{self as work, Relation};

/// Who is filing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filing {
    /// A resident, for themselves or a confirmed family member (app channel).
    Resident,
    /// A station worker at the window or on the phone, for a resident.
    Staff,
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
        ]
    }
}

/// A photo as uploaded: its bytes, or what was wrong with it.
pub enum Upload {
    Ok(Vec<u8>),
    TooLarge,
}

/// Reads the multipart body: text fields (each at most 20 KB) and photo parts named
/// `photos` (each read up to the size limit, then refused without reading the rest into
/// memory). Shared by every form that takes photos.
pub async fn read_multipart(data: MultipartData) -> Result<(Vec<(String, String)>, Vec<Upload>), AppError> {
    let mut mp = data.into_inner().ok_or(AppError::BadRequest)?;
    let mut fields = Vec::new();
    let mut uploads = Vec::new();
    let mut parts = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|_| AppError::BadRequest)? {
        parts += 1;
        if parts > 40 {
            return Err(AppError::BadRequest);
        }
        let name = field.name().unwrap_or("").to_string();
        if name == "photos" {
            let mut bytes = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = field.chunk().await.map_err(|_| AppError::BadRequest)? {
                if bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                    too_large = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if too_large {
                uploads.push(Upload::TooLarge);
                // Stop reading: nothing after a refused photo is needed.
                return Ok((fields, uploads));
            }
            // An empty file input still sends an empty part.
            if !bytes.is_empty() {
                uploads.push(Upload::Ok(bytes));
            }
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| AppError::BadRequest)? {
                if value.len() + chunk.len() > 20_000 {
                    return Err(AppError::BadRequest);
                }
                value.extend_from_slice(&chunk);
            }
            fields.push((name, String::from_utf8(value).map_err(|_| AppError::BadRequest)?));
        }
    }
    Ok((fields, uploads))
}

async fn read_form(data: MultipartData) -> Result<(Fields, Vec<Upload>), AppError> {
    let (pairs, uploads) = read_multipart(data).await?;
    let mut fields = Fields::default();
    for (name, value) in pairs {
        fields.set(&name, value);
    }
    Ok((fields, uploads))
}

/// Checks and processes new photos (type by content, size, EXIF stripped, thumbnail) given
/// `already` kept from an earlier try of the same form; problems go under `photos`.
pub async fn process_uploads(
    uploads: Vec<Upload>,
    already: i64,
    p: &mut Problems,
) -> Result<Vec<photos::Processed>, AppError> {
    let mut processed = Vec::new();
    if already as usize + uploads.len() > MAX_PHOTOS {
        p.add("photos", T::ErrPhotoCount);
        return Ok(processed);
    }
    for u in uploads {
        let result = match u {
            Upload::TooLarge => Err(PhotoError::TooLarge),
            Upload::Ok(bytes) => {
                tokio::task::spawn_blocking(move || photos::process(&bytes)).await.map_err(|_| AppError::Internal)?
            }
        };
        match result {
            Ok(photo) => processed.push(photo),
            Err(PhotoError::TooLarge) => p.add("photos", T::ErrPhotoSize),
            Err(PhotoError::WrongType) | Err(PhotoError::Unreadable) => p.add("photos", T::ErrPhotoType),
        }
    }
    Ok(processed)
}

pub fn valid_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
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
    request::respond(result.map(|_| ()))
}

async fn post(f: Fields, uploads: Vec<Upload>, filing: Filing) -> Result<i64, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = request::store()?;
    if !valid_key(&f.idempotency_key) {
        return Err(AppError::BadRequest);
    }
    // The same form posted again (double tap, retry, back and resubmit): the same demand.
    if let Some(id) = existing(&store, user.id, &f.idempotency_key).await? {
        return Ok(id);
    }
    let mut p = Problems::default();

    // For whom, and through which channel.
    let (requester, channel) = match filing {
        Filing::Resident => {
            let for_whom = f.for_whom.trim().parse::<i64>().unwrap_or(user.id);
            if for_whom != user.id && !work::is_proxy_of(&store, user.id, for_whom).await? {
                p.add("for_whom", T::ErrNotYourFamily);
            }
            (for_whom, "app")
        }
        Filing::Staff => {
            if !user.role.is_station_team() {
                return Err(AppError::Forbidden);
            }
            let channel = match f.channel.as_str() {
                "walk_in" => "walk_in",
                "phone" => "phone",
                _ => {
                    p.add("channel", T::ErrRequired);
                    "walk_in"
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
            (id, channel)
        }
    };
    let (community, home_building): (i64, Option<i64>) =
        sqlx::query_as("SELECT region_id, building_id FROM users WHERE id = $1")
            .bind(requester)
            .fetch_one(store.pool())
            .await?;

    let affair = match f.affair.trim() {
        "" | "other" => None,
        code => {
            let row = crate::affairs::server::row_by_code(&store, community, code).await?;
            if row.is_none() {
                p.add("affair", T::ErrUnknownAffair);
            }
            row
        }
    };
    let description = f.description.trim().to_string();
    let n = description.chars().count();
    if n == 0 {
        p.add("description", T::ErrRequired);
    } else if n > MAX_DESCRIPTION {
        p.add("description", T::ErrDescriptionLength);
    }
    let place = parse_place(&f.place);
    if place.is_none() {
        p.add("place", T::ErrRequired);
    }
    let building = match (place, f.building.trim().parse::<i64>().ok()) {
        (Some(Place::Home), _) => home_building,
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
    };
    let place_detail = f.place_detail.trim().to_string();
    if place_detail.chars().count() > 100 {
        p.add("place_detail", T::ErrTooLong);
    }
    if place == Some(Place::PublicArea) && place_detail.is_empty() && building.is_none() {
        p.add("place_detail", T::ErrWhereExactly);
    }
    let urgency = parse_urgency(&f.urgency);
    if urgency.is_none() {
        p.add("urgency", T::ErrRequired);
    }
    let visibility = match f.visibility.as_str() {
        "private" | "public" => f.visibility.clone(),
        _ => {
            p.add("visibility", T::ErrRequired);
            String::new()
        }
    };
    let contact_time = f.contact_time.trim().chars().take(50).collect::<String>();

    // Photos: already kept from an earlier try of this form, plus the new ones.
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE owner_id = $1 AND upload_key = $2 AND demand_id IS NULL AND thread_id IS NULL")
            .bind(user.id)
            .bind(&f.idempotency_key)
            .fetch_one(store.pool())
            .await?;
    let processed = process_uploads(uploads, pending, &mut p).await?;

    if !p.is_empty() {
        // Good photos are kept for the next try of the same form; nothing else is stored.
        if !processed.is_empty() && !p.has("photos") {
            let mut tx = store.write().await?;
            for photo in &processed {
                insert_photo(&mut tx, None, user.id, &f.idempotency_key, photo).await?;
            }
            tx.commit().await?;
        }
        return p.into_result().map(|_| 0);
    }
    let (Some(place), Some(urgency)) = (place, urgency) else { return Err(AppError::Internal) };

    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO demands (community_id, requester_id, filed_by_id, channel, affair_id, description, place, building_id, \
         place_detail, urgency, visibility, contact_time, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (filed_by_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(community)
    .bind(requester)
    .bind(user.id)
    .bind(channel)
    .bind(affair.as_ref().map(|a| a.id))
    .bind(&description)
    .bind(place_code(place))
    .bind(building)
    .bind(&place_detail)
    .bind(urgency_code(urgency))
    .bind(&visibility)
    .bind(&contact_time)
    .bind(&f.idempotency_key)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(demand_id) = inserted else {
        // A concurrent post of the same form won; answer with its demand.
        drop(tx);
        return existing(&store, user.id, &f.idempotency_key).await?.ok_or(AppError::Conflict);
    };
    sqlx::query("UPDATE photos SET demand_id = $1 WHERE owner_id = $2 AND upload_key = $3 AND demand_id IS NULL AND thread_id IS NULL")
        .bind(demand_id)
        .bind(user.id)
        .bind(&f.idempotency_key)
        .execute(&mut *tx)
        .await?;
    for photo in &processed {
        insert_photo(&mut tx, Some(demand_id), user.id, &f.idempotency_key, photo).await?;
    }
    let summary = affair.as_ref().map(|a| a.summary());
    let item = work::create_for_demand(
        &mut tx,
        work::NewItem {
            kind: "demand",
            triage: None,
            demand_id,
            community_id: community,
            building_id: building,
            affair_mode: summary.as_ref().map(|s| s.mode),
            affair_limits: summary
                .as_ref()
                .map(|s| AffairLimits { response_hours: s.response_hours, completion_hours: s.completion_hours }),
            urgency,
            place,
            posted_at: now,
            filed_by: user.id,
            note: String::new(),
        },
    )
    .await?;
    if filing == Filing::Staff {
        // Recorded at the window: the station has already responded and accepted it.
        sqlx::query(
            "UPDATE work_items SET state = 'accepted', first_response_at = $1, version = version + 1 WHERE id = $2",
        )
        .bind(now)
        .bind(item)
        .execute(&mut *tx)
        .await?;
        work::event(
            &mut tx,
            item,
            Some(user.id),
            crate::work::EventKind::Transition,
            Some(State::Received),
            Some(State::Accepted),
            "",
            true,
        )
        .await?;
    }
    if requester != user.id {
        work::notify(&mut tx, requester, Some(item), "filed_for_you", &user.display_name, None).await?;
    }
    tx.commit().await?;
    crate::work::live::publish(&store, item).await;
    Ok(demand_id)
}

pub async fn existing(store: &Store, filed_by: i64, key: &str) -> Result<Option<i64>, AppError> {
    Ok(crate::store::created_with_key(store, "demands", "filed_by_id", filed_by, key).await?)
}

pub async fn insert_photo(
    tx: &mut crate::store::Tx,
    demand: Option<i64>,
    owner: i64,
    key: &str,
    p: &photos::Processed,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO photos (demand_id, owner_id, upload_key, mime, width, height, bytes, thumb, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(demand)
    .bind(owner)
    .bind(key)
    .bind(p.mime)
    .bind(p.width as i64)
    .bind(p.height as i64)
    .bind(p.bytes.clone())
    .bind(p.thumb.clone())
    .bind(Millis::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn posting_context(store: &Store, user: &SessionUser, upload_key: &str) -> Result<PostingContext, AppError> {
    let community = if user.role.home_level() == crate::auth::Level::Community {
        user.region_id
    } else {
        return Err(AppError::Forbidden);
    };
    let code: String =
        sqlx::query_scalar("SELECT code FROM regions WHERE id = $1").bind(community).fetch_one(store.pool()).await?;
    let buildings = crate::community::server::buildings(store, &code).await?;
    let mut for_whom = vec![PostingFor { user_id: user.id, name: user.display_name.clone(), myself: true }];
    let family: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM family_links f JOIN users u ON u.id = f.member_id \
         WHERE f.proxy_id = $1 AND f.state = 'confirmed' ORDER BY u.id",
    )
    .bind(user.id)
    .fetch_all(store.pool())
    .await?;
    for_whom.extend(family.into_iter().map(|(user_id, name)| PostingFor { user_id, name, myself: false }));
    let my_building: Option<i64> =
        sqlx::query_scalar("SELECT building_id FROM users WHERE id = $1").bind(user.id).fetch_one(store.pool()).await?;
    let kept_photos: Vec<i64> = if valid_key(upload_key) {
        sqlx::query_scalar(
            "SELECT id FROM photos WHERE owner_id = $1 AND upload_key = $2 AND demand_id IS NULL AND thread_id IS NULL ORDER BY id",
        )
        .bind(user.id)
        .bind(upload_key)
        .fetch_all(store.pool())
        .await?
    } else {
        Vec::new()
    };
    Ok(PostingContext { buildings, for_whom, my_building, kept_photos })
}

#[derive(sqlx::FromRow)]
struct DemandRow {
    id: i64,
    community_id: i64,
    channel: String,
    description: String,
    place: String,
    place_detail: String,
    urgency: String,
    visibility: String,
    contact_time: String,
    created_at: i64,
    affair_code: Option<String>,
    affair_zh: Option<String>,
    affair_en: Option<String>,
    building_zh: Option<String>,
    building_en: Option<String>,
    requester_name: String,
    requester_phone: String,
    requester_unit: Option<String>,
    requester_room: Option<String>,
    requester_building: Option<String>,
    filed_by_id: i64,
    requester_id: i64,
    filer_name: String,
    filer_role: String,
}

const DEMAND_SELECT: &str = "SELECT d.id, d.community_id, d.channel, d.description, d.place, d.place_detail, d.urgency, \
    d.visibility, d.contact_time, d.created_at, a.code AS affair_code, a.name_zh AS affair_zh, a.name_en AS affair_en, \
    b.name_zh AS building_zh, b.name_en AS building_en, r.display_name AS requester_name, r.phone AS requester_phone, \
    r.unit_no AS requester_unit, r.room AS requester_room, rb.name_zh AS requester_building, d.filed_by_id, d.requester_id, \
    f.display_name AS filer_name, f.role AS filer_role \
    FROM demands d LEFT JOIN affairs a ON a.id = d.affair_id LEFT JOIN buildings b ON b.id = d.building_id \
    JOIN users r ON r.id = d.requester_id LEFT JOIN buildings rb ON rb.id = r.building_id JOIN users f ON f.id = d.filed_by_id";

pub async fn live(store: &Store, user: &SessionUser, demand_id: i64) -> Result<LiveStatus, AppError> {
    let item = work::item_of_demand(store, demand_id).await?.ok_or(AppError::NotFound)?;
    let rel = work::relation(store, user, &item).await?;
    if rel == Relation::None {
        return Err(AppError::NotFound);
    }
    live_of(store, &item, rel).await
}

async fn live_of(store: &Store, item: &work::ItemRow, rel: Relation) -> Result<LiveStatus, AppError> {
    let lang = crate::prefs::from_request().lang;
    let timeline = work::timeline(store, item.id, rel, lang).await?;
    Ok(LiveStatus { state: item.state(), version: item.version, timeline })
}

pub async fn view(store: &Store, user: &SessionUser, demand_id: i64) -> Result<DemandView, AppError> {
    let item = work::item_of_demand(store, demand_id).await?.ok_or(AppError::NotFound)?;
    let rel = work::relation(store, user, &item).await?;
    let viewing = match rel {
        Relation::Requester => Viewing::Requester,
        Relation::Station => Viewing::Station,
        Relation::Department => Viewing::Department,
        Relation::Overseer => Viewing::Overseer,
        Relation::Neighbour => Viewing::Neighbour,
        Relation::None => return Err(AppError::NotFound),
    };
    let d: DemandRow =
        sqlx::query_as(&format!("{DEMAND_SELECT} WHERE d.id = $1")).bind(demand_id).fetch_one(store.pool()).await?;
    let photos: Vec<i64> = sqlx::query_scalar("SELECT id FROM photos WHERE demand_id = $1 ORDER BY id")
        .bind(demand_id)
        .fetch_all(store.pool())
        .await?;
    let assignee: Option<String> = match item.assignee_id {
        Some(a) => {
            sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                .bind(a)
                .fetch_optional(store.pool())
                .await?
        }
        None => None,
    };
    let now = Millis::now().0;
    let staff = if rel.is_staff() { Some(staff_panel(store, user, &item, &d, rel).await?) } else { None };
    let neighbour = rel == Relation::Neighbour;
    let filed_by = (d.filed_by_id != d.requester_id && !neighbour).then(|| {
        let role = Role::parse(&d.filer_role).unwrap_or(Role::Resident);
        if role == Role::Resident {
            d.filer_name.clone()
        } else {
            format!("{} · {}", d.filer_name, crate::i18n::Lang::Zh.t(role.label()))
        }
    });
    Ok(DemandView {
        id: d.id,
        item_id: item.id,
        viewing,
        triage: work::parse_triage(&item.triage),
        triage_reason: work::parse_reason(&item.triage_reason),
        affair: d
            .affair_code
            .clone()
            .zip(d.affair_zh.clone().zip(d.affair_en.clone()))
            .map(|(c, (zh, en))| (c, Named { zh, en })),
        description: d.description.clone(),
        place: parse_place(&d.place).unwrap_or(Place::Home),
        // Neighbours see the building, never the home.
        building: d.building_zh.clone().zip(d.building_en.clone()).map(|(zh, en)| Named { zh, en }),
        place_detail: if neighbour && d.place == "home" { String::new() } else { d.place_detail.clone() },
        urgency: parse_urgency(&d.urgency).unwrap_or(Urgency::Normal),
        public: d.visibility == "public",
        contact_time: if neighbour { String::new() } else { d.contact_time.clone() },
        channel: d.channel.clone(),
        requester: (!neighbour).then(|| d.requester_name.clone()),
        filed_by,
        photos,
        posted: format_local(d.created_at),
        respond_by: format_local(item.respond_by),
        complete_by: format_local(item.complete_by),
        overdue: crate::work::rules::is_overdue(
            item.state(),
            item.first_response_at,
            item.respond_by,
            item.complete_by,
            now,
        ),
        assignee,
        live: live_of(store, &item, rel).await?,
        staff,
        visit: crate::visits::server::panel(store, &item, rel).await?,
        rating: crate::ratings::server::card(store, &item, rel).await?,
    })
}

async fn staff_panel(
    store: &Store,
    user: &SessionUser,
    item: &work::ItemRow,
    d: &DemandRow,
    rel: Relation,
) -> Result<StaffPanel, AppError> {
    let station = rel == Relation::Station;
    let case_notes = if station {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT n.step, n.body, u.display_name, n.created_at FROM case_notes n JOIN users u ON u.id = n.author_id \
             WHERE n.work_item_id = $1 ORDER BY n.id",
        )
        .bind(item.id)
        .fetch_all(store.pool())
        .await?;
        rows.into_iter()
            .map(|(step, body, author, at)| CaseNoteView { step, body, author, when: format_local(at) })
            .collect()
    } else {
        Vec::new()
    };
    let now = Millis::now().0;
    let whistle_rows: Vec<(i64, String, String, i64, i64, Option<i64>, Option<i64>, Option<String>, i64)> = sqlx::query_as(
        "SELECT h.id, d.name_zh, d.name_en, h.summoned_at, h.checkin_by, h.checked_in_at, h.reported_at, h.report, d.id \
         FROM whistles h JOIN departments d ON d.id = h.department_id WHERE h.work_item_id = $1 ORDER BY h.id",
    )
    .bind(item.id)
    .fetch_all(store.pool())
    .await?;
    let whistles = whistle_rows
        .into_iter()
        // A department liaison sees their own department's whistle.
        .filter(|w| rel != Relation::Department || Some(w.8) == user.department_id)
        .map(|(id, zh, en, summoned, checkin_by, checked_in, reported, report, _)| WhistleView {
            id,
            department: Named { zh, en },
            summoned: format_local(summoned),
            checkin_by: format_local(checkin_by),
            checked_in: checked_in.map(format_local),
            reported: reported.map(format_local),
            report,
            late: checked_in.is_none() && now > checkin_by,
        })
        .collect();
    let handoff_rows: Vec<(String, String, String, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT p.name_zh, p.name_en, p.phone, h.handed_at, h.note, h.outcome FROM handoffs h JOIN partners p ON p.id = h.partner_id \
         WHERE h.work_item_id = $1 ORDER BY h.id",
    )
    .bind(item.id)
    .fetch_all(store.pool())
    .await?;
    let handoffs = handoff_rows
        .into_iter()
        .map(|(zh, en, phone, at, note, outcome)| HandoffView {
            partner: Named { zh, en },
            phone,
            handed: format_local(at),
            note,
            outcome,
        })
        .collect();
    let (departments, partners, workers) = if station {
        let path =
            crate::community::server::community_path(store, item.community_id).await?.ok_or(AppError::Internal)?;
        let departments: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name_zh, name_en FROM departments WHERE subdistrict_id = $1 ORDER BY code")
                .bind(path.subdistrict)
                .fetch_all(store.pool())
                .await?;
        let partners: Vec<(i64, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT id, kind, name_zh, name_en, serves_zh, serves_en, phone FROM partners WHERE community_id = $1 ORDER BY kind, id",
        )
        .bind(item.community_id)
        .fetch_all(store.pool())
        .await?;
        let workers: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, display_name FROM users WHERE region_id = $1 AND role IN ('social_worker', 'dispatcher', 'stationmaster') \
             AND disabled_at IS NULL ORDER BY id",
        )
        .bind(item.community_id)
        .fetch_all(store.pool())
        .await?;
        (
            departments.into_iter().map(|(id, zh, en)| (id, Named { zh, en })).collect(),
            partners
                .into_iter()
                .map(|(id, kind, zh, en, szh, sen, phone)| PartnerOption {
                    id,
                    kind,
                    name: Named { zh, en },
                    serves: Named { zh: szh, en: sen },
                    phone,
                })
                .collect(),
            workers,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let address = format!(
        "{} {}{}",
        d.requester_building.clone().unwrap_or_default(),
        d.requester_unit.as_deref().map(|u| format!("{u}单元 ")).unwrap_or_default(),
        d.requester_room.clone().unwrap_or_default()
    );
    let _ = d.community_id;
    let open311: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT k.name, o.first_name, o.last_name, o.phone, o.email, o.account_id FROM open311_requests o \
         JOIN api_keys k ON k.id = o.key_id WHERE o.demand_id = $1",
    )
    .bind(d.id)
    .fetch_optional(store.pool())
    .await?;
    let open311_source = open311.map(|(system, first, last, phone, email, account)| {
        let name = format!("{last}{first}");
        let phone = if phone.is_empty() { phone } else { crate::auth::rules::mask_phone(&phone) };
        [system, name, phone, email, account]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    });
    Ok(StaffPanel {
        open311_source,
        requester_phone: d.requester_phone.clone(),
        requester_address: address.trim().to_string(),
        case_notes,
        whistles,
        handoffs,
        departments,
        partners,
        workers,
        can_act: station,
        can_reassign: station && matches!(user.role, Role::Dispatcher | Role::Stationmaster),
        can_urge: station && user.role == Role::Stationmaster,
        // Confidential like the case notes: the station team only.
        assessment: if station { crate::ratings::server::assessment(store, item).await? } else { None },
        can_assess: station && matches!(item.state(), State::Resolved | State::Closed),
    })
}

fn title_of(description: &str) -> String {
    let first = description.lines().next().unwrap_or("");
    let mut t: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        t.push('…');
    }
    t
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    description: String,
    state: String,
    urgency: String,
    created_at: i64,
    affair_zh: Option<String>,
    affair_en: Option<String>,
    requester_id: i64,
    requester_name: String,
    photos: i64,
}

const LINE_SELECT: &str = "SELECT d.id, d.description, w.state, d.urgency, d.created_at, a.name_zh AS affair_zh, \
    a.name_en AS affair_en, d.requester_id, r.display_name AS requester_name, \
    (SELECT COUNT(*) FROM photos p WHERE p.demand_id = d.id) AS photos \
    FROM demands d JOIN work_items w ON w.demand_id = d.id LEFT JOIN affairs a ON a.id = d.affair_id \
    JOIN users r ON r.id = d.requester_id";

fn line(r: LineRow, me: i64, show_requester: bool) -> DemandLine {
    DemandLine {
        id: r.id,
        title: title_of(&r.description),
        affair: r.affair_zh.zip(r.affair_en).map(|(zh, en)| Named { zh, en }),
        state: State::parse(&r.state).unwrap_or(State::Received),
        urgency: parse_urgency(&r.urgency).unwrap_or(Urgency::Normal),
        posted: format_local(r.created_at),
        for_other: (show_requester && r.requester_id != me).then_some(r.requester_name),
        photos: r.photos,
    }
}

/// The demands I filed, that are for me, or for a family member I act for.
pub async fn mine(store: &Store, user: &SessionUser) -> Result<Vec<DemandLine>, AppError> {
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        "{LINE_SELECT} WHERE d.requester_id = $1 OR d.filed_by_id = $1 OR d.requester_id IN \
         (SELECT member_id FROM family_links WHERE proxy_id = $1 AND state = 'confirmed') ORDER BY d.id DESC LIMIT 200"
    ))
    .bind(user.id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|r| line(r, user.id, true)).collect())
}

/// Public demands of the viewer's community, newest first.
pub async fn community_public(store: &Store, user: &SessionUser) -> Result<Vec<DemandLine>, AppError> {
    if user.role.home_level() != crate::auth::Level::Community {
        return Ok(Vec::new());
    }
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        "{LINE_SELECT} WHERE d.community_id = $1 AND d.visibility = 'public' AND w.state <> 'withdrawn' ORDER BY d.id DESC LIMIT 20"
    ))
    .bind(user.region_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|r| line(r, user.id, false)).collect())
}

/// `GET /photos/{id}`: the picture, for whoever may see its demand (or its uploader, before
/// the demand exists).
pub async fn photo(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    serve_photo(store, viewer, id, false).await
}

/// `GET /photos/{id}/thumb`: its thumbnail, under the same rule.
pub async fn photo_thumb(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    serve_photo(store, viewer, id, true).await
}

async fn serve_photo(store: Store, viewer: Viewer, id: i64, thumb: bool) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(Option<i64>, Option<i64>, i64, String)> =
        sqlx::query_as("SELECT demand_id, thread_id, owner_id, mime FROM photos WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await
            .ok()
            .flatten();
    let Some((demand, thread, owner, mime)) = row else { return StatusCode::NOT_FOUND.into_response() };
    let allowed = match (demand, thread) {
        (None, Some(t)) => crate::threads::server::may_read(&store, &user, t).await.unwrap_or(false),
        (None, None) => owner == user.id,
        (Some(d), _) => match work::item_of_demand(&store, d).await {
            Ok(Some(item)) => matches!(work::relation(&store, &user, &item).await, Ok(r) if r != Relation::None),
            _ => false,
        },
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let column = if thumb { "thumb" } else { "bytes" };
    let bytes: Option<Vec<u8>> = sqlx::query_scalar(&format!("SELECT {column} FROM photos WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .ok()
        .flatten();
    let Some(bytes) = bytes else { return StatusCode::NOT_FOUND.into_response() };
    let mime = if thumb { "image/jpeg".to_string() } else { mime };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
