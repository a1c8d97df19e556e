//! The browser half of [`super::EnhancedForm`]: posts a form with `fetch` and shows the
//! result in place. Every text it shows comes translated from the server (the error
//! headers, the page's markup, [`ScriptTexts`]): no string catalogue in the page's code.

use super::ScriptTexts;
use gloo_net::http::Request;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlFormElement, SubmitEvent, UrlSearchParams};

/// An error answer as the server said it: the banner, and each field's problem
/// (form-encoded, from the `x-error-message` and `x-error-fields` headers).
struct Said {
    message: String,
    fields: Option<UrlSearchParams>,
}

impl Said {
    fn from_headers(message: Option<String>, fields: Option<String>, texts: &ScriptTexts) -> Said {
        let message = message
            .and_then(|m| UrlSearchParams::new_with_str(&m).ok())
            .and_then(|p| p.get("m"))
            .unwrap_or_else(|| texts.failed.clone());
        Said { message, fields: fields.and_then(|f| UrlSearchParams::new_with_str(&f).ok()) }
    }

    fn only(message: &str) -> Said {
        Said { message: message.to_string(), fields: None }
    }
}

pub fn submit(ev: SubmitEvent, texts: &ScriptTexts) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    // Read the form's own attributes, never its properties: a field named `action` or
    // `method` shadows `form.action` / `form.method` in the DOM.
    let attr = |name: &str| form.get_attribute(name).unwrap_or_default();
    // GET forms (search, pickers) navigate as usual.
    if !attr("method").eq_ignore_ascii_case("post") {
        return;
    }
    ev.prevent_default();
    if form.has_attribute("aria-busy") {
        return; // a double tap: the first post is still under way
    }
    let Ok(data) = web_sys::FormData::new_with_form(&form) else {
        return;
    };
    // The button pressed is part of the form's data when it has a name (as a plain post does).
    if let Some(button) = ev.submitter().and_then(|s| s.dyn_into::<HtmlButtonElement>().ok()) {
        if !button.name().is_empty() {
            let _ = data.append_with_str(&button.name(), &button.value());
        }
    }
    let action = attr("action");
    if attr("enctype").eq_ignore_ascii_case("multipart/form-data") {
        set_busy(&form, true);
        send_multipart(form, action, data, texts.clone());
        return;
    }
    let Ok(params) = UrlSearchParams::new_with_str_sequence_sequence(&data) else {
        return;
    };
    let body = String::from(params.to_string());
    set_busy(&form, true);
    let texts = texts.clone();
    leptos::task::spawn_local(async move {
        let sent = Request::post(&action)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        let outcome = match sent {
            Ok(req) => req.send().await.ok(),
            Err(_) => None,
        };
        let Some(resp) = outcome else {
            show_error(&form, &Said::only(&texts.network));
            set_busy(&form, false);
            return;
        };
        if let Some(location) = resp.headers().get("location") {
            go(&location);
            return;
        }
        if resp.ok() {
            let _ = web_sys::window().map(|w| w.location().reload());
            return;
        }
        let said =
            Said::from_headers(resp.headers().get("x-error-message"), resp.headers().get("x-error-fields"), &texts);
        show_error(&form, &said);
        set_busy(&form, false);
    });
}

/// Follows a post's redirect. A redirect to this very page with another `#fragment` (a new
/// comment, the meetings section) would only scroll, so the page is reloaded there.
fn go(target: &str) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let here = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
    let same_page = target.contains('#') && target.split('#').next() == Some(here.as_str());
    let _ = loc.assign(target);
    if same_page {
        let _ = loc.reload();
    }
}

/// Multipart (photos): XMLHttpRequest, because fetch cannot report upload progress.
fn send_multipart(form: HtmlFormElement, action: String, data: web_sys::FormData, texts: ScriptTexts) {
    use wasm_bindgen::closure::Closure;
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return };
    if xhr.open("POST", &action).is_err() {
        return;
    }
    let _ = xhr.set_request_header("Accept", "application/json");
    let progress: Option<web_sys::HtmlProgressElement> =
        form.query_selector("progress[data-progress]").ok().flatten().and_then(|e| e.dyn_into().ok());
    if let (Some(bar), Ok(upload)) = (progress.clone(), xhr.upload()) {
        bar.set_hidden(false);
        bar.set_value(0.0);
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                bar.set_value(100.0 * e.loaded() / e.total());
            }
        });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let done_xhr = xhr.clone();
    let on_done = Closure::<dyn FnMut()>::new(move || {
        if let Some(bar) = &progress {
            bar.set_hidden(true);
        }
        let status = done_xhr.status().unwrap_or(0);
        if status == 0 {
            show_error(&form, &Said::only(&texts.network));
            set_busy(&form, false);
            return;
        }
        if let Ok(Some(location)) = done_xhr.get_response_header("location") {
            go(&location);
            return;
        }
        if (200..300).contains(&status) {
            let _ = web_sys::window().map(|w| w.location().reload());
            return;
        }
        let header = |name: &str| done_xhr.get_response_header(name).ok().flatten();
        let said = Said::from_headers(header("x-error-message"), header("x-error-fields"), &texts);
        show_error(&form, &said);
        set_busy(&form, false);
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    on_done.forget();
    if xhr.send_with_opt_form_data(Some(&data)).is_err() {
        xhr.abort().ok();
    }
}

/// A file input with `data-preview` shows the chosen pictures at once, and says right away
/// if one is too large (`data-max-bytes`), of the wrong type, or one too many
/// (`data-max-files`), in the words the input carries (`data-err-size`, `data-err-type`,
/// `data-err-count`); the server checks again.
pub fn preview(ev: web_sys::Event) {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    // Integers only: parsing floats would add its own code to every page's wasm.
    let limit = |name: &str| input.dataset().get(name).and_then(|v| v.parse::<u32>().ok()).map_or(f64::MAX, f64::from);
    let (max_files, max_bytes) = (limit("maxFiles"), limit("maxBytes"));
    let Some(list_id) = input.dataset().get("preview") else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(list) = doc.get_element_by_id(&list_id) else { return };
    list.set_inner_html("");
    let Some(files) = input.files() else { return };
    let slot = input.form().and_then(|f| f.query_selector("[data-error-for=photos]").ok().flatten());
    let mut problem = None;
    if files.length() as f64 > max_files {
        problem = Some("errCount");
    }
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        if file.size() > max_bytes {
            problem = Some("errSize");
        } else if !matches!(file.type_().as_str(), "image/jpeg" | "image/png" | "image/webp") {
            problem = Some("errType");
        }
        if let (Ok(url), Ok(li), Ok(img)) =
            (web_sys::Url::create_object_url_with_blob(&file), doc.create_element("li"), doc.create_element("img"))
        {
            let _ = img.set_attribute("src", &url);
            let _ = img.set_attribute("alt", &file.name());
            let _ = li.append_child(&img);
            let _ = list.append_child(&li);
        }
    }
    if let Some(slot) = slot {
        slot.set_text_content(problem.and_then(|p| input.dataset().get(p)).as_deref());
    }
    if problem.is_some() {
        let _ = input.set_attribute("aria-invalid", "true");
    } else {
        let _ = input.remove_attribute("aria-invalid");
    }
}

fn each(form: &HtmlFormElement, selector: &str, mut f: impl FnMut(Element)) {
    if let Ok(list) = form.query_selector_all(selector) {
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                f(el);
            }
        }
    }
}

fn set_busy(form: &HtmlFormElement, busy: bool) {
    if busy {
        let _ = form.set_attribute("aria-busy", "true");
    } else {
        let _ = form.remove_attribute("aria-busy");
    }
    each(form, "button[type=submit]", |el| {
        if let Ok(button) = el.dyn_into::<HtmlButtonElement>() {
            button.set_disabled(busy);
            // Swap the label for "Sending…" and back.
            let (from, to) = if busy { ("busyLabel", "idleLabel") } else { ("idleLabel", "busyLabel") };
            let ds = button.dataset();
            if let Some(text) = ds.get(from) {
                ds.set(to, &button.text_content().unwrap_or_default()).ok();
                button.set_text_content(Some(&text));
            }
        }
    });
}

fn show_error(form: &HtmlFormElement, said: &Said) {
    each(form, "[data-error-for]", |el| el.set_text_content(None));
    each(form, "[aria-invalid]", |el| {
        let _ = el.remove_attribute("aria-invalid");
    });
    each(form, "[data-form-error]", |el| {
        el.set_text_content(Some(&said.message));
        let _ = el.remove_attribute("hidden");
    });
    let mut first: Option<HtmlElement> = None;
    if let Some(fields) = &said.fields {
        // Each field's slot in the form, and the server's words for it, if any.
        each(form, "[data-error-for]", |slot| {
            let Some(field) = slot.get_attribute("data-error-for") else { return };
            let Some(problem) = fields.get(&field) else { return };
            slot.set_text_content(Some(&problem));
        });
        let mut named = Vec::new();
        each(form, "[data-error-for]", |slot| named.extend(slot.get_attribute("data-error-for")));
        for field in named.into_iter().filter(|f| fields.has(f)) {
            // Field names go into a selector: our own, but checked all the same.
            if !field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            each(form, &format!("[name={field}]"), |el| {
                let _ = el.set_attribute("aria-invalid", "true");
            });
            if first.is_none() {
                first = form.query_selector(&format!("[name={field}]")).ok().flatten().and_then(|e| e.dyn_into().ok());
            }
        }
    }
    match first {
        Some(input) => {
            let _ = input.focus();
        }
        None => {
            if let Ok(Some(banner)) = form.query_selector("[data-form-error]") {
                banner.scroll_into_view();
            }
        }
    }
}
