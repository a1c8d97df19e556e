//! The live stream of one work item: `GET /live/items/{id}` says `changed` whenever the item
//! changes, for whoever may see it (the channel itself is [`crate::live`]).

use crate::auth::server::Viewer;
use crate::store::Store;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    Extension,
};

/// `GET /live/items/{id}`: a stream of `changed` events for one item, for whoever may see it.
pub async fn sse(State(store): State<Store>, Extension(viewer): Extension<Viewer>, Path(id): Path<i64>) -> Response {
    let Some(user) = viewer.0 else { return axum::http::StatusCode::UNAUTHORIZED.into_response() };
    let viewer_id = user.id;
    let may_see = move || {
        let (store, user) = (store.clone(), user.clone());
        async move {
            match super::server::load_item(&store, id).await {
                Ok(Some(item)) => {
                    matches!(super::server::relation(&store, &user, &item).await, Ok(r) if r != super::server::Relation::None)
                }
                _ => false,
            }
        }
    };
    if !may_see().await {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let user = viewer_id;
    crate::live::changes(format!("item:{id}"), user, may_see)
}
