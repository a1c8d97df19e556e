//! Suggestions as a person types (smart intake). A textarea with `data-suggest` (the path of
//! a server function taking `text`, such as `intake/suggest`: a POST, so a draft never lands
//! in a URL, a proxy log or the history) asks it once the typing pauses and shows the
//! answers (`[{"code", "why"}]`) in the element
//! named by `data-suggest-list`, as buttons that choose the option of the same code in the
//! select named by `data-suggest-select`. The names are the select's own options (already
//! in the page's language, and only what the form offers); the "why" words come from the
//! answer, after the list's `data-why`; the list's `data-label` heads it. Nothing here is
//! needed: without it the server chooses from the words.

use std::cell::Cell;
use wasm_bindgen::JsCast;
use web_sys::js_sys::{self, Reflect};

/// What this needs of an answer (the server function's JSON has more).
#[derive(serde::Deserialize)]
struct Suggestion {
    code: String,
    #[serde(default)]
    why: Vec<String>,
}
use web_sys::{Document, Element, HtmlTextAreaElement};

thread_local! {
    /// The latest keystroke's number: an answer to an earlier text is dropped.
    static LATEST: Cell<u32> = const { Cell::new(0) };
}

/// A shorter text suggests nothing.
const MIN_CHARS: usize = 4;
/// Ask once the typing has paused this long.
const PAUSE: std::time::Duration = std::time::Duration::from_millis(350);
const SHOWN: u32 = 3;

/// An `input` event in the form: a textarea that asks for suggestions asks, after a pause.
pub fn typed(ev: web_sys::Event) {
    let Some(area) = ev.target().and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok()) else { return };
    let Some(url) = area.get_attribute("data-suggest").filter(|u| u.starts_with("/api/")) else { return };
    let n = LATEST.with(|l| {
        l.set(l.get().wrapping_add(1));
        l.get()
    });
    leptos::prelude::set_timeout(
        move || {
            if LATEST.with(Cell::get) == n {
                leptos::task::spawn_local(ask(area, url, n));
            }
        },
        PAUSE,
    );
}

async fn ask(area: HtmlTextAreaElement, url: String, n: u32) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let by_id = |attr: &str| area.get_attribute(attr).and_then(|id| doc.get_element_by_id(&id));
    let list = by_id("data-suggest-list");
    let select = by_id("data-suggest-select");
    let (Some(list), Some(select)) = (list, select) else { return };
    let text = area.value();
    if text.trim().chars().count() < MIN_CHARS {
        clear(&list);
        return;
    }
    // The server ranks the first 500 characters only.
    let text: String = text.chars().take(500).collect();
    let body = format!("text={}", String::from(js_sys::encode_uri_component(&text)));
    let Some(resp) = post_form(&url, body).await else { return };
    let Ok(items) = resp.json::<Vec<Suggestion>>().await else { return };
    if LATEST.with(Cell::get) != n {
        return;
    }
    show(&doc, &list, &select, &items);
}

fn clear(list: &Element) {
    list.set_inner_html("");
    let _ = list.set_attribute("hidden", "");
}

/// A select's value, read and set as the DOM property (no web-sys feature of its own: a new
/// feature would rebuild the server's Leptos too).
fn value_of(select: &Element) -> String {
    Reflect::get(select, &"value".into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

/// The option of the select with this value.
fn option(select: &Element, value: &str) -> Option<Element> {
    let options = select.query_selector_all("option").ok()?;
    (0..options.length())
        .filter_map(|i| options.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .find(|o| o.get_attribute("value").as_deref() == Some(value))
}

fn show(doc: &Document, list: &Element, select: &Element, items: &[Suggestion]) {
    clear(list);
    let why_label = list.get_attribute("data-why").unwrap_or_default();
    let chosen = value_of(select);
    let mut shown = 0;
    for item in items {
        let code = &item.code;
        let Some(name) = option(select, code).and_then(|o| o.text_content()) else { continue };
        let why = &item.why;
        let (Ok(button), Ok(title)) = (doc.create_element("button"), doc.create_element("span")) else { return };
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("class", "button secondary small suggest-chip");
        let _ = button.set_attribute("data-affair", code);
        let _ = button.set_attribute("aria-pressed", if chosen == *code { "true" } else { "false" });
        title.set_text_content(Some(&name));
        let _ = button.append_child(&title);
        if !why.is_empty() {
            if let Ok(words) = doc.create_element("span") {
                let _ = words.set_attribute("class", "why");
                words.set_text_content(Some(&format!("{why_label}{}", why.join("、"))));
                let _ = button.append_child(&words);
            }
        }
        let _ = list.append_child(&button);
        shown += 1;
        if shown == SHOWN {
            break;
        }
    }
    if shown == 0 {
        return;
    }
    if let Ok(head) = doc.create_element("p") {
        let _ = head.set_attribute("class", "label");
        head.set_text_content(list.get_attribute("data-label").as_deref());
        let _ = list.insert_before(&head, list.first_child().as_ref());
    }
    let _ = list.remove_attribute("hidden");
}

/// A `click` in the form: a suggestion chooses its affair in the select.
pub fn chose(ev: web_sys::Event) {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let Some(button) = target.closest("[data-affair]").ok().flatten() else { return };
    let Some(list) = button.parent_element() else { return };
    let Some(code) = button.get_attribute("data-affair") else { return };
    let doc = button.owner_document();
    let select = list.get_attribute("data-for").and_then(|id| doc.and_then(|d| d.get_element_by_id(&id)));
    let Some(select) = select else { return };
    let _ = Reflect::set(&select, &"value".into(), &code.as_str().into());
    if let Ok(chips) = list.query_selector_all("[data-affair]") {
        for i in 0..chips.length() {
            if let Some(chip) = chips.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let pressed = chip.get_attribute("data-affair").as_deref() == Some(code.as_str());
                let _ = chip.set_attribute("aria-pressed", if pressed { "true" } else { "false" });
            }
        }
    }
}

/// POSTs an urlencoded body to a server function, asking for JSON: the answer if it is a
/// success (a network error or an error status: none, and the form works as without this).
pub(super) async fn post_form(url: &str, body: String) -> Option<gloo_net::http::Response> {
    let request = gloo_net::http::Request::post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body)
        .ok()?;
    request.send().await.ok().filter(|r| r.ok())
}
