//! One thread (`/threads/{id}`): body, supports, the discussion, flags, the station's answer.

use super::meetings::Meetings;
use super::*;

/// Form states of the thread page's forms after a plain post came back with an error.
#[derive(Clone)]
pub struct ThreadForms {
    comment: FormState,
    answer: FormState,
    meeting: FormState,
    other: Option<crate::error::AppError>,
}

pub(super) async fn thread_forms() -> ThreadForms {
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
pub(super) fn ThreadDetail(t: ThreadView, forms: ThreadForms, lang: Lang) -> impl IntoView {
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
            <LiveRegion stream=format!("/live/threads/{id}") region=LIVE_REGION.to_string() texts=LiveTexts::new(lang)>
                <div id=LIVE_REGION>
                    <Supports t=t.clone() lang=lang />
                    <Comments t=t.clone() lang=lang />
                </div>
            </LiveRegion>
            {powers.can_comment.then(|| view! { <CommentForm thread_id=id parent=None state=forms.comment.clone() lang=lang /> })}
        </Page>
    }
}

#[component]
pub(super) fn Supports(t: ThreadView, lang: Lang) -> impl IntoView {
    let reached = !matches!(t.state, rules::ThreadState::Open);
    view! {
        <section class="card supports" aria-labelledby="supports-h">
            <h2 id="supports-h">{lang.t(T::Supports)}</h2>
            <p class="support-count">
                <strong data-testid="support-count">{t.supports}</strong>
                {format!(" / {}", t.threshold)}
            </p>
            <p class="muted small" data-testid="verified-supports">{t.verified_supports} " " {lang.t(T::VerifiedSupports)}</p>
            <progress max=t.threshold value=t.verified_supports.min(t.threshold) aria-label=lang.t(T::Supports)></progress>
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
pub(super) fn Comments(t: ThreadView, lang: Lang) -> impl IntoView {
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
pub(super) fn CommentForm(thread_id: i64, parent: Option<i64>, state: FormState, lang: Lang) -> impl IntoView {
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
pub(super) fn FlagForm(kind: &'static str, id: i64, lang: Lang) -> impl IntoView {
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
pub(super) fn StationAnswer(t: ThreadView, state: FormState, lang: Lang) -> impl IntoView {
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
