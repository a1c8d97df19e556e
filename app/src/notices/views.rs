//! The notices pages: the list (`/notices`), one notice (`/notices/:id`) with its read
//! counts for the station, the publish form (`/notices/new`), and Home's card. Plain
//! links and forms: everything works without JavaScript.

use super::rules::{pieces, Piece, MAX_ATTACHMENTS, MAX_BODY, MAX_TITLE};
use super::*;
use crate::form::{load_state, EnhancedForm, Field, FormBanner, SubmitButton};
use crate::i18n::{Lang, T};
use crate::paging::{before_in_url, NextPage};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

fn banner(e: AppError, lang: Lang) -> AnyView {
    view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any()
}

#[component]
fn NoticeLines(lines: Vec<NoticeLine>, lang: Lang) -> impl IntoView {
    view! {
        <ul class="demand-list notices">
            {lines.into_iter().map(|l| {
                let class = if l.unread { "card notice-line unread" } else { "card notice-line" };
                view! {
                    <li class=class data-notice=l.id.to_string() data-unread=l.unread.then_some("")>
                        <a class="card-link" href=format!("/notices/{}", l.id)>
                            <span class=format!("tag notice-{}", l.category.as_str())>{lang.t(l.category.label())}</span>
                            {l.pinned.then(|| view! { " " <span class="tag">{lang.t(T::NoticesPinned)}</span> })}
                            {l.unread.then(|| view! { " " <span class="tag unread-dot">{lang.t(T::NoticesUnread)}</span> })}
                            <strong class="notice-title">{l.title}</strong>
                            <span class="meta">{l.publisher.get(lang).to_string()} " · " {l.published}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn NoticesPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/notices");
    }
    let before = before_in_url();
    let data = Resource::new(move || before.clone(), list_notices);
    view! {
        <Page tab=Tab::Home title=lang.t(T::NoticesTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) => {
                            let empty = list.pinned.is_empty() && list.page.lines.is_empty();
                            view! {
                                {list.may_publish.then(|| view! {
                                    <p><a class="button primary" href="/notices/new">{lang.t(T::NoticesPublish)}</a></p>
                                })}
                                {empty.then(|| view! { <p class="empty">{lang.t(T::NoticesNone)}</p> })}
                                <NoticeLines lines=list.pinned lang=lang />
                                <NoticeLines lines=list.page.lines lang=lang />
                                <NextPage path="/notices".to_string() next=list.page.next lang=lang />
                            }.into_any()
                        }
                        Err(e) => banner(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

/// A body as paragraphs, its web addresses as links that open outside.
#[component]
fn Body(text: String) -> impl IntoView {
    view! {
        <div class="notice-body">
            {text.split('\n').map(|line| {
                let parts = pieces(line).into_iter().map(|p| match p {
                    Piece::Text(t) => t.to_string().into_any(),
                    Piece::Link(href) => {
                        let (href, text) = (href.to_string(), href.to_string());
                        view! { <a href=href rel="noopener noreferrer nofollow" target="_blank">{text}</a> }.into_any()
                    }
                }).collect_view();
                view! { <p>{parts}</p> }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn NoticeDetailPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = params.get_untracked().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0);
    if current_user().is_none() {
        return redirect_to_login(&format!("/notices/{id}"));
    }
    let data = Resource::new(move || id, notice);
    view! {
        <Page tab=Tab::Home title=lang.t(T::NoticesTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(n) => view! { <NoticeBody n=n lang=lang /> }.into_any(),
                        Err(e) => banner(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn NoticeBody(n: NoticeView, lang: Lang) -> impl IntoView {
    let audience = match (&n.audience_name, n.audience) {
        (Some(name), _) => name.get(lang).to_string(),
        _ => lang.t(T::NoticesEveryone).to_string(),
    };
    view! {
        <article class="card notice-article" data-category=n.category.as_str()>
            <p>
                <span class=format!("tag notice-{}", n.category.as_str())>{lang.t(n.category.label())}</span>
                {n.withdrawn.then(|| view! { " " <span class="tag danger" data-withdrawn="">{lang.t(T::NoticesWithdrawn)}</span> })}
            </p>
            <h2 data-testid="notice-title">{n.title.clone()}</h2>
            <p class="meta">
                {n.publisher.get(lang).to_string()} " · " {n.published.clone()} " · " {lang.t(T::NoticesFor)} " " {audience}
                {n.pinned_until.clone().map(|d| view! { " · " {lang.t(T::NoticesPinnedUntil)} " " {d} })}
            </p>
            <Body text=n.body.clone() />
            <NoticeAttachments photos=n.photos.clone() files=n.files.clone() notice=n.id lang=lang />
        </article>
        {(!n.reads.is_empty()).then(|| view! { <Reads n=n.clone() lang=lang /> })}
        {(n.may_manage && !n.withdrawn).then(|| view! {
            <form method="post" action=WithdrawNotice::url() class="card">
                <input type="hidden" name="id" value=n.id.to_string() />
                <button type="submit" class="button secondary">{lang.t(T::NoticesWithdraw)}</button>
            </form>
        })}
        <p><a href="/notices">{lang.t(T::NoticesAll)}</a></p>
    }
}

#[component]
fn Reads(n: NoticeView, lang: Lang) -> impl IntoView {
    let total: i64 = n.reads.iter().map(|r| r.residents).sum();
    let read: i64 = n.reads.iter().map(|r| r.read).sum();
    view! {
        <section class="card" aria-labelledby="reads-title">
            <h3 id="reads-title">{lang.t(T::NoticesReads)} " " <span data-testid="reads-total">{format!("{read} / {total}")}</span></h3>
            <table class="reads">
                <thead><tr><th>{lang.t(T::NoticesPlace)}</th><th>{lang.t(T::NoticesReadCount)}</th></tr></thead>
                <tbody>
                    {n.reads.into_iter().map(|r| view! {
                        <tr data-read-place=r.place.zh.clone()><td>{r.place.get(lang).to_string()}</td><td>{format!("{} / {}", r.read, r.residents)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!n.unreached.is_empty()).then(|| view! {
                <h4>{lang.t(T::NoticesUnreached)}</h4>
                <p class="hint">{lang.t(T::NoticesUnreachedHint)}</p>
                <ul class="plain unreached">
                    {n.unreached.into_iter().map(|u| view! {
                        <li data-unreached="">
                            {u.name} " · " {u.building} " " {u.room} " · "
                            <a href=format!("tel:{}", u.phone)>{u.phone.clone()}</a>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
pub fn NewNoticePage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/notices/new");
    }
    let data = Resource::new(
        || (),
        |_| async {
            // The form's key first: what an earlier try of this form kept comes with it.
            let form = load_state("notice", PublishNotice::PATH).await;
            let key = Some(form.value("idempotency_key"))
                .filter(|k| !k.is_empty())
                .unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
            (publish_choices(key.clone()).await, form, key)
        },
    );
    view! {
        <Page tab=Tab::Home title=lang.t(T::NoticesPublish).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(c), form, key) => view! { <PublishForm c=c form=form key=key lang=lang /> }.into_any(),
                        (Err(e), _, _) => banner(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn PublishForm(c: PublishTargets, form: crate::form::FormState, key: String, lang: Lang) -> impl IntoView {
    let category = form.value("category");
    let audience = form.value("audience");
    let target = form.value("target");
    let station = !c.areas.is_empty() || !c.buildings.is_empty();
    let option = |value: String, label: String, chosen: &str| {
        let selected = value == chosen;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <EnhancedForm lang=lang>
        <form method="post" action=PublishNotice::url() enctype="multipart/form-data" class="card form" data-notice-form="">
            <p class="lead">{lang.t(T::NoticesPublishTo)} " " <strong>{c.region.get(lang).to_string()}</strong></p>
            <FormBanner error=form.error.clone() />
            <input type="hidden" name="idempotency_key" value=key />
            <Field name="title" label=T::NoticesTitleField value=form.value("title") problem=form.problem("title") maxlength=MAX_TITLE as u32 />
            <div class="field">
                <label for="f-category">{lang.t(T::NoticesCategory)}</label>
                <select id="f-category" name="category">
                    {NoticeCategory::ALL.into_iter().map(|k| option(k.as_str().to_string(), lang.t(k.label()).to_string(), &category)).collect_view()}
                </select>
                <p class="hint">{lang.t(T::NoticesEmergencyHint)}</p>
                <p class="field-error" data-error-for="category">{form.problem("category").map(|p| lang.t(p))}</p>
            </div>
            <div class="field">
                <label for="f-audience">{lang.t(T::NoticesAudience)}</label>
                <select id="f-audience" name="audience">
                    {option("everyone".into(), lang.t(T::NoticesEveryone).to_string(), &audience)}
                    {station.then(|| option("grid_area".into(), lang.t(T::GridArea).to_string(), &audience))}
                    {station.then(|| option("building".into(), lang.t(T::Building).to_string(), &audience))}
                </select>
                <p class="field-error" data-error-for="audience">{form.problem("audience").map(|p| lang.t(p))}</p>
            </div>
            {station.then(|| view! {
                <div class="field">
                    <label for="f-target">{lang.t(T::NoticesTarget)}</label>
                    <select id="f-target" name="target">
                        <option value="">"—"</option>
                        <optgroup label=lang.t(T::GridArea)>
                            {c.areas.iter().map(|(code, name)| option(code.clone(), name.get(lang).to_string(), &target)).collect_view()}
                        </optgroup>
                        <optgroup label=lang.t(T::Building)>
                            {c.buildings.iter().map(|(code, name)| option(code.clone(), name.get(lang).to_string(), &target)).collect_view()}
                        </optgroup>
                    </select>
                    <p class="hint">{lang.t(T::NoticesTargetHint)}</p>
                    <p class="field-error" data-error-for="target">{form.problem("target").map(|p| lang.t(p))}</p>
                </div>
            })}
            <div class="field">
                <label for="f-body">{lang.t(T::NoticesBody)}</label>
                <textarea id="f-body" name="body" rows="8" required maxlength=MAX_BODY.to_string() aria-describedby="f-body-hint f-body-error">{form.value("body")}</textarea>
                <p class="hint" id="f-body-hint">{lang.t(T::NoticesBodyHint)}</p>
                <p class="field-error" id="f-body-error" data-error-for="body">{form.problem("body").map(|p| lang.t(p))}</p>
            </div>
            <Field name="pinned_until" label=T::NoticesPinnedUntil kind="date" hint=T::NoticesPinnedHint value=form.value("pinned_until") problem=form.problem("pinned_until") required=false />
            <Attachments c=c.clone() form=form.clone() lang=lang />
            <SubmitButton label=T::NoticesPublish />
        </form>
        </EnhancedForm>
    }
}

/// The form's photos and PDFs: up to three in all, each at most 5 MB; what an earlier try
/// kept is listed and goes with the notice.
#[component]
fn Attachments(c: PublishTargets, form: crate::form::FormState, lang: Lang) -> impl IntoView {
    let kept = !c.kept_photos.is_empty() || !c.kept_files.is_empty();
    view! {
        <fieldset class="field attachments">
            <legend>{lang.t(T::NoticesAttachments)}</legend>
            <p class="hint" id="f-attachments-hint">{lang.t(T::NoticesAttachmentsHint)}</p>
            {kept.then(|| view! {
                <p class="hint">{lang.t(T::NoticesAttachmentsKept)}</p>
                <ul class="photo-grid small">
                    {c.kept_photos.iter().map(|id| view! {
                        <li><img src=format!("/photos/{id}/thumb") alt=lang.t(T::Photo) width="96" height="96" /></li>
                    }).collect_view()}
                </ul>
                <ul class="plain files">
                    {c.kept_files.iter().map(|f| view! {
                        <li data-kept-file=""><a href=format!("/notices/0/files/{}", f.id)>{f.name.clone()}</a> " · " {f.size.clone()}</li>
                    }).collect_view()}
                </ul>
            })}
            <label for="f-photos">{lang.t(T::Photo)}</label>
            <input id="f-photos" name="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple
                aria-describedby="f-attachments-hint f-photos-error" data-preview="photo-preview" data-max-files=MAX_ATTACHMENTS data-max-bytes=crate::photos::MAX_PHOTO_BYTES
                data-err-count=lang.t(T::ErrNoticeFileCount) data-err-size=lang.t(T::ErrPhotoSize) data-err-type=lang.t(T::ErrPhotoType) />
            <ul class="photo-grid small" id="photo-preview" aria-live="polite"></ul>
            <p class="field-error" id="f-photos-error" data-error-for="photos">{form.problem("photos").map(|p| lang.t(p))}</p>
            <label for="f-files">{lang.t(T::NoticesFiles)}</label>
            <input id="f-files" name="files" type="file" accept="application/pdf,.pdf" multiple aria-describedby="f-attachments-hint f-files-error" />
            <p class="field-error" id="f-files-error" data-error-for="files">{form.problem("files").map(|p| lang.t(p))}</p>
            <progress class="upload" data-progress="" max="100" value="0" hidden></progress>
        </fieldset>
    }
}

/// A notice's photos (thumbnails opening the full picture) and PDFs to download.
#[component]
fn NoticeAttachments(photos: Vec<i64>, files: Vec<NoticeFile>, notice: i64, lang: Lang) -> impl IntoView {
    view! {
        {(!photos.is_empty()).then(|| view! {
            <ul class="photo-grid" data-notice-photos="">
                {photos.into_iter().map(|id| view! {
                    <li><a href=format!("/photos/{id}")><img src=format!("/photos/{id}/thumb") alt=lang.t(T::Photo) loading="lazy" width="160" height="160" /></a></li>
                }).collect_view()}
            </ul>
        })}
        {(!files.is_empty()).then(|| view! {
            <ul class="plain files" aria-label=lang.t(T::NoticesFiles)>
                {files.into_iter().map(|f| view! {
                    <li data-notice-file="">
                        <span class="tag">"PDF"</span> " "
                        <a href=format!("/notices/{notice}/files/{}", f.id) download=f.name.clone()>{f.name.clone()}</a>
                        <span class="meta small">" · " {f.size}</span>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// Home's card: the newest notices, pinned first, and how many are unread.
#[component]
pub fn HomeNoticesCard(n: NoticesOnHome, lang: Lang) -> impl IntoView {
    (!n.lines.is_empty()).then(|| {
        view! {
            <section class="card home-notices" aria-labelledby="home-notices-title">
                <h2 id="home-notices-title">
                    {lang.t(T::NoticesTitle)}
                    {(n.unread > 0).then(|| view! { " " <span class="badge" data-testid="notices-unread">{n.unread}</span> })}
                </h2>
                <ul class="plain">
                    {n.lines.into_iter().map(|l| view! {
                        <li data-notice=l.id.to_string() data-unread=l.unread.then_some("") class=if l.unread { "unread" } else { "" }>
                            <span class=format!("tag notice-{}", l.category.as_str())>{lang.t(l.category.label())}</span> " "
                            <a href=format!("/notices/{}", l.id)>{l.title}</a>
                            <span class="meta small">" · " {l.published}</span>
                        </li>
                    }).collect_view()}
                </ul>
                <a class="button secondary" href="/notices">{lang.t(T::NoticesAll)}</a>
            </section>
        }
    })
}
