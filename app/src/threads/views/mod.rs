//! Pages: the community's threads (`/threads`), one thread (`/threads/{id}`) and the
//! station's moderation desk (`/station/threads`). Everything renders on the server and works
//! as plain forms; the live region and form enhancement are islands.

use super::live::LIVE_REGION;
use super::*;
use crate::form::live::{LiveRegion, LiveTexts};
use crate::form::{load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::Lang;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use crate::work::state_label;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

pub mod desk;
pub mod list;
pub mod meetings;
pub mod thread;

pub use desk::ModerationPage;
pub use list::{ThreadLineView, ThreadsPage};
pub use thread::ThreadPage;

/// A body as text with clickable web links; nothing else is markup.
#[component]
pub(super) fn Body(pieces: Vec<Piece>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.into_any(),
            Piece::Break => view! { <br /> }.into_any(),
            Piece::Link(href) => {
                let text = href.clone();
                view! { <a href=href rel="nofollow noopener noreferrer ugc" target="_blank">{text}</a> }.into_any()
            }
        })
        .collect_view()
}

pub(super) fn hidden_text(h: Hidden, lang: Lang) -> &'static str {
    lang.t(match h {
        Hidden::PendingReview => T::HiddenPendingReview,
        Hidden::ByModerator => T::HiddenByModerator,
    })
}
