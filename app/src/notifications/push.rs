//! Web Push (RFC 8030): the site's VAPID key pair (RFC 8292), the browsers' subscriptions,
//! and one push to one account's devices, encrypted for each (RFC 8291, `web-push-native`)
//! and sent with reqwest. The tables `push_keys` and `push_subscriptions` are written here only.

use super::rules::{push_answer, PushAnswer};
use crate::error::AppError;
use crate::i18n::T;
use crate::store::{Millis, Store, Tx};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use web_push_native::jwt_simple::algorithms::ES256KeyPair;

/// The site's key pair: the private half signs each push, the public half is what browsers
/// subscribe with (`applicationServerKey`).
pub struct VapidKeys {
    pair: ES256KeyPair,
    pub public: String,
}

/// The key pair, made on first use and stored, so every instance signs with the same key:
/// the first instance's insert wins, the others read it.
pub async fn keys(store: &Store) -> Result<&'static VapidKeys, AppError> {
    static KEYS: tokio::sync::OnceCell<VapidKeys> = tokio::sync::OnceCell::const_new();
    KEYS.get_or_try_init(|| async {
        let made = ES256KeyPair::generate();
        let public = public_of(&made).ok_or(AppError::Internal)?;
        sqlx::query(
            "INSERT INTO push_keys (id, private_key, public_key, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(B64.encode(made.to_bytes()))
        .bind(&public)
        .bind(Millis::now())
        .execute(store.pool())
        .await?;
        let (private, public): (String, String) =
            sqlx::query_as("SELECT private_key, public_key FROM push_keys WHERE id = 1")
                .fetch_one(store.pool())
                .await?;
        let pair = B64.decode(private).ok().and_then(|raw| ES256KeyPair::from_bytes(&raw).ok()).ok_or_else(|| {
            tracing::error!("the stored VAPID key does not decode");
            AppError::Internal
        })?;
        Ok(VapidKeys { pair, public })
    })
    .await
}

/// The public point of a key pair, uncompressed (what `applicationServerKey` takes).
fn public_of(pair: &ES256KeyPair) -> Option<String> {
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    let secret = web_push_native::p256::SecretKey::from_slice(&pair.to_bytes()).ok()?;
    Some(B64.encode(secret.public_key().to_encoded_point(false).as_bytes()))
}

/// Is this endpoint one of the push services the site sends to? Each allowed entry is an
/// origin (`https://fcm.googleapis.com`), and `https://*.example.com` allows its subdomains.
/// The server posts to the endpoint, so nothing else may be subscribed (no requests to
/// addresses inside the district's network).
pub fn allowed_endpoint(endpoint: &str, services: &[String]) -> bool {
    let Ok(url) = url::Url::parse(endpoint) else { return false };
    let Some(host) = url.host_str() else { return false };
    let origin = match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    };
    services.iter().any(|allowed| match allowed.split_once("://*.") {
        Some((scheme, domain)) => {
            scheme == url.scheme() && url.port().is_none() && host.ends_with(&format!(".{domain}"))
        }
        None => allowed.trim_end_matches('/') == origin,
    })
}

/// A short name for the device list, from the browser's User-Agent ("Android · Chrome").
pub fn device_label(user_agent: &str) -> String {
    let os = ["HarmonyOS", "Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
        .into_iter()
        .find(|o| user_agent.contains(o))
        .map(|o| if o == "Mac OS" { "Mac" } else { o });
    let browser = [
        ("MicroMessenger", "微信"),
        ("HuaweiBrowser", "华为浏览器"),
        ("MiuiBrowser", "小米浏览器"),
        ("UCBrowser", "UC"),
        ("QQBrowser", "QQ浏览器"),
        ("Edg/", "Edge"),
        ("Firefox", "Firefox"),
        ("Chrome", "Chrome"),
        ("Safari", "Safari"),
    ]
    .into_iter()
    .find(|(k, _)| user_agent.contains(k))
    .map(|(_, name)| name);
    match (os, browser) {
        (Some(o), Some(b)) => format!("{o} · {b}"),
        (Some(x), None) | (None, Some(x)) => x.to_string(),
        (None, None) => "?".to_string(),
    }
}

/// A subscription as the browser gave it, checked: the service is allowed, the key is a
/// P-256 point and the secret 16 bytes.
pub struct Subscription {
    endpoint: String,
    p256dh: String,
    auth: String,
}

impl Subscription {
    pub fn parse(endpoint: &str, p256dh: &str, auth: &str, services: &[String]) -> Result<Subscription, AppError> {
        let endpoint = endpoint.trim();
        if endpoint.len() > 1000 || !allowed_endpoint(endpoint, services) {
            return Err(AppError::invalid("endpoint", T::ErrPushService));
        }
        let key_ok = decode(p256dh).is_some_and(|k| web_push_native::p256::PublicKey::from_sec1_bytes(&k).is_ok());
        let auth_ok = decode(auth).is_some_and(|a| a.len() == 16);
        if !key_ok || !auth_ok {
            return Err(AppError::invalid("endpoint", T::ErrPushSubscription));
        }
        Ok(Subscription {
            endpoint: endpoint.to_string(),
            p256dh: p256dh.trim().to_string(),
            auth: auth.trim().to_string(),
        })
    }
}

/// Browsers send base64url, with or without padding.
fn decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim().trim_end_matches('=')).ok()
}

/// Devices an account may keep at once; the oldest goes when one more subscribes.
const MAX_DEVICES: i64 = 10;

/// Stores the subscription for `user`. The same browser subscribing again (or after another
/// account logged in on it) keeps one row, now the latest account's.
pub async fn subscribe(store: &Store, user: i64, s: Subscription, device: &str) -> Result<(), AppError> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
         p256dh = excluded.p256dh, auth = excluded.auth, device = excluded.device, created_at = excluded.created_at",
    )
    .bind(user)
    .bind(&s.endpoint)
    .bind(&s.p256dh)
    .bind(&s.auth)
    .bind(device)
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(user)
    .bind(MAX_DEVICES)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account's devices: (id, label, since).
pub async fn devices(store: &Store, user: i64) -> Result<Vec<(i64, String, i64)>, AppError> {
    Ok(sqlx::query_as("SELECT id, device, created_at FROM push_subscriptions WHERE user_id = $1 ORDER BY id DESC")
        .bind(user)
        .fetch_all(store.pool())
        .await?)
}

/// Removes one of the account's own devices (another account's is not found).
pub async fn remove(store: &Store, user: i64, id: i64) -> Result<(), AppError> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(store.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Of these accounts, those with a device.
pub async fn with_device(tx: &mut Tx, users: &[i64]) -> Result<Vec<i64>, AppError> {
    let mut out = Vec::new();
    for chunk in users.chunks(400) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT DISTINCT user_id FROM push_subscriptions WHERE user_id IN ({})", marks.join(", "));
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// What pushing to an account's devices came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// At least one device took it.
    Delivered,
    /// The account has no device.
    NoDevice,
    /// Every device is gone: their subscriptions were dropped.
    Gone,
    /// Nothing took it and trying again will not help.
    Refused(String),
    /// Nothing took it yet: try again later.
    Later(String),
}

/// Sends `payload` (JSON the service worker shows) to each of the account's devices.
/// Expired subscriptions (404/410) are dropped on the way.
pub async fn send(store: &Store, user: i64, payload: &[u8], contact: &str) -> Result<Pushed, AppError> {
    let keys = keys(store).await?;
    let subs: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1")
            .bind(user)
            .fetch_all(store.pool())
            .await?;
    let (mut delivered, mut later, mut refused, mut gone) = (false, None, None, false);
    for (id, endpoint, p256dh, auth) in subs {
        let built = (|| {
            let key = web_push_native::p256::PublicKey::from_sec1_bytes(&decode(&p256dh)?).ok()?;
            let auth = decode(&auth).filter(|a| a.len() == 16)?;
            let builder = web_push_native::WebPushBuilder::new(
                endpoint.parse().ok()?,
                key,
                web_push_native::Auth::clone_from_slice(&auth),
            )
            .with_valid_duration(std::time::Duration::from_secs(24 * 3600));
            builder.with_vapid(&keys.pair, contact).build(payload.to_vec()).ok()
        })();
        let Some(request) = built else {
            // Stored subscriptions were checked when made: this one cannot be used.
            refused = Some("subscription unusable".to_string());
            continue;
        };
        let (parts, body) = request.into_parts();
        let answer =
            crate::verify::gateway::client().post(parts.uri.to_string()).headers(parts.headers).body(body).send().await;
        let status = match answer {
            Ok(r) => r.status().as_u16(),
            Err(e) => {
                later = Some(if e.is_timeout() { "push service timed out" } else { "push service unreachable" }.into());
                continue;
            }
        };
        match push_answer(status) {
            PushAnswer::Delivered => {
                delivered = true;
                sqlx::query("UPDATE push_subscriptions SET last_ok_at = $1 WHERE id = $2")
                    .bind(Millis::now())
                    .bind(id)
                    .execute(store.pool())
                    .await?;
            }
            PushAnswer::Gone => {
                gone = true;
                sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(id).execute(store.pool()).await?;
            }
            PushAnswer::Refused => refused = Some(format!("push service refused ({status})")),
            PushAnswer::Later => later = Some(format!("push service answered {status}")),
        }
    }
    Ok(match (delivered, later, refused) {
        (true, _, _) => Pushed::Delivered,
        (false, Some(why), _) => Pushed::Later(why),
        (false, None, Some(why)) => Pushed::Refused(why),
        (false, None, None) if gone => Pushed::Gone,
        (false, None, None) => Pushed::NoDevice,
    })
}

/// An account's deletion: its devices.
pub async fn forget(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1").bind(user).execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_push_services() {
        let allowed: Vec<String> = ["https://fcm.googleapis.com", "https://*.push.apple.com", "http://127.0.0.1:4000"]
            .map(String::from)
            .into();
        assert!(allowed_endpoint("https://fcm.googleapis.com/fcm/send/abc", &allowed));
        assert!(allowed_endpoint("https://web.push.apple.com/QGx", &allowed));
        assert!(allowed_endpoint("http://127.0.0.1:4000/push/1", &allowed));
        assert!(!allowed_endpoint("http://fcm.googleapis.com/fcm/send/abc", &allowed), "scheme counts");
        assert!(!allowed_endpoint("https://fcm.googleapis.com.evil.cn/x", &allowed));
        assert!(!allowed_endpoint("https://push.apple.com/x", &allowed), "the wildcard is for subdomains");
        assert!(!allowed_endpoint("http://127.0.0.1:4001/push/1", &allowed), "port counts");
        assert!(!allowed_endpoint("http://10.0.0.5/admin", &allowed));
        assert!(!allowed_endpoint("not a url", &allowed));
    }

    #[test]
    fn device_labels() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
        assert_eq!(device_label(android), "Android · Chrome");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(iphone), "iPhone · Safari");
        assert_eq!(device_label(""), "?");
    }
}
