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

/// Set once when the server begins to stop: every open stream ends (the browser's
/// EventSource reconnects, to another instance behind the proxy or to this one restarted),
/// so a draining server is not held open by pages nobody will close.
fn stopping() -> &'static tokio::sync::watch::Sender<bool> {
    static STOP: OnceLock<tokio::sync::watch::Sender<bool>> = OnceLock::new();
    STOP.get_or_init(|| tokio::sync::watch::channel(false).0)
}

/// Ends every open stream of this process (on SIGTERM).
pub fn end_all_streams() {
    stopping().send_replace(true);
}

/// Streams open on this instance (for `/metrics`).
pub fn open_stream_count() -> usize {
    open_streams().lock().unwrap_or_else(|e| e.into_inner()).values().sum()
}

/// Open streams a signed-in account may hold on one instance (a few tabs; more is a leak
/// or abuse, and each holds a connection).
pub const STREAMS_PER_USER: usize = 6;

/// This instance's count of one account's open streams: a place is taken when a stream
/// opens and given back when it ends, however it ends.
struct Place(i64);

impl Place {
    fn take(user: i64) -> Option<Place> {
        let mut open = open_streams().lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(user).or_insert(0);
        if *n >= STREAMS_PER_USER {
            return None;
        }
        *n += 1;
        Some(Place(user))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = open_streams().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.0) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.0);
            }
        }
    }
}

fn open_streams() -> &'static std::sync::Mutex<std::collections::HashMap<i64, usize>> {
    static OPEN: OnceLock<std::sync::Mutex<std::collections::HashMap<i64, usize>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
}

/// An event stream for `user` that says `changed` whenever `key` changes, for as long as
/// the page is open and `allowed` still says yes: access is checked again at each change
/// (a demand made private, a thread hidden), and the stream ends with `ended` when it no
/// longer holds. At most [`STREAMS_PER_USER`] at once per account (429 beyond).
pub fn changes<F, Fut>(key: String, user: i64, allowed: F) -> Response
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let Some(place) = Place::take(user) else {
        return (axum::http::StatusCode::TOO_MANY_REQUESTS, [(axum::http::header::RETRY_AFTER, "30")]).into_response();
    };
    let mut stop = stopping().subscribe();
    let mut rx = local().subscribe();
    let id = key.rsplit(':').next().unwrap_or("").to_string();
    let stream = async_stream::stream! {
        let _place = place;
        yield Ok::<Event, std::convert::Infallible>(Event::default().event("ready").data(id.to_string()));
        loop {
            let received = tokio::select! {
                r = rx.recv() => r,
                // A clean end with a retry hint: the EventSource reconnects by itself (an
                // error status would make it give up).
                _ = async { stop.wait_for(|s| *s).await.is_ok() } => {
                    yield Ok(Event::default().retry(Duration::from_secs(3)).comment("server stopping"));
                    break;
                }
            };
            let changed = match received {
                Ok(changed) => changed == key,
                // Missed some: tell the page to refresh anyway.
                Err(broadcast::error::RecvError::Lagged(_)) => true,
                Err(broadcast::error::RecvError::Closed) => break,
            };
            if !changed {
                continue;
            }
            if !allowed().await {
                yield Ok(Event::default().event("ended").data(id.to_string()));
                break;
            }
            yield Ok(Event::default().event("changed").data(id.to_string()));
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))).into_response()
}
