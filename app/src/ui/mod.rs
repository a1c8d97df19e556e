//! The frame every page sits in: a top bar, the page, and (for residents) the bottom tab
//! bar; staff pages get the station's own navigation. Also the error pages, the charts and
//! the helpers every feature's pages use. It knows no feature but the unread badge.

use crate::auth::SessionUser;
use crate::i18n::{Lang, T};
use crate::prefs::{use_lang, LanguageSwitch};
use leptos::prelude::*;
use leptos_meta::Title;

pub mod charts;
mod icons;

/// The signed-in account for the page being rendered (server side).
#[derive(Clone, Debug, Default)]
pub struct CurrentUser(pub Option<SessionUser>);

pub fn current_user() -> Option<SessionUser> {
    use_context::<CurrentUser>().and_then(|c| c.0)
}

/// The five tabs residents see at the bottom of every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Home,
    Services,
    Post,
    Deliberate,
    Me,
    None,
}

/// A page title as it goes into `<title>`. leptos_meta writes the text unescaped on the
/// server, and titles carry what residents wrote (thread titles): a `</title>` in one would
/// otherwise end the element and let markup through. Inside `<title>` character references
/// are decoded, so escaped text still reads as typed.
fn title_text(s: &str) -> String {
    if cfg!(feature = "ssr") {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        s.to_string()
    }
}

/// The resident frame: top bar, content, bottom tab bar.
#[component]
pub fn Page(tab: Tab, title: String, children: Children) -> impl IntoView {
    let lang = use_lang();
    let full_title = title_text(&format!("{title} · {}", lang.t(T::AppName)));
    view! {
        <Title text=full_title />
        <a class="skip" href="#main">{lang.t(T::SkipToContent)}</a>
        <header class="topbar">
            <a class="brand" href="/">{lang.t(T::AppName)}</a>
            <span class="topbar-tools">
                <UnreadBadge lang=lang />
                <LanguageSwitch />
            </span>
        </header>
        <main id="main" class="content">
            <h1 class="page-title">{title}</h1>
            {children()}
        </main>
        <TabBar active=tab lang=lang />
    }
}

#[component]
fn TabBar(active: Tab, lang: Lang) -> impl IntoView {
    let tabs = [
        (Tab::Home, "/", T::TabHome, icons::home()),
        (Tab::Services, "/services", T::TabServices, icons::services()),
        (Tab::Post, "/post", T::TabPost, icons::post()),
        (Tab::Deliberate, "/threads", T::TabDeliberate, icons::deliberate()),
        (Tab::Me, "/me", T::TabMe, icons::me()),
    ];
    view! {
        <nav class="tabbar" aria-label=lang.t(T::MainNav)>
            {tabs
                .into_iter()
                .map(|(tab, href, label, icon)| {
                    let current = (tab == active).then_some("page");
                    view! {
                        <a href=href aria-current=current class:post=tab == Tab::Post>
                            {icon}
                            <span>{lang.t(label)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// The staff frame: the station's navigation instead of the residents' tabs.
#[component]
pub fn StationFrame(title: String, children: Children) -> impl IntoView {
    let lang = use_lang();
    let full_title = title_text(&format!("{title} · {}", lang.t(T::StationTitle)));
    let sets_up = current_user().is_some_and(|u| {
        use crate::auth::Role;
        matches!(u.role, Role::Stationmaster | Role::SubdistrictAdmin | Role::DistrictAdmin)
    });
    let station_team = current_user().is_some_and(|u| u.role.is_station_team());
    let keeps_catalogue = current_user().is_some_and(|u| {
        use crate::auth::Role;
        matches!(u.role, Role::SubdistrictAdmin | Role::DistrictAdmin)
    });
    view! {
        <Title text=full_title />
        <a class="skip" href="#main">{lang.t(T::SkipToContent)}</a>
        <header class="topbar station">
            <a class="brand" href="/station">{lang.t(T::StationTitle)}</a>
            <span class="topbar-tools">
                <UnreadBadge lang=lang />
                <LanguageSwitch />
            </span>
        </header>
        <nav class="station-nav" aria-label=lang.t(T::StationNav)>
            <a href="/station">{lang.t(T::StationWelcome)}</a>
            <a href="/station/intake">{lang.t(T::IntakeTitle)}</a>
            <a href="/search">{lang.t(T::SearchCases)}</a>
            {station_team.then(|| view! { <a href="/station/found">{lang.t(T::FoundTitle)}</a> })}
            <a href="/station/households">{lang.t(T::HouseholdsDesk)}</a>
            {station_team.then(|| view! { <a href="/station/rounds">{lang.t(T::RoundsTitle)}</a> })}
            <a href="/station/appointments">{lang.t(T::StationDayTitle)}</a>
            {station_team.then(|| view! { <a href="/station/spaces">{lang.t(T::SpacesDesk)}</a> })}
            <a href="/station/threads">{lang.t(T::ThreadsDesk)}</a>
            <a href="/station/dashboard">{lang.t(T::DashboardTitle)}</a>
            <a href="/station/surveys">{lang.t(T::SurveysDesk)}</a>
            <a href="/notices">{lang.t(T::NoticesTitle)}</a>
            {sets_up.then(|| view! { <a href="/station/setup">{lang.t(T::CommunitySetup)}</a> })}
            {sets_up.then(|| view! { <a href="/station/team">{lang.t(T::TeamTitle)}</a> })}
            {keeps_catalogue.then(|| view! { <a href="/station/catalogue">{lang.t(T::CatalogueTitle)}</a> })}
            {sets_up.then(|| view! { <a href="/station/words">{lang.t(T::WordsTitle)}</a> })}
            {keeps_catalogue.then(|| view! { <a href="/station/supervision">{lang.t(T::SupervisionTitle)}</a> })}
            <a href="/activities">{lang.t(T::VolunteerActivities)}</a>
            <a href="/threads">{lang.t(T::TabDeliberate)}</a>
            <a href="/services">{lang.t(T::TabServices)}</a>
            <a href="/me">{lang.t(T::TabMe)}</a>
            <a href="/">{lang.t(T::BackToResidentView)}</a>
        </nav>
        <main id="main" class="content wide">
            <h1 class="page-title">{title}</h1>
            {children()}
        </main>
    }
}

/// The bell with the number of unread notifications (signed in only).
#[component]
fn UnreadBadge(lang: Lang) -> impl IntoView {
    if current_user().is_none() {
        return ().into_any();
    }
    let count = Resource::new(|| (), |_| crate::notifications::unread());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let n = count.await.unwrap_or(0);
                let shown = if n > 99 { "99+".to_string() } else { n.to_string() };
                let label = format!("{} ({shown})", lang.t(T::Notifications));
                view! {
                    <a class="bell" href="/notifications" aria-label=label>
                        <svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                            <path d="M6 16V11a6 6 0 1112 0v5l2 2H4zM10 20a2 2 0 004 0" fill="none" stroke="currentColor" stroke-width="1.8" />
                        </svg>
                        {(n > 0).then(|| view! { <span class="badge-count" data-testid="unread">{shown}</span> })}
                    </a>
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// Sends the browser to the login page (302 during server rendering) and comes back after.
pub fn redirect_to_login(back_to: &str) -> AnyView {
    let target = format!("/login?next={}", urlencode(back_to));
    #[cfg(feature = "ssr")]
    crate::request::page_redirect(&target);
    view! { <p><a href=target>{use_lang().t(T::LoginRequired)}</a></p> }.into_any()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A full-page error (403, 404…), with the right HTTP status.
#[component]
pub fn ErrorPage(status: u16, title: T, body: T) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::request::set_page_status(status);
    let lang = use_lang();
    view! {
        <Page tab=Tab::None title=lang.t(title).to_string()>
            <section class="card error-card" data-status=status>
                <p>{lang.t(body)}</p>
                <p><a class="button secondary" href="/">{lang.t(T::TabHome)}</a></p>
            </section>
        </Page>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <ErrorPage status=404 title=T::ErrNotFoundTitle body=T::ErrNotFoundBody /> }
}
