//! `/transparency`: rendered on the server (charts included) for any phone, JavaScript or
//! not; the community and the month are plain GET links and forms.

use super::*;
use crate::dashboard::views::{category_label, rate_name, KeyFigures, RateCard};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::charts::BarChart;
use crate::ui::{Page, Tab};
use leptos_router::hooks::use_query_map;

#[component]
pub fn TransparencyPage() -> impl IntoView {
    let lang = use_lang();
    let q = use_query_map().get_untracked();
    let community = q.get("community").filter(|c| !c.is_empty());
    let month = q.get("month").filter(|c| !c.is_empty());
    let data = Resource::new(move || (community.clone(), month.clone()), |(c, m)| load_transparency(c, m));
    view! {
        <Page tab=Tab::None title=lang.t(T::TransparencyTitle).to_string()>
            <p class="lead">{lang.t(T::TransparencyIntro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(t) => view! { <TransparencyBody t=t lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn TransparencyBody(t: Transparency, lang: Lang) -> impl IntoView {
    let r = t.rates;
    let code = t.code.clone();
    let posted: Vec<(String, u32)> = t.months.iter().map(|m| (m.month.clone(), m.rates.posted)).collect();
    let categories: Vec<(String, u32)> = t.by_category.iter().map(|(k, n)| (category_label(lang, k), *n)).collect();
    view! {
        <Chooser t=t.clone() lang=lang />
        <h2 data-testid="transparency-scope">{t.name.get(lang).to_string()} " " <small class="muted">{t.subdistrict.get(lang).to_string()}</small></h2>
        <nav class="row months" aria-label=lang.t(T::TransparencyMonths)>
            {t.months.iter().map(|m| {
                let current = (m.month == t.month).then_some("page");
                view! { <a class="button secondary" aria-current=current href=format!("/transparency?community={code}&month={}", m.month)>{m.month.clone()}</a> }
            }).collect_view()}
        </nav>
        <p class="muted small">{lang.t(T::FiguresAsOf)} " " {t.as_of.clone()}</p>
        <section class="rates" aria-label=lang.t(T::ThreeRates)>
            <RateCard key="response" name=T::RateResponse short=T::RateResponseShort rate=r.response lang=lang />
            <RateCard key="resolution" name=T::RateResolution short=T::RateResolutionShort rate=r.resolution lang=lang />
            <RateCard key="satisfaction" name=T::RateSatisfaction short=T::RateSatisfactionShort rate=r.satisfaction lang=lang />
        </section>
        <KeyFigures r=r lang=lang />
        <section class="card table-card">
            <h2>{lang.t(T::TransparencyByMonth)}</h2>
            <table class="table data" data-testid="month-table">
                <thead><tr>
                    <th scope="col">{lang.t(T::TransparencyMonth)}</th>
                    <th scope="col">{lang.t(T::PostedInPeriod)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateResponse)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateResolution)}</th>
                    <th scope="col">{Lang::Zh.t(T::RateSatisfaction)}</th>
                </tr></thead>
                <tbody>
                    {t.months.iter().map(|m| view! {
                        <tr data-month=m.month.clone()>
                            <th scope="row">{m.month.clone()}</th>
                            <td>{m.rates.posted}</td>
                            <td>{m.rates.response.label()}</td>
                            <td>{m.rates.resolution.label()}</td>
                            <td>{m.rates.satisfaction.label()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <BarChart id="c-months".into() title=lang.t(T::TransparencyByMonth).to_string() bars=posted />
        </section>
        <section class="card">
            <h2>{lang.t(T::VolumeByCategory)}</h2>
            <BarChart id="c-category".into() title=lang.t(T::VolumeByCategory).to_string() bars=categories percent_of=r.posted />
        </section>
        {(!t.ranking.is_empty()).then(|| view! { <Ranking t=t.clone() lang=lang /> })}
        {(!t.outcomes.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="outcomes-h">
                <h2 id="outcomes-h">{lang.t(T::OutcomesTitle)}</h2>
                <ul class="plain outcomes" data-testid="outcomes">
                    {t.outcomes.iter().map(|o| view! {
                        <li>
                            <p><strong>{o.summary.clone()}</strong></p>
                            <p class="meta small">
                                {o.affair.as_ref().map(|a| format!("{} · ", a.get(lang)))}
                                {o.resolved_on.clone()} " · " {crate::i18n::fmt::days_taken(lang, o.days)}
                            </p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
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

/// Any community of the district, by subdistrict.
#[component]
fn Chooser(t: Transparency, lang: Lang) -> impl IntoView {
    let mut groups: Vec<(Named, Vec<CommunityOption>)> = Vec::new();
    for c in t.choices {
        match groups.last_mut() {
            Some((s, list)) if *s == c.subdistrict => list.push(c),
            _ => groups.push((c.subdistrict.clone(), vec![c])),
        }
    }
    view! {
        <form method="get" action="/transparency" class="search card">
            <label for="f-community">{lang.t(T::ChooseCommunity)}</label>
            <select id="f-community" name="community">
                {groups.into_iter().map(|(s, list)| view! {
                    <optgroup label=s.get(lang).to_string()>
                        {list.into_iter().map(|c| {
                            let selected = c.code == t.code;
                            view! { <option value=c.code selected=selected>{c.name.get(lang).to_string()}</option> }
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select>
            <input type="hidden" name="month" value=t.month.clone() />
            <button type="submit" class="button">{lang.t(T::Filter)}</button>
        </form>
    }
}

/// The subdistrict's communities in the month, as Beijing publishes its 12345 rankings.
#[component]
fn Ranking(t: Transparency, lang: Lang) -> impl IntoView {
    view! {
        <section class="card table-card">
            <h2>{lang.t(T::TransparencyRanking)}</h2>
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
                    {t.ranking.iter().enumerate().map(|(k, c)| view! {
                        <tr data-testid="rank-line" data-community=c.code.clone()>
                            <td>{k + 1}</td>
                            <th scope="row"><a href=format!("/transparency?community={}&month={}", c.code, t.month)>{c.name.get(lang).to_string()}</a></th>
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
