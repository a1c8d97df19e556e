//! Forms that work without JavaScript and better with it.
//!
//! Every form is plain HTML posting to a server function. Without JavaScript the server
//! redirects back to the form with the error in the URL (leptos's `__err`), and what the
//! person typed is kept server-side as a draft (never in the URL) and put back into the
//! fields. With JavaScript, the [`EnhancedForm`] island posts the same form with `fetch`:
//! nothing reloads, so nothing typed is lost; errors appear beside their fields; the submit
//! button is disabled while the post is under way, so a double tap posts once.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use leptos::prelude::*;
use std::collections::BTreeMap;

#[cfg(feature = "hydrate")]
pub mod enhance;
pub mod key;
pub mod live;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "hydrate")]
pub mod similar;
#[cfg(feature = "hydrate")]
pub mod suggest;

/// What a person typed into a form, field by field.
pub type Draft = BTreeMap<String, String>;

/// Page-side state of a form: the error the last post came back with and the kept input.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FormState {
    pub error: Option<AppError>,
    pub draft: Draft,
}

impl FormState {
    pub fn value(&self, field: &str) -> String {
        self.draft.get(field).cloned().unwrap_or_default()
    }

    pub fn problem(&self, field: &str) -> Option<T> {
        self.error.as_ref().and_then(|e| e.field(field))
    }
}

/// Reads the error leptos put in the URL after a plain form post to `path` failed.
pub fn error_from_url(path: &str) -> Option<AppError> {
    use leptos_router::hooks::use_query_map;
    use server_fn::error::ServerFnUrlError;
    let query = use_query_map().get_untracked();
    let (Some(err), Some(p)) = (query.get("__err"), query.get("__path")) else {
        return None;
    };
    (p == path).then(|| ServerFnUrlError::<AppError>::decode_err(&err))
}

/// The error leptos put in the URL after any plain form post on the page failed: for a
/// page of many small forms (the case page's panel) one banner at its top says it, but for
/// the forms (`except`) that show their own.
pub fn any_error_from_url(except: &[&str]) -> Option<AppError> {
    use leptos_router::hooks::use_query_map;
    use server_fn::error::ServerFnUrlError;
    let query = use_query_map().get_untracked();
    let err = query.get("__err")?;
    if query.get("__path").is_some_and(|p| except.contains(&p.as_str())) {
        return None;
    }
    Some(ServerFnUrlError::<AppError>::decode_err(&err))
}

/// Loads the form state for a page: the error from the URL and, only then, the draft.
pub async fn load_state(form: &'static str, path: &str) -> FormState {
    state_after(form, error_from_url(path)).await
}

/// [`load_state`] for a part of a page whose resource runs later, away from the router:
/// the caller reads the error from the URL first ([`error_from_url`]), then this loads the
/// draft.
pub async fn state_after(form: &'static str, error: Option<AppError>) -> FormState {
    let draft = if error.is_some() {
        load_draft(form.to_string()).await.ok().flatten().unwrap_or_default()
    } else {
        Draft::new()
    };
    FormState { error, draft }
}

/// The kept input of a form that came back with errors, for this browser only.
#[server(endpoint = "form-draft")]
pub async fn load_draft(form: String) -> Result<Option<Draft>, AppError> {
    server::take_draft(&form).await
}

/// What the page's script may have to say on its own, translated on the server: the
/// server's own errors arrive translated too (see `request::server_fn_status`), so the
/// script's code carries no string catalogue and stays small.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScriptTexts {
    /// The server could not be reached.
    pub network: String,
    /// An answer that is not one of ours (a proxy's error page).
    pub failed: String,
}

impl ScriptTexts {
    pub fn new(lang: Lang) -> ScriptTexts {
        ScriptTexts { network: lang.t(T::ErrNetwork).into(), failed: lang.t(T::ErrInternal).into() }
    }
}

/// Wraps forms so that, with JavaScript, they post without a reload.
#[component]
pub fn EnhancedForm(lang: Lang, children: Children) -> impl IntoView {
    view! { <FormEnhancer texts=ScriptTexts::new(lang)>{children()}</FormEnhancer> }
}

/// The island behind [`EnhancedForm`]: it handles the forms rendered inside it.
#[island]
pub fn FormEnhancer(texts: ScriptTexts, children: Children) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        enhance::submit(ev, &texts);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &texts);
    };
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        similar::moved(&ev);
        #[cfg(feature = "hydrate")]
        enhance::preview(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    // Suggestions as a person types (a textarea with `data-suggest`), and choosing one.
    let on_input = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        similar::moved(&ev);
        #[cfg(feature = "hydrate")]
        suggest::typed(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            let ev: web_sys::Event = ev.into();
            similar::clicked(&ev);
            suggest::chose(ev);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="enhanced-form" on:submit=on_submit on:change=on_change on:input=on_input on:click=on_click>
            {children()}
        </div>
    }
}

/// The banner at the top of a form; filled on the server after a plain post, by the
/// island otherwise.
#[component]
pub fn FormBanner(error: Option<AppError>) -> impl IntoView {
    let lang = crate::prefs::use_lang();
    let text = error.map(|e| e.message(lang));
    let hidden = text.is_none();
    view! {
        <p class="form-banner" data-form-error="" role="alert" hidden=hidden>{text}</p>
    }
}

/// One labelled input with its hint and its error slot.
#[component]
pub fn Field(
    name: &'static str,
    label: T,
    #[prop(optional)] hint: Option<T>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(default = None)] problem: Option<T>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let lang = crate::prefs::use_lang();
    let id = format!("f-{name}");
    let error_id = format!("f-{name}-error");
    let hint_id = format!("f-{name}-hint");
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    let value = (kind != "password").then_some(value);
    view! {
        <div class="field">
            <label for=id.clone()>{lang.t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                aria-invalid=problem.map(|_| "true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{lang.t(h)}</p> })}
            <p class="field-error" id=error_id data-error-for=name>{problem.map(|p| lang.t(p))}</p>
        </div>
    }
}

/// The submit button; the island disables it while a post is under way.
#[component]
pub fn SubmitButton(label: T) -> impl IntoView {
    let lang = crate::prefs::use_lang();
    view! {
        <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(label)}</button>
    }
}
