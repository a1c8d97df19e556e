//! The supervision pages: the admins' case list (`/station/supervision`, a GET form of
//! filters, pages by key) and the urges section of a case page (urge form for admins above,
//! answer form for the station). Plain links and forms: everything works without JavaScript.

use super::rules::{Filter, UrgeState, MAX_NOTE};
use super::*;
use crate::form::{error_from_url, state_after, EnhancedForm, FormBanner, FormState};
use crate::i18n::{Lang, T};
use crate::paging::{before_in_url, failed, NextPage};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, StationFrame};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

fn urge_label(s: UrgeState) -> T {
    match s {
        UrgeState::Waiting => T::SupervisionWaiting,
        UrgeState::Late => T::SupervisionAnswerLate,
        UrgeState::Answered => T::SupervisionAnswered,
        UrgeState::AnsweredLate => T::SupervisionAnsweredLate,
    }
}

fn urge_class(s: UrgeState) -> &'static str {
    match s {
        UrgeState::Late | UrgeState::AnsweredLate => "tag danger",
        _ => "tag",
    }
}

#[component]
pub fn SupervisionPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/station/supervision");
    }
    let q = use_query_map().get_untracked();
    let filter = q.get("filter").unwrap_or_default();
    let community = q.get("community").unwrap_or_default();
    let before = before_in_url();
    let (f, c) = (filter.clone(), community.clone());
    let data = Resource::new(
        move || (f.clone(), c.clone(), before.clone()),
        |(f, c, b)| supervision_cases(Some(f), Some(c), b),
    );
    view! {
        <StationFrame title=lang.t(T::SupervisionTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || {
                    let (filter, community) = (filter.clone(), community.clone());
                    Suspend::new(async move {
                        match data.await {
                            Ok(list) => view! { <CaseListView list=list filter=filter community=community lang=lang /> }.into_any(),
                            Err(e) => failed(e, lang),
                        }
                    })
                }}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn CaseListView(list: CaseList, filter: String, community: String, lang: Lang) -> impl IntoView {
    let chosen = Filter::from_query(Some(&filter)).unwrap_or(Filter::Overdue);
    let path = format!(
        "/station/supervision?filter={}&community={}",
        chosen.as_str(),
        community.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>()
    );
    let empty = list.page.lines.is_empty();
    view! {
        <p class="lead">{lang.t(T::SupervisionLead)} " " <strong>{list.unit.get(lang).to_string()}</strong></p>
        <form method="get" action="/station/supervision" class="card form filters">
            <div class="field">
                <label for="f-filter">{lang.t(T::SupervisionFilter)}</label>
                <select id="f-filter" name="filter">
                    {Filter::ALL.into_iter().map(|f| view! {
                        <option value=f.as_str() selected=f == chosen>{lang.t(f.label())}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-community">{lang.t(T::Community)}</label>
                <select id="f-community" name="community">
                    <option value="">{lang.t(T::SupervisionAllCommunities)}</option>
                    {list.communities.iter().map(|(code, name)| view! {
                        <option value=code.clone() selected=*code == community>{name.get(lang).to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button secondary">{lang.t(T::Filter)}</button>
        </form>
        {empty.then(|| view! { <p class="empty">{lang.t(T::SupervisionNone)}</p> })}
        <ul class="demand-list supervision-list">
            {list.page.lines.into_iter().map(|l| view! {
                <li class="card" data-item=l.item_id.to_string()>
                    <a class="card-link" href=format!("/demands/{}", l.demand_id)>
                        <span class="tag">{lang.t(crate::work::state_label(l.state))}</span>
                        {l.overdue.then(|| view! { " " <span class="tag danger">{lang.t(T::Overdue)}</span> })}
                        {(l.whistles_late > 0).then(|| view! { " " <span class="tag danger">{lang.t(T::SupervisionWhistleLate)}</span> })}
                        {l.rating.map(|r| view! { " " <span class=if r <= 2 { "tag danger" } else { "tag" }>{format!("{}★", r)}</span> })}
                        {l.urge.clone().map(|(by, s)| view! {
                            " " <span class=urge_class(s) data-testid="urge-state">{lang.t(urge_label(s))} " · " {by}</span>
                        })}
                        <strong class="notice-title">
                            {if l.title.is_empty() { format!("{} #{}", lang.t(T::SupervisionPrivateCase), l.demand_id) } else { l.title }}
                        </strong>
                        <span class="meta">
                            {l.community.get(lang).to_string()}
                            {l.affair.map(|a| format!(" · {}", a.get(lang)))}
                            " · " {l.posted}
                        </span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
        <NextPage path=path next=list.page.next lang=lang />
    }
}

/// The urges of a case, with the admin's urge form or the station's answer form.
#[component]
pub fn CaseSupervisionSection(demand_id: i64, lang: Lang) -> impl IntoView {
    // Read while the router is at hand: the resource below runs after the page's own.
    let errors = (error_from_url(UrgeCase::PATH), error_from_url(AnswerUrge::PATH));
    let data = Resource::new(
        move || demand_id,
        move |d| {
            let (urge, answer) = errors.clone();
            async move {
                (case_supervision(d).await, state_after("urge", urge).await, state_after("urge-answer", answer).await)
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    (Ok(s), urge, answer) => {
                        let show = !s.urges.is_empty() || s.may_urge;
                        show.then(|| view! { <UrgesCard s=s demand_id=demand_id urge=urge answer=answer lang=lang /> }).into_any()
                    }
                    (Err(_), _, _) => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UrgesCard(s: UrgesOfCase, demand_id: i64, urge: FormState, answer: FormState, lang: Lang) -> impl IntoView {
    let waiting = s.urges.iter().find(|u| u.answered.is_none()).map(|u| u.id);
    view! {
        <section class="card supervision" aria-labelledby="urges-title" data-testid="supervision">
            <h2 id="urges-title">{lang.t(T::SupervisionUrges)}</h2>
            <ul class="plain urges">
                {s.urges.into_iter().map(|u| view! {
                    <li class="urge" data-urge=u.id.to_string()>
                        <p>
                            <span class=urge_class(u.state) data-testid="urge-state">{lang.t(urge_label(u.state))}</span> " "
                            <strong>{u.unit.get(lang).to_string()}</strong> " · " {u.by} " · " {u.urged}
                        </p>
                        <p class="urge-note">{u.note}</p>
                        <p class="meta small">{lang.t(T::SupervisionAnswerBy)} " " {u.answer_by}</p>
                        {u.answer.map(|a| view! {
                            <blockquote class="urge-answer" data-testid="urge-answer">
                                <p>{a}</p>
                                <p class="meta small">{u.answered_by.unwrap_or_default()} " · " {u.answered.unwrap_or_default()}</p>
                            </blockquote>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            {(s.may_answer).then(|| waiting.map(|id| view! {
                <EnhancedForm lang=lang>
                    <form method="post" action=AnswerUrge::url() class="form panel-part" data-testid="answer-form">
                        <FormBanner error=answer.error.clone() />
                        <input type="hidden" name="urge" value=id />
                        <div class="field">
                            <label for="f-urge-answer">{lang.t(T::SupervisionAnswer)}</label>
                            <textarea id="f-urge-answer" name="answer" rows="3" maxlength="2000" required>{answer.value("answer")}</textarea>
                            <p class="field-error" data-error-for="answer">{answer.problem("answer").map(|p| lang.t(p))}</p>
                        </div>
                        <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::SupervisionSendAnswer)}</button>
                    </form>
                </EnhancedForm>
            }))}
            {s.may_urge.then(|| view! {
                <EnhancedForm lang=lang>
                    <form method="post" action=UrgeCase::url() class="form panel-part" data-testid="urge-form">
                        <FormBanner error=urge.error.clone() />
                        <input type="hidden" name="demand" value=demand_id />
                        <div class="field">
                            <label for="f-urge-note">{lang.t(T::SupervisionUrgeNote)}</label>
                            <textarea id="f-urge-note" name="note" rows="3" maxlength=MAX_NOTE.to_string() required>{urge.value("note")}</textarea>
                            <p class="field-error" data-error-for="note">{urge.problem("note").map(|p| lang.t(p))}</p>
                        </div>
                        <div class="field">
                            <label for="f-urge-by">{lang.t(T::SupervisionAnswerBy)}</label>
                            <input id="f-urge-by" name="answer_by" type="date" required min=s.first_day.clone() max=s.last_day.clone()
                                value=Some(urge.value("answer_by")).filter(|v| !v.is_empty()).unwrap_or(s.first_day.clone()) />
                            <p class="field-error" data-error-for="answer_by">{urge.problem("answer_by").map(|p| lang.t(p))}</p>
                        </div>
                        <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::SupervisionUrge)}</button>
                    </form>
                </EnhancedForm>
            })}
        </section>
    }
}
