//! Search (issue 17): residents find their community's shown demands and threads (and their
//! own demands), staff every case in their remit, closed ones included, by words in Chinese.
//! The words are the segmenter's, stored beside each text when it is written (`tokens`) and
//! indexed by each database (FTS5 on SQLite, a GIN-indexed `tsvector` on PostgreSQL) in the
//! same transaction; a search asks for each word it was given through its synonyms and
//! pinyin, so 低保 finds 最低生活保障 and "dianti" finds 电梯.

use crate::community::BuildingOption;
use crate::demands::DemandLine;
use crate::error::AppError;
use crate::i18n::Named;
use crate::threads::ThreadLine;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

use rules::Kind;

/// A page of what a search found, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub kind: Kind,
    pub demands: Vec<DemandLine>,
    pub threads: Vec<ThreadLine>,
    pub next: Option<String>,
    /// Found by any of the words, not all of them together.
    pub any: bool,
}

impl Default for Found {
    fn default() -> Self {
        Found { kind: Kind::Demands, demands: Vec::new(), threads: Vec::new(), next: None, any: false }
    }
}

/// What the filters offer the searcher.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Affairs by code.
    pub affairs: Vec<(String, Named)>,
    pub buildings: Vec<BuildingOption>,
    pub staff: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub found: Found,
    pub options: SearchOptions,
}

/// Searches what the signed-in account may see. Every filter is checked (a bad one is a
/// 400); an empty query finds nothing.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "search/find")]
pub async fn find(
    q: String,
    kind: Option<String>,
    state: Option<String>,
    affair: Option<String>,
    building: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
    any: Option<String>,
) -> Result<SearchResults, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let filters = rules::Filters::parse(&rules::RawFilters {
        kind: kind.as_deref().unwrap_or(""),
        state: state.as_deref().unwrap_or(""),
        affair: affair.as_deref().unwrap_or(""),
        building: building.as_deref().unwrap_or(""),
        from: from.as_deref().unwrap_or(""),
        to: to.as_deref().unwrap_or(""),
    })?;
    let before = crate::paging::Cursor::from_arg(before)?;
    let any = matches!(any.as_deref(), Some("1"));
    let found = server::search(&store, &user, &q, &filters, before, any).await?;
    let options = server::options(&store, &user).await?;
    Ok(SearchResults { found, options })
}
