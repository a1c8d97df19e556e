//! Server side of appointments: the station's hours and capacity, free slots, booking with
//! the rules and a conditional update per grid slot, cancellation, the staff day, ICS files
//! and reminders.

use super::rules::{self, Held, Opening, Refusal, Slot};
use super::*;
use crate::auth::rules::mask_phone;
use crate::auth::{Role, SessionUser};
use crate::demands::file::{file_case, NewCase};
use crate::demands::Channel;
use crate::form::key::IdempotencyKey;
use crate::i18n::T;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::{Millis, Store, Tx};
use crate::time::format_local;
use crate::work::rules::{AffairLimits, ItemKind, Mode, Place};
use crate::work::server::WorkTx;
use chrono::{Duration, NaiveDate, NaiveTime};

pub mod booking;
pub mod calendar;
pub mod desk;
pub mod seed;

pub use booking::{book, cancel, one, page, reschedule};
pub use calendar::{booking_ics, ics, remind};
pub use desk::{day, mark, save_settings, walk_in};
pub use seed::{seed_demo_appointments, seed_past_appointments};

/// Monday to Friday 9:00–12:00 and 13:30–17:00, Saturday 9:00–12:00: a station without its
/// own hours keeps these.
pub(super) fn default_hours() -> Vec<Opening> {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let mut out = Vec::new();
    for weekday in 0..5 {
        out.push(Opening { weekday, opens: t(9, 0), closes: t(12, 0) });
        out.push(Opening { weekday, opens: t(13, 30), closes: t(17, 0) });
    }
    out.push(Opening { weekday: 5, opens: t(9, 0), closes: t(12, 0) });
    out
}

pub async fn hours(store: &Store, community: i64) -> Result<Vec<Opening>, AppError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT weekday, opens, closes FROM station_hours WHERE community_id = $1 ORDER BY weekday, opens",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    if rows.is_empty() {
        return Ok(default_hours());
    }
    Ok(rows
        .into_iter()
        .filter_map(|(w, o, c)| {
            Some(Opening {
                weekday: w as u32,
                opens: NaiveTime::parse_from_str(&o, "%H:%M").ok()?,
                closes: NaiveTime::parse_from_str(&c, "%H:%M").ok()?,
            })
        })
        .collect())
}

/// Days the station is closed from today on (past ones matter to nobody and only grow).
pub async fn closed_days(store: &Store, community: i64) -> Result<Vec<(NaiveDate, String)>, AppError> {
    let today = crate::time::to_local(crate::store::Millis::now().0).format("%Y-%m-%d").to_string();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT day, reason FROM closed_days WHERE community_id = $1 AND day >= $2 ORDER BY day")
            .bind(community)
            .bind(today)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.into_iter().filter_map(|(d, r)| Some((NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?, r))).collect())
}

/// Places per grid slot: the station's setting, or its general social workers on duty.
pub async fn capacity(store: &Store, community: i64) -> Result<(i64, Option<i64>), AppError> {
    let setting: Option<Option<i64>> =
        sqlx::query_scalar("SELECT slot_capacity FROM community_settings WHERE community_id = $1")
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
    let setting = setting.flatten();
    let on_duty: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE region_id = $1 AND role = 'social_worker' AND on_duty = 1 AND disabled_at IS NULL",
    )
    .bind(community)
    .fetch_one(store.pool())
    .await?;
    Ok((setting.unwrap_or(on_duty.max(1)), setting))
}

#[derive(sqlx::FromRow)]
pub(super) struct AffairRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    documents_zh: String,
    documents_en: String,
    slot_minutes: i64,
}

/// Affairs the station serves at its window (on the spot, or documents then submission).
pub(super) const BOOKABLE: &str =
    "SELECT id, code, name_zh, name_en, documents_zh, documents_en, slot_minutes FROM affairs \
     WHERE community_id = $1 AND retired_at IS NULL AND mode IN ('on_the_spot', 'submit_upward')";

/// "身份证、户口本" → a checklist; "无" → nothing to bring.
pub(super) fn checklist(zh: &str, en: &str) -> Vec<Named> {
    let split = |s: &str| -> Vec<String> {
        s.split(['、', '；', ';', '，', ','])
            .map(|p| p.trim().trim_end_matches('。').trim_end_matches('.').to_string())
            .filter(|p| !p.is_empty() && p != "无" && !p.eq_ignore_ascii_case("none"))
            .collect()
    };
    let (zh, en) = (split(zh), split(en));
    zh.iter()
        .enumerate()
        .map(|(i, z)| Named { zh: z.clone(), en: en.get(i).cloned().unwrap_or_else(|| z.clone()) })
        .collect()
}

impl AffairRow {
    fn bookable(&self) -> BookableAffair {
        BookableAffair {
            code: self.code.clone(),
            name: Named { zh: self.name_zh.clone(), en: self.name_en.clone() },
            minutes: self.slot_minutes,
            documents: checklist(&self.documents_zh, &self.documents_en),
        }
    }
}

pub(super) async fn affair(store: &Store, community: i64, code: &str) -> Result<Option<AffairRow>, AppError> {
    Ok(sqlx::query_as(&format!("{BOOKABLE} AND code = $2"))
        .bind(community)
        .bind(code)
        .fetch_optional(store.pool())
        .await?)
}

pub(super) fn resident_only(user: &SessionUser) -> Result<i64, AppError> {
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}
