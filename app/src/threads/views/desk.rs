//! The station's moderation desk (`/station/threads`).

use super::*;

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
pub(super) fn DeskBody(d: ModerationOverview, lang: Lang) -> impl IntoView {
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
