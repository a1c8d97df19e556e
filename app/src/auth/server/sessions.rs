//! Sessions in the database (several instances share them), the per-request viewer and the guards every server function calls.

use super::*;

pub const SESSION_COOKIE: &str = "mc_session";

/// Starts a session for `user_id`, stores its hash and sets the cookie. A fresh token at
/// every login (no session fixation).
pub async fn start_session(store: &Store, user_id: i64) -> Result<(), AppError> {
    open_session(store, user_id, false).await.map(|_| ())
}

/// [`start_session`], or (`pending`) a staff login's session waiting for its second factor.
pub(super) async fn open_session(store: &Store, user_id: i64, pending: bool) -> Result<String, AppError> {
    let token = new_token();
    let now = Millis::now();
    let user_agent: Option<String> =
        request::header(axum::http::header::USER_AGENT).map(|ua| ua.chars().take(200).collect());
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, user_agent, ip, pending_second_factor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(sha256_hex(&token))
    .bind(user_id)
    .bind(now)
    .bind(now)
    .bind(user_agent)
    .bind(request::client_ip())
    .bind(i64::from(pending))
    .execute(store.pool())
    .await?;
    let max_age = request::config().session_absolute_minutes * 60;
    request::set_cookie(request::build_cookie(SESSION_COOKIE, token.clone(), max_age));
    Ok(token)
}

/// Ends the current session (if any) and clears the cookie.
pub async fn end_session(store: &Store) -> Result<(), AppError> {
    if let Some(token) = request::cookie(SESSION_COOKIE) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(&token))
            .execute(store.pool())
            .await?;
    }
    request::set_cookie(request::build_cookie(SESSION_COOKIE, String::new(), 0));
    Ok(())
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id: i64,
    role: String,
    display_name: String,
    phone: String,
    region_id: i64,
    department_id: Option<i64>,
    created_at: i64,
    last_seen_at: i64,
}

/// Looks up the session a cookie token names; expired sessions are deleted on sight.
pub async fn session_user(store: &Store, config: &AppConfig, token: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    let hash = sha256_hex(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id, u.role, u.display_name, u.phone, u.region_id, u.department_id, s.created_at, s.last_seen_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND u.disabled_at IS NULL AND u.password_hash IS NOT NULL \
         AND s.pending_second_factor = 0",
    )
    .bind(&hash)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = Millis::now().0;
    let alive = session_alive(
        row.created_at,
        row.last_seen_at,
        now,
        config.session_idle_minutes * 60_000,
        config.session_absolute_minutes * 60_000,
    );
    if !alive {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(store.pool()).await?;
        return Ok(None);
    }
    // Sliding idle timeout, written at most once a minute per session.
    if now - row.last_seen_at > 60_000 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(store.pool())
            .await?;
    }
    let Some(role) = Role::parse(&row.role) else {
        return Ok(None);
    };
    Ok(Some(SessionUser {
        id: row.id,
        role,
        display_name: row.display_name,
        phone: row.phone,
        region_id: row.region_id,
        department_id: row.department_id,
    }))
}

/// Who is asking: resolved once per request from the session cookie by [`resolve_viewer`]
/// and kept in the request's extensions.
#[derive(Clone, Debug, Default)]
pub struct Viewer(pub Option<SessionUser>);

/// The signed-in account, if any.
pub fn viewer() -> Option<SessionUser> {
    crate::request::parts().and_then(|p| p.extensions.get::<Viewer>().and_then(|v| v.0.clone()))
}

/// Axum middleware: resolves the session cookie once per request into a [`Viewer`] in the
/// request's extensions, where pages and server functions find it.
pub async fn resolve_viewer(
    axum::extract::State((store, config)): axum::extract::State<(Store, AppConfig)>,
    mut req: Request,
    next: Next,
) -> Response {
    let token = req
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let user = match token {
        Some(t) => session_user(&store, &config, &t).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "session lookup failed");
            None
        }),
        None => None,
    };
    let account = user.as_ref().map(|u| crate::request::AccountId(u.id));
    req.extensions_mut().insert(Viewer(user));
    let mut response = next.run(req).await;
    // For the access log: the account id, never the phone.
    if let Some(account) = account {
        response.extensions_mut().insert(account);
    }
    response
}

/// The signed-in account, or 401.
pub fn require_user() -> Result<SessionUser, AppError> {
    viewer().ok_or(AppError::Unauthenticated)
}

/// A staff account (any role but resident), or 401/403.
pub fn require_staff() -> Result<SessionUser, AppError> {
    let user = require_user()?;
    if user.scope().may_enter_station() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Job: sessions past their idle or absolute limit (a session is also refused on sight;
/// this keeps the table from holding every login ever made).
pub async fn purge_sessions(store: &Store, config: &AppConfig, now: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(now - config.session_idle_minutes * 60_000)
        .bind(now - config.session_absolute_minutes * 60_000)
        .execute(store.pool())
        .await?;
    Ok(())
}
