//! Every feature's own axum routes (event streams, calendar files, CSV exports, photos),
//! merged for the server. Open311 has its own (no session, its own body limit).

use crate::photos::server::Access;
use crate::photos::Owner;
use crate::request::AppState;
use crate::store::Store;
use axum::Router;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::work::routes())
        .merge(crate::threads::routes())
        .merge(crate::appointments::routes())
        .merge(crate::dashboard::routes())
        .merge(crate::surveys::routes())
        .merge(crate::privacy::routes())
        .merge(crate::notices::attachments::routes())
        .merge(crate::intake::server::routes())
        .merge(crate::photos::server::routes(photo_access()))
}

/// A demand's photos are for whoever may see the demand; a thread's for whoever may read
/// the thread; a notice's for whoever may read the notice.
fn photo_access() -> Access {
    Access(Arc::new(|store: Store, user, owner| {
        Box::pin(async move {
            match owner {
                Owner::Demand(d) => crate::work::server::may_see(&store, &user, d).await,
                Owner::Thread(t) => crate::threads::server::may_read(&store, &user, t).await.unwrap_or(false),
                Owner::Notice(n) => crate::notices::server::may_read(&store, &user, n).await.unwrap_or(false),
            }
        })
    }))
}
