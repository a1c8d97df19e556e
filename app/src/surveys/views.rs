//! `/surveys` and `/surveys/{id}` for residents; `/station/surveys`, `/station/surveys/new`
//! and `/station/surveys/{id}` (results) for the station. Every form is a plain POST.

use super::rules::{self, Kind, Question, MAX_QUESTIONS};
use super::*;
use crate::form::{load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::charts::BarChart;
use crate::ui::{current_user, redirect_to_login, Page, StationFrame, Tab};
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

fn id_param() -> Option<i64> {
    use_params_map().get_untracked().get("id").and_then(|v| v.parse::<i64>().ok())
}

fn banner(e: AppError, lang: Lang) -> AnyView {
    view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any()
}

#[component]
pub fn SurveysPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/surveys");
    }
    let data = Resource::new(|| (), |_| list_surveys());
    view! {
        <Page tab=Tab::Me title=lang.t(T::Surveys).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) => view! { <SurveyListView list=list lang=lang station=false /> }.into_any(),
                        Err(e) => banner(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn SurveyListView(list: SurveyList, lang: Lang, station: bool) -> impl IntoView {
    let staff = list.staff;
    view! {
        {(staff && !station).then(|| view! { <p><a class="button secondary" href="/station/surveys">{lang.t(T::SurveysDesk)}</a></p> })}
        {station.then(|| view! { <p><a class="button primary" href="/station/surveys/new">{lang.t(T::NewSurvey)}</a></p> })}
        {list.lines.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoSurveys)}</p> })}
        <ul class="demand-list">
            {list.lines.into_iter().map(|l| {
                let href = if station { format!("/station/surveys/{}", l.id) } else { format!("/surveys/{}", l.id) };
                let status = if l.upcoming { T::SurveyUpcoming } else if l.open { T::SurveyOpen } else { T::SurveyClosed };
                view! {
                    <li class="card" data-testid="survey-line">
                        <a class="card-link" href=href>
                            <strong>{l.title.clone()}</strong>
                            <span class="meta">
                                <span class="state">{lang.t(status)}</span>
                                " " {format!("{} – {}", l.opens, l.closes)}
                                {l.anonymous.then(|| view! { " · " {lang.t(T::Anonymous)} })}
                                {l.answered.then(|| view! { " · " <span data-testid="answered">{lang.t(T::YouAnswered)}</span> })}
                                {station.then(|| view! { " · " {lang.t(T::Responses)} " " <span data-testid="response-count">{l.responses}</span> })}
                            </span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let lang = use_lang();
    let Some(id) = id_param() else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    if current_user().is_none() {
        return redirect_to_login(&format!("/surveys/{id}"));
    }
    let data = Resource::new(move || id, load_survey_sheet);
    let state = Resource::new(|| (), |_| load_state("survey-answer", AnswerSurvey::PATH));
    view! {
        <Page tab=Tab::Me title=lang.t(T::Survey).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = state.await;
                    match data.await {
                        Ok(sheet) => view! { <SheetView sheet=sheet s=s lang=lang /> }.into_any(),
                        Err(e) => banner(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn SheetView(sheet: SurveySheet, s: FormState, lang: Lang) -> impl IntoView {
    let id = sheet.id;
    // A draft kept for another survey is not this one's.
    let s = if s.value("survey_id") == id.to_string() {
        s
    } else {
        FormState { error: s.error, draft: Default::default() }
    };
    let head = view! {
        <h2 data-testid="survey-title">{sheet.title.clone()}</h2>
        {(!sheet.intro.is_empty()).then(|| view! { <p class="lead">{sheet.intro.clone()}</p> })}
        <p class="hint">
            {lang.t(T::SurveyCloses)} " " {sheet.closes.clone()}
            {sheet.anonymous.then(|| view! { " · " {lang.t(T::AnonymousHint)} })}
        </p>
        {sheet.staff.then(|| view! { <p><a class="button secondary" href=format!("/station/surveys/{id}")>{lang.t(T::SurveyResults)}</a></p> })}
    };
    let body = if sheet.answered {
        view! { <p class="card notice ok" data-testid="survey-thanks">{lang.t(T::SurveyThanks)}</p> }.into_any()
    } else if !sheet.open {
        view! { <p class="card notice">{lang.t(T::SurveyNotOpen)}</p> }.into_any()
    } else if !sheet.may_answer {
        ().into_any()
    } else {
        let questions = sheet.questions.clone();
        view! {
            <EnhancedForm lang=lang>
                <form method="post" action=AnswerSurvey::url() class="card form" data-testid="survey-form">
                    <FormBanner error=s.error.clone() />
                    <input type="hidden" name="survey_id" value=id />
                    {questions.into_iter().enumerate().map(|(k, q)| view! { <QuestionField q=q n=k + 1 s=s.clone() lang=lang /> }).collect_view()}
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::SubmitAnswers)}</button>
                </form>
            </EnhancedForm>
        }
        .into_any()
    };
    view! { {head} {body} }
}

#[component]
fn QuestionField(q: Question, n: usize, s: FormState, lang: Lang) -> impl IntoView {
    let name = rules::field(q.id);
    let problem = s.problem(&name).map(|p| lang.t(p));
    let value = s.value(&name);
    let legend = format!("{n}. {}", q.prompt);
    let required = q.required;
    let control = match q.kind {
        Kind::Single => q
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let checked = value == i.to_string();
                view! { <label class="choice"><input type="radio" name=name.clone() value=i checked=checked required=required /> " " {o.clone()}</label> }
            })
            .collect_view()
            .into_any(),
        Kind::Multiple => q
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let field = rules::option_field(q.id, i);
                let checked = !s.value(&field).is_empty();
                view! { <label class="choice"><input type="checkbox" name=field value="1" checked=checked /> " " {o.clone()}</label> }
            })
            .collect_view()
            .into_any(),
        Kind::Scale => view! {
            <div class="scale">
                {(1..=5).map(|v| {
                    let checked = value == v.to_string();
                    view! { <label class="choice"><input type="radio" name=name.clone() value=v checked=checked required=required /> " " {v}</label> }
                }).collect_view()}
                <span class="hint">{lang.t(T::ScaleHint)}</span>
            </div>
        }
        .into_any(),
        Kind::Text => view! { <textarea name=name.clone() rows="3" maxlength="1000" aria-label=q.prompt.clone()>{value.clone()}</textarea> }.into_any(),
    };
    view! {
        <fieldset class="field question" data-testid="question">
            <legend>{legend} {required.then(|| view! { <span class="required" aria-label=lang.t(T::Required)>" *"</span> })}</legend>
            {control}
            <p class="field-error" data-error-for=name.clone()>{problem}</p>
        </fieldset>
    }
}

#[component]
pub fn StationSurveysPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/surveys") };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let data = Resource::new(|| (), |_| list_surveys());
    view! {
        <StationFrame title=lang.t(T::SurveysDesk).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) => view! { <SurveyListView list=list lang=lang station=true /> }.into_any(),
                        Err(e) => banner(e, lang),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
pub fn NewSurveyPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/surveys/new") };
    if !user.role.is_station_team() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let state = Resource::new(|| (), |_| load_state("survey-new", CreateSurvey::PATH));
    view! {
        <StationFrame title=lang.t(T::NewSurvey).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = state.await;
                    let key = Some(s.value("idempotency_key")).filter(|k| !k.is_empty()).unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
                    let problems = s.clone();
                    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
                    let today = crate::time::to_local(chrono::Utc::now().timestamp_millis()).date_naive();
                    let opens = Some(s.value("opens")).filter(|v| !v.is_empty()).unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
                    let closes = Some(s.value("closes")).filter(|v| !v.is_empty())
                        .unwrap_or_else(|| (today + chrono::Duration::days(14)).format("%Y-%m-%d").to_string());
                    view! {
                        <EnhancedForm lang=lang>
                            <form method="post" action=CreateSurvey::url() class="card form">
                                <FormBanner error=s.error.clone() />
                                <input type="hidden" name="idempotency_key" value=key />
                                <div class="field">
                                    <label for="s-title">{lang.t(T::SurveyTitle)}</label>
                                    <input id="s-title" name="title" maxlength="80" required value=s.value("title") />
                                    <p class="field-error" data-error-for="title">{problem("title")}</p>
                                </div>
                                <div class="field">
                                    <label for="s-intro">{lang.t(T::SurveyIntro)}</label>
                                    <textarea id="s-intro" name="intro" rows="2" maxlength="1000">{s.value("intro")}</textarea>
                                    <p class="field-error" data-error-for="intro">{problem("intro")}</p>
                                </div>
                                <div class="row">
                                    <div class="field">
                                        <label for="s-opens">{lang.t(T::SurveyOpens)}</label>
                                        <input id="s-opens" name="opens" type="date" required value=opens />
                                        <p class="field-error" data-error-for="opens">{problem("opens")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="s-closes">{lang.t(T::SurveyLastDay)}</label>
                                        <input id="s-closes" name="closes" type="date" required value=closes />
                                        <p class="field-error" data-error-for="closes">{problem("closes")}</p>
                                    </div>
                                </div>
                                <label class="choice">
                                    <input type="checkbox" name="anonymous" value="1" checked=!s.value("anonymous").is_empty() />
                                    " " {lang.t(T::AnonymousSurvey)}
                                </label>
                                <p class="hint">{lang.t(T::AnonymousSurveyHint)}</p>
                                <p class="hint">{lang.t(T::QuestionSlotsHint)}</p>
                                {(0..MAX_QUESTIONS).map(|k| {
                                    let field = |part: &str| format!("q[s{k}_{part}]");
                                    let kind = s.value(&field("kind"));
                                    let kind = if kind.is_empty() { "single".to_string() } else { kind };
                                    view! {
                                        <fieldset class="field question-slot" data-testid="question-slot">
                                            <legend>{lang.t(T::Question)} " " {k + 1}</legend>
                                            <label for=format!("q{k}-prompt")>{lang.t(T::QuestionPrompt)}</label>
                                            <input id=format!("q{k}-prompt") name=field("prompt") maxlength="200" value=s.value(&field("prompt")) />
                                            <p class="field-error" data-error-for=field("prompt")>{problem(&field("prompt"))}</p>
                                            <label for=format!("q{k}-kind")>{lang.t(T::QuestionKind)}</label>
                                            <select id=format!("q{k}-kind") name=field("kind")>
                                                {Kind::ALL.into_iter().map(|x| view! {
                                                    <option value=x.as_str() selected=kind == x.as_str()>{lang.t(x.label())}</option>
                                                }).collect_view()}
                                            </select>
                                            <p class="field-error" data-error-for=field("kind")>{problem(&field("kind"))}</p>
                                            <label for=format!("q{k}-options")>{lang.t(T::QuestionOptions)}</label>
                                            <textarea id=format!("q{k}-options") name=field("options") rows="3">{s.value(&field("options"))}</textarea>
                                            <p class="field-error" data-error-for=field("options")>{problem(&field("options"))}</p>
                                            <label class="choice">
                                                <input type="checkbox" name=field("required") value="1" checked=!s.value(&field("required")).is_empty() />
                                                " " {lang.t(T::Required)}
                                            </label>
                                        </fieldset>
                                    }
                                }).collect_view()}
                                <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::PublishSurvey)}</button>
                            </form>
                        </EnhancedForm>
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
pub fn SurveyResultsPage() -> impl IntoView {
    let lang = use_lang();
    let Some(id) = id_param() else { return view! { <crate::ui::NotFoundPage /> }.into_any() };
    let Some(user) = current_user() else { return redirect_to_login(&format!("/station/surveys/{id}")) };
    if !user.role.is_staff() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let data = Resource::new(move || id, load_survey_results);
    view! {
        <StationFrame title=lang.t(T::SurveyResults).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(r) => view! { <ResultsView r=r lang=lang /> }.into_any(),
                        Err(e) => banner(e, lang),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn ResultsView(r: SurveyResults, lang: Lang) -> impl IntoView {
    let id = r.id;
    let status = if r.open { T::SurveyOpen } else { T::SurveyClosed };
    view! {
        <h2 data-testid="survey-title">{r.title.clone()}</h2>
        <p class="lead">
            <span class="state">{lang.t(status)}</span> " " {format!("{} – {}", r.opens, r.closes)}
            {r.anonymous.then(|| view! { " · " {lang.t(T::Anonymous)} })}
            " · " {lang.t(T::Responses)} " " <strong data-testid="response-total">{r.responses}</strong>
        </p>
        <p class="row">
            <a class="button secondary" download="" href=format!("/station/surveys/{id}/responses.csv")>{lang.t(T::ExportResponsesCsv)}</a>
            <a class="button secondary" href=format!("/surveys/{id}")>{lang.t(T::SurveyPreview)}</a>
        </p>
        {r.may_close.then(|| view! {
            <form method="post" action=CloseSurvey::url() class="inline-form">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="button danger-outline">{lang.t(T::CloseSurveyNow)}</button>
            </form>
        })}
        {r.questions.iter().zip(r.tallies.iter()).enumerate().map(|(k, (q, t))| {
            let title = format!("{}. {}", k + 1, q.prompt);
            let chart_id = format!("q{}", q.id);
            let answered = format!("{} {}", lang.t(T::Answered), t.answered);
            let body = match q.kind {
                Kind::Single | Kind::Multiple => {
                    let bars: Vec<(String, u32)> = q.options.iter().cloned().zip(t.counts.iter().copied()).collect();
                    view! { <BarChart id=chart_id title=title.clone() bars=bars percent_of=t.answered /> }.into_any()
                }
                Kind::Scale => {
                    let bars: Vec<(String, u32)> = (1..=5).map(|v| format!("{v} 分")).zip(t.counts.iter().copied()).collect();
                    let mean = t.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into());
                    view! {
                        <p>{lang.t(T::Mean)} " " <strong data-testid="scale-mean">{mean}</strong></p>
                        <BarChart id=chart_id title=title.clone() bars=bars percent_of=t.answered />
                    }
                    .into_any()
                }
                Kind::Text => view! {
                    <ul class="texts">{t.texts.iter().map(|x| view! { <li>{x.clone()}</li> }).collect_view()}</ul>
                }
                .into_any(),
            };
            view! {
                <section class="card" data-testid="result">
                    <h3>{title.clone()}</h3>
                    <p class="hint">{lang.t(q.kind.label())} " · " {answered}</p>
                    {body}
                </section>
            }
        }).collect_view()}
    }
}
