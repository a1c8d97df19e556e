//! The list of threads and the form to open one (`/threads`).

use super::*;

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
    let before = crate::paging::before_in_url();
    let list = Resource::new(move || (sort.clone(), topic.clone(), before.clone()), |(s, t, b)| threads(s, t, b));
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
                            Err(e) => crate::paging::failed(e, lang),
                        }
                    })
                }}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
pub(super) fn ThreadsBody(
    list: ThreadList,
    state: FormState,
    sort: String,
    topic: String,
    lang: Lang,
) -> impl IntoView {
    let sorts = [("newest", T::SortNewest), ("supported", T::SortSupported), ("active", T::SortActive)];
    let current_sort = if sort.is_empty() { "newest".to_string() } else { sort };
    // The same order and topic on the next page (both are codes from fixed lists).
    let sort_code = sorts.iter().map(|s| s.0).find(|c| *c == current_sort).unwrap_or("newest");
    let next_path = if TOPICS.contains(&topic.as_str()) {
        format!("/threads?sort={sort_code}&topic={topic}")
    } else {
        format!("/threads?sort={sort_code}")
    };
    view! {
        {(list.threshold > 0).then(|| view! {
            <p class="notice" data-testid="threshold">{crate::i18n::fmt::threshold_rule(lang, list.threshold)}</p>
        })}
        {list.blocked_until.clone().map(|u| view! { <p class="form-banner" role="alert">{crate::i18n::fmt::blocked_until(lang, &u)}</p> })}
        {list.can_post.then(|| view! { <NewThreadForm state=state lang=lang /> })}
        <form method="get" action="/search" class="search" role="search">
            <input type="hidden" name="kind" value="threads" />
            <label for="t-q" class="visually-hidden">{lang.t(T::SearchLink)}</label>
            <input id="t-q" name="q" type="search" placeholder=lang.t(T::SearchHint) maxlength="100" enterkeyhint="search" />
            <button type="submit" class="button secondary">{lang.t(T::Search)}</button>
        </form>
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
                <crate::paging::NextPage path=next_path next=list.next lang=lang />
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
pub(super) fn NewThreadForm(state: FormState, lang: Lang) -> impl IntoView {
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
                        <input id="f-photos" name="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple data-preview="photo-preview" data-max-files=crate::photos::MAX_PHOTOS data-max-bytes=crate::photos::MAX_PHOTO_BYTES
                        data-err-count=lang.t(T::ErrPhotoCount) data-err-size=lang.t(T::ErrPhotoSize) data-err-type=lang.t(T::ErrPhotoType) />
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
