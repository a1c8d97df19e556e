//! How an account is reached outside the app (`/me/reach`): its devices with push, and per
//! topic which channel. A confirmed family member may set SMS only (and the switches) for
//! the resident they help.

use super::rules::Topic;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSwitch {
    pub topic: Topic,
    pub push: bool,
    /// `None` where SMS is not offered for the topic.
    pub sms: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: i64,
    pub label: String,
    pub since: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachView {
    /// The family member being set for (`None`: the signed-in account itself).
    pub member: Option<(i64, String)>,
    pub switches: Vec<TopicSwitch>,
    pub sms_only: bool,
    /// The account's own devices (not shown when setting for a family member).
    pub devices: Vec<Device>,
    /// The site's VAPID public key (base64url), for `pushManager.subscribe`.
    pub public_key: String,
    pub sms_per_day: i64,
    /// The hours without SMS (`SMS_QUIET_HOURS`), so the page says what the sender does.
    pub quiet: Option<crate::time::QuietHours>,
    /// The residents this account helps (confirmed family links): (id, name).
    pub members: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::*;
    use crate::auth::SessionUser;
    use crate::notifications::rules::{Channel, Choices, RESIDENT_TOPICS, STAFF_TOPICS};
    use crate::store::Store;

    /// Whose settings: the account's own, or a resident it helps (confirmed family link).
    pub async fn whom(
        store: &Store,
        user: &SessionUser,
        member: Option<i64>,
    ) -> Result<Option<(i64, String)>, AppError> {
        let Some(member) = member.filter(|m| *m != user.id) else { return Ok(None) };
        let name: Option<String> = sqlx::query_scalar(
            "SELECT u.display_name FROM family_links f JOIN users u ON u.id = f.member_id \
             WHERE f.proxy_id = $1 AND f.member_id = $2 AND f.state = 'confirmed'",
        )
        .bind(user.id)
        .bind(member)
        .fetch_optional(store.pool())
        .await?;
        name.map(|n| Some((member, n))).ok_or(AppError::NotFound)
    }

    /// The topics shown for an account: a resident's, or a worker's.
    pub async fn topics_of(store: &Store, account: i64) -> Result<&'static [Topic], AppError> {
        let role: String =
            sqlx::query_scalar("SELECT role FROM users WHERE id = $1").bind(account).fetch_one(store.pool()).await?;
        Ok(if role == "resident" { &RESIDENT_TOPICS } else { &STAFF_TOPICS })
    }

    pub async fn view(store: &Store, user: &SessionUser, member: Option<i64>) -> Result<ReachView, AppError> {
        let config = crate::request::config();
        let member = whom(store, user, member).await?;
        let account = member.as_ref().map_or(user.id, |m| m.0);
        let mut conn = store.pool().acquire().await?;
        let choices = crate::notifications::settings::choices(&mut conn, account).await?;
        drop(conn);
        let switches = topics_of(store, account)
            .await?
            .iter()
            .map(|&topic| TopicSwitch {
                topic,
                // The push box as chosen, whether or not SMS only holds pushes back.
                push: Choices { sms_only: false, ..choices.clone() }.wants(topic, Channel::Push),
                sms: topic.sms_offered().then(|| choices.wants(topic, Channel::Sms)),
            })
            .collect();
        let devices = if member.is_none() {
            crate::notifications::push::devices(store, user.id)
                .await?
                .into_iter()
                .map(|(id, label, since)| Device { id, label, since: crate::time::format_local(since) })
                .collect()
        } else {
            Vec::new()
        };
        let members: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.display_name FROM family_links f JOIN users u ON u.id = f.member_id \
             WHERE f.proxy_id = $1 AND f.state = 'confirmed' ORDER BY u.id LIMIT 20",
        )
        .bind(user.id)
        .fetch_all(store.pool())
        .await?;
        Ok(ReachView {
            member,
            switches,
            sms_only: choices.sms_only,
            devices,
            public_key: crate::notifications::push::keys(store).await?.public.clone(),
            sms_per_day: config.notice_sms_per_day,
            quiet: config.sms_quiet_hours,
            members,
        })
    }
}

/// The reach settings of the signed-in account, or of a resident it helps.
#[server(endpoint = "reach")]
pub async fn my_reach(member: Option<i64>) -> Result<ReachView, AppError> {
    let user = crate::auth::server::require_user()?;
    server_side::view(&crate::request::store()?, &user, member).await
}

/// Saves the switches shown on `/me/reach` (`push[answer]=on`, `sms[confirm]=on`…; a box
/// left unticked is off). Works as a plain form post.
#[server(endpoint = "reach/save")]
pub async fn save_reach(
    member: Option<i64>,
    sms_only: Option<String>,
    push: Option<std::collections::BTreeMap<String, String>>,
    sms: Option<std::collections::BTreeMap<String, String>>,
) -> Result<(), AppError> {
    use super::rules::Channel;
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let whom = server_side::whom(&store, &user, member).await?;
    let account = whom.as_ref().map_or(user.id, |m| m.0);
    let (push, sms) = (push.unwrap_or_default(), sms.unwrap_or_default());
    let sms_only = sms_only.is_some();
    let mut switches = Vec::new();
    for &topic in server_side::topics_of(&store, account).await? {
        // Kept as ticked even with SMS only (which stops every push): unticking SMS only
        // brings them back as they were.
        switches.push((topic, Channel::Push, push.contains_key(topic.as_str())));
        if topic.sms_offered() {
            switches.push((topic, Channel::Sms, sms.contains_key(topic.as_str())));
        }
    }
    crate::notifications::settings::save(&store, account, user.id, sms_only, &switches).await?;
    let back = match whom {
        Some((id, _)) => format!("/me/reach?member={id}&saved=1"),
        None => "/me/reach?saved=1".to_string(),
    };
    crate::request::redirect(&back);
    Ok(())
}

/// Stores this browser's push subscription for the signed-in account (posted by
/// `/reach.js` after the person allowed notifications).
#[server(endpoint = "reach/subscribe")]
pub async fn subscribe_push(endpoint: String, p256dh: String, auth: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let config = crate::request::config();
    let s = crate::notifications::push::Subscription::parse(&endpoint, &p256dh, &auth, &config.push_services)?;
    let agent = crate::request::header(axum::http::header::USER_AGENT).unwrap_or_default();
    crate::notifications::push::subscribe(&store, user.id, s, &crate::notifications::push::device_label(&agent)).await
}

/// Stops pushes to one of the account's devices. Works as a plain form post.
#[server(endpoint = "reach/device/remove")]
pub async fn remove_device(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    crate::notifications::push::remove(&crate::request::store()?, user.id, id).await?;
    crate::request::redirect("/me/reach");
    Ok(())
}
