//! Which unit a request names and whether the viewer oversees it; the team list; the
//! changes, each with its change-log line in the same transaction.

use super::rules::{grantable, keeps_below, keeps_duty, may_manage, oversees, Unit};
use super::*;
use crate::auth::server::staff::{self, NewStaff, StaffRow};
use crate::auth::SessionUser;
use crate::i18n::{Lang, T};
use crate::setup::server::{audit, change_log};
use crate::setup::ChangeKind;
use crate::store::Store;

const PAGE: i64 = 50;

struct Place {
    unit: Unit,
    code: String,
    name: Named,
}

/// The unit a request names, if the viewer oversees it (403 otherwise; 404 for no such
/// region). A stationmaster without a code gets their station.
async fn place(store: &Store, user: &SessionUser, code: Option<&str>) -> Result<Place, AppError> {
    use crate::community::server::{region_by_code, region_by_id};
    let region = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => region_by_code(store, c).await?,
        None => region_by_id(store, user.region_id).await?,
    }
    .ok_or(AppError::NotFound)?;
    let parent = |id: Option<i64>| async move {
        match id {
            Some(id) => region_by_id(store, id).await,
            None => Ok(None),
        }
    };
    let unit = match region.level {
        Level::District => Unit { id: region.id, level: Level::District, subdistrict: None, district: region.id },
        Level::Subdistrict => Unit {
            id: region.id,
            level: Level::Subdistrict,
            subdistrict: Some(region.id),
            district: region.parent_id.ok_or(AppError::Internal)?,
        },
        Level::Community => {
            let sub = parent(region.parent_id).await?.ok_or(AppError::Internal)?;
            Unit {
                id: region.id,
                level: Level::Community,
                subdistrict: Some(sub.id),
                district: sub.parent_id.ok_or(AppError::Internal)?,
            }
        }
    };
    if !oversees(&user.scope(), &unit) {
        return Err(AppError::Forbidden);
    }
    Ok(Place { unit, code: region.code, name: region.name })
}

/// The units the viewer may choose among: its own, and each below it.
async fn choices(store: &Store, user: &SessionUser) -> Result<Vec<UnitChoice>, AppError> {
    let sql = match user.role {
        Role::Stationmaster => "SELECT code, name_zh, name_en, level FROM regions WHERE id = $1",
        Role::SubdistrictAdmin => {
            "SELECT code, name_zh, name_en, level FROM regions WHERE id = $1 OR parent_id = $1 \
             ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, code"
        }
        Role::DistrictAdmin => {
            "SELECT r.code, r.name_zh, r.name_en, r.level FROM regions r LEFT JOIN regions p ON p.id = r.parent_id \
             WHERE r.id = $1 OR r.parent_id = $1 OR p.parent_id = $1 \
             ORDER BY CASE WHEN r.id = $1 THEN '' WHEN r.level = 'subdistrict' THEN r.code ELSE p.code END, \
             CASE WHEN r.level = 'community' THEN 1 ELSE 0 END, r.code"
        }
        _ => return Err(AppError::Forbidden),
    };
    let rows: Vec<(String, String, String, Level)> =
        sqlx::query_as(sql).bind(user.region_id).fetch_all(store.pool()).await?;
    Ok(rows.into_iter().map(|(code, zh, en, level)| UnitChoice { code, name: Named { zh, en }, level }).collect())
}

fn state(row: &StaffRow) -> MemberState {
    match (row.disabled_at, row.active) {
        (Some(_), _) => MemberState::Disabled,
        (None, 0) => MemberState::Pending,
        _ => MemberState::Active,
    }
}

/// How the change log writes an account's role and state (zh-CN: the log is the station's).
fn described(role: Role, state: MemberState) -> String {
    let state = match state {
        MemberState::Pending => T::StaffPending,
        MemberState::Active => T::StaffActive,
        MemberState::Disabled => T::StaffDisabled,
    };
    format!("{} · {}", Lang::Zh.t(role.label()), Lang::Zh.t(state))
}

fn subject(name: &str, phone: &str) -> String {
    format!("{name} {}", crate::auth::rules::mask_phone(phone))
}

pub async fn load(
    store: &Store,
    user: &SessionUser,
    code: Option<&str>,
    after: Option<i64>,
    before: Option<i64>,
    flash: Option<String>,
) -> Result<TeamView, AppError> {
    let choices = choices(store, user).await?;
    let p = place(store, user, code).await?;
    let departments: Vec<(i64, String, String, String)> = match p.unit.level {
        Level::Subdistrict => {
            sqlx::query_as("SELECT id, code, name_zh, name_en FROM departments WHERE subdistrict_id = $1 ORDER BY code")
                .bind(p.unit.id)
                .fetch_all(store.pool())
                .await?
        }
        _ => vec![],
    };
    let rows = staff::staff_of(store, p.unit.id, after.unwrap_or(0), PAGE + 1).await?;
    let next = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].id);
    let rostering = user.role != Role::SocialWorker && p.unit.level == Level::Community;
    let members: Vec<Member> = rows
        .iter()
        .take(PAGE as usize)
        .map(|r| Member {
            id: r.id,
            name: r.display_name.clone(),
            phone: crate::auth::rules::mask_phone(&r.phone),
            role: r.role,
            department: r
                .department_id
                .and_then(|d| departments.iter().find(|x| x.0 == d))
                .map(|d| Named { zh: d.2.clone(), en: d.3.clone() }),
            state: state(r),
            on_duty: r.on_duty == 1,
            code_until: r.code_until.filter(|_| r.active == 0).map(crate::time::format_local),
            manageable: may_manage(user.role, user.id, r.role, p.unit.level, r.id),
            rostered: rostering && keeps_duty(r.role) && state(r) == MemberState::Active,
        })
        .collect();
    let (areas, directors) = if p.unit.level == Level::Community {
        let areas: Vec<(String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT code, name_zh, name_en, director_id FROM grid_areas WHERE community_id = $1 ORDER BY code",
        )
        .bind(p.unit.id)
        .fetch_all(store.pool())
        .await?;
        let directors: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, display_name FROM users WHERE region_id = $1 AND role IN ('social_worker', 'dispatcher', \
             'stationmaster') AND disabled_at IS NULL AND deleted_at IS NULL AND password_hash IS NOT NULL \
             ORDER BY id LIMIT 200",
        )
        .bind(p.unit.id)
        .fetch_all(store.pool())
        .await?;
        (areas.into_iter().map(|(c, zh, en, d)| (c, Named { zh, en }, d)).collect(), directors)
    } else {
        (vec![], vec![])
    };
    // The code is shown only to the admin who issued it, only on the page after.
    let flash = flash.as_deref().and_then(|f| f.split_once('.')).filter(|(issuer, _)| *issuer == user.id.to_string());
    let new_code = match flash.and_then(|(_, rest)| rest.split_once('.')) {
        Some((id, code)) => match id.parse::<i64>() {
            Ok(id) => staff::staff_by_id(store, id)
                .await?
                .filter(|r| r.region_id == p.unit.id && r.active == 0 && r.code_until.is_some())
                .map(|r| NewCode {
                    name: r.display_name.clone(),
                    phone: crate::auth::rules::mask_phone(&r.phone),
                    code: code.to_string(),
                    until: r.code_until.map(crate::time::format_local).unwrap_or_default(),
                }),
            Err(_) => None,
        },
        None => None,
    };
    let below: Vec<(String, String, String)> = match p.unit.level {
        Level::Community => vec![],
        _ => {
            sqlx::query_as("SELECT code, name_zh, name_en FROM regions WHERE parent_id = $1 ORDER BY code LIMIT 500")
                .bind(p.unit.id)
                .fetch_all(store.pool())
                .await?
        }
    };
    let (changes, older) = change_log(store, p.unit.id, before).await?;
    Ok(TeamView {
        code: p.code,
        name: p.name,
        level: p.unit.level,
        choices,
        roles: grantable(user.role, p.unit.level).to_vec(),
        departments: departments.into_iter().map(|(_, c, zh, en)| (c, Named { zh, en })).collect(),
        members,
        next,
        areas,
        directors,
        new_code,
        below: below.into_iter().map(|(c, zh, en)| (c, Named { zh, en })).collect(),
        keeps_below: keeps_below(user.role, p.unit.level),
        changes,
        older,
    })
}

pub async fn add(
    store: &Store,
    user: &SessionUser,
    unit: &str,
    name: &str,
    phone: &str,
    role: &str,
    department: &str,
) -> Result<(i64, String), AppError> {
    let p = place(store, user, Some(unit)).await?;
    let mut problems = crate::error::Problems::default();
    let name = problems.check("name", crate::auth::rules::check_display_name(name));
    let phone = problems.check("phone", crate::auth::rules::normalise_phone(phone));
    let role = Role::parse(role).filter(|r| grantable(user.role, p.unit.level).contains(r));
    if role.is_none() {
        problems.add("role", T::ErrChooseRole);
    }
    let department_id: Option<i64> = match (role, department.trim()) {
        (Some(Role::Department), "") => None,
        (Some(Role::Department), d) => {
            let id = sqlx::query_scalar("SELECT id FROM departments WHERE subdistrict_id = $1 AND code = $2")
                .bind(p.unit.id)
                .bind(d)
                .fetch_optional(store.pool())
                .await?;
            if id.is_none() {
                problems.add("department", T::ErrChooseDepartment);
            }
            id
        }
        _ => None,
    };
    if role == Some(Role::Department) && department_id.is_none() && !problems.has("department") {
        problems.add("department", T::ErrChooseDepartment);
    }
    problems.into_result()?;
    let (Some(name), Some(phone), Some(role)) = (name, phone, role) else { return Err(AppError::Internal) };
    let mut tx = store.write().await?;
    let made = NewStaff { phone: phone.clone(), display_name: name.clone(), role, region_id: p.unit.id, department_id };
    let (id, code) = staff::create_staff(&mut tx, user.id, made).await?;
    audit(
        &mut tx,
        user,
        p.unit.id,
        ChangeKind::Staff,
        &subject(&name, &phone),
        None,
        described(role, MemberState::Pending),
    )
    .await?;
    tx.commit().await?;
    Ok((id, code))
}

/// The account `member` of the unit, if the viewer may manage it (403 otherwise).
async fn managed(store: &Store, user: &SessionUser, unit: &str, member: i64) -> Result<(Place, StaffRow), AppError> {
    let p = place(store, user, Some(unit)).await?;
    let row =
        staff::staff_by_id(store, member).await?.filter(|r| r.region_id == p.unit.id).ok_or(AppError::NotFound)?;
    Ok((p, row))
}

/// Returns the new code of a reset (or of reactivating an account never activated, whose
/// code the deactivation took away).
pub async fn change_access(
    store: &Store,
    user: &SessionUser,
    unit: &str,
    member: i64,
    action: &str,
) -> Result<Option<String>, AppError> {
    if !matches!(action, "disable" | "enable" | "reset") {
        return Err(AppError::BadRequest);
    }
    let (p, _) = managed(store, user, unit, member).await?;
    let mut tx = store.write().await?;
    // Two admins at once: the second decides on the account as the first left it.
    store.take_turn(&mut tx, &format!("staff:{member}")).await?;
    let row = staff::staff_in(&mut tx, member).await?.filter(|r| r.region_id == p.unit.id).ok_or(AppError::NotFound)?;
    if !may_manage(user.role, user.id, row.role, p.unit.level, row.id) {
        return Err(AppError::Forbidden);
    }
    let was = state(&row);
    let (after, code) = match action {
        "disable" if was == MemberState::Disabled => return Ok(None),
        "enable" if was != MemberState::Disabled => return Ok(None),
        "disable" => {
            staff::set_disabled(&mut tx, row.id, true).await?;
            (MemberState::Disabled, None)
        }
        "enable" if row.active == 1 => {
            staff::set_disabled(&mut tx, row.id, false).await?;
            (MemberState::Active, None)
        }
        // Never activated: the deactivation took its code, so it gets a new one.
        _ => {
            let code = staff::reset_access(&mut tx, row.id, user.id).await?;
            staff::set_disabled(&mut tx, row.id, false).await?;
            (MemberState::Pending, Some(code))
        }
    };
    let before = described(row.role, was);
    let mut after = described(row.role, after);
    if code.is_some() {
        after.push_str(" · ");
        after.push_str(Lang::Zh.t(T::StaffCodeIssued));
    }
    audit(&mut tx, user, p.unit.id, ChangeKind::Staff, &subject(&row.display_name, &row.phone), Some(before), after)
        .await?;
    tx.commit().await?;
    Ok(code)
}

pub async fn set_duty(store: &Store, user: &SessionUser, unit: &str, member: i64, on: bool) -> Result<(), AppError> {
    let (p, row) = managed(store, user, unit, member).await?;
    let allowed = user.role != Role::SocialWorker
        && p.unit.level == Level::Community
        && keeps_duty(row.role)
        && state(&row) == MemberState::Active;
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if (row.on_duty == 1) == on {
        return Ok(());
    }
    let word = |on: bool| Lang::Zh.t(if on { T::OnDuty } else { T::OffDuty }).to_string();
    let mut tx = store.write().await?;
    staff::set_duty(&mut tx, row.id, on).await?;
    audit(&mut tx, user, p.unit.id, ChangeKind::Duty, &row.display_name, Some(word(!on)), word(on)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn name_director(
    store: &Store,
    user: &SessionUser,
    unit: &str,
    area: &str,
    member: Option<i64>,
) -> Result<(), AppError> {
    let p = place(store, user, Some(unit)).await?;
    if p.unit.level != Level::Community || user.role == Role::SocialWorker {
        return Err(AppError::Forbidden);
    }
    let name_of = |id: i64| async move {
        sqlx::query_scalar::<_, String>(
            "SELECT display_name FROM users WHERE id = $1 AND region_id = $2 AND role IN ('social_worker', \
             'dispatcher', 'stationmaster') AND disabled_at IS NULL AND deleted_at IS NULL \
             AND password_hash IS NOT NULL",
        )
        .bind(id)
        .bind(p.unit.id)
        .fetch_optional(store.pool())
        .await
    };
    let after = match member {
        Some(id) => Some(name_of(id).await?.ok_or_else(|| AppError::invalid("member", T::ErrNotOnTeam))?),
        None => None,
    };
    let mut tx = store.write().await?;
    let was = crate::community::admin::set_director(&mut tx, p.unit.id, area, member).await?;
    if was != member {
        let before: Option<String> = match was {
            Some(id) => {
                sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let none = || Lang::Zh.t(T::NoDirector).to_string();
        audit(
            &mut tx,
            user,
            p.unit.id,
            ChangeKind::Director,
            area,
            Some(before.unwrap_or_else(none)),
            after.unwrap_or_else(none),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A subdistrict's department, added or renamed by the admins of the subdistrict.
pub async fn save_department(
    store: &Store,
    user: &SessionUser,
    unit: &str,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<(), AppError> {
    use crate::setup::rules::check_named;
    let p = place(store, user, Some(unit)).await?;
    if p.unit.level != Level::Subdistrict {
        return Err(AppError::Forbidden);
    }
    let (code, zh, en) = (code.trim(), zh.trim(), en.trim());
    let mut problems = crate::error::Problems::default();
    for (field, t) in check_named(code, zh, en, ["code", "name_zh", "name_en"]) {
        problems.add(field, t);
    }
    problems.into_result()?;
    let mut tx = store.write().await?;
    let before = crate::community::admin::put_department(&mut tx, p.unit.id, code, zh, en).await?;
    if before.as_ref() != Some(&(zh.to_string(), en.to_string())) {
        let before = before.map(|(z, e)| format!("{z} / {e}"));
        audit(&mut tx, user, p.unit.id, ChangeKind::Department, code, before, format!("{zh} / {en}")).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A community added to a subdistrict (or a subdistrict to the district), or renamed. A new
/// community gets the standard catalogue and the templates above it at once.
pub async fn save_region(
    store: &Store,
    user: &SessionUser,
    unit: &str,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<(), AppError> {
    use crate::setup::rules::check_named;
    let p = place(store, user, Some(unit)).await?;
    let Some(level) = keeps_below(user.role, p.unit.level) else { return Err(AppError::Forbidden) };
    let (code, zh, en) = (code.trim(), zh.trim(), en.trim());
    let mut problems = crate::error::Problems::default();
    for (field, t) in check_named(code, zh, en, ["region_code", "region_zh", "region_en"]) {
        problems.add(field, t);
    }
    problems.into_result()?;
    let mut tx = store.write().await?;
    // Two admins adding the same code at once: the second renames what the first added.
    store.take_turn(&mut tx, &format!("region:{code}")).await?;
    let before: Option<(String, String)> = sqlx::query_as("SELECT name_zh, name_en FROM regions WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(id) =
        crate::community::admin::put_region(&mut tx, level.as_str(), code, (zh, en), Some(p.unit.id)).await?
    else {
        // The code is another region's (codes are unique across the district).
        return Err(AppError::invalid("region_code", T::ErrRegionCodeTaken));
    };
    if before.is_none() && level == Level::Community {
        // As `init --district` does: the standard catalogue, then the templates above it.
        crate::affairs::seed::seed_community(&mut tx, id).await?;
        crate::affairs::templates::apply_to_new_community(&mut tx, id).await?;
    }
    if before.as_ref() != Some(&(zh.to_string(), en.to_string())) {
        let before = before.map(|(z, e)| format!("{z} / {e}"));
        audit(&mut tx, user, p.unit.id, ChangeKind::Region, code, before, format!("{zh} / {en}")).await?;
    }
    tx.commit().await?;
    Ok(())
}
