//! The search page (`/search`): one GET form (it works the same without JavaScript), the
//! kind as two tabs, the filters folded under 筛选, the results a page at a time.

use super::rules::Kind;
use super::*;
use crate::i18n::{Lang, T};
use crate::paging::{failed, NextPage};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, urlencode, Page, Tab};
use leptos_router::hooks::use_query_map;

/// The form's fields, in the order the URL carries them.
const FIELDS: [&str; 7] = ["q", "kind", "state", "affair", "building", "from", "to"];

/// The search's URL with these values (and `extra`), for the tabs and the next page.
fn url(values: &[(&str, String)], extra: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = values
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(extra.iter().copied())
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    format!("/search?{}", pairs.join("&"))
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let lang = use_lang();
    let Some(me) = current_user() else { return redirect_to_login("/search") };
    let query = use_query_map().get_untracked();
    let values: Vec<(&'static str, String)> =
        FIELDS.iter().map(|f| (*f, query.get(f).unwrap_or_default().chars().take(200).collect())).collect();
    let before = query.get("before").unwrap_or_default();
    let any = query.get("any").unwrap_or_default();
    let asked = values.clone();
    let data = Resource::new(
        || (),
        move |_| {
            let v: Vec<String> = asked.iter().map(|(_, v)| v.clone()).collect();
            let (before, any) = (before.clone(), any.clone());
            async move {
                let opt = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
                find(
                    v[0].clone(),
                    opt(&v[1]),
                    opt(&v[2]),
                    opt(&v[3]),
                    opt(&v[4]),
                    opt(&v[5]),
                    opt(&v[6]),
                    opt(&before),
                    opt(&any),
                )
                .await
            }
        },
    );
    let staff = me.role.is_staff();
    let body = move || {
        view! {
            <p class="lead small">{lang.t(if staff { T::SearchScopeStaff } else { T::SearchScopeResident })}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let values = values.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(r) => view! { <SearchBody values=values results=Some(r) lang=lang /> }.into_any(),
                            Err(e) => view! { <SearchBody values=values results=None lang=lang /> {failed(e, lang)} }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
    };
    let title = lang.t(T::SearchTitle).to_string();
    if staff {
        view! { <crate::ui::StationFrame title=title>{body()}</crate::ui::StationFrame> }.into_any()
    } else {
        view! { <Page tab=Tab::Home title=title>{body()}</Page> }.into_any()
    }
}

#[component]
fn SearchBody(values: Vec<(&'static str, String)>, results: Option<SearchResults>, lang: Lang) -> impl IntoView {
    let value = |k: &str| values.iter().find(|(f, _)| *f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (q, state, affair, building, from, to) =
        (value("q"), value("state"), value("affair"), value("building"), value("from"), value("to"));
    let kind = Kind::parse(&value("kind")).unwrap_or(Kind::Demands);
    let options = results.as_ref().map(|r| r.options.clone()).unwrap_or_default();
    let filtered = [&state, &affair, &building, &from, &to].iter().any(|v| !v.is_empty());
    let with_kind = |k: Kind| {
        let mut v = values.clone();
        v.retain(|(f, _)| *f == "q" || (k == Kind::Demands && *f != "kind"));
        url(&v, &[("kind", k.as_str())])
    };
    let states: Vec<(String, T)> = [("open", T::SearchStateOpen), ("done", T::SearchStateDone)]
        .into_iter()
        .map(|(c, t)| (c.to_string(), t))
        .chain(
            crate::work::rules::State::ALL.into_iter().map(|s| (s.as_str().to_string(), crate::work::state_label(s))),
        )
        .collect();
    view! {
        <form method="get" action="/search" class="search-form" role="search">
            <div class="search">
                <label for="s-q" class="visually-hidden">{lang.t(T::SearchTitle)}</label>
                <input id="s-q" name="q" type="search" value=q.clone() placeholder=lang.t(T::SearchHint)
                    maxlength=super::rules::MAX_QUERY.to_string() enterkeyhint="search" />
                <button type="submit" class="button primary">{lang.t(T::Search)}</button>
            </div>
            <input type="hidden" name="kind" value=kind.as_str() />
            {(kind == Kind::Demands).then(|| view! {
                <details class="filters card" open=filtered>
                    <summary>{lang.t(T::Filters)}</summary>
                    <div class="filter-grid">
                        <label for="s-state" class="visually-hidden">{lang.t(T::SearchStateAny)}</label>
                        <select id="s-state" name="state">
                            <option value="">{lang.t(T::SearchStateAny)}</option>
                            {states.into_iter().map(|(c, t)| {
                                let here = c == state;
                                view! { <option value=c selected=here>{lang.t(t)}</option> }
                            }).collect_view()}
                        </select>
                        <label for="s-affair" class="visually-hidden">{lang.t(T::SearchAffairAny)}</label>
                        <select id="s-affair" name="affair">
                            <option value="">{lang.t(T::SearchAffairAny)}</option>
                            {options.affairs.iter().map(|(c, n)| {
                                let here = *c == affair;
                                view! { <option value=c.clone() selected=here>{n.get(lang).to_string()}</option> }
                            }).collect_view()}
                        </select>
                        {(!options.buildings.is_empty()).then(|| view! {
                            <label for="s-building" class="visually-hidden">{lang.t(T::SearchBuildingAny)}</label>
                            <select id="s-building" name="building">
                                <option value="">{lang.t(T::SearchBuildingAny)}</option>
                                {options.buildings.iter().map(|b| {
                                    let id = b.id.to_string();
                                    let here = id == building;
                                    view! { <option value=id selected=here>{b.name.get(lang).to_string()}</option> }
                                }).collect_view()}
                            </select>
                        })}
                        <label class="inline">{lang.t(T::SearchFrom)} " "
                            <input name="from" type="date" value=from.clone() />
                        </label>
                        <label class="inline">{lang.t(T::SearchTo)} " "
                            <input name="to" type="date" value=to.clone() />
                        </label>
                    </div>
                    <button type="submit" class="button secondary">{lang.t(T::Filter)}</button>
                </details>
            })}
        </form>
        <nav class="family-tabs search-kinds" aria-label=lang.t(T::SearchTitle)>
            <a href=with_kind(Kind::Demands) aria-current=(kind == Kind::Demands).then_some("page")>{lang.t(T::SearchDemands)}</a>
            <a href=with_kind(Kind::Threads) aria-current=(kind == Kind::Threads).then_some("page")>{lang.t(T::SearchThreads)}</a>
        </nav>
        {results.map(|r| {
            let found = r.found;
            let empty = found.demands.is_empty() && found.threads.is_empty();
            let next_path = url(&values, &[("any", if found.any { "1" } else { "" })]);
            view! {
                {if q.trim().is_empty() {
                    view! { <p class="empty">{lang.t(T::SearchAskSomething)}</p> }.into_any()
                } else if empty {
                    view! { <p class="empty" data-testid="search-nothing">{lang.t(T::SearchNothing)}</p> }.into_any()
                } else {
                    view! {
                        {found.any.then(|| view! { <p class="notice" data-testid="search-any">{lang.t(T::SearchBroadened)}</p> })}
                        {(!found.demands.is_empty()).then(|| view! { <crate::demands::views::DemandList lines=found.demands lang=lang /> })}
                        {(!found.threads.is_empty()).then(|| view! {
                            <ul class="thread-list">
                                {found.threads.into_iter().map(|t| view! { <crate::threads::views::ThreadLineView t=t lang=lang /> }).collect_view()}
                            </ul>
                        })}
                        <NextPage path=next_path next=found.next lang=lang />
                    }.into_any()
                }}
            }
        })}
    }
}
