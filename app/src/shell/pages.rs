//! The residents' top-level pages that belong to no single feature.

use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::station::overview::{my_community, CommunityInfo};
use crate::ui::{current_user, Page, Tab};
use leptos::prelude::*;

/// Public demands Home shows; the rest are on /neighbourhood.
const HOME_DEMANDS: usize = 10;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let user = current_user();
    let signed_in = user.is_some();
    let community = Resource::new(
        || (),
        |_| async move {
            if current_user().is_some() {
                my_community().await
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <Page tab=Tab::Home title=lang.t(T::Welcome).to_string()>
            <section class="card hero">
                <p class="lead">{lang.t(T::HomeIntro)}</p>
                {(!signed_in)
                    .then(|| {
                        view! {
                            <p>{lang.t(T::HomeGuestCta)}</p>
                            <p class="actions">
                                <a class="button primary" href="/login">{lang.t(T::Login)}</a>
                                <a class="button secondary" href="/register">{lang.t(T::Register)}</a>
                            </p>
                        }
                    })}
            </section>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let public = if signed_in { crate::demands::community_demands(None).await.unwrap_or_default() } else { Default::default() };
                    // The newest few; the rest a page at a time on /neighbourhood.
                    let more = public.lines.len() > HOME_DEMANDS;
                    let public: Vec<_> = public.lines.into_iter().take(HOME_DEMANDS).collect();
                    // Open surveys this resident has not answered yet.
                    let pending = if signed_in { crate::surveys::surveys_waiting().await.unwrap_or(0) } else { 0 };
                    let notices = if signed_in { crate::notices::home_notices().await.unwrap_or_default() } else { Default::default() };
                    view! {
                        {community.await.ok().flatten().map(|c| view! { <StationCard info=c lang=lang /> })}
                        <crate::notices::views::HomeNoticesCard n=notices lang=lang />
                        {signed_in.then(|| view! {
                            <p class="actions">
                                <a class="button primary" href="/post">{lang.t(T::PostDemand)}</a>
                                <a class="button secondary" href="/demands">{lang.t(T::MyDemands)}</a>
                            </p>
                        })}
                        {(pending > 0).then(|| view! {
                            <a class="card notice survey-invite" href="/surveys" data-testid="survey-invite">
                                {lang.t(T::SurveysWaiting)} " (" {pending} ")"
                            </a>
                        })}
                        {(!public.is_empty()).then(|| view! {
                            <section aria-labelledby="public-title">
                                <h2 id="public-title">{lang.t(T::NeighbourhoodDemands)}</h2>
                                <crate::demands::views::DemandList lines=public lang=lang />
                                {more.then(|| view! {
                                    <a class="button secondary" href="/neighbourhood">{lang.t(T::AllNeighbourhoodDemands)}</a>
                                })}
                            </section>
                        })}
                    }
                })}
            </Suspense>
            <ServiceFamilies lang=lang />
            <p class="transparency-link"><a href="/transparency">{lang.t(T::TransparencyLink)}</a></p>
        </Page>
    }
}

/// The resident's own station: where it is, when it is open, who works there.
#[component]
fn StationCard(info: CommunityInfo, lang: Lang) -> impl IntoView {
    view! {
        <section class="card station-card">
            <h2>{lang.t(T::YourStation)}</h2>
            <p class="muted">
                {info.district.get(lang).to_string()} " · " {info.subdistrict.get(lang).to_string()} " · "
                <strong>{info.name.get(lang).to_string()}</strong>
            </p>
            <dl class="facts">
                <dt>{lang.t(T::StationHoursLabel)}</dt>
                <dd>{crate::appointments::rules::describe_hours(&info.hours, lang)}</dd>
                {info.phone.map(|p| {
                    let tel = format!("tel:{}", p.replace([' ', '-'], ""));
                    view! {
                        <dt>{lang.t(T::StationPhone)}</dt>
                        <dd><a href=tel data-station-phone="">{p}</a></dd>
                    }
                })}
                {info.address.map(|a| view! {
                    <dt>{lang.t(T::StationAddress)}</dt>
                    <dd data-station-address="">{a}</dd>
                })}
                <dt>{lang.t(T::StationTeam)}</dt>
                <dd>
                    <ul class="plain">
                        {info
                            .staff
                            .into_iter()
                            .map(|s| view! { <li>{s.display_name} " · " <span class="muted">{lang.t(s.role.label())}</span></li> })
                            .collect_view()}
                    </ul>
                </dd>
            </dl>
        </section>
    }
}

#[component]
pub fn ServiceFamilies(lang: Lang) -> impl IntoView {
    let families = [
        (T::FamilyPartyMasses, T::FamilyPartyMassesDesc, "party"),
        (T::FamilyGovernment, T::FamilyGovernmentDesc, "government"),
        (T::FamilyLife, T::FamilyLifeDesc, "life"),
        (T::FamilyPublic, T::FamilyPublicDesc, "public"),
    ];
    view! {
        <section class="families" aria-labelledby="families-title">
            <h2 id="families-title">{lang.t(T::ServiceFamilies)}</h2>
            <ul class="family-grid">
                {families
                    .into_iter()
                    .map(|(name, desc, class)| {
                        view! {
                            <li class=format!("family {class}")>
                                <h3>{lang.t(name)}</h3>
                                <p>{lang.t(desc)}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
