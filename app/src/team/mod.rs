//! Staff accounts (人员账号) at `/station/team`: the admins of a unit (a station, a
//! subdistrict, the district) make accounts with a one-time activation code, deactivate,
//! reactivate and reset them; a station's stationmaster also keeps the on-duty roster and
//! names each grid area's director. Every change goes into the unit's change log. Plain
//! forms: everything works without JavaScript.

use crate::auth::{Level, Role};
use crate::error::AppError;
use crate::i18n::Named;
use crate::setup::ChangeLine;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

crate::codes! {
    /// Where an account stands.
    pub enum MemberState {
        /// Made, waiting for its holder to set a password with the activation code.
        Pending = "pending",
        Active = "active",
        Disabled = "disabled",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    /// Masked: admins need to recognise the number, not to read it out.
    pub phone: String,
    pub role: Role,
    pub department: Option<Named>,
    pub state: MemberState,
    pub on_duty: bool,
    /// Until when the activation code works, if one does.
    pub code_until: Option<String>,
    /// The viewer may deactivate, reactivate and reset this account.
    pub manageable: bool,
    /// The viewer may put this account on or off duty.
    pub rostered: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitChoice {
    pub code: String,
    pub name: Named,
    pub level: Level,
}

/// A code just issued, shown once to the admin who issued it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCode {
    pub name: String,
    pub phone: String,
    pub code: String,
    pub until: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub code: String,
    pub name: Named,
    pub level: Level,
    pub choices: Vec<UnitChoice>,
    /// The roles the viewer may give in this unit.
    pub roles: Vec<Role>,
    /// The subdistrict's departments (code, name), for liaison accounts.
    pub departments: Vec<(String, Named)>,
    pub members: Vec<Member>,
    /// The id to continue the list after, when there are more.
    pub next: Option<i64>,
    /// A station's grid areas (code, name, director's account id).
    pub areas: Vec<(String, Named, Option<i64>)>,
    /// The station's active team (id, name), the directors to choose from.
    pub directors: Vec<(i64, String)>,
    pub new_code: Option<NewCode>,
    /// The regions directly below the unit (code, name), and the level of those the viewer
    /// adds and renames here (none: it does not).
    pub below: Vec<(String, Named)>,
    pub keeps_below: Option<Level>,
    pub changes: Vec<ChangeLine>,
    pub older: Option<i64>,
}

/// The flash that carries a new code (`issuer.id.code`) to the page after the redirect.
#[cfg(feature = "ssr")]
const CODE_FLASH: &str = "team_code";

/// The team of a unit (`unit` is a region code; a stationmaster without one gets their own).
#[server(endpoint = "team/load")]
pub async fn load_team(unit: Option<String>, after: Option<i64>, before: Option<i64>) -> Result<TeamView, AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let flash = crate::request::take_flash(CODE_FLASH);
    server::load(&store, &user, unit.as_deref(), after, before, flash).await
}

/// Makes a staff account; its activation code is shown once on the page after.
#[server(endpoint = "team/add")]
pub async fn add_staff(
    unit: String,
    name: String,
    phone: String,
    role: String,
    department: Option<String>,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let department = department.unwrap_or_default();
    match server::add(&store, &user, &unit, &name, &phone, &role, &department).await {
        Ok((id, code)) => {
            crate::request::put_flash(CODE_FLASH, format!("{}.{id}.{code}", user.id));
            crate::request::redirect(&format!("/station/team?unit={}", crate::request::url_code(&unit)));
            Ok(())
        }
        Err(e) => {
            let fields = [("name", name.as_str()), ("phone", phone.as_str()), ("role", role.as_str())];
            crate::form::server::keep_input("team-add", &fields).await;
            Err(e)
        }
    }
}

/// Deactivates (`disable`), reactivates (`enable`) or resets (`reset`: a new code) an account.
#[server(endpoint = "team/access")]
pub async fn change_access(unit: String, member: i64, action: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    if let Some(code) = server::change_access(&store, &user, &unit, member, &action).await? {
        crate::request::put_flash(CODE_FLASH, format!("{}.{member}.{code}", user.id));
    }
    crate::request::redirect(&format!("/station/team?unit={}", crate::request::url_code(&unit)));
    Ok(())
}

/// Puts a station worker on (`1`) or off (`0`) duty.
#[server(endpoint = "team/duty")]
pub async fn set_duty(unit: String, member: i64, on: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    server::set_duty(&crate::request::store()?, &user, &unit, member, on == "1").await?;
    crate::request::redirect(&format!("/station/team?unit={}", crate::request::url_code(&unit)));
    Ok(())
}

/// Names a grid area's director (`member` empty: nobody).
#[server(endpoint = "team/director")]
pub async fn name_director(unit: String, area: String, member: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let member = match member.trim() {
        "" => None,
        m => Some(m.parse::<i64>().map_err(|_| AppError::BadRequest)?),
    };
    server::name_director(&crate::request::store()?, &user, &unit, &area, member).await?;
    crate::request::redirect(&format!("/station/team?unit={}", crate::request::url_code(&unit)));
    Ok(())
}

/// Adds a department to the subdistrict, or renames the one with the code.
#[server(endpoint = "team/department")]
pub async fn save_department(unit: String, code: String, name_zh: String, name_en: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    if let Err(e) = server::save_department(&store, &user, &unit, &code, &name_zh, &name_en).await {
        let fields = [("code", code.as_str()), ("name_zh", name_zh.as_str()), ("name_en", name_en.as_str())];
        crate::form::server::keep_input("team-department", &fields).await;
        return Err(e);
    }
    crate::request::redirect(&format!("/station/team?unit={}", crate::request::url_code(&unit)));
    Ok(())
}

/// Adds a community to the subdistrict (or a subdistrict to the district), or renames the
/// one with the code.
#[server(endpoint = "team/region")]
pub async fn save_region(
    unit: String,
    region_code: String,
    region_zh: String,
    region_en: String,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    if let Err(e) = server::save_region(&store, &user, &unit, &region_code, &region_zh, &region_en).await {
        let fields = [
            ("region_code", region_code.as_str()),
            ("region_zh", region_zh.as_str()),
            ("region_en", region_en.as_str()),
        ];
        crate::form::server::keep_input("team-region", &fields).await;
        return Err(e);
    }
    crate::request::redirect(&format!("/station/team?unit={}", crate::request::url_code(&unit)));
    Ok(())
}
