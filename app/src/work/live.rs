//! Live updates: when a work item changes, open pages of it hear about it. Within one
//! process through a broadcast channel; across server instances on PostgreSQL through
//! LISTEN/NOTIFY (every instance listens and feeds its own channel). The browser listens
//! with an EventSource on `/live/items/{id}`.

use crate::request::Viewer;
use crate::store::{Backend, Store};
use axum::{
    extract::{Path, State},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension,
};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::broadcast;

const CHANNEL: &str = "mc_work_items";

/// What changed, as a key: `item:{id}` for a work item, `thread:{id}` for a thread.
fn local() -> &'static broadcast::Sender<String> {
    static TX: OnceLock<broadcast::Sender<String>> = OnceLock::new();
    TX.get_or_init(|| broadcast::channel(1024).0)
}

/// Tells every open page of item `id` (in every instance) that it changed. Called after
/// the change is committed; a failure only delays the page until its next event.
pub async fn publish(store: &Store, id: i64) {
    publish_key(store, format!("item:{id}")).await
}

/// Tells every instance that what `key` names changed.
pub async fn publish_key(store: &Store, key: String) {
    match store.backend() {
        Backend::Sqlite => {
            let _ = local().send(key);
        }
        Backend::Postgres => {
            if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&key).execute(store.pool()).await
            {
                tracing::warn!(error = %e, "pg_notify failed");
            }
        }
    }
}

/// On PostgreSQL: listens for other instances' (and our own) notifications for as long as
/// the process runs, reconnecting after a failure.
pub fn start_listener(database_url: String) {
    tokio::spawn(async move {
        loop {
            match sqlx::postgres::PgListener::connect(&database_url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(CHANNEL).await {
                        tracing::warn!(error = %e, "LISTEN failed");
                    } else {
                        loop {
                            match listener.recv().await {
                                Ok(n) => {
                                    let _ = local().send(n.payload().to_string());
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "LISTEN connection lost");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot connect the listener"),
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}

/// `GET /live/items/{id}`: a stream of `changed` events for one item, for whoever may see it.
pub async fn sse(State(store): State<Store>, Extension(viewer): Extension<Viewer>, Path(id): Path<i64>) -> Response {
    let Some(user) = viewer.0 else { return axum::http::StatusCode::UNAUTHORIZED.into_response() };
    let allowed = match super::server::load_item(&store, id).await {
        Ok(Some(item)) => {
            matches!(super::server::relation(&store, &user, &item).await, Ok(r) if r != super::server::Relation::None)
        }
        _ => false,
    };
    if !allowed {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    changes(format!("item:{id}"))
}

/// An event stream that says `changed` whenever `key` changes, for as long as the page is open.
pub fn changes(key: String) -> Response {
    let mut rx = local().subscribe();
    let id = key.rsplit(':').next().unwrap_or("").to_string();
    let stream = async_stream::stream! {
        yield Ok::<Event, std::convert::Infallible>(Event::default().event("ready").data(id.to_string()));
        loop {
            match rx.recv().await {
                Ok(changed) if changed == key => yield Ok(Event::default().event("changed").data(id.to_string())),
                Ok(_) => {}
                // Missed some: tell the page to refresh anyway.
                Err(broadcast::error::RecvError::Lagged(_)) => yield Ok(Event::default().event("changed").data(id.to_string())),
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response()
}
