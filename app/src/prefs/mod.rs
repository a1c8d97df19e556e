//! Display preferences: language (zh-CN / English) and elder mode (适老化). Kept in cookies
//! so they work before login, and on the account so they follow the person to a new phone.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

pub use crate::i18n::LANG_COOKIE;
pub const ELDER_COOKIE: &str = "mc_elder";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    pub lang: Lang,
    pub elder: bool,
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Prefs>().map(|p| p.lang).unwrap_or_default()
}

pub fn use_prefs() -> Prefs {
    use_context::<Prefs>().unwrap_or_default()
}

/// Reads the preferences of the current request: cookies first, then `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn from_request() -> Prefs {
    use crate::request::{cookie, header};
    let lang = cookie(LANG_COOKIE).and_then(|c| Lang::from_tag(&c)).unwrap_or_else(|| {
        header(axum::http::header::ACCEPT_LANGUAGE).map(|h| Lang::from_accept_language(&h)).unwrap_or_default()
    });
    let elder = cookie(ELDER_COOKIE).is_some_and(|c| c == "1");
    Prefs { lang, elder }
}

#[cfg(feature = "ssr")]
const YEAR_SECS: i64 = 365 * 24 * 3600;

/// Sets the preference cookies (after login, from the account's stored choice).
#[cfg(feature = "ssr")]
pub fn set_cookies(lang: Option<Lang>, elder: Option<bool>) {
    use crate::request::{build_cookie, set_cookie};
    if let Some(lang) = lang {
        set_cookie(build_cookie(LANG_COOKIE, lang.tag().to_string(), YEAR_SECS));
    }
    if let Some(elder) = elder {
        set_cookie(build_cookie(ELDER_COOKIE, if elder { "1" } else { "0" }.to_string(), YEAR_SECS));
    }
}

/// Where to go back to after a preference switch: the page the form was on.
#[cfg(feature = "ssr")]
fn back() -> String {
    crate::request::header(axum::http::header::REFERER)
        .and_then(|r| {
            let url = url_path(&r)?;
            crate::request::safe_next(Some(&url))
        })
        .unwrap_or_else(|| "/".to_string())
}

/// The path and query of an absolute URL (`https://host/a?b` → `/a?b`), without leptos's
/// error parameters.
#[cfg(feature = "ssr")]
fn url_path(url: &str) -> Option<String> {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = &after_scheme[after_scheme.find('/')?..];
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> =
        q.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("__err=") && !kv.starts_with("__path=")).collect();
    Some(if kept.is_empty() { p.to_string() } else { format!("{p}?{}", kept.join("&")) })
}

/// Sets the cookies, stores the choice on the account when signed in, and goes back.
#[cfg(feature = "ssr")]
async fn apply(lang: Option<Lang>, elder: Option<bool>) -> Result<(), AppError> {
    set_cookies(lang, elder);
    if let Some(user) = crate::auth::server::viewer() {
        let store = crate::request::store()?;
        crate::auth::server::save_prefs(&store, user.id, lang.map(Lang::tag), elder).await?;
    }
    crate::request::redirect(&back());
    Ok(())
}

#[server(endpoint = "prefs/language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    let result = match Lang::from_tag(&lang) {
        Some(lang) => apply(Some(lang), None).await,
        None => Err(AppError::BadRequest),
    };
    result
}

#[server(endpoint = "prefs/elder")]
pub async fn set_elder_mode(on: String) -> Result<(), AppError> {
    let result = match on.as_str() {
        "1" | "true" | "on" => apply(None, Some(true)).await,
        "0" | "false" | "off" => apply(None, Some(false)).await,
        _ => Err(AppError::BadRequest),
    };
    result
}

/// A one-button form that switches to the other language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let other = lang.other();
    view! {
        <form method="post" action=SetLanguage::url() class="inline-form">
            <input type="hidden" name="lang" value=other.tag() />
            <button type="submit" class="chip" lang=other.tag() aria-label=lang.t(T::SwitchLanguage)>
                {other.endonym()}
            </button>
        </form>
    }
}

/// A one-button form that turns elder mode on or off.
#[component]
pub fn ElderSwitch() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let (value, label) = if prefs.elder { ("0", T::ElderModeOff) } else { ("1", T::ElderModeOn) };
    view! {
        <form method="post" action=SetElderMode::url() class="inline-form">
            <input type="hidden" name="on" value=value />
            <button type="submit" class="button secondary" aria-pressed=if prefs.elder { "true" } else { "false" }>
                {lang.t(label)}
            </button>
        </form>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::url_path;

    #[test]
    fn back_path_drops_host_and_error_params() {
        assert_eq!(url_path("http://127.0.0.1:3000/me").as_deref(), Some("/me"));
        assert_eq!(url_path("http://h/login?next=%2Fme&__err=x&__path=y").as_deref(), Some("/login?next=%2Fme"));
        assert_eq!(url_path("http://h").as_deref(), None);
    }
}
