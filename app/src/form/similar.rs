//! Neighbours' similar reports as a resident writes (duplicates, "me too"). A form with a
//! `[data-similar]` section asks that server function (a POST: `text`, `place`, `building`
//! from the form) once the description's typing pauses or the place changes, and lists the
//! answers there, each with a "me too" button that joins it (`data-join`, then on to its
//! page). Having looked, the form's `similar_checked` says so and posting goes through.
//! Without this script the server shows the list after a first try.

use std::cell::Cell;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlFormElement, HtmlInputElement};

thread_local! {
    static LATEST: Cell<u32> = const { Cell::new(0) };
}

const PAUSE: std::time::Duration = std::time::Duration::from_millis(350);

#[derive(serde::Deserialize)]
struct Similar {
    id: i64,
    excerpt: String,
    #[serde(default)]
    building: String,
    posted: String,
    state_label: String,
    joined: u32,
}

/// An `input` or `change` in the form: the description, the place or the building moved.
pub fn moved(ev: &web_sys::Event) {
    let Some(field) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let name = field.get_attribute("name").unwrap_or_default();
    if !matches!(name.as_str(), "description" | "place" | "building") {
        return;
    }
    let Some(form) = field.closest("form").ok().flatten().and_then(|f| f.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    if form.query_selector("[data-similar]").ok().flatten().is_none() {
        return;
    }
    let n = LATEST.with(|l| {
        l.set(l.get().wrapping_add(1));
        l.get()
    });
    leptos::prelude::set_timeout(
        move || {
            if LATEST.with(Cell::get) == n {
                leptos::task::spawn_local(ask(form, n));
            }
        },
        PAUSE,
    );
}

fn value(data: &web_sys::FormData, name: &str) -> String {
    data.get(name).as_string().unwrap_or_default()
}

async fn ask(form: HtmlFormElement, n: u32) {
    let Some(section) = form.query_selector("[data-similar]").ok().flatten() else { return };
    let Some(url) = section.get_attribute("data-similar") else { return };
    let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
    let Ok(params) = web_sys::UrlSearchParams::new() else { return };
    let text: String = value(&data, "description").chars().take(500).collect();
    params.append("text", &text);
    params.append("place", &value(&data, "place"));
    params.append("building", &value(&data, "building"));
    let Some(resp) = super::suggest::post_form(&url, String::from(params.to_string())).await else { return };
    let Ok(items) = resp.json::<Vec<Similar>>().await else { return };
    if LATEST.with(Cell::get) != n {
        return;
    }
    // Looked: posting now goes through (the server would otherwise show these first).
    if let Some(seen) = form
        .query_selector("input[name=similar_checked]")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
    {
        seen.set_value("1");
    }
    show(&section, &items);
}

fn show(section: &Element, items: &[Similar]) {
    let Some(doc) = section.owner_document() else { return };
    section.set_inner_html("");
    if items.is_empty() {
        let _ = section.set_attribute("hidden", "");
        return;
    }
    let attr = |name: &str| section.get_attribute(name).unwrap_or_default();
    let element = |tag: &str, class: &str, text: &str| {
        let e = doc.create_element(tag).ok()?;
        if !class.is_empty() {
            let _ = e.set_attribute("class", class);
        }
        e.set_text_content(Some(text));
        Some(e)
    };
    if let Some(title) = element("p", "label", &attr("data-title")) {
        let _ = section.append_child(&title);
    }
    let Some(list) = element("ul", "similar-list", "") else { return };
    for d in items {
        let Some(item) = element("li", "similar-item", "") else { continue };
        let mut meta = String::new();
        if !d.building.is_empty() {
            meta.push_str(&format!("{} · ", d.building));
        }
        meta.push_str(&format!("{} · {}", d.posted, d.state_label));
        if d.joined > 0 {
            meta.push_str(&format!(" · {}{}", d.joined, attr("data-joined")));
        }
        for e in [element("p", "excerpt", &d.excerpt), element("p", "muted small", &meta)].into_iter().flatten() {
            let _ = item.append_child(&e);
        }
        if let Some(button) = element("button", "button secondary small", &attr("data-me-too")) {
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("data-join-id", &d.id.to_string());
            let _ = item.append_child(&button);
        }
        let _ = list.append_child(&item);
    }
    let _ = section.append_child(&list);
    let _ = section.remove_attribute("hidden");
}

/// A click in the form: "me too" on a listed report joins it, then shows it. The click
/// never submits the form it sits in (that would post the resident's own report).
pub fn clicked(ev: &web_sys::Event) {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let Some(button) = target.closest("[data-join-id]").ok().flatten() else { return };
    ev.prevent_default();
    let Some(section) = button.closest("[data-join]").ok().flatten() else { return };
    let (Some(url), Some(id)) = (section.get_attribute("data-join"), button.get_attribute("data-join-id")) else {
        return;
    };
    if button.has_attribute("aria-busy") {
        return;
    }
    let _ = button.set_attribute("aria-busy", "true");
    leptos::task::spawn_local(async move {
        let ok = super::suggest::post_form(&url, format!("id={id}")).await.is_some();
        let _ = button.remove_attribute("aria-busy");
        if ok {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(&format!("/demands/{id}"));
            }
        }
    });
}
