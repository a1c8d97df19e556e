//! Who may set a community up, the changes in one transaction each, and the change log.

use super::rules::{check_named, parse_buildings, parse_partners, station_contacts};
use super::*;
use crate::auth::{Role, SessionUser};
use crate::i18n::T;
use crate::store::{Millis, Store, Tx};

const LOG_PAGE: i64 = 20;

/// The community a request names, if this account may set it up (403 otherwise; a
/// stationmaster without a code gets their own).
async fn community_for(
    store: &Store,
    user: &SessionUser,
    code: Option<&str>,
) -> Result<(i64, String, Named), AppError> {
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None if user.role == Role::Stationmaster => {
            crate::community::server::region_by_id(store, user.region_id).await?.ok_or(AppError::Internal)?.code
        }
        None => return Err(AppError::invalid("community", T::ChooseCommunity)),
    };
    let region = crate::community::server::region_by_code(store, &code).await?.ok_or(AppError::NotFound)?;
    let path = crate::community::server::community_path(store, region.id).await?.ok_or(AppError::NotFound)?;
    if !user.scope().administers(&path) {
        return Err(AppError::Forbidden);
    }
    Ok((region.id, region.code, region.name))
}

/// The communities an account may choose among.
async fn choices(store: &Store, user: &SessionUser) -> Result<Vec<(String, Named)>, AppError> {
    let sql = match user.role {
        Role::Stationmaster => "SELECT code, name_zh, name_en FROM regions WHERE id = $1",
        Role::SubdistrictAdmin => {
            "SELECT code, name_zh, name_en FROM regions WHERE parent_id = $1 AND level = 'community' ORDER BY code"
        }
        Role::DistrictAdmin => {
            "SELECT c.code, c.name_zh, c.name_en FROM regions c JOIN regions s ON s.id = c.parent_id \
             WHERE s.parent_id = $1 AND c.level = 'community' ORDER BY s.code, c.code"
        }
        _ => return Err(AppError::Forbidden),
    };
    let rows: Vec<(String, String, String)> = sqlx::query_as(sql).bind(user.region_id).fetch_all(store.pool()).await?;
    Ok(rows.into_iter().map(|(code, zh, en)| (code, Named { zh, en })).collect())
}

pub async fn load(
    store: &Store,
    user: &SessionUser,
    code: Option<&str>,
    before: Option<i64>,
) -> Result<SetupView, AppError> {
    let choices = choices(store, user).await?;
    if code.is_none_or(|c| c.trim().is_empty()) && user.role != Role::Stationmaster {
        // An admin chooses first.
        let name = Named { zh: String::new(), en: String::new() };
        return Ok(SetupView {
            code: String::new(),
            name,
            choices,
            areas: vec![],
            partners: vec![],
            shared_partners: vec![],
            may_share: false,
            phone: String::new(),
            address: String::new(),
            changes: vec![],
            older: None,
        });
    }
    let (id, code, name) = community_for(store, user, code).await?;
    let areas: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, code, name_zh, name_en FROM grid_areas WHERE community_id = $1 ORDER BY code")
            .bind(id)
            .fetch_all(store.pool())
            .await?;
    let buildings: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT grid_area_id, code, name_zh, households FROM buildings WHERE community_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let areas = areas
        .into_iter()
        .map(|(area, code, zh, en)| AreaSetup {
            code,
            name: Named { zh, en },
            buildings: buildings
                .iter()
                .filter(|b| b.0 == area)
                .map(|b| BuildingSetup { code: b.1.clone(), name: b.2.clone(), households: b.3 })
                .collect(),
        })
        .collect();
    let (changes, older) = change_log(store, id, before).await?;
    let partners = crate::affairs::partners::partners(store, id).await?;
    let path = crate::community::server::community_path(store, id).await?.ok_or(AppError::NotFound)?;
    let shared_partners = crate::affairs::partners::partners(store, path.subdistrict).await?;
    let may_share = matches!(user.role, Role::SubdistrictAdmin | Role::DistrictAdmin);
    let contacts: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT station_phone, station_address FROM community_settings WHERE community_id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await?;
    let (phone, address) = contacts.unwrap_or_default();
    Ok(SetupView {
        code,
        name,
        choices,
        areas,
        partners,
        shared_partners,
        may_share,
        phone: phone.unwrap_or_default(),
        address: address.unwrap_or_default(),
        changes,
        older,
    })
}

/// A unit's change log (all kinds), newest first, a page before `before`; and where the
/// next page starts.
pub async fn change_log(
    store: &Store,
    region: i64,
    before: Option<i64>,
) -> Result<(Vec<ChangeLine>, Option<i64>), AppError> {
    let rows: Vec<(i64, i64, String, ChangeKind, String, Option<String>, String)> = sqlx::query_as(
        "SELECT a.id, a.at, u.display_name, a.what, a.subject, a.old_value, a.new_value FROM admin_audit a \
         JOIN users u ON u.id = a.actor_id WHERE a.region_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3",
    )
    .bind(region)
    .bind(before.unwrap_or(i64::MAX))
    .bind(LOG_PAGE + 1)
    .fetch_all(store.pool())
    .await?;
    let older = (rows.len() as i64 > LOG_PAGE).then(|| rows[LOG_PAGE as usize - 1].0);
    let changes = rows
        .into_iter()
        .take(LOG_PAGE as usize)
        .map(|(id, at, actor, what, subject, before, after)| ChangeLine {
            id,
            at: crate::time::format_local(at),
            actor,
            what,
            subject,
            before,
            after,
        })
        .collect();
    Ok((changes, older))
}

/// One line of the change log, in the same transaction as the change. Every feature that
/// changes how a unit is set up calls this (the log has one writer).
pub async fn audit(
    tx: &mut Tx,
    user: &SessionUser,
    region: i64,
    what: ChangeKind,
    subject: &str,
    before: Option<String>,
    after: String,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO admin_audit (actor_id, region_id, what, subject, old_value, new_value, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user.id)
    .bind(region)
    .bind(what)
    .bind(subject)
    .bind(before)
    .bind(after)
    .bind(Millis::now().0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn save_area(
    store: &Store,
    user: &SessionUser,
    community: &str,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<(), AppError> {
    let (id, _, _) = community_for(store, user, Some(community)).await?;
    let (code, zh, en) = (code.trim(), zh.trim(), en.trim());
    let mut p = crate::error::Problems::default();
    for (field, t) in check_named(code, zh, en, ["code", "name_zh", "name_en"]) {
        p.add(field, t);
    }
    p.into_result()?;
    let mut tx = store.write().await?;
    let (_, before) = crate::community::admin::put_grid_area(&mut tx, id, code, zh, en).await?;
    if before.as_ref() != Some(&(zh.to_string(), en.to_string())) {
        audit(
            &mut tx,
            user,
            id,
            ChangeKind::GridArea,
            code,
            before.map(|(z, e)| format!("{z} / {e}")),
            format!("{zh} / {en}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Saves every line or none; on a bad paste, the bad lines' numbers with the error.
pub async fn save_buildings(
    store: &Store,
    user: &SessionUser,
    community: &str,
    text: &str,
) -> Result<usize, (Vec<usize>, AppError)> {
    let plain = |e: AppError| (vec![], e);
    let (id, _, _) = community_for(store, user, Some(community)).await.map_err(plain)?;
    let areas: Vec<String> = sqlx::query_scalar("SELECT code FROM grid_areas WHERE community_id = $1")
        .bind(id)
        .fetch_all(store.pool())
        .await
        .map_err(|e| plain(e.into()))?;
    let lines = parse_buildings(text, &areas).map_err(|(bad, t)| (bad, AppError::invalid("lines", t)))?;
    let mut tx = store.write().await.map_err(|e| plain(e.into()))?;
    let mut changed = 0;
    for b in &lines {
        let was =
            crate::community::admin::put_building(&mut tx, id, &b.code, (&b.name, &b.name), b.households, &b.area)
                .await
                .map_err(plain)?;
        let show = |name: &str, households: i64, area: &str| format!("{name} · {households} · {area}");
        let before = was.as_ref().map(|w| show(&w.name, w.households, &w.area));
        let after = show(&b.name, b.households, &b.area);
        if before.as_deref() != Some(after.as_str()) {
            audit(&mut tx, user, id, ChangeKind::Building, &b.code, before, after).await.map_err(plain)?;
            changed += 1;
        }
    }
    tx.commit().await.map_err(|e| plain(e.into()))?;
    Ok(changed)
}

/// Saves every partner line or none, like the buildings: into the community's directory,
/// or (`shared`, admins only) into its subdistrict's, which all its communities use.
pub async fn save_partners(
    store: &Store,
    user: &SessionUser,
    community: &str,
    text: &str,
    shared: bool,
) -> Result<usize, (Vec<usize>, AppError)> {
    let plain = |e: AppError| (vec![], e);
    let (mut id, _, _) = community_for(store, user, Some(community)).await.map_err(plain)?;
    if shared {
        if !matches!(user.role, Role::SubdistrictAdmin | Role::DistrictAdmin) {
            return Err(plain(AppError::Forbidden));
        }
        let path = crate::community::server::community_path(store, id).await.map_err(plain)?;
        id = path.ok_or(AppError::NotFound).map_err(plain)?.subdistrict;
    }
    let lines = parse_partners(text).map_err(|(bad, t)| (bad, AppError::invalid("lines", t)))?;
    let mut tx = store.write().await.map_err(|e| plain(e.into()))?;
    let mut changed = 0;
    for p in &lines {
        let row =
            (p.kind.to_string(), p.code.clone(), p.name.clone(), p.serves.clone(), p.phone.clone(), p.address.clone());
        let was = crate::affairs::partners::put_partner(&mut tx, id, &row).await.map_err(plain)?;
        let hours_were = crate::affairs::partners::set_hours(&mut tx, id, &p.code, &p.hours).await.map_err(plain)?;
        let show = |r: &crate::affairs::partners::PartnerRow, hours: &str| {
            let hours = if hours.is_empty() { String::new() } else { format!(" · {hours}") };
            format!("{} · {} · {} · {} · {}{hours}", r.0, r.2, r.3, r.4, r.5)
        };
        let (before, after) = (was.as_ref().map(|r| show(r, &hours_were)), show(&row, &p.hours));
        if before.as_deref() != Some(after.as_str()) {
            audit(&mut tx, user, id, ChangeKind::Partner, &p.code, before, after).await.map_err(plain)?;
            changed += 1;
        }
    }
    tx.commit().await.map_err(|e| plain(e.into()))?;
    Ok(changed)
}

/// Publishes (or withdraws, when left empty) the station's phone and address.
pub async fn save_contacts(
    store: &Store,
    user: &SessionUser,
    community: &str,
    phone: &str,
    address: &str,
) -> Result<(), AppError> {
    let (id, _, _) = community_for(store, user, Some(community)).await?;
    let (phone, address) = station_contacts(phone, address).map_err(|problems| {
        let mut p = crate::error::Problems::default();
        for (field, t) in problems {
            p.add(field, t);
        }
        p.into_result().err().unwrap_or(AppError::Internal)
    })?;
    let mut tx = store.write().await?;
    let before =
        crate::community::admin::put_contacts(&mut tx, id, phone.as_deref(), address.as_deref(), user.id).await?;
    let show = |(p, a): &(Option<String>, Option<String>)| {
        format!("{} · {}", p.as_deref().unwrap_or("—"), a.as_deref().unwrap_or("—"))
    };
    let after = (phone, address);
    if before != after {
        let was = (before != (None, None)).then(|| show(&before));
        audit(&mut tx, user, id, ChangeKind::Contact, "station", was, show(&after)).await?;
    }
    tx.commit().await?;
    Ok(())
}
