//! The live part of a thread page: the comments and counts, in a live region
//! ([`crate::form::live::LiveRegion`]) fed by this stream.

/// The id of the element whose content is refreshed (see [`crate::form::live`]).
pub const LIVE_REGION: &str = "thread-live";

/// `GET /live/threads/{id}`: a stream of `changed` events for whoever may read the thread.
#[cfg(feature = "ssr")]
pub async fn sse(
    axum::extract::State(store): axum::extract::State<crate::store::Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return axum::http::StatusCode::UNAUTHORIZED.into_response() };
    let user_id = user.id;
    let may_read = move || {
        let (store, user) = (store.clone(), user.clone());
        async move { super::server::may_read(&store, &user, id).await.unwrap_or(false) }
    };
    if !may_read().await {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    crate::live::changes(format!("thread:{id}"), user_id, may_read)
}
