//! Lists that grow with history are read a page at a time, by key: a page starts below the
//! last line of the page before (`?before=KEY`), so a page costs one index range however
//! long the history, and lines added meanwhile never shift or repeat a page (no OFFSET).
//! The board keeps its own cursor (open items go by deadline); every other list uses this.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Lines a page of a growing list shows.
pub const PAGE: usize = 50;

/// Rows a page query reads: one more than a page tells whether there is a next one.
pub const READ: i64 = PAGE as i64 + 1;

/// Where a page starts: below (`key`, `id`) in the list's order, newest first. Lists ordered
/// by id alone use the id as the key too. Written `key.id` (or `id`) in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

impl Cursor {
    /// Reads a cursor from the URL: `id` or `key.id`, integers; the id positive. Anything
    /// else is a bad request, never a guess.
    pub fn parse(raw: &str) -> Result<Cursor, AppError> {
        let int = |s: &str| s.parse::<i64>().map_err(|_| AppError::BadRequest);
        let (key, id) = match raw.split_once('.') {
            Some((k, i)) => (int(k)?, int(i)?),
            None => (int(raw)?, int(raw)?),
        };
        if id <= 0 {
            return Err(AppError::BadRequest);
        }
        Ok(Cursor { key, id })
    }

    /// The optional `before` argument of a server function.
    pub fn from_arg(raw: Option<String>) -> Result<Option<Cursor>, AppError> {
        raw.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(Cursor::parse).transpose()
    }

    /// The cursor as the URL carries it.
    pub fn text(self) -> String {
        if self.key == self.id {
            self.id.to_string()
        } else {
            format!("{}.{}", self.key, self.id)
        }
    }

    /// A cursor for lists ordered by id alone.
    pub const fn id(id: i64) -> Cursor {
        Cursor { key: id, id }
    }

    /// The bounds a query binds when there is no cursor: above every key and id.
    pub fn or_top(c: Option<Cursor>) -> Cursor {
        c.unwrap_or(Cursor { key: i64::MAX, id: i64::MAX })
    }
}

/// A page of a list, newest first, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Paged<L> {
    pub lines: Vec<L>,
    pub next: Option<String>,
}

impl<L> Default for Paged<L> {
    fn default() -> Self {
        Paged { lines: Vec::new(), next: None }
    }
}

impl<L> Paged<L> {
    /// From up to [`READ`] rows in the list's order: the extra one only says a next page
    /// exists, which starts below the last line shown.
    pub fn of(mut lines: Vec<L>, cursor: impl Fn(&L) -> Cursor) -> Paged<L> {
        let next = if lines.len() > PAGE {
            lines.truncate(PAGE);
            lines.last().map(|l| cursor(l).text())
        } else {
            None
        };
        Paged { lines, next }
    }

    pub fn map<M>(self, f: impl FnMut(L) -> M) -> Paged<M> {
        Paged { lines: self.lines.into_iter().map(f).collect(), next: self.next }
    }
}

/// The page's `before` from its URL, passed as it is to the server function (which parses
/// and checks it).
pub fn before_in_url() -> Option<String> {
    leptos_router::hooks::use_query_map().get_untracked().get("before").filter(|v| !v.is_empty())
}

/// The link to the next page: `path` (which may carry a query) with `before=`. The cursor
/// came from the server and holds digits and a dot only; anything else is dropped.
#[component]
pub fn NextPage(path: String, next: Option<String>, lang: Lang) -> impl IntoView {
    next.map(|cursor| {
        let safe: String = cursor.chars().filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
        let join = if path.contains('?') { '&' } else { '?' };
        view! {
            <a class="button secondary next-page" rel="next" href=format!("{path}{join}before={safe}")>
                {lang.t(T::NextPage)}
            </a>
        }
    })
}

/// What a list page shows when its server function failed (a bad cursor is a 400).
pub fn failed(e: AppError, lang: Lang) -> AnyView {
    // The page's status (as `request::set_page_status`; this base module imports no feature).
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(code)) =
        (use_context::<leptos_axum::ResponseOptions>(), axum::http::StatusCode::from_u16(e.status()))
    {
        res.set_status(code);
    }
    view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_they_write() {
        for c in [Cursor::id(42), Cursor { key: 1_700_000_000_000, id: 7 }, Cursor { key: -3, id: 9 }] {
            assert_eq!(Cursor::parse(&c.text()).unwrap(), c);
        }
    }

    #[test]
    fn bad_cursors_are_bad_requests() {
        for raw in ["", "x", "1.x", "0", "-5", "5.0", "1.2.3", "9999999999999999999999", " 5"] {
            assert!(Cursor::parse(raw).is_err(), "{raw}");
        }
        assert_eq!(Cursor::from_arg(Some("  ".into())).unwrap(), None);
        assert_eq!(Cursor::from_arg(None).unwrap(), None);
    }

    #[test]
    fn a_page_says_where_the_next_starts() {
        let rows: Vec<i64> = (0..READ).rev().collect();
        let p = Paged::of(rows, |&i| Cursor::id(i + 1));
        assert_eq!(p.lines.len(), PAGE);
        assert_eq!(p.next.as_deref(), Some("2"));
        let short = Paged::of(vec![3_i64, 2, 1], |&i| Cursor::id(i));
        assert_eq!(short.next, None);
    }
}
