//! Server side of the case page: a demand with its work item, as each viewer may see it.

use super::*;
use crate::auth::{Role, SessionUser};
use crate::demands::Channel;
use crate::error::AppError;
use crate::i18n::Named;
use crate::store::{Millis, Store};
use crate::time::format_local;
use crate::work::rules::{Place, State, Urgency, Visibility};
use crate::work::server::{self as work, Relation};
use crate::work::LiveStatus;

#[derive(sqlx::FromRow)]
struct DemandRow {
    id: i64,
    channel: Channel,
    description: String,
    place: Place,
    place_detail: String,
    urgency: Urgency,
    visibility: Visibility,
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
    filer_role: Role,
    affair_matched: i64,
}

const DEMAND_SELECT: &str = "SELECT d.id, d.community_id, d.channel, d.description, d.place, d.place_detail, d.urgency, \
    d.visibility, d.contact_time, d.created_at, a.code AS affair_code, a.name_zh AS affair_zh, a.name_en AS affair_en, \
    b.name_zh AS building_zh, b.name_en AS building_en, r.display_name AS requester_name, r.phone AS requester_phone, \
    r.unit_no AS requester_unit, r.room AS requester_room, rb.name_zh AS requester_building, d.filed_by_id, d.requester_id, \
    f.display_name AS filer_name, f.role AS filer_role, d.affair_matched \
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
        Relation::CoRequester => Viewing::CoRequester,
        Relation::None => return Err(AppError::NotFound),
    };
    let d: DemandRow =
        sqlx::query_as(&format!("{DEMAND_SELECT} WHERE d.id = $1")).bind(demand_id).fetch_one(store.pool()).await?;
    let photos = crate::photos::server::of(store, crate::photos::Owner::Demand(demand_id)).await?;
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
    // Staff reading a private demand: the resident's access log says who and when.
    let found = item.found_via.is_some();
    if rel.is_staff() && d.visibility == Visibility::Private && !found {
        super::contact::record_case_view(store, user.id, d.requester_id, item.id).await?;
    }
    // Overseers and liaisons see who it is masked, unless they showed the contact (recorded).
    let full_contact =
        rel == Relation::Station || (rel.is_staff() && super::contact::shown(store, user.id, item.id).await?);
    let staff = if rel.is_staff() { Some(staff_panel(store, user, &item, &d, rel, full_contact).await?) } else { None };
    // A co-requester is a neighbour here: nothing of the requester's own.
    let neighbour = matches!(rel, Relation::Neighbour | Relation::CoRequester);
    // A found case's "requester" is the worker who found it: shown as who filed it.
    let filed_by = ((d.filed_by_id != d.requester_id || found) && !neighbour).then(|| {
        if d.filer_role == Role::Resident {
            d.filer_name.clone()
        } else {
            format!("{} · {}", d.filer_name, crate::i18n::Lang::Zh.t(d.filer_role.label()))
        }
    });
    let affair_matched = d.affair_matched == 1;
    let affair_choices = if viewing == Viewing::Requester && affair_matched && item.state == State::Received {
        Some(crate::demands::affair::choices(store, item.community_id, d.affair_code.as_deref(), &d.description).await?)
    } else {
        None
    };
    let joined = crate::demands::me_too::server::count(store, demand_id).await?;
    let can_join =
        rel == Relation::Neighbour && user.role == Role::Resident && item.state.is_open() && d.place != Place::Home;
    let merged_into: Option<i64> = match item.merged_into {
        Some(target) => sqlx::query_scalar("SELECT demand_id FROM work_items WHERE id = $1")
            .bind(target)
            .fetch_optional(store.pool())
            .await?
            .flatten(),
        None => None,
    };
    Ok(DemandView {
        joined,
        can_join,
        merged_into,
        id: d.id,
        item_id: item.id,
        viewing,
        triage: item.triage,
        triage_reason: item.triage_reason,
        affair: d
            .affair_code
            .clone()
            .zip(d.affair_zh.clone().zip(d.affair_en.clone()))
            .map(|(c, (zh, en))| (c, Named { zh, en })),
        affair_matched,
        affair_choices,
        description: d.description.clone(),
        place: d.place,
        // Neighbours see the building, never the home.
        building: d.building_zh.clone().zip(d.building_en.clone()).map(|(zh, en)| Named { zh, en }),
        place_detail: if neighbour && d.place == Place::Home { String::new() } else { d.place_detail.clone() },
        urgency: d.urgency,
        public: d.visibility != Visibility::Private,
        everyone: d.visibility == Visibility::Public,
        contact_time: if neighbour { String::new() } else { d.contact_time.clone() },
        channel: d.channel.as_str().to_string(),
        found_via: item.found_via,
        requester: (!neighbour && !found).then(|| {
            if rel.is_staff() && !full_contact {
                crate::auth::rules::mask_name(&d.requester_name)
            } else {
                d.requester_name.clone()
            }
        }),
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
        rating: crate::ratings::server::card(store, &item, rel, user.id).await?,
    })
}

async fn staff_panel(
    store: &Store,
    user: &SessionUser,
    item: &work::ItemRow,
    d: &DemandRow,
    rel: Relation,
    full_contact: bool,
) -> Result<StaffPanel, AppError> {
    let station = rel == Relation::Station;
    // Admins above the community whistle its subdistrict's departments themselves (街乡吹哨).
    let whistler = station || rel == Relation::Overseer;
    let (departments, partners, workers) = match (station, whistler) {
        (true, _) => choices(store, item).await?,
        (false, true) => (choices(store, item).await?.0, Vec::new(), Vec::new()),
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    let address = format!(
        "{} {}{}",
        d.requester_building.clone().unwrap_or_default(),
        d.requester_unit.as_deref().map(|u| format!("{u}单元 ")).unwrap_or_default(),
        d.requester_room.clone().unwrap_or_default()
    );
    let (phone, address) = if item.found_via.is_some() {
        // Nobody reported it: no resident's contact to show.
        (String::new(), String::new())
    } else if full_contact {
        (d.requester_phone.clone(), address.trim().to_string())
    } else {
        // The building is where the problem is; the flat and the number, only when shown.
        (crate::auth::rules::mask_phone(&d.requester_phone), d.requester_building.clone().unwrap_or_default())
    };
    Ok(StaffPanel {
        open311_source: open311_source(store, d.id).await?,
        requester_phone: phone,
        contact_masked: !full_contact && item.found_via.is_none(),
        requester_address: address,
        // Confidential: the station team of the community only.
        case_notes: if station { case_notes(store, item.id).await? } else { Vec::new() },
        whistles: whistles(store, user, item.id, rel).await?,
        handoffs: handoffs(store, item.id).await?,
        departments,
        partners,
        asked_partner: if station {
            sqlx::query_scalar("SELECT asked_partner_id FROM demands WHERE id = $1")
                .bind(d.id)
                .fetch_one(store.pool())
                .await?
        } else {
            None
        },
        workers,
        affairs: if station && item.state().is_open() {
            crate::affairs::server::search(store, item.community_id, "", None, false)
                .await?
                .into_iter()
                .map(|a| (a.code, a.name))
                .collect()
        } else {
            Vec::new()
        },
        can_act: station,
        can_reassign: station && matches!(user.role, Role::Dispatcher | Role::Stationmaster),
        can_urge: station && user.role == Role::Stationmaster,
        can_whistle: whistler,
        // Confidential like the case notes: the station team only.
        assessment: if station { crate::ratings::server::assessment(store, item).await? } else { None },
        can_assess: station && matches!(item.state(), State::Resolved | State::Closed),
        deliveries: if station { crate::notifications::queue::for_item(store, item.id).await? } else { Vec::new() },
    })
}

async fn case_notes(store: &Store, item: i64) -> Result<Vec<CaseNoteView>, AppError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT n.step, n.body, u.display_name, n.created_at FROM case_notes n JOIN users u ON u.id = n.author_id \
         WHERE n.work_item_id = $1 ORDER BY n.id",
    )
    .bind(item)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(step, body, author, at)| CaseNoteView { step, body, author, when: format_local(at) })
        .collect())
}

/// The departments whistled up; a department liaison sees their own department's only.
async fn whistles(store: &Store, user: &SessionUser, item: i64, rel: Relation) -> Result<Vec<WhistleView>, AppError> {
    let now = Millis::now().0;
    let rows: Vec<(i64, String, String, i64, i64, Option<i64>, Option<i64>, Option<String>, i64)> = sqlx::query_as(
        "SELECT h.id, d.name_zh, d.name_en, h.summoned_at, h.checkin_by, h.checked_in_at, h.reported_at, h.report, d.id \
         FROM whistles h JOIN departments d ON d.id = h.department_id WHERE h.work_item_id = $1 ORDER BY h.id",
    )
    .bind(item)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
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
        .collect())
}

async fn handoffs(store: &Store, item: i64) -> Result<Vec<HandoffView>, AppError> {
    let rows: Vec<(String, String, String, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT p.name_zh, p.name_en, p.phone, h.handed_at, h.note, h.outcome FROM handoffs h JOIN partners p ON p.id = h.partner_id \
         WHERE h.work_item_id = $1 ORDER BY h.id",
    )
    .bind(item)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(zh, en, phone, at, note, outcome)| HandoffView {
            partner: Named { zh, en },
            phone,
            handed: format_local(at),
            note,
            outcome,
        })
        .collect())
}

type Choices = (Vec<(i64, Named)>, Vec<PartnerOption>, Vec<(i64, String)>);

/// What the station's forms offer: the subdistrict's departments, the partners of the
/// community and of its subdistrict, and its workers.
async fn choices(store: &Store, item: &work::ItemRow) -> Result<Choices, AppError> {
    let path = crate::community::server::community_path(store, item.community_id).await?.ok_or(AppError::Internal)?;
    let departments: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name_zh, name_en FROM departments WHERE subdistrict_id = $1 ORDER BY code")
            .bind(path.subdistrict)
            .fetch_all(store.pool())
            .await?;
    let partners: Vec<(i64, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, kind, name_zh, name_en, serves_zh, serves_en, phone FROM partners WHERE community_id IN ($1, $2) \
         ORDER BY kind, id",
    )
    .bind(item.community_id)
    .bind(path.subdistrict)
    .fetch_all(store.pool())
    .await?;
    let workers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, display_name FROM users WHERE region_id = $1 AND role IN ('social_worker', 'dispatcher', 'stationmaster') \
         AND disabled_at IS NULL AND deleted_at IS NULL AND password_hash IS NOT NULL ORDER BY id",
    )
    .bind(item.community_id)
    .fetch_all(store.pool())
    .await?;
    Ok((
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
    ))
}

/// Sent through Open311: the client system and the caller's contact (phone masked).
async fn open311_source(store: &Store, demand: i64) -> Result<Option<String>, AppError> {
    let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT k.name, o.first_name, o.last_name, o.phone, o.email, o.account_id FROM open311_requests o \
         JOIN api_keys k ON k.id = o.key_id WHERE o.demand_id = $1",
    )
    .bind(demand)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|(system, first, last, phone, email, account)| {
        let name = format!("{last}{first}");
        let phone = if phone.is_empty() { phone } else { crate::auth::rules::mask_phone(&phone) };
        [system, name, phone, email, account]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }))
}
