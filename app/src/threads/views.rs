//! Pages: the community's threads (`/threads`), one thread (`/threads/{id}`) and the
//! station's moderation desk (`/station/threads`). Everything renders on the server and works
//! as plain forms; the live region and form enhancement are islands.

use super::live::{LiveThread, LIVE_REGION};
use super::*;
use crate::form::{load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::Lang;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use crate::work::state_label;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

/// A body as text with clickable web links; nothing else is markup.
#[component]
fn Body(pieces: Vec<Piece>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.into_any(),
            Piece::Break => view! { <br /> }.into_any(),
            Piece::Link(href) => {
                let text = href.clone();
                view! { <a href=href rel="nofollow noopener noreferrer ugc" target="_blank">{text}</a> }.into_any()
            }
        })
        .collect_view()
}

fn hidden_text(h: Hidden, lang: Lang) -> &'static str {
    lang.t(match h {
        Hidden::PendingReview => T::HiddenPendingReview,
        Hidden::ByModerator => T::HiddenByModerator,
    })
}

#[component]
pub fn ThreadsPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/threads");
    }
    let query = use_query_map().get_untracked();
    let sort = query.get("sort").unwrap_or_default();
    let topic = query.get("topic").unwrap_or_default();
    let state = Resource::new(|| (), |_| load_state("thread", OpenThread::PATH));
    let list = Resource::new(move || (sort.clone(), topic.clone()), |(s, t)| threads(s, t));
    let sort = query.get("sort").unwrap_or_default();
    let topic = query.get("topic").unwrap_or_default();
    view! {
        <Page tab=Tab::Deliberate title=lang.t(T::TabDeliberate).to_string()>
            <p class="lead">{lang.t(T::ThreadsIntro)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let (sort, topic) = (sort.clone(), topic.clone());
                    Suspend::new(async move {
                        let s = state.await;
                        match list.await {
                            Ok(l) => view! { <ThreadsBody list=l state=s sort=sort topic=topic lang=lang /> }.into_any(),
                            Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn ThreadsBody(list: ThreadList, state: FormState, sort: String, topic: String, lang: Lang) -> impl IntoView {
    let sorts = [("newest", T::SortNewest), ("supported", T::SortSupported), ("active", T::SortActive)];
    let current_sort = if sort.is_empty() { "newest".to_string() } else { sort };
    view! {
        {(list.threshold > 0).then(|| view! {
            <p class="notice" data-testid="threshold">{crate::i18n::fmt::threshold_rule(lang, list.threshold)}</p>
        })}
        {list.blocked_until.clone().map(|u| view! { <p class="form-banner" role="alert">{crate::i18n::fmt::blocked_until(lang, &u)}</p> })}
        {list.can_post.then(|| view! { <NewThreadForm state=state lang=lang /> })}
        <nav class="family-tabs sort-tabs" aria-label=lang.t(T::SortBy)>
            {sorts.into_iter().map(|(code, label)| {
                let href = if topic.is_empty() { format!("/threads?sort={code}") } else { format!("/threads?sort={code}&topic={topic}") };
                let here = current_sort == code;
                view! { <a href=href aria-current=here.then_some("page")>{lang.t(label)}</a> }
            }).collect_view()}
        </nav>
        <form method="get" action="/threads" class="inline-form topic-filter">
            <input type="hidden" name="sort" value=current_sort.clone() />
            <label for="f-topic-filter" class="visually-hidden">{lang.t(T::Topic)}</label>
            <select id="f-topic-filter" name="topic">
                <option value="">{lang.t(T::AllTopics)}</option>
                {TOPICS.into_iter().map(|t| view! { <option value=t selected=topic == t>{lang.t(topic_label(t))}</option> }).collect_view()}
            </select>
            <button type="submit" class="button secondary">{lang.t(T::Filter)}</button>
        </form>
        {if list.threads.is_empty() {
            view! { <p class="empty">{lang.t(T::NoThreadsYet)}</p> }.into_any()
        } else {
            view! {
                <ul class="thread-list">
                    {list.threads.into_iter().map(|t| view! { <ThreadLineView t=t lang=lang /> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn ThreadLineView(t: ThreadLine, lang: Lang) -> impl IntoView {
    let title = match (&t.title, t.hidden) {
        (Some(title), _) => title.clone(),
        (None, Some(h)) => hidden_text(h, lang).to_string(),
        (None, None) => String::new(),
    };
    view! {
        <li class="card thread-line" class:hidden-content=t.hidden.is_some()>
            <a href=format!("/threads/{}", t.id)>
                <span class=format!("state thread-{}", t.state.as_str())>{lang.t(thread_state_label(t.state))}</span>
                <span class="tag">{lang.t(topic_label(&t.topic))}</span>
                <strong class="thread-title">{title}</strong>
                <span class="muted small">
                    {format!("{} {} · {} {} · {} · {}", lang.t(T::Supports), t.supports, lang.t(T::Comments), t.comments, t.author, t.posted)}
                </span>
            </a>
        </li>
    }
}

#[component]
fn NewThreadForm(state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    let open = s.error.is_some();
    let key = Some(s.value("idempotency_key"))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
    let topic = s.value("topic");
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    view! {
        <details class="card new-thread" open=open>
            <summary class="button primary">{lang.t(T::OpenThread)}</summary>
            <EnhancedForm lang=lang>
                <form method="post" action=OpenThread::url() enctype="multipart/form-data" class="form" novalidate>
                    <FormBanner error=s.error.clone() />
                    <input type="hidden" name="idempotency_key" value=key />
                    <div class="field">
                        <label for="f-title">{lang.t(T::ThreadTitle)}</label>
                        <input id="f-title" name="title" type="text" maxlength=rules::MAX_TITLE required value=s.value("title")
                            aria-invalid=s.problem("title").map(|_| "true") />
                        <p class="field-error" data-error-for="title">{problem("title")}</p>
                    </div>
                    <div class="field">
                        <label for="f-topic">{lang.t(T::Topic)}</label>
                        <select id="f-topic" name="topic">
                            {TOPICS.into_iter().map(|t| view! { <option value=t selected=topic == t>{lang.t(topic_label(t))}</option> }).collect_view()}
                        </select>
                        <p class="field-error" data-error-for="topic">{problem("topic")}</p>
                    </div>
                    <div class="field">
                        <label for="f-body">{lang.t(T::ThreadBody)}</label>
                        <textarea id="f-body" name="body" rows="6" maxlength=rules::MAX_BODY required
                            aria-invalid=s.problem("body").map(|_| "true")>{s.value("body")}</textarea>
                        <p class="hint">{lang.t(T::ThreadBodyHint)}</p>
                        <p class="field-error" data-error-for="body">{problem("body")}</p>
                    </div>
                    <div class="field">
                        <label for="f-photos">{lang.t(T::Photos)}</label>
                        <input id="f-photos" name="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple data-preview="photo-preview" data-max-files=crate::photos::MAX_PHOTOS data-max-bytes=crate::photos::MAX_PHOTO_BYTES />
                        <ul class="photo-grid small" id="photo-preview" aria-live="polite"></ul>
                        <p class="hint">{lang.t(T::PhotosHint)}</p>
                        <p class="field-error" data-error-for="photos">{problem("photos")}</p>
                        <progress class="upload" data-progress="" max="100" value="0" hidden></progress>
                    </div>
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Publish)}</button>
                </form>
            </EnhancedForm>
        </details>
    }
}

/// Form states of the thread page's forms after a plain post came back with an error.
#[derive(Clone)]
struct ThreadForms {
    comment: FormState,
    answer: FormState,
    meeting: FormState,
    other: Option<crate::error::AppError>,
}

async fn thread_forms() -> ThreadForms {
    use crate::form::error_from_url;
    let other = [
        SupportThread::PATH,
        Flag::PATH,
        EditComment::PATH,
        DeleteComment::PATH,
        UpdateMilestone::PATH,
        MeetingSignup::PATH,
        MeetingMinutes::PATH,
    ]
    .into_iter()
    .find_map(error_from_url);
    ThreadForms {
        comment: load_state("comment-0", PostComment::PATH).await,
        answer: load_state("thread-answer", AnswerThread::PATH).await,
        meeting: load_state("meeting", ScheduleMeeting::PATH).await,
        other,
    }
}

#[component]
pub fn ThreadPage() -> impl IntoView {
    let lang = use_lang();
    let id = use_params_map().get_untracked().get("id").and_then(|v| v.parse::<i64>().ok());
    let Some(id) = id else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    if current_user().is_none() {
        return redirect_to_login(&format!("/threads/{id}"));
    }
    let data = Resource::new(move || id, thread);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let f = thread_forms().await;
                match data.await {
                    Ok(t) => view! { <ThreadDetail t=t forms=f lang=lang /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => view! { <crate::ui::NotFoundPage /> }.into_any(),
                    Err(e) => view! { <Page tab=Tab::Deliberate title=lang.t(T::ErrGenericTitle).to_string()><p class="form-banner" role="alert">{e.message(lang)}</p></Page> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ThreadDetail(t: ThreadView, forms: ThreadForms, lang: Lang) -> impl IntoView {
    let title = if t.title.is_empty() {
        t.hidden.map(|h| hidden_text(h, lang).to_string()).unwrap_or_default()
    } else {
        t.title.clone()
    };
    let powers = t.powers.clone();
    let id = t.id;
    view! {
        <Page tab=Tab::Deliberate title=title>
            {forms.other.clone().map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            {powers.blocked_until.clone().map(|u| view! { <p class="form-banner" role="alert">{crate::i18n::fmt::blocked_until(lang, &u)}</p> })}
            <section class="card thread-head">
                <p class="badges">
                    <span class=format!("state thread-{}", t.state.as_str()) data-testid="thread-state">{lang.t(thread_state_label(t.state))}</span>
                    <span class="tag">{lang.t(topic_label(&t.topic))}</span>
                    {t.hidden.map(|h| view! { <span class="tag danger">{hidden_text(h, lang)}</span> })}
                </p>
                <p class="muted small">{format!("{} · {}", t.author, t.posted)}</p>
                {(!t.body.is_empty()).then(|| view! { <div class="thread-body" data-testid="thread-body"><Body pieces=t.body.clone() /></div> })}
                {(!t.photos.is_empty()).then(|| view! {
                    <ul class="photo-grid">
                        {t.photos.iter().map(|p| view! {
                            <li><a href=format!("/photos/{p}")><img src=format!("/photos/{p}/thumb") alt=lang.t(T::Photo) loading="lazy" /></a></li>
                        }).collect_view()}
                    </ul>
                })}
                {powers.can_flag.then(|| view! { <FlagForm kind="thread" id=id lang=lang /> })}
            </section>
            <StationAnswer t=t.clone() state=forms.answer.clone() lang=lang />
            <Meetings t=t.clone() state=forms.meeting.clone() lang=lang />
            <LiveThread thread_id=id lang=lang>
                <div id=LIVE_REGION>
                    <Supports t=t.clone() lang=lang />
                    <Comments t=t.clone() lang=lang />
                </div>
            </LiveThread>
            {powers.can_comment.then(|| view! { <CommentForm thread_id=id parent=None state=forms.comment.clone() lang=lang /> })}
        </Page>
    }
}

#[component]
fn Supports(t: ThreadView, lang: Lang) -> impl IntoView {
    let reached = !matches!(t.state, rules::ThreadState::Open);
    view! {
        <section class="card supports" aria-labelledby="supports-h">
            <h2 id="supports-h">{lang.t(T::Supports)}</h2>
            <p class="support-count">
                <strong data-testid="support-count">{t.supports}</strong>
                {format!(" / {}", t.threshold)}
            </p>
            <progress max=t.threshold value=t.supports.min(t.threshold) aria-label=lang.t(T::Supports)></progress>
            <p class="muted small">
                {if reached { lang.t(T::ThresholdReached).to_string() } else { crate::i18n::fmt::threshold_rule(lang, t.threshold) }}
            </p>
            <p class="stances" data-testid="stances">
                {format!("{} {} · {} {} · {} {}",
                    lang.t(T::StanceSupport), t.stances.support,
                    lang.t(T::StanceOppose), t.stances.oppose,
                    lang.t(T::StanceNeutral), t.stances.neutral)}
            </p>
            {t.powers.can_support.then(|| view! {
                <form method="post" action=SupportThread::url() class="inline-form">
                    <input type="hidden" name="thread_id" value=t.id />
                    <input type="hidden" name="support" value=if t.i_support { "0" } else { "1" } />
                    <button type="submit" class=if t.i_support { "button secondary" } else { "button primary" } data-busy-label=lang.t(T::Sending)>
                        {lang.t(if t.i_support { T::WithdrawSupport } else { T::SupportThis })}
                    </button>
                </form>
            })}
        </section>
    }
}

#[component]
fn Comments(t: ThreadView, lang: Lang) -> impl IntoView {
    let powers = t.powers.clone();
    let count = t.comments.iter().filter(|c| c.body.is_some()).count();
    view! {
        <section class="comments" aria-labelledby="comments-h">
            <h2 id="comments-h">{format!("{} ({count})", lang.t(T::Comments))}</h2>
            {t.comments.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoCommentsYet)}</p> })}
            <ol class="comment-list">
                {t.comments.into_iter().map(|c| {
                    let powers = powers.clone();
                    let cid = c.id;
                    let body = match (&c.body, c.deleted, c.hidden) {
                        (_, true, _) => view! { <p class="muted placeholder">{lang.t(T::CommentDeleted)}</p> }.into_any(),
                        (None, _, Some(h)) => view! { <p class="muted placeholder">{hidden_text(h, lang)}</p> }.into_any(),
                        (Some(b), _, _) => view! { <p class="comment-body"><Body pieces=rules::pieces(b) /></p> }.into_any(),
                        (None, _, None) => ().into_any(),
                    };
                    let live = !c.deleted && c.body.is_some();
                    view! {
                        <li class=format!("card comment depth-{}", c.depth) id=format!("c{cid}") data-testid="comment">
                            <p class="comment-head">
                                <span class=format!("stance stance-{}", c.stance.as_str())>{lang.t(stance_label(c.stance))}</span>
                                <strong>{c.author.clone()}</strong>
                                {c.by_station.then(|| view! { <span class="tag">{lang.t(T::StationStaff)}</span> })}
                                <time class="muted small">{c.when.clone()}</time>
                                {c.edited.then(|| view! { <span class="muted small">{lang.t(T::Edited)}</span> })}
                                {c.hidden.filter(|_| c.body.is_some()).map(|h| view! { <span class="tag danger">{hidden_text(h, lang)}</span> })}
                            </p>
                            {body}
                            {live.then(|| view! {
                                <div class="comment-actions">
                                    {powers.can_comment.then(|| view! {
                                        <details>
                                            <summary>{lang.t(T::Reply)}</summary>
                                            <CommentForm thread_id=t.id parent=Some(cid) state=FormState::default() lang=lang />
                                        </details>
                                    })}
                                    {c.can_edit.then(|| view! {
                                        <details>
                                            <summary>{lang.t(T::Edit)}</summary>
                                            <form method="post" action=EditComment::url() class="form">
                                                <p class="form-banner" data-form-error="" role="alert" hidden></p>
                                                <input type="hidden" name="id" value=cid />
                                                <label for=format!("edit-{cid}")>{lang.t(T::Edit)}</label>
                                                <textarea id=format!("edit-{cid}") name="body" rows="3" maxlength=rules::MAX_COMMENT>{c.body.clone()}</textarea>
                                                <p class="field-error" data-error-for="body"></p>
                                                <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Save)}</button>
                                            </form>
                                        </details>
                                    })}
                                    {c.mine.then(|| view! {
                                        <form method="post" action=DeleteComment::url() class="inline-form">
                                            <input type="hidden" name="id" value=cid />
                                            <button type="submit" class="linkish">{lang.t(T::Delete)}</button>
                                        </form>
                                    })}
                                    {(powers.can_flag && !c.mine).then(|| view! { <FlagForm kind="comment" id=cid lang=lang /> })}
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn CommentForm(thread_id: i64, parent: Option<i64>, state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    let suffix = parent.map(|p| p.to_string()).unwrap_or_else(|| "top".into());
    let stance = {
        let v = s.value("stance");
        if v.is_empty() {
            "neutral".to_string()
        } else {
            v
        }
    };
    let body_id = format!("comment-body-{suffix}");
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    let form = view! {
        <form method="post" action=PostComment::url() class="form comment-form">
            <FormBanner error=s.error.clone() />
            <input type="hidden" name="thread_id" value=thread_id />
            <input type="hidden" name="idempotency_key" value=crate::form::key::IdempotencyKey::fresh() />
            {parent.map(|p| view! { <input type="hidden" name="parent_id" value=p /> })}
            <fieldset class="field stance-choice">
                <legend>{lang.t(T::Stance)}</legend>
                {rules::Stance::ALL.into_iter().map(|st| {
                    let id = format!("stance-{suffix}-{}", st.as_str());
                    let for_id = id.clone();
                    view! {
                        <label class="choice" for=for_id>
                            <input type="radio" id=id name="stance" value=st.as_str() checked=stance == st.as_str() />
                            <span>{lang.t(stance_label(st))}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for=body_id.clone()>{lang.t(if parent.is_some() { T::Reply } else { T::AddComment })}</label>
                <textarea id=body_id name="body" rows="3" maxlength=rules::MAX_COMMENT required>{s.value("body")}</textarea>
                <p class="field-error" data-error-for="body">{problem("body")}</p>
            </div>
            <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Send)}</button>
        </form>
    };
    if parent.is_some() {
        form.into_any()
    } else {
        view! { <section class="card" id="comment-form"><EnhancedForm lang=lang>{form}</EnhancedForm></section> }
            .into_any()
    }
}

#[component]
fn FlagForm(kind: &'static str, id: i64, lang: Lang) -> impl IntoView {
    let field = format!("flag-{kind}-{id}");
    view! {
        <details class="flag">
            <summary>{lang.t(T::Flag)}</summary>
            <form method="post" action=Flag::url() class="form">
                <p class="form-banner" data-form-error="" role="alert" hidden></p>
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="id" value=id />
                <label for=field.clone()>{lang.t(T::FlagReason)}</label>
                <input id=field name="reason" type="text" maxlength="200" required />
                <p class="field-error" data-error-for="reason"></p>
                <button type="submit" class="button secondary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Flag)}</button>
            </form>
        </details>
    }
}

#[component]
fn StationAnswer(t: ThreadView, state: FormState, lang: Lang) -> impl IntoView {
    let answered = !t.answer.is_empty();
    let station = t.powers.station;
    let can_answer = station && t.state.can_answer();
    let s = state;
    let decision = {
        let v = s.value("decision");
        if v.is_empty() {
            "adopt".to_string()
        } else {
            v
        }
    };
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    let show = t.work.is_some() || answered || !t.milestones.is_empty();
    show.then(|| view! {
        <section class="card station-answer" aria-labelledby="answer-h">
            <h2 id="answer-h">{lang.t(T::StationAnswer)}</h2>
            {t.work.clone().map(|(demand, state, due)| view! {
                <p class="muted small">
                    <a href=format!("/demands/{demand}") data-testid="project-item">{lang.t(T::AutonomyProject)} " #" {demand}</a>
                    " · " <span class=format!("state state-{}", state.as_str())>{lang.t(state_label(state))}</span>
                    " · " {lang.t(T::DueCompletion)} " " {due}
                </p>
            })}
            {answered.then(|| view! {
                <p class="answer" data-testid="answer"><strong>{lang.t(thread_state_label(t.state))}</strong> " " {t.answered.clone()}</p>
                <p class="answer-text"><Body pieces=rules::pieces(&t.answer) /></p>
            })}
            {t.merged_into.clone().map(|(m, title)| view! { <p><a href=format!("/threads/{m}")>{lang.t(T::MergedInto)} " " {title}</a></p> })}
            {(!t.milestones.is_empty()).then(|| view! {
                <h3>{lang.t(T::Milestones)}</h3>
                <ol class="milestones">
                    {t.milestones.iter().map(|m| view! {
                        <li class:done=m.done.is_some() data-testid="milestone">
                            <span class="tick" aria-hidden="true">{if m.done.is_some() { "✓" } else { "○" }}</span>
                            <strong>{m.title.clone()}</strong>
                            <span class="muted small">{format!(" {} {}", lang.t(T::DueOn), m.due_on)}</span>
                            {m.done.clone().map(|d| view! { <span class="muted small">{format!(" · {} {d}", lang.t(T::Done))}</span> })}
                            {(!m.note.is_empty()).then(|| view! { <p class="small">{m.note.clone()}</p> })}
                            {(station && m.done.is_none()).then(|| view! {
                                <form method="post" action=UpdateMilestone::url() class="inline-form">
                                    <input type="hidden" name="id" value=m.id />
                                    <label class="visually-hidden" for=format!("ms-note-{}", m.id)>{lang.t(T::Note)}</label>
                                    <input id=format!("ms-note-{}", m.id) name="note" type="text" maxlength="500" placeholder=lang.t(T::Note) />
                                    <button type="submit" class="button secondary small">{lang.t(T::MarkDone)}</button>
                                </form>
                            })}
                        </li>
                    }).collect_view()}
                </ol>
            })}
            {can_answer.then(|| view! {
                <EnhancedForm lang=lang>
                    <form method="post" action=AnswerThread::url() class="form answer-form">
                        <FormBanner error=s.error.clone() />
                        <input type="hidden" name="thread_id" value=t.id />
                        <fieldset class="field">
                            <legend>{lang.t(T::Decision)}</legend>
                            {[("adopt", T::ThreadAdopted), ("merge", T::ThreadMerged), ("decline", T::ThreadDeclined)].into_iter().map(|(v, label)| {
                                let id = format!("decision-{v}");
                                let for_id = id.clone();
                                view! {
                                    <label class="choice" for=for_id>
                                        <input type="radio" id=id name="decision" value=v checked=decision == v />
                                        <span>{lang.t(label)}</span>
                                    </label>
                                }
                            }).collect_view()}
                            <p class="field-error" data-error-for="decision">{problem("decision")}</p>
                        </fieldset>
                        <div class="field">
                            <label for="answer-text">{lang.t(T::AnswerText)}</label>
                            <textarea id="answer-text" name="text" rows="4" maxlength=rules::MAX_BODY>{s.value("text")}</textarea>
                            <p class="field-error" data-error-for="text">{problem("text")}</p>
                        </div>
                        <div class="field">
                            <label for="answer-milestones">{lang.t(T::Milestones)}</label>
                            <textarea id="answer-milestones" name="milestones" rows="4" placeholder="2026-12-15 征求意见\n2027-01-10 施工">{s.value("milestones")}</textarea>
                            <p class="hint">{lang.t(T::MilestonesHint)}</p>
                            <p class="field-error" data-error-for="milestones">{problem("milestones")}</p>
                        </div>
                        <div class="field">
                            <label for="answer-merge">{lang.t(T::MergedInto)}</label>
                            <select id="answer-merge" name="merge_into">
                                <option value="">"—"</option>
                                {t.merge_targets.iter().map(|(id, title)| view! { <option value=*id>{format!("#{id} {title}")}</option> }).collect_view()}
                            </select>
                            <p class="field-error" data-error-for="merge_into">{problem("merge_into")}</p>
                        </div>
                        <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::SendAnswer)}</button>
                    </form>
                </EnhancedForm>
            })}
        </section>
    })
}

#[component]
fn Meetings(t: ThreadView, state: FormState, lang: Lang) -> impl IntoView {
    let station = t.powers.station;
    let resident = t.powers.can_support || t.powers.can_flag;
    let s = state;
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    let show = station || !t.meetings.is_empty();
    let open_schedule = s.error.is_some();
    show.then(|| view! {
        <section class="card meetings" id="meetings" aria-labelledby="meetings-h">
            <h2 id="meetings-h">{lang.t(T::ConsultationMeetings)}</h2>
            {t.meetings.iter().map(|m| {
                let full = m.taken >= m.capacity;
                view! {
                    <article class="meeting" data-testid="meeting">
                        <p><strong>{format!("{}–{}", m.starts, m.ends)}</strong></p>
                        <p>{m.place.clone()}</p>
                        <p class="muted small" data-testid="meeting-places">
                            {crate::i18n::fmt::places(lang, m.taken, m.capacity, m.waitlist)}
                        </p>
                        {m.mine.map(|o| view! {
                            <p class="notice" data-testid="my-signup">
                                {match o {
                                    SignupOutcome::Confirmed => lang.t(T::SignedUp).to_string(),
                                    SignupOutcome::Waitlisted => crate::i18n::fmt::waitlist_position(lang, m.waitlist_position.unwrap_or(0)),
                                }}
                            </p>
                        })}
                        {(resident && !m.started).then(|| view! {
                            <form method="post" action=MeetingSignup::url() class="inline-form">
                                <input type="hidden" name="meeting_id" value=m.id />
                                <input type="hidden" name="join" value=if m.mine.is_some() { "0" } else { "1" } />
                                <button type="submit" class=if m.mine.is_some() { "button secondary" } else { "button primary" }>
                                    {lang.t(match (m.mine.is_some(), full) {
                                        (true, _) => T::CancelSignup,
                                        (false, true) => T::JoinWaitlist,
                                        (false, false) => T::SignUp,
                                    })}
                                </button>
                            </form>
                        })}
                        <p><a href=format!("/meetings/{}/ics", m.id) download="">{lang.t(T::AddToCalendar)}</a></p>
                        {(!m.minutes.is_empty()).then(|| view! {
                            <h3>{lang.t(T::Minutes)}</h3>
                            <p class="minutes" data-testid="minutes"><Body pieces=rules::pieces(&m.minutes) /></p>
                            <p><strong>{lang.t(T::MeetingDecision)} ": "</strong>{m.decision.clone()}</p>
                        })}
                        {(station && !m.attendees.is_empty()).then(|| view! {
                            <details><summary>{lang.t(T::Attendees)}</summary>
                                <ul>{m.attendees.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
                            </details>
                        })}
                        {(station && m.started).then(|| view! {
                            <details open=m.minutes.is_empty()>
                                <summary>{lang.t(T::PostMinutes)}</summary>
                                <form method="post" action=MeetingMinutes::url() class="form">
                                    <p class="form-banner" data-form-error="" role="alert" hidden></p>
                                    <input type="hidden" name="meeting_id" value=m.id />
                                    <label for=format!("minutes-{}", m.id)>{lang.t(T::Minutes)}</label>
                                    <textarea id=format!("minutes-{}", m.id) name="minutes" rows="4">{m.minutes.clone()}</textarea>
                                    <p class="field-error" data-error-for="minutes"></p>
                                    <label for=format!("decision-text-{}", m.id)>{lang.t(T::MeetingDecision)}</label>
                                    <input id=format!("decision-text-{}", m.id) name="decision" type="text" maxlength="1000" value=m.decision.clone() />
                                    <p class="field-error" data-error-for="decision"></p>
                                    <button type="submit" class="button primary">{lang.t(T::Save)}</button>
                                </form>
                            </details>
                        })}
                    </article>
                }
            }).collect_view()}
            {station.then(|| view! {
                <details class="schedule" open=open_schedule>
                    <summary class="button secondary">{lang.t(T::ScheduleMeeting)}</summary>
                    <EnhancedForm lang=lang>
                        <form method="post" action=ScheduleMeeting::url() class="form">
                            <FormBanner error=s.error.clone() />
                            <input type="hidden" name="thread_id" value=t.id />
                            <div class="field">
                                <label for="m-date">{lang.t(T::Date)}</label>
                                <input id="m-date" name="date" type="date" required value=s.value("date") />
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="m-start">{lang.t(T::StartTime)}</label>
                                    <input id="m-start" name="start" type="time" required value=s.value("start") />
                                    <p class="field-error" data-error-for="start">{problem("start")}</p>
                                </div>
                                <div class="field">
                                    <label for="m-end">{lang.t(T::EndTime)}</label>
                                    <input id="m-end" name="end" type="time" required value=s.value("end") />
                                    <p class="field-error" data-error-for="end">{problem("end")}</p>
                                </div>
                            </div>
                            <div class="field">
                                <label for="m-place">{lang.t(T::MeetingPlace)}</label>
                                <input id="m-place" name="place" type="text" maxlength="100" required
                                    value={ let v = s.value("place"); if v.is_empty() { lang.t(T::DefaultMeetingPlace).to_string() } else { v } } />
                                <p class="field-error" data-error-for="place">{problem("place")}</p>
                            </div>
                            <div class="field">
                                <label for="m-capacity">{lang.t(T::Capacity)}</label>
                                <input id="m-capacity" name="capacity" type="number" min="1" max="500" inputmode="numeric" required
                                    value={ let v = s.value("capacity"); if v.is_empty() { "30".to_string() } else { v } } />
                                <p class="field-error" data-error-for="capacity">{problem("capacity")}</p>
                            </div>
                            <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::ScheduleMeeting)}</button>
                        </form>
                    </EnhancedForm>
                </details>
            })}
        </section>
    })
}

#[component]
pub fn ModerationPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/threads") };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let desk = Resource::new(|| (), |_| moderation_desk());
    let error = [Moderate::PATH, BlockUser::PATH, SetThreshold::PATH].into_iter().find_map(crate::form::error_from_url);
    view! {
        <crate::ui::StationFrame title=lang.t(T::ThreadsDesk).to_string()>
            {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match desk.await {
                        Ok(d) => view! { <DeskBody d=d lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </crate::ui::StationFrame>
    }
    .into_any()
}

#[component]
fn DeskBody(d: ModerationOverview, lang: Lang) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="review-h">
            <h2 id="review-h">{lang.t(T::ThreadsAwaitingAnswer)}</h2>
            {d.in_review.is_empty().then(|| view! { <p class="empty">{lang.t(T::NothingToReview)}</p> })}
            <ul class="thread-list">
                {d.in_review.into_iter().map(|t| view! { <ThreadLineView t=t lang=lang /> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="queue-h">
            <h2 id="queue-h">{lang.t(T::ModerationQueue)}</h2>
            {d.queue.is_empty().then(|| view! { <p class="empty">{lang.t(T::NothingToReview)}</p> })}
            <ul class="flag-list">
                {d.queue.into_iter().map(|f| {
                    let kind = f.kind.clone();
                    let decide = move |decision: &'static str, label: T| {
                        let kind = kind.clone();
                        view! {
                            <form method="post" action=Moderate::url() class="inline-form">
                                <input type="hidden" name="kind" value=kind />
                                <input type="hidden" name="id" value=f.id />
                                <input type="hidden" name="decision" value=decision />
                                <button type="submit" class="button secondary small">{lang.t(label)}</button>
                            </form>
                        }
                    };
                    view! {
                        <li class="flagged" data-testid="flagged">
                            <p>
                                <span class="tag">{lang.t(if f.kind == "thread" { T::Thread } else { T::Comment })}</span>
                                {f.hidden.map(|h| view! { <span class="tag danger">{hidden_text(h, lang)}</span> })}
                                " " <a href=format!("/threads/{}", f.thread_id)>{f.excerpt.clone()}</a>
                            </p>
                            <p class="muted small">{format!("{} · ⚑ {} · {}", f.author, f.flags, f.reasons.join(" / "))}</p>
                            <div class="row">
                                {decide("hide", T::Hide)}
                                {decide("restore", T::Restore)}
                            </div>
                            <details>
                                <summary>{lang.t(T::BlockUser)}</summary>
                                <form method="post" action=BlockUser::url() class="form">
                                    <input type="hidden" name="user_id" value=f.author_id />
                                    <label for=format!("days-{}-{}", f.kind, f.id)>{lang.t(T::BlockDays)}</label>
                                    <input id=format!("days-{}-{}", f.kind, f.id) name="days" type="number" min="1" max="365" value="7" />
                                    <label for=format!("reason-{}-{}", f.kind, f.id)>{lang.t(T::FlagReason)}</label>
                                    <input id=format!("reason-{}-{}", f.kind, f.id) name="reason" type="text" maxlength="200" required />
                                    <button type="submit" class="button danger small">{lang.t(T::BlockUser)}</button>
                                </form>
                            </details>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="blocked-h">
            <h2 id="blocked-h">{lang.t(T::BlockedUsers)}</h2>
            {d.blocked.is_empty().then(|| view! { <p class="empty">{lang.t(T::NobodyBlocked)}</p> })}
            <ul>
                {d.blocked.into_iter().map(|b| view! {
                    <li>
                        {format!("{} · {} · {}", b.name, b.until, b.reason)}
                        <form method="post" action=BlockUser::url() class="inline-form">
                            <input type="hidden" name="user_id" value=b.id />
                            <input type="hidden" name="days" value="0" />
                            <input type="hidden" name="reason" value="" />
                            <button type="submit" class="linkish">{lang.t(T::Unblock)}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="threshold-h">
            <h2 id="threshold-h">{lang.t(T::SupportThreshold)}</h2>
            <p data-testid="desk-threshold">{crate::i18n::fmt::threshold_explained(lang, d.threshold, d.households, d.threshold_setting)}</p>
            {d.may_set_threshold.then(|| view! {
                <form method="post" action=SetThreshold::url() class="form">
                    <div class="field">
                        <label for="f-threshold">{lang.t(T::SupportThreshold)}</label>
                        <input id="f-threshold" name="threshold" type="number" min="1" inputmode="numeric"
                            value=d.threshold_setting.map(|t| t.to_string()).unwrap_or_default() placeholder=lang.t(T::DefaultRule) />
                        <p class="hint">{lang.t(T::ThresholdHint)}</p>
                    </div>
                    <button type="submit" class="button secondary">{lang.t(T::Save)}</button>
                </form>
            })}
        </section>
    }
}
