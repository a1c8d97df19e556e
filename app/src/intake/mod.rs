//! Smart intake (issue 17): residents do not know the station's affair names. What they
//! write is segmented (jieba with the domain's words, synonyms, pinyin for typos and Latin
//! letters) and ranked against each affair's text and the demands lately filed under it
//! (BM25), so the post form can suggest the likely affairs, with why, and a post that chose
//! none is filed under the best match.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(all(test, feature = "ssr"))]
mod eval;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod segment;
#[cfg(feature = "ssr")]
pub mod server;
pub mod similar;
pub mod words;
#[cfg(feature = "ssr")]
pub mod words_server;

/// An affair suggested for a text; the GET endpoint's JSON shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffairSuggestion {
    pub code: String,
    pub name: String,
    pub score: f64,
    /// The resident's words that matched, the strongest first ("匹配：楼道、灯").
    pub why: Vec<String>,
}

/// The likely affairs for what the signed-in resident is writing, in their community.
#[server(endpoint = "intake/suggest")]
pub async fn suggest_affairs(text: String) -> Result<Vec<AffairSuggestion>, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    // Longer drafts are ranked by their first `MAX_QUERY` characters (the post form's
    // description may be longer); the request body itself is bounded like every form's.
    Ok(server::as_suggestions(server::suggest(&store, user.region_id, &text, 3).await?))
}
