//! The browser half of [`super::EnhancedForm`]: posts a form with `fetch` and shows the
//! result in place.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use gloo_net::http::Request;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlFormElement, SubmitEvent, UrlSearchParams};

pub fn submit(ev: SubmitEvent, lang: Lang) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    // GET forms (search, pickers) navigate as usual.
    if !form.method().eq_ignore_ascii_case("post") {
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
    let Ok(params) = UrlSearchParams::new_with_str_sequence_sequence(&data) else {
        return;
    };
    let body = String::from(params.to_string());
    let action = form.action();
    set_busy(&form, true);
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
            show_error(&form, &AppError::Network, lang);
            set_busy(&form, false);
            return;
        };
        if let Some(location) = resp.headers().get("location") {
            let _ = web_sys::window().map(|w| w.location().assign(&location));
            return;
        }
        if resp.ok() {
            let _ = web_sys::window().map(|w| w.location().reload());
            return;
        }
        let error = resp
            .text()
            .await
            .ok()
            .and_then(|t| serde_json::from_str::<AppError>(&t).ok())
            .unwrap_or(AppError::Internal);
        show_error(&form, &error, lang);
        set_busy(&form, false);
    });
}

fn each(form: &HtmlFormElement, selector: &str, f: impl Fn(Element)) {
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

fn show_error(form: &HtmlFormElement, error: &AppError, lang: Lang) {
    each(form, "[data-error-for]", |el| el.set_text_content(None));
    each(form, "[aria-invalid]", |el| {
        let _ = el.remove_attribute("aria-invalid");
    });
    each(form, "[data-form-error]", |el| {
        el.set_text_content(Some(&error.message(lang)));
        let _ = el.remove_attribute("hidden");
    });
    let mut first: Option<HtmlElement> = None;
    if let AppError::Invalid(fields) = error {
        for f in fields {
            if !f.field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            each(form, &format!("[data-error-for={}]", f.field), |el| {
                el.set_text_content(Some(problem_text(f.problem, lang)))
            });
            each(form, &format!("[name={}]", f.field), |el| {
                let _ = el.set_attribute("aria-invalid", "true");
            });
            if first.is_none() {
                first =
                    form.query_selector(&format!("[name={}]", f.field)).ok().flatten().and_then(|e| e.dyn_into().ok());
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

fn problem_text(problem: T, lang: Lang) -> &'static str {
    problem.text(lang)
}
