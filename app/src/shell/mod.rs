//! The router: the HTML document, every page's route and every feature's axum routes, and
//! the pages that put several features together (Home, Me, the inbox). Nothing depends on
//! it; the frame pages sit in is [`crate::ui`].

use crate::ui::CurrentUser;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub mod inbox;
pub mod me;
pub mod pages;
pub mod reach;
#[cfg(feature = "ssr")]
pub mod routes;

/// The whole HTML document, rendered on the server for every page.
/// Moves the hydration scripts into the page if it has islands (module scripts run after
/// the page is parsed).
const ISLAND_LOADER: &str = "if(document.querySelector('leptos-island')){document.head.append(document.getElementById('island-loader').content.cloneNode(true))}";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (prefs, user) = (crate::prefs::from_request(), crate::auth::server::viewer());
    #[cfg(not(feature = "ssr"))]
    let (prefs, user) = (crate::prefs::Prefs::default(), None::<crate::auth::SessionUser>);
    provide_context(prefs);
    provide_context(CurrentUser(user));
    let lang = prefs.lang;
    // The page's content policy names this response's nonce, which Leptos puts on its
    // hydration script and we on the loader: no other inline script runs.
    let nonce = leptos::nonce::use_nonce();
    #[cfg(feature = "ssr")]
    if let (Some(n), Some(res)) = (&nonce, use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&crate::security::page_csp(n)) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() class:elder=prefs.elder>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#c8102e" />
                <link rel="icon" href="/favicon.ico" />
                // Installable: the manifest, the home-screen icon iOS asks for, and the script
                // that registers the service worker (offline page, drafts, pushes).
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                // It carries the nonce too: the page's scripts are all accounted for by it.
                <script src="/reach.js" defer nonce=nonce.clone()></script>
                // Hashed names when the build made them (cargo-leptos `hash-files`): cached for a year.
                <HashedStylesheet options=options.clone() id="leptos" />
                // Only a page with an island loads the browser code: the loader waits inert in a
                // template and goes in when the parsed page has an island (scripts cloned from a
                // template run; links in one fetch nothing).
                <template id="island-loader">
                    <HydrationScripts options islands=true />
                </template>
                <script type="module" nonce=nonce>{ISLAND_LOADER}</script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    use crate::account::verify_views::{ChangePhonePage, ForgotPage, LoginVerifyPage};
    use crate::account::views::{LoginPage, RegisterPage};
    use crate::activities::views::ActivitiesPageView;
    use crate::affairs::views::{AffairPage, NewAffairPage, ServicesPage};
    use crate::appointments::views::{AppointmentsPage, BookingPageOne, StationAppointmentsPage};
    use crate::case::views::DemandPage;
    use crate::dashboard::views::DashboardPage;
    use crate::demands::views::{MyDemandsPage, NeighbourhoodPage, PostPage};
    use crate::notices::views::{NewNoticePage, NoticeDetailPage, NoticesPage};
    use crate::open311::views::ApiKeysPage;
    use crate::privacy::views::{AccountDeletedPage, MyPrivacyPage, NoticePage};
    use crate::station::{households::HouseholdsPage, intake::IntakePage, StationPage};
    use crate::surveys::views::{NewSurveyPage, StationSurveysPage, SurveyPage, SurveyResultsPage, SurveysPage};
    use crate::threads::views::{ModerationPage, ThreadPage, ThreadsPage};
    use crate::transparency::views::TransparencyPage;
    use crate::ui::NotFoundPage;
    use crate::visits::views::VisitRequestPage;
    use inbox::NotificationsPage;
    use me::MePage;
    use pages::HomePage;
    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/services") view=ServicesPage ssr=SsrMode::Async />
                <Route path=path!("/services/:code") view=AffairPage ssr=SsrMode::Async />
                <Route path=path!("/post") view=PostPage ssr=SsrMode::Async />
                <Route path=path!("/demands") view=MyDemandsPage ssr=SsrMode::Async />
                <Route path=path!("/neighbourhood") view=NeighbourhoodPage ssr=SsrMode::Async />
                <Route path=path!("/search") view=crate::search::views::SearchPage ssr=SsrMode::Async />
                <Route path=path!("/demands/:id") view=DemandPage ssr=SsrMode::Async />
                <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async />
                <Route path=path!("/partners") view=crate::affairs::directory::PartnersPage ssr=SsrMode::Async />
                <Route path=path!("/spaces") view=crate::spaces::views::SpacesListPage ssr=SsrMode::Async />
                <Route path=path!("/spaces/bookings/:id") view=crate::spaces::views::SpaceBookingPage ssr=SsrMode::Async />
                <Route path=path!("/spaces/:code") view=crate::spaces::views::SpaceTimesPage ssr=SsrMode::Async />
                <Route path=path!("/station/spaces") view=crate::spaces::views::StationSpacesPage ssr=SsrMode::Async />
                <Route path=path!("/station/rounds") view=crate::rounds::views::RoundsDeskPage ssr=SsrMode::Async />
                <Route path=path!("/station/rounds/:id") view=crate::rounds::views::HouseholdVisitsPage ssr=SsrMode::Async />
                <Route path=path!("/station/found") view=crate::station::found::FoundCasePage ssr=SsrMode::Async />
                <Route path=path!("/station/intake") view=IntakePage ssr=SsrMode::Async />
                <Route path=path!("/station/words") view=crate::intake::words::WordsPage ssr=SsrMode::Async />
                <Route path=path!("/station/households") view=HouseholdsPage ssr=SsrMode::Async />
                <Route path=path!("/station/setup") view=crate::setup::views::SetupPage ssr=SsrMode::Async />
                <Route path=path!("/station/team") view=crate::team::views::TeamPage ssr=SsrMode::Async />
                <Route path=path!("/station/supervision") view=crate::supervision::views::SupervisionPage ssr=SsrMode::Async />
                <Route path=path!("/station/catalogue") view=crate::setup::catalogue::CataloguePage ssr=SsrMode::Async />
                <Route path=path!("/station/affairs/new") view=NewAffairPage ssr=SsrMode::Async />
                <Route path=path!("/threads") view=ThreadsPage ssr=SsrMode::Async />
                <Route path=path!("/threads/:id") view=ThreadPage ssr=SsrMode::Async />
                <Route path=path!("/station/threads") view=ModerationPage ssr=SsrMode::Async />
                <Route path=path!("/appointments") view=AppointmentsPage ssr=SsrMode::Async />
                <Route path=path!("/activities") view=ActivitiesPageView ssr=SsrMode::Async />
                <Route path=path!("/visits/new") view=VisitRequestPage ssr=SsrMode::Async />
                <Route path=path!("/appointments/:id") view=BookingPageOne ssr=SsrMode::Async />
                <Route path=path!("/station/appointments") view=StationAppointmentsPage ssr=SsrMode::Async />
                <Route path=path!("/me") view=MePage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                <Route path=path!("/forgot") view=ForgotPage ssr=SsrMode::Async />
                <Route path=path!("/activate") view=crate::account::views::ActivatePage ssr=SsrMode::Async />
                <Route path=path!("/login/verify") view=LoginVerifyPage ssr=SsrMode::Async />
                <Route path=path!("/privacy") view=NoticePage ssr=SsrMode::Async />
                <Route path=path!("/me/privacy") view=MyPrivacyPage ssr=SsrMode::Async />
                <Route path=path!("/me/reach") view=reach::ReachPage ssr=SsrMode::Async />
                <Route path=path!("/me/phone") view=ChangePhonePage ssr=SsrMode::Async />
                <Route path=path!("/account-deleted") view=AccountDeletedPage ssr=SsrMode::Async />
                <Route path=path!("/station/dashboard") view=DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/station/open311") view=ApiKeysPage ssr=SsrMode::Async />
                <Route path=path!("/notices") view=NoticesPage ssr=SsrMode::Async />
                <Route path=path!("/transparency") view=TransparencyPage ssr=SsrMode::Async />
                <Route path=path!("/notices/new") view=NewNoticePage ssr=SsrMode::Async />
                <Route path=path!("/notices/:id") view=NoticeDetailPage ssr=SsrMode::Async />
                <Route path=path!("/surveys") view=SurveysPage ssr=SsrMode::Async />
                <Route path=path!("/surveys/:id") view=SurveyPage ssr=SsrMode::Async />
                <Route path=path!("/station/surveys") view=StationSurveysPage ssr=SsrMode::Async />
                <Route path=path!("/station/surveys/new") view=NewSurveyPage ssr=SsrMode::Async />
                <Route path=path!("/station/surveys/:id") view=SurveyResultsPage ssr=SsrMode::Async />
                <Route path=path!("/station") view=StationPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
