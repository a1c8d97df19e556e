//! `/station/dashboard`: everything rendered on the server (charts included), so a leader's
//! phone shows it with JavaScript off; the filters are a plain GET form.

use super::rates::Rate;
use super::*;
use crate::affairs::{Category, Family};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::charts::{BarChart, Gauge, LineChart};
use crate::ui::{current_user, redirect_to_login, StationFrame};
use leptos_router::hooks::use_query_map;

/// The rate names: Chinese always (they are the official names), English beside them.
pub fn rate_name(lang: Lang, key: T) -> String {
    match lang {
        Lang::Zh => Lang::Zh.t(key).to_string(),
        Lang::En => format!("{} {}", Lang::Zh.t(key), Lang::En.t(key)),
    }
}

pub fn family_label(lang: Lang, key: &str) -> String {
    Family::parse(key).map(|f| lang.t(f.label())).unwrap_or(lang.t(T::OtherAffair)).to_string()
}

pub fn category_label(lang: Lang, key: &str) -> String {
    Category::parse(key).map(|c| lang.t(c.label())).unwrap_or(lang.t(T::OtherAffair)).to_string()
}

pub fn kind_label(lang: Lang, key: &str) -> String {
    lang.t(match key {
        "autonomy_project" => T::AutonomyProject,
        "home_visit" => T::HomeVisitTitle,
        "callback" => T::KindCallback,
        _ => T::Demand,
    })
    .to_string()
}

fn hours(lang: Lang, ms: Option<i64>) -> String {
    match ms {
        Some(ms) => {
            let h = ms as f64 / 3_600_000.0;
            match lang {
                Lang::Zh => format!("{h:.1} 小时"),
                Lang::En => format!("{h:.1} h"),
            }
        }
        None => "—".to_string(),
    }
}

fn fraction(r: &Rate) -> String {
    format!("{} / {}", r.num, r.den)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/dashboard") };
    if !user.role.is_staff() {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let q = use_query_map().get_untracked();
    let query =
        DashboardQuery { period: q.get("period"), from: q.get("from"), to: q.get("to"), community: q.get("community") };
    let data = Resource::new(move || query.clone(), load_dashboard);
    view! {
        <StationFrame title=lang.t(T::DashboardTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DashboardBody d=d lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn DashboardBody(d: Dashboard, lang: Lang) -> impl IntoView {
    let r = d.rates.clone();
    let query = DashboardQuery {
        period: Some(d.period.clone()),
        from: Some(d.from.clone()),
        to: Some(d.to.clone()),
        community: Some(d.chosen.clone()),
    }
    .to_query_string();
    view! {
        <PeriodForm d=d.clone() lang=lang />
        <p class="lead" data-testid="dashboard-scope">
            {d.scope_name.get(lang).to_string()} " · " {d.from.clone()} " – " {d.to.clone()}
            " · " {lang.t(T::FiguresAsOf)} " " {d.as_of.clone()}
        </p>
        <section class="rates" aria-label=lang.t(T::ThreeRates)>
            <RateCard key="response" name=T::RateResponse short=T::RateResponseShort rate=r.response lang=lang />
            <RateCard key="resolution" name=T::RateResolution short=T::RateResolutionShort rate=r.resolution lang=lang />
            <RateCard key="satisfaction" name=T::RateSatisfaction short=T::RateSatisfactionShort rate=r.satisfaction lang=lang />
        </section>
        <KeyFigures r=r.clone() lang=lang />
        <Charts d=d.clone() lang=lang />
        {(!d.workers.is_empty()).then(|| view! { <WorkerTable d=d.clone() lang=lang /> })}
        {(!d.ranking.is_empty()).then(|| view! { <RankingTable d=d.clone() lang=lang /> })}
        {(!d.departments.is_empty()).then(|| view! { <DepartmentTable d=d.clone() lang=lang /> })}
        {(!d.partners.is_empty()).then(|| view! { <PartnerTable d=d.clone() lang=lang /> })}
        <section class="card">
            <h2>{lang.t(T::Exports)}</h2>
            <p class="row">
                <a class="button secondary" download="" href=format!("/station/dashboard/items.csv?{query}")>{lang.t(T::ExportItemsCsv)}</a>
                <a class="button secondary" download="" href=format!("/station/dashboard/rates.csv?{query}")>{lang.t(T::ExportRatesCsv)}</a>
            </p>
        </section>
        <section class="card definitions" id="definitions">
            <h2>{lang.t(T::Definitions)}</h2>
            <dl>
                <dt>{rate_name(lang, T::RateResponse)}</dt><dd>{lang.t(T::DefResponse)}</dd>
                <dt>{rate_name(lang, T::RateResolution)}</dt><dd>{lang.t(T::DefResolution)}</dd>
                <dt>{rate_name(lang, T::RateSatisfaction)}</dt><dd>{lang.t(T::DefSatisfaction)}</dd>
                <dt>{lang.t(T::OverdueNow)}</dt><dd>{lang.t(T::DefOverdue)}</dd>
            </dl>
        </section>
    }
}

/// The period and (for admins) the community shown.
#[component]
fn PeriodForm(d: Dashboard, lang: Lang) -> impl IntoView {
    let (period, chosen) = (d.period.clone(), d.chosen.clone());
    view! {
        <form method="get" action="/station/dashboard" class="card filter-form dashboard-filter">
            <label>
                {lang.t(T::Period)}
                <select name="period">
                    <option value="week" selected=period == "week">{lang.t(T::ThisWeek)}</option>
                    <option value="month" selected=period == "month">{lang.t(T::ThisMonth)}</option>
                    <option value="custom" selected=period == "custom">{lang.t(T::CustomPeriod)}</option>
                </select>
            </label>
            <label>{lang.t(T::FromDate)} <input type="date" name="from" value=d.from.clone() /></label>
            <label>{lang.t(T::ToDate)} <input type="date" name="to" value=d.to.clone() /></label>
            {(!d.choices.is_empty()).then(|| view! {
                <label>
                    {lang.t(T::Community)}
                    <select name="community">
                        <option value="all" selected=chosen == "all">{lang.t(T::AllCommunities)}</option>
                        {d.choices.iter().map(|(code, name)| view! {
                            <option value=code.clone() selected=chosen == *code>{name.get(lang).to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <button type="submit" class="button secondary">{lang.t(T::Show)}</button>
        </form>
    }
}

/// One of the three rates: its gauge, its fraction, what it measures.
#[component]
pub fn RateCard(key: &'static str, name: T, short: T, rate: Rate, lang: Lang) -> impl IntoView {
    view! {
        <article class="card rate" data-testid=format!("rate-{key}")>
            <h2>{rate_name(lang, name)}</h2>
            <Gauge id=format!("g-{key}") title=rate_name(lang, name) num=rate.num den=rate.den />
            <p class="rate-fraction" data-testid=format!("rate-{key}-fraction")>{fraction(&rate)}</p>
            <p class="hint">{lang.t(short)}</p>
        </article>
    }
}

#[component]
pub fn KeyFigures(r: Rates, lang: Lang) -> impl IntoView {
    let overdue_class = if r.overdue_now > 0 { "danger" } else { "" };
    view! {
        <section class="card">
            <h2>{lang.t(T::KeyFigures)}</h2>
            <dl class="figures">
                <div><dt>{lang.t(T::PostedInPeriod)}</dt><dd data-testid="fig-posted">{r.posted}</dd></div>
                <div><dt>{lang.t(T::OpenNow)}</dt><dd data-testid="fig-open">{r.open_now}</dd></div>
                <div><dt>{lang.t(T::OverdueNow)}</dt><dd data-testid="fig-overdue" class=overdue_class>{r.overdue_now}</dd></div>
                <div><dt>{lang.t(T::MedianFirstResponse)}</dt><dd>{hours(lang, r.median_response_ms)}</dd></div>
                <div><dt>{lang.t(T::MedianResolution)}</dt><dd>{hours(lang, r.median_resolution_ms)}</dd></div>
                <div><dt>{lang.t(T::FoundInPeriod)}</dt><dd data-testid="fig-found">{r.found}</dd></div>
                <div><dt>{lang.t(T::FoundSolved)}</dt><dd data-testid="fig-found-solved">{r.found_solved}</dd></div>
            </dl>
        </section>
    }
}

/// The five-level distribution, the weekly line and the volumes.
#[component]
fn Charts(d: Dashboard, lang: Lang) -> impl IntoView {
    let r = &d.rates;
    let levels = [
        T::LevelVerySatisfied,
        T::LevelSatisfied,
        T::LevelBasicallySatisfied,
        T::LevelDissatisfied,
        T::LevelVeryDissatisfied,
    ];
    let distribution: Vec<(String, u32)> =
        levels.iter().zip(r.distribution).map(|(l, n)| (lang.t(*l).to_string(), n)).collect();
    let rated = r.satisfaction.den;
    let posted = r.posted;
    let family_bars: Vec<(String, u32)> = d.by_family.iter().map(|(k, n)| (family_label(lang, k), *n)).collect();
    let category_bars: Vec<(String, u32)> = d.by_category.iter().map(|(k, n)| (category_label(lang, k), *n)).collect();
    let kind_bars: Vec<(String, u32)> = d.by_kind.iter().map(|(k, n)| (kind_label(lang, k), *n)).collect();
    let area_bars: Vec<(String, u32)> = d
        .by_area
        .iter()
        .map(|(a, n)| (if a.zh.is_empty() { lang.t(T::NoGridArea).to_string() } else { a.get(lang).to_string() }, *n))
        .collect();
    view! {
        <section class="card">
            <h2>{lang.t(T::SatisfactionDistribution)}</h2>
            <BarChart id="c-levels".into() title=lang.t(T::SatisfactionDistribution).to_string() bars=distribution percent_of=rated />
        </section>
        <section class="card">
            <h2>{lang.t(T::WeeklyVolume)}</h2>
            <LineChart id="c-weekly".into() title=lang.t(T::WeeklyVolume).to_string() points=d.weekly.clone() />
        </section>
        <section class="card">
            <h2>{lang.t(T::VolumeByFamily)}</h2>
            <BarChart id="c-family".into() title=lang.t(T::VolumeByFamily).to_string() bars=family_bars percent_of=posted />
            <h3>{lang.t(T::VolumeByCategory)}</h3>
            <BarChart id="c-category".into() title=lang.t(T::VolumeByCategory).to_string() bars=category_bars percent_of=posted />
            <h3>{lang.t(T::VolumeByKind)}</h3>
            <BarChart id="c-kind".into() title=lang.t(T::VolumeByKind).to_string() bars=kind_bars percent_of=posted />
            {(!area_bars.is_empty() && d.ranking.is_empty()).then(|| view! {
                <h3>{lang.t(T::VolumeByArea)}</h3>
                <BarChart id="c-area".into() title=lang.t(T::VolumeByArea).to_string() bars=area_bars percent_of=posted />
            })}
        </section>
    }
}

#[component]
fn WorkerTable(d: Dashboard, lang: Lang) -> impl IntoView {
    view! {
        <section class="card table-card">
            <h2>{lang.t(T::WorkerLoad)}</h2>
            <table class="table data" data-testid="worker-table">
                <thead><tr>
                    <th scope="col">{lang.t(T::Worker)}</th>
                    <th scope="col">{lang.t(T::OpenNow)}</th>
                    <th scope="col">{lang.t(T::OverdueNow)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateResponse)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateResolution)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateSatisfaction)}</th>
                </tr></thead>
                <tbody>
                    {d.workers.iter().map(|w| view! {
                        <tr>
                            <th scope="row">{w.name.clone()}</th>
                            <td>{w.rates.open_now}</td>
                            <td>{w.rates.overdue_now}</td>
                            <td>{w.rates.response.label()}</td>
                            <td>{w.rates.resolution.label()}</td>
                            <td>{w.rates.satisfaction.label()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The ranking of the communities below (subdistrict and district admins).
#[component]
fn RankingTable(d: Dashboard, lang: Lang) -> impl IntoView {
    view! {
        <section class="card table-card">
            <h2>{lang.t(T::CommunityRanking)}</h2>
            <p class="hint">{lang.t(T::RankingHint)}</p>
            <table class="table data" data-testid="ranking-table">
                <thead><tr>
                    <th scope="col">"#"</th>
                    <th scope="col">{lang.t(T::Community)}</th>
                    <th scope="col">{lang.t(T::PostedInPeriod)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateResponse)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateResolution)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateSatisfaction)}</th>
                    <th scope="col">{lang.t(T::CompositeScore)}</th>
                </tr></thead>
                <tbody>
                    {d.ranking.iter().enumerate().map(|(k, c)| view! {
                        <tr data-testid="rank-line">
                            <td>{k + 1}</td>
                            <th scope="row">
                                <a href=format!("/station/dashboard?community={}&period={}&from={}&to={}", c.code, d.period, d.from, d.to)>
                                    {c.name.get(lang).to_string()}
                                </a>
                                <small>" " {c.subdistrict.get(lang).to_string()}</small>
                            </th>
                            <td>{c.rates.posted}</td>
                            <td>{c.rates.response.label()}</td>
                            <td>{c.rates.resolution.label()}</td>
                            <td>{c.rates.satisfaction.label()}</td>
                            <td>{c.composite.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Partners handed the period's cases, and how residents rated their part.
#[component]
fn PartnerTable(d: Dashboard, lang: Lang) -> impl IntoView {
    view! {
        <section class="card table-card">
            <h2>{lang.t(T::PartnersAssessed)}</h2>
            <p class="hint">{lang.t(T::PartnersAssessedHint)}</p>
            <table class="table data" data-testid="partner-table">
                <thead><tr>
                    <th scope="col">{lang.t(T::Partner)}</th>
                    <th scope="col">{lang.t(T::HandoffsCount)}</th>
                    <th scope="col">{lang.t(T::ResidentsSatisfied)}</th>
                </tr></thead>
                <tbody>
                    {d.partners.iter().map(|p| view! {
                        <tr data-testid="partner-line">
                            <th scope="row">{p.name.get(lang).to_string()}</th>
                            <td>{p.handoffs}</td>
                            <td>{format!("{} ({})", p.residents.label(), p.residents.den)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// How the departments answered the period's whistles (two-way assessment, 双向考核).
#[component]
fn DepartmentTable(d: Dashboard, lang: Lang) -> impl IntoView {
    view! {
        <section class="card table-card">
            <h2>{lang.t(T::DepartmentTimeliness)}</h2>
            <p class="hint">{lang.t(T::DepartmentTimelinessHint)}</p>
            <table class="table data" data-testid="department-table">
                <thead><tr>
                    <th scope="col">{lang.t(T::Department)}</th>
                    <th scope="col">{lang.t(T::WhistlesCount)}</th>
                    <th scope="col">{lang.t(T::CheckinOnTime)}</th>
                    <th scope="col">{lang.t(T::ReportOnTime)}</th>
                    <th scope="col">{lang.t(T::LateNow)}</th>
                    <th scope="col">{lang.t(T::MedianCheckin)}</th>
                    <th scope="col">{lang.t(T::ResidentsSatisfied)}</th>
                </tr></thead>
                <tbody>
                    {d.departments.iter().map(|u| view! {
                        <tr data-testid="department-line">
                            <th scope="row">{u.name.get(lang).to_string()}</th>
                            <td>{u.figures.whistles}</td>
                            <td>{u.figures.checkin.label()}</td>
                            <td>{u.figures.report.label()}</td>
                            <td class:late={u.figures.late_now > 0}>{u.figures.late_now}</td>
                            <td>{u.figures.median_checkin_minutes.map(|m| m.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td data-testid="department-residents">{format!("{} ({})", u.residents.label(), u.residents.den)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
