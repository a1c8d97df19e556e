//! Live parts of a page (a case's state and timeline, a thread's comments). The server
//! renders them; while the page is open an EventSource says when the thing changed, and the
//! island fetches the page again and swaps in the region's new markup (rendered by the same
//! server code, so the page's script carries no views and no string catalogue). It never
//! swaps away what someone is typing: then it offers a button. Forms inside the region are
//! enhanced by the island itself, so they still are after a swap.

use super::ScriptTexts;
use leptos::prelude::*;

/// What the live status line says, translated on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveTexts {
    /// "Updated just now".
    pub updated: String,
    /// "New activity: show it" (while the reader is typing).
    pub show_new: String,
    pub form: ScriptTexts,
}

impl LiveTexts {
    pub fn new(lang: crate::i18n::Lang) -> LiveTexts {
        use crate::i18n::T;
        LiveTexts {
            updated: lang.t(T::UpdatedLive).into(),
            show_new: lang.t(T::NewActivityShow).into(),
            form: ScriptTexts::new(lang),
        }
    }
}

/// `stream`: the EventSource's URL; `region`: the id of the element (inside `children`)
/// whose content is refreshed.
#[island]
pub fn LiveRegion(stream: String, region: String, texts: LiveTexts, children: Children) -> impl IntoView {
    let changed = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let region = StoredValue::new(region);
    #[cfg(feature = "hydrate")]
    listen(&stream, region, changed, pending);
    #[cfg(not(feature = "hydrate"))]
    let _ = (stream, region);
    let form = texts.form.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        super::enhance::submit(ev, &form);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &form);
    };
    let show = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(refresh(region.get_value(), changed, pending, true));
    };
    let LiveTexts { updated, show_new, .. } = texts;
    view! {
        <div class="live-region" on:submit=on_submit>
            <p class="live-status" role="status" aria-live="polite">
                {move || changed.get().then(|| view! { <span class="tag live-tag">{updated.clone()}</span> })}
                {move || pending.get().then(|| view! {
                    <button type="button" class="button secondary small" on:click=show>{show_new.clone()}</button>
                })}
            </p>
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn listen(stream: &str, region: StoredValue<String>, changed: RwSignal<bool>, pending: RwSignal<bool>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new(stream) else { return };
    let on_changed = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_e: web_sys::MessageEvent| {
        leptos::task::spawn_local(refresh(region.get_value(), changed, pending, false));
    });
    let _ = source.add_event_listener_with_callback("changed", on_changed.as_ref().unchecked_ref());
    // The page owns the stream for as long as it is open.
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
async fn refresh(id: String, changed: RwSignal<bool>, pending: RwSignal<bool>, forced: bool) {
    let Some(window) = web_sys::window() else { return };
    let Some(doc) = window.document() else { return };
    let Some(region) = doc.get_element_by_id(&id) else { return };
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
    if let Some(new_region) = fresh.get_element_by_id(&id) {
        region.set_inner_html(&new_region.inner_html());
        pending.set(false);
        changed.set(true);
    }
}
