//! The affairs catalogue template (事项目录模板) at `/station/catalogue`: a subdistrict's
//! or the district's admins keep the affairs, their handling and their deadlines (the
//! deadline policy) for every community below; each save is pushed at once and logged.
//! Stations hide what they do not serve and add their own affairs (`/station/affairs/new`).

use super::ChangeLine;
use crate::affairs::{AffairDetail, TemplateLine};
use crate::auth::{Level, Role};
use crate::error::AppError;
use crate::form::load_state;
use crate::i18n::{Lang, Named, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogueView {
    pub code: String,
    pub name: Named,
    pub level: Level,
    pub choices: Vec<(String, Named)>,
    pub templates: Vec<TemplateLine>,
    /// The template being edited (`?edit=CODE`).
    pub editing: Option<AffairDetail>,
    pub changes: Vec<ChangeLine>,
    pub older: Option<i64>,
}

#[server(endpoint = "setup/catalogue")]
pub async fn load_catalogue(
    region: Option<String>,
    edit: Option<String>,
    before: Option<i64>,
) -> Result<CatalogueView, AppError> {
    let user = crate::auth::server::require_staff()?;
    ssr::load(&crate::request::store()?, &user, region.as_deref(), edit.as_deref(), before).await
}

/// Adds or changes a template affair of the region and pushes it to its communities.
#[server(endpoint = "setup/catalogue/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_template(
    region: String,
    code: String,
    family: String,
    category: String,
    mode: String,
    response_hours: String,
    completion_hours: String,
    name_zh: String,
    name_en: String,
    description_zh: String,
    description_en: String,
    documents_zh: String,
    documents_en: String,
    served_by_zh: String,
    served_by_en: String,
    keywords: String,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let form = crate::affairs::server::AffairForm {
        code,
        family,
        category,
        mode,
        response_hours,
        completion_hours,
        name_zh,
        name_en,
        description_zh,
        description_en,
        documents_zh,
        documents_en,
        served_by_zh,
        served_by_en,
        keywords,
        existing: None,
    };
    let kept = form.kept();
    match ssr::save(&crate::request::store()?, &user, &region, &form).await {
        Ok((region, p)) => {
            crate::form::server::forget("template").await;
            crate::request::redirect(&format!("/station/catalogue?region={region}&pushed={}.{}", p.updated, p.added));
            Ok(())
        }
        Err(e) => {
            let kept: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::form::server::keep_input("template", &kept).await;
            Err(e)
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::affairs::server::{check, AffairFields};
    use crate::affairs::templates;
    use crate::affairs::AffairSummary;
    use crate::affairs::Pushed;
    use crate::auth::SessionUser;
    use crate::community::server::{region_by_code, region_by_id};
    use crate::store::Store;

    /// The region a request names, if the viewer keeps its catalogue: a subdistrict admin
    /// their subdistrict; a district admin the district and its subdistricts.
    async fn region(
        store: &Store,
        user: &SessionUser,
        code: Option<&str>,
    ) -> Result<(i64, String, Named, Level), AppError> {
        let r = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => region_by_code(store, c).await?,
            None => region_by_id(store, user.region_id).await?,
        }
        .ok_or(AppError::NotFound)?;
        let allowed = match user.role {
            Role::SubdistrictAdmin => r.id == user.region_id,
            Role::DistrictAdmin => {
                r.id == user.region_id || (r.level == Level::Subdistrict && r.parent_id == Some(user.region_id))
            }
            _ => false,
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
        Ok((r.id, r.code, r.name, r.level))
    }

    fn detail(a: AffairFields) -> AffairDetail {
        AffairDetail {
            summary: AffairSummary {
                code: a.code,
                family: a.family,
                category: a.category,
                mode: a.mode,
                name: Named { zh: a.name_zh, en: a.name_en },
                served_by: Named { zh: a.served_by_zh, en: a.served_by_en },
                response_hours: a.response_hours,
                completion_hours: a.completion_hours,
                retired: false,
            },
            description: Named { zh: a.description_zh, en: a.description_en },
            documents: Named { zh: a.documents_zh, en: a.documents_en },
            keywords: a.keywords,
            from_template: true,
        }
    }

    pub async fn load(
        store: &Store,
        user: &SessionUser,
        code: Option<&str>,
        edit: Option<&str>,
        before: Option<i64>,
    ) -> Result<CatalogueView, AppError> {
        let (id, code, name, level) = region(store, user, code).await?;
        let choices: Vec<(String, String, String)> = match user.role {
            Role::DistrictAdmin => {
                sqlx::query_as(
                    "SELECT code, name_zh, name_en FROM regions WHERE id = $1 OR (parent_id = $1 AND level = 'subdistrict') \
                     ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, code",
                )
                .bind(user.region_id)
                .fetch_all(store.pool())
                .await?
            }
            _ => vec![],
        };
        let editing = match edit.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(detail(templates::template(store, id, e).await?.ok_or(AppError::NotFound)?)),
            None => None,
        };
        let (changes, older) = super::super::server::change_log(store, id, before).await?;
        Ok(CatalogueView {
            code,
            name,
            level,
            choices: choices.into_iter().map(|(c, zh, en)| (c, Named { zh, en })).collect(),
            templates: templates::templates(store, id).await?,
            editing,
            changes,
            older,
        })
    }

    pub async fn save(
        store: &Store,
        user: &SessionUser,
        code: &str,
        form: &crate::affairs::server::AffairForm,
    ) -> Result<(String, Pushed), AppError> {
        let (id, code, _, level) = region(store, user, Some(code)).await?;
        let mut p = crate::error::Problems::default();
        let fields = check(form, &mut p);
        p.into_result()?;
        let a = fields.ok_or(AppError::Internal)?;
        let mut tx = store.write().await?;
        // One save of a code at a time, district-wide: a district's and a subdistrict's
        // template of the same code write the same communities' affairs.
        store.take_turn(&mut tx, &format!("affair-template:{}", a.code)).await?;
        let saved = templates::put_template(&mut tx, id, level, user.id, &a).await?;
        let pushed = saved.pushed;
        if saved.changed || pushed.added > 0 {
            let now = templates::shown(&a);
            let after = format!("{now} → {} {}", pushed.updated + pushed.added, Lang::Zh.t(T::CommunitiesFollow));
            let (what, before) = (super::super::ChangeKind::Affair, saved.before);
            super::super::server::audit(&mut tx, user, id, what, &a.code, before, after).await?;
        }
        tx.commit().await?;
        Ok((code, pushed))
    }
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/catalogue") };
    if !matches!(user.role, Role::SubdistrictAdmin | Role::DistrictAdmin) {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let region = query.get("region").filter(|c| !c.is_empty());
    let edit = query.get("edit").filter(|c| !c.is_empty());
    let before: Option<i64> = query.get("before").and_then(|b| b.parse().ok());
    let pushed = query.get("pushed");
    let data = Resource::new(move || (region.clone(), edit.clone()), move |(r, e)| load_catalogue(r, e, before));
    let form = Resource::new(|| (), |_| load_state("template", SaveTemplate::PATH));
    view! {
        <StationFrame title=lang.t(T::CatalogueTitle).to_string()>
            <p class="lead">{lang.t(T::CatalogueIntro)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let pushed = pushed.clone();
                    Suspend::new(async move {
                        let form = form.await;
                        let pushed = pushed.filter(|_| form.error.is_none());
                        match data.await {
                            Ok(c) => view! {
                                {pushed.map(|p| {
                                    let (u, a) = p.split_once('.').unwrap_or(("0", "0"));
                                    view! { <p class="notice" role="status">{lang.t(T::TemplatePushed)} " " {u.to_string()} " / " {a.to_string()}</p> }
                                })}
                                <CatalogueBody c=c form=form lang=lang />
                            }.into_any(),
                            Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn CatalogueBody(c: CatalogueView, form: crate::form::FormState, lang: Lang) -> impl IntoView {
    let more = c.older.map(|id| format!("/station/catalogue?region={}&before={id}", c.code));
    let chosen = c.code.clone();
    let region = c.code.clone();
    let editing = c.editing.is_some();
    view! {
        {(c.choices.len() > 1).then(|| view! {
            <form method="get" action="/station/catalogue" class="search card">
                <label for="f-region">{lang.t(T::ChooseUnit)}</label>
                <select id="f-region" name="region">
                    {c.choices.iter().map(|(code, name)| view! {
                        <option value=code.clone() selected=*code == chosen>{name.get(lang).to_string()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button">{lang.t(T::Filter)}</button>
            </form>
        })}
        <h2>{c.name.get(lang).to_string()}</h2>
        <section class="card" aria-labelledby="templates-title">
            <h3 id="templates-title">{lang.t(T::TemplateAffairs)}</h3>
            {c.templates.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoTemplateAffairs)}</p> })}
            <ul class="plain templates">
                {c.templates.iter().map(|t| view! {
                    <li data-template=t.code.clone()>
                        <a href=format!("/station/catalogue?region={}&edit={}", region, t.code)><strong>{t.name.get(lang).to_string()}</strong></a>
                        " " <span class="muted small">{t.code.clone()}</span><br />
                        <span class="small">
                            {lang.t(T::ResponseHours)} " " {t.response_hours} " · " {lang.t(T::CompletionHours)} " " {t.completion_hours}
                            " · " {t.following} " " {lang.t(T::CommunitiesFollow)}
                            {(t.hidden > 0).then(|| view! { " · " {t.hidden} " " {lang.t(T::CommunitiesHide)} })}
                        </span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <h3>{lang.t(if editing { T::EditTemplateAffair } else { T::AddTemplateAffair })}</h3>
        <p class="hint">{lang.t(T::TemplateAffairHint)}</p>
        <crate::affairs::views::AffairEditor
            existing=c.editing
            state=form
            lang=lang
            action=SaveTemplate::url().to_string()
            hidden=vec![("region", c.code.clone())]
        />
        <super::views::ChangeLog changes=c.changes more=more lang=lang />
    }
}
