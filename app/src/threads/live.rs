//! The live part of a thread page. The server renders the comments and counts; while the
//! page is open an EventSource says when the thread changed, and the island fetches the
//! page again and swaps in the new comments and counts (rendered by the same server code, so
//! the wasm stays small). It never swaps away what someone is typing: then it offers a button.

use crate::i18n::{Lang, T};
use leptos::prelude::*;

/// The id of the element whose content is refreshed.
pub const LIVE_REGION: &str = "thread-live";

#[island]
pub fn LiveThread(thread_id: i64, lang: Lang, children: Children) -> impl IntoView {
    let changed = RwSignal::new(false);
    let pending = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    listen(thread_id, changed, pending);
    #[cfg(not(feature = "hydrate"))]
    let _ = thread_id;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        crate::form::enhance::submit(ev, lang);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let show = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(refresh(changed, pending, true));
    };
    view! {
        <div class="live-thread" on:submit=on_submit>
            <p class="live-status" role="status" aria-live="polite">
                {move || changed.get().then(|| view! { <span class="tag live-tag">{lang.t(T::UpdatedLive)}</span> })}
                {move || pending.get().then(|| view! {
                    <button type="button" class="button secondary small" on:click=show>{lang.t(T::NewActivityShow)}</button>
                })}
            </p>
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn listen(thread_id: i64, changed: RwSignal<bool>, pending: RwSignal<bool>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new(&format!("/live/threads/{thread_id}")) else { return };
    let on_changed = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_e: web_sys::MessageEvent| {
        leptos::task::spawn_local(refresh(changed, pending, false));
    });
    let _ = source.add_event_listener_with_callback("changed", on_changed.as_ref().unchecked_ref());
    on_changed.forget();
    std::mem::forget(source);
}

/// Is the reader in the middle of writing inside the live region?
#[cfg(feature = "hydrate")]
fn typing(region: &web_sys::Element) -> bool {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return false };
    if doc.active_element().is_some_and(|a| region.contains(Some(&a)) && a.tag_name().eq_ignore_ascii_case("textarea"))
    {
        return true;
    }
    let Ok(list) = region.query_selector_all("textarea") else { return false };
    (0..list.length())
        .filter_map(|i| list.item(i))
        // Changed from what the page came with (an edit box starts with the comment in it).
        .any(|n| {
            n.dyn_into::<web_sys::HtmlTextAreaElement>()
                .map(|t| t.value() != t.default_value().unwrap_or_default())
                .unwrap_or(false)
        })
}

#[cfg(feature = "hydrate")]
async fn refresh(changed: RwSignal<bool>, pending: RwSignal<bool>, forced: bool) {
    let Some(window) = web_sys::window() else { return };
    let Some(doc) = window.document() else { return };
    let Some(region) = doc.get_element_by_id(LIVE_REGION) else { return };
    if !forced && typing(&region) {
        pending.set(true);
        return;
    }
    let Ok(path) = window.location().pathname() else { return };
    let Ok(resp) = gloo_net::http::Request::get(&path).send().await else { return };
    if !resp.ok() {
        return;
    }
    let Ok(html) = resp.text().await else { return };
    let Ok(parser) = web_sys::DomParser::new() else { return };
    let Ok(fresh) = parser.parse_from_string(&html, web_sys::SupportedType::TextHtml) else { return };
    // Our own server-rendered markup, in which every user-written text is escaped.
    if let Some(new_region) = fresh.get_element_by_id(LIVE_REGION) {
        region.set_inner_html(&new_region.inner_html());
        pending.set(false);
        changed.set(true);
    }
}

/// `GET /live/threads/{id}`: a stream of `changed` events for whoever may read the thread.
#[cfg(feature = "ssr")]
pub async fn sse(
    axum::extract::State(store): axum::extract::State<crate::store::Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return axum::http::StatusCode::UNAUTHORIZED.into_response() };
    if !super::server::may_read(&store, &user, id).await.unwrap_or(false) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    crate::live::changes(format!("thread:{id}"))
}
