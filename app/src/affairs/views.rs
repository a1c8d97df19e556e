//! `/services` (the menu, by family, searchable), `/services/{code}` (one affair), and the
//! stationmaster's editor (`/station/affairs/new`, `/services/{code}?edit=1`).

use super::*;
use crate::affairs::Mode;
use crate::form::{load_state, EnhancedForm, Field, FormBanner, FormState};
use crate::i18n::Lang;
use crate::prefs::use_lang;
use crate::ui::{current_user, Page, Tab};
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// "24 小时" / "3 天".
pub fn duration_label(hours: i64, lang: Lang) -> String {
    match (lang, hours % 24 == 0 && hours >= 48) {
        (Lang::Zh, true) => format!("{} 天", hours / 24),
        (Lang::Zh, false) => format!("{hours} 小时"),
        (Lang::En, true) => format!("{} days", hours / 24),
        (Lang::En, false) if hours == 1 => "1 hour".to_string(),
        (Lang::En, false) => format!("{hours} hours"),
    }
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map().get_untracked();
    let q = query.get("q").unwrap_or_default();
    let family = query.get("family").unwrap_or_default();
    let staff_editor = current_user().is_some_and(|u| u.role == crate::auth::Role::Stationmaster);
    let (q2, f2) = (q.clone(), family.clone());
    let list = Resource::new(
        || (),
        move |_| {
            let (q, f) = (q2.clone(), f2.clone());
            async move { affairs_menu(Some(q), Some(f), Some(staff_editor)).await }
        },
    );
    view! {
        <Page tab=Tab::Services title=lang.t(T::TabServices).to_string()>
            <p class="lead">{lang.t(T::ServicesIntro)}</p>
            <p class="quick-links"><a href="/spaces">{lang.t(T::SpacesTitle)}</a> " · " <a href="/partners">{lang.t(T::PartnersTitle)}</a></p>
            <form method="get" action="/services" class="search" role="search">
                <label for="q" class="visually-hidden">{lang.t(T::SearchAffairs)}</label>
                <input id="q" name="q" type="search" value=q.clone() placeholder=lang.t(T::SearchPlaceholder) maxlength="40" />
                {(!family.is_empty()).then(|| view! { <input type="hidden" name="family" value=family.clone() /> })}
                <button type="submit" class="button primary">{lang.t(T::Search)}</button>
            </form>
            <nav class="family-tabs" aria-label=lang.t(T::ServiceFamilies)>
                <a href="/services" aria-current=family.is_empty().then_some("page")>{lang.t(T::AllFamilies)}</a>
                {Family::ALL.into_iter().map(|f| {
                    let href = if q.is_empty() { format!("/services?family={}", f.as_str()) } else { format!("/services?family={}&q={}", f.as_str(), crate::ui::urlencode(&q)) };
                    view! { <a href=href aria-current=(family == f.as_str()).then_some("page")>{lang.t(f.label())}</a> }
                }).collect_view()}
            </nav>
            {staff_editor.then(|| view! { <p><a class="button secondary" href="/station/affairs/new">{lang.t(T::AddAffair)}</a></p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! { <p class="empty" data-testid="no-results">{lang.t(T::NoAffairsFound)}</p> }.into_any(),
                        Ok(items) => view! { <AffairList items=items lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn AffairList(items: Vec<AffairSummary>, lang: Lang) -> impl IntoView {
    view! {
        <p class="muted small" data-testid="result-count">{format!("{} {}", items.len(), lang.t(T::AffairsCount))}</p>
        <ul class="affair-list">
            {items.into_iter().map(|a| view! {
                <li class=format!("card affair family-{}", a.family.as_str()) class:retired=a.retired>
                    <a href=format!("/services/{}", a.code)>
                        <strong>{a.name.get(lang).to_string()}</strong>
                        <span class="muted small">
                            {lang.t(a.category.label())} " · " {lang.t(mode_label(a.mode))} " · "
                            {lang.t(T::CompletionWithin)} " " {duration_label(a.completion_hours, lang)}
                            {a.retired.then(|| format!(" · {}", lang.t(T::Retired)))}
                        </span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn AffairPage() -> impl IntoView {
    let lang = use_lang();
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    let editing = use_query_map().get_untracked().get("edit").is_some();
    let stationmaster = current_user().is_some_and(|u| u.role == crate::auth::Role::Stationmaster);
    let data = Resource::new(move || code.clone(), affair);
    let state = Resource::new(|| (), |_| load_state("affair", SaveAffair::PATH));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let a = match data.await {
                    Ok(a) => a,
                    Err(_) => return view! { <crate::ui::NotFoundPage /> }.into_any(),
                };
                let s = state.await;
                let title = a.summary.name.get(lang).to_string();
                if editing && stationmaster && !a.from_template {
                    return view! {
                        <Page tab=Tab::Services title=title>
                            <AffairEditor existing=Some(a) state=s lang=lang />
                        </Page>
                    }.into_any();
                }
                view! {
                    <Page tab=Tab::Services title=title>
                        <AffairDetails a=a.clone() lang=lang />
                        {(!a.summary.retired).then(|| view! {
                            <p><a class="button primary block" href=format!("/post?affair={}", a.summary.code)>{lang.t(T::PostAboutThis)}</a></p>
                        })}
                        // Served at the station's window: book a time instead of queueing.
                        {(!a.summary.retired && a.summary.mode != crate::affairs::Mode::Referral).then(|| view! {
                            <p><a class="button secondary block" href=format!("/appointments?affair={}", a.summary.code)>{lang.t(T::BookAtStation)}</a></p>
                        })}
                        {stationmaster.then(|| view! { <StationmasterTools a=a.clone() lang=lang /> })}
                    </Page>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn AffairDetails(a: AffairDetail, lang: Lang) -> impl IntoView {
    let s = &a.summary;
    let docs = a.document_list(lang);
    view! {
        <section class=format!("card affair-detail family-{}", s.family.as_str())>
            <p class="badges">
                <span class="tag">{lang.t(s.family.label())}</span>
                <span class="tag">{lang.t(s.category.label())}</span>
                {s.retired.then(|| view! { <span class="tag danger">{lang.t(T::Retired)}</span> })}
            </p>
            <p class="description">{a.description.get(lang).to_string()}</p>
            <dl class="facts">
                <dt>{lang.t(T::HandlingMode)}</dt>
                <dd>{lang.t(mode_label(s.mode))}</dd>
                <dt>{lang.t(T::ResponseWithin)}</dt>
                <dd>{duration_label(s.response_hours, lang)}</dd>
                <dt>{lang.t(T::CompletionWithin)}</dt>
                <dd>{duration_label(s.completion_hours, lang)}</dd>
                <dt>{lang.t(T::ServedBy)}</dt>
                <dd>{s.served_by.get(lang).to_string()}</dd>
            </dl>
            <h2>{lang.t(T::WhatToBring)}</h2>
            <ul class="checklist" data-testid="documents">
                {docs.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn StationmasterTools(a: AffairDetail, lang: Lang) -> impl IntoView {
    let retired = a.summary.retired;
    view! {
        <section class="card">
            <h2>{lang.t(T::EditAffair)}</h2>
            <div class="actions">
                {if a.from_template {
                    view! { <span class="hint" data-from-template="">{lang.t(T::AffairFromTemplate)}</span> }.into_any()
                } else {
                    view! { <a class="button secondary" href=format!("/services/{}?edit=1", a.summary.code)>{lang.t(T::EditAffair)}</a> }.into_any()
                }}
                <form method="post" action=RetireAffair::url() class="inline-form">
                    <input type="hidden" name="code" value=a.summary.code.clone() />
                    <input type="hidden" name="retire" value=if retired { "0" } else { "1" } />
                    <button type="submit" class="button secondary">{lang.t(if retired { T::Restore } else { T::Retire })}</button>
                </form>
            </div>
        </section>
    }
}

#[component]
pub fn NewAffairPage() -> impl IntoView {
    let lang = use_lang();
    let user = current_user();
    if user.is_none() {
        return crate::ui::redirect_to_login("/station/affairs/new");
    }
    if !user.is_some_and(|u| u.role == crate::auth::Role::Stationmaster) {
        return view! { <crate::ui::ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }
            .into_any();
    }
    let state = Resource::new(|| (), |_| load_state("affair", SaveAffair::PATH));
    view! {
        <Page tab=Tab::Services title=lang.t(T::AddAffair).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { view! { <AffairEditor existing=None state=state.await lang=lang /> } })}
            </Suspense>
        </Page>
    }
    .into_any()
}

/// The affair form: a station's own affair (posts to [`SaveAffair`]), or a catalogue
/// template when `action` and `hidden` say so (the set-up feature's form).
#[component]
pub fn AffairEditor(
    existing: Option<AffairDetail>,
    state: FormState,
    lang: Lang,
    #[prop(optional)] action: Option<String>,
    #[prop(optional)] hidden: Vec<(&'static str, String)>,
) -> impl IntoView {
    let template = action.is_some();
    let action = action.unwrap_or_else(|| SaveAffair::url().to_string());
    let s = state;
    let e = existing.clone();
    let typed = s.clone();
    // After an error, what was typed; otherwise the affair as it is.
    let v = move |field: &str| -> String {
        if typed.error.is_some() {
            return typed.value(field);
        }
        let Some(a) = &e else { return String::new() };
        match field {
            "code" => a.summary.code.clone(),
            "family" => a.summary.family.as_str().into(),
            "category" => a.summary.category.as_str().into(),
            "mode" => a.summary.mode.as_str().into(),
            "response_hours" => a.summary.response_hours.to_string(),
            "completion_hours" => a.summary.completion_hours.to_string(),
            "name_zh" => a.summary.name.zh.clone(),
            "name_en" => a.summary.name.en.clone(),
            "description_zh" => a.description.zh.clone(),
            "description_en" => a.description.en.clone(),
            "documents_zh" => a.documents.zh.clone(),
            "documents_en" => a.documents.en.clone(),
            "served_by_zh" => a.summary.served_by.zh.clone(),
            "served_by_en" => a.summary.served_by.en.clone(),
            "keywords" => a.keywords.clone(),
            _ => String::new(),
        }
    };
    let select = move |name: &'static str,
                       label: T,
                       options: Vec<(&'static str, T)>,
                       current: String,
                       problem: Option<T>| {
        view! {
            <div class="field">
                <label for=format!("f-{name}")>{lang.t(label)}</label>
                <select id=format!("f-{name}") name=name>
                    <option value="">"—"</option>
                    {options.into_iter().map(|(value, l)| view! { <option value=value selected=current == value>{lang.t(l)}</option> }).collect_view()}
                </select>
                <p class="field-error" data-error-for=name>{problem.map(|p| lang.t(p))}</p>
            </div>
        }
    };
    let area = move |name: &'static str, label: T, value: String, problem: Option<T>| {
        view! {
            <div class="field">
                <label for=format!("f-{name}")>{lang.t(label)}</label>
                <textarea id=format!("f-{name}") name=name rows="3">{value}</textarea>
                <p class="field-error" data-error-for=name>{problem.map(|p| lang.t(p))}</p>
            </div>
        }
    };
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=action class="card form" novalidate>
                <FormBanner error=s.error.clone() />
                {(!template).then(|| view! {
                    <input type="hidden" name="existing" value=existing.as_ref().map(|a| a.summary.code.clone()).unwrap_or_default() />
                })}
                {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                <Field name="code" label=T::AffairCode hint=T::AffairCodeHint value=v("code") problem=s.problem("code") maxlength=40 />
                {select("family", T::ServiceFamily, Family::ALL.iter().map(|f| (f.as_str(), f.label())).collect(), v("family"), s.problem("family"))}
                {select("category", T::Category, Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect(), v("category"), s.problem("category"))}
                {select("mode", T::HandlingMode, [Mode::OnTheSpot, Mode::SubmitUpward, Mode::Referral].iter().map(|m| (m.as_str(), mode_label(*m))).collect(), v("mode"), s.problem("mode"))}
                <div class="row">
                    <Field name="response_hours" label=T::ResponseHours kind="number" value=v("response_hours") problem=s.problem("response_hours") inputmode="numeric" />
                    <Field name="completion_hours" label=T::CompletionHours kind="number" value=v("completion_hours") problem=s.problem("completion_hours") inputmode="numeric" />
                </div>
                <Field name="name_zh" label=T::NameZh value=v("name_zh") problem=s.problem("name_zh") maxlength=60 />
                <Field name="name_en" label=T::NameEn value=v("name_en") problem=s.problem("name_en") maxlength=120 />
                {area("description_zh", T::DescriptionZh, v("description_zh"), s.problem("description_zh"))}
                {area("description_en", T::DescriptionEn, v("description_en"), s.problem("description_en"))}
                {area("documents_zh", T::DocumentsZh, v("documents_zh"), s.problem("documents_zh"))}
                {area("documents_en", T::DocumentsEn, v("documents_en"), s.problem("documents_en"))}
                <Field name="served_by_zh" label=T::ServedByZh value=v("served_by_zh") problem=s.problem("served_by_zh") maxlength=60 />
                <Field name="served_by_en" label=T::ServedByEn value=v("served_by_en") problem=s.problem("served_by_en") maxlength=120 required=false />
                <Field name="keywords" label=T::Keywords value=v("keywords") problem=s.problem("keywords") maxlength=200 required=false />
                <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Save)}</button>
            </form>
        </EnhancedForm>
    }
}
