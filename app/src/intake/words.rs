//! Residents' words for the station's words (居民用语, `/station/words`): the synonym groups a
//! station adds beside the built-in ones (垂梯 for 电梯, 吃低保 for 低保). They count at once
//! for suggestions, similar reports and search, on every instance within a job round; texts
//! already stored that use a new word get their words again.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, StationFrame};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

/// The most words in one group, and characters in one word.
pub const MAX_WORDS: usize = 20;
pub const MAX_WORD_CHARS: usize = 12;
/// The most groups the stations may keep in force.
pub const MAX_GROUPS: i64 = 1_000;

/// A group as the station wrote it, checked: words of letters and digits (Chinese
/// characters are letters), folded to half width and lower case, each once, at least two.
pub fn parse_group(line: &str) -> Result<Vec<String>, T> {
    let mut words: Vec<String> = Vec::new();
    for w in line.split(|c: char| c.is_whitespace() || "/、,，;；".contains(c)).filter(|w| !w.is_empty()) {
        let w = super::rules::fold_width(w);
        if w.chars().count() > MAX_WORD_CHARS || !w.chars().all(char::is_alphanumeric) {
            return Err(T::ErrSynonymWord);
        }
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.len() < 2 || words.len() > MAX_WORDS {
        return Err(T::ErrSynonymCount);
    }
    Ok(words)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationGroup {
    pub id: i64,
    pub words: Vec<String>,
    pub added_by: String,
    pub added: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Words {
    /// Groups the stations added, newest first.
    pub station: Vec<StationGroup>,
    pub built_in: Vec<String>,
    /// Stationmasters and the admins above them add and retire groups; other staff read.
    pub may_edit: bool,
}

#[server(endpoint = "words/list")]
pub async fn load_words() -> Result<Words, AppError> {
    let user = crate::auth::server::require_staff()?;
    super::words_server::list(&crate::request::store()?, &user).await
}

/// Adds a group (the first word is what the others are matched as).
#[server(endpoint = "words/add")]
pub async fn add_synonyms(words: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    if let Err(e) = super::words_server::add(&crate::request::store()?, &user, &words).await {
        // Without JavaScript the page comes back with the group as typed, to be corrected.
        crate::form::server::keep_input("words-add", &[("words", &words)]).await;
        return Err(e);
    }
    crate::request::redirect("/station/words");
    Ok(())
}

#[server(endpoint = "words/retire")]
pub async fn retire_synonyms(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::words_server::retire(&crate::request::store()?, &user, id).await?;
    crate::request::redirect("/station/words");
    Ok(())
}

#[component]
pub fn WordsPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/station/words");
    }
    let error = crate::form::any_error_from_url(&[]);
    // Without JavaScript a refused group comes back in the URL: said beside the field too.
    let problem = error.as_ref().and_then(|e| e.field("words")).map(|t| lang.t(t).to_string());
    let add_error = crate::form::error_from_url(AddSynonyms::PATH);
    let data = Resource::new(
        || (),
        move |_| {
            let add_error = add_error.clone();
            async move { (load_words().await, crate::form::state_after("words-add", add_error).await) }
        },
    );
    view! {
        <StationFrame title=lang.t(T::WordsTitle).to_string()>
            <p class="lead small">{lang.t(T::WordsHint)}</p>
            {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || {
                    let problem = problem.clone();
                    Suspend::new(async move {
                        match data.await {
                            (Ok(w), typed) => {
                                let typed = typed.value("words");
                                view! { <WordsBody w=w problem=problem typed=typed lang=lang /> }.into_any()
                            }
                            (Err(e), _) => crate::paging::failed(e, lang),
                        }
                    })
                }}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn WordsBody(w: Words, problem: Option<String>, typed: String, lang: Lang) -> impl IntoView {
    let may_edit = w.may_edit;
    view! {
        {may_edit.then(|| view! {
            <crate::form::EnhancedForm lang=lang>
                <form method="post" action=AddSynonyms::url() class="form card" data-testid="add-words">
                    <div class="field">
                        <label for="w-words">{lang.t(T::WordsLabel)}</label>
                        <input id="w-words" name="words" type="text" required maxlength="300" placeholder="电梯 垂梯 直梯" value=typed />
                        <p class="field-error" data-error-for="words">{problem}</p>
                    </div>
                    <button type="submit" class="button primary">{lang.t(T::WordsAdd)}</button>
                </form>
            </crate::form::EnhancedForm>
        })}
        <h2>{lang.t(T::WordsStation)}</h2>
        {w.station.is_empty().then(|| view! { <p class="empty">{lang.t(T::WordsNone)}</p> })}
        <ul class="plain word-groups">
            {w.station.into_iter().map(|g| view! {
                <li class="card" data-words=g.words.join(" ")>
                    <strong>{g.words.first().cloned().unwrap_or_default()}</strong>
                    " = " {g.words.get(1..).map(|w| w.join("、")).unwrap_or_default()}
                    <span class="muted small">{format!(" · {} {} · {}", lang.t(T::WordsAddedBy), g.added_by, g.added)}</span>
                    {may_edit.then(|| view! {
                        <form method="post" action=RetireSynonyms::url() class="inline-form">
                            <input type="hidden" name="id" value=g.id.to_string() />
                            <button type="submit" class="button secondary small">{lang.t(T::WordsRetire)}</button>
                        </form>
                    })}
                </li>
            }).collect_view()}
        </ul>
        <details class="card">
            <summary>{format!("{} ({})", lang.t(T::WordsBuiltIn), w.built_in.len())}</summary>
            <ul class="plain small">
                {w.built_in.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_words_each_once_at_least_two() {
        assert_eq!(parse_group("电梯 垂梯、直梯/垂梯").unwrap(), vec!["电梯", "垂梯", "直梯"]);
        assert_eq!(parse_group("ＷＩＦＩ 无线网").unwrap(), vec!["wifi", "无线网"]);
        assert_eq!(parse_group("电梯"), Err(T::ErrSynonymCount));
        assert_eq!(parse_group("电梯 电梯"), Err(T::ErrSynonymCount));
        assert_eq!(parse_group("电梯 <b>"), Err(T::ErrSynonymWord));
        assert_eq!(parse_group("电梯 一个非常非常非常非常长的词语啊"), Err(T::ErrSynonymWord));
        let many: Vec<String> = (0..21).map(|i| format!("w{i}")).collect();
        assert_eq!(parse_group(&many.join(" ")), Err(T::ErrSynonymCount));
    }
}
