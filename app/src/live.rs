//! Live updates: when something changes (a work item, a thread), open pages of it hear
//! about it. Within one process through a broadcast channel; across server instances on
//! PostgreSQL through LISTEN/NOTIFY (every instance listens and feeds its own channel). The
//! browser listens with an EventSource; each feature's stream route checks access.

use crate::store::{Backend, Store};
use axum::response::{
    sse::{Event, KeepAlive, Sse},
    IntoResponse, Response,
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

/// Tells every instance that what `key` names changed. Called after the change is
/// committed; a failure only delays the page until its next event.
pub async fn publish(store: &Store, key: String) {
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
