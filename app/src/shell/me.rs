//! The Me page (`/me`): the account, volunteer hours, family links, settings, password and
//! logout. It puts together the auth, activities and family features.

use crate::account::api::{AccountDetails, ChangePassword, Logout};
use crate::error::AppError;
use crate::form::{load_state, EnhancedForm, Field, FormBanner, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::{use_lang, ElderSwitch, LanguageSwitch};
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// The signed-in account, for its owner, with a resident's volunteer hours this year.
#[server(endpoint = "me")]
pub async fn my_account() -> Result<AccountDetails, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let mut details = crate::auth::server::my_account(&store, &user).await?;
    if user.role == crate::auth::Role::Resident {
        let (mine, _) = crate::activities::server::hours_this_year(&store, user.region_id, Some(user.id)).await?;
        details.volunteer_hours = Some(crate::activities::server::hours_text(mine));
    }
    Ok(details)
}

#[component]
pub fn MePage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/me");
    }
    let changed = use_query_map().get_untracked().get("changed").is_some();
    let phone_changed = use_query_map().get_untracked().get("phone").is_some_and(|v| v == "changed");
    let family_asked = use_query_map().get_untracked().get("family").is_some_and(|v| v == "asked");
    let account = Resource::new(|| (), |_| my_account());
    let family = Resource::new(|| (), |_| crate::family::family_links());
    let password_state = Resource::new(|| (), |_| load_state("password", ChangePassword::PATH));
    view! {
        <Page tab=Tab::Me title=lang.t(T::TabMe).to_string()>
            {changed.then(|| view! { <p class="notice" role="status">{lang.t(T::PasswordChanged)}</p> })}
            {phone_changed.then(|| view! { <p class="notice" role="status">{lang.t(T::PhoneChanged)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let a = match account.await {
                        Ok(a) => a,
                        Err(e) => return view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    };
                    let ps = password_state.await;
                    let address = a
                        .building
                        .as_ref()
                        .map(|b| {
                            format!(
                                "{} {} {}{} {}",
                                a.region.get(lang),
                                b.get(lang),
                                a.unit_no.clone().unwrap_or_default(),
                                if lang == Lang::Zh { "单元" } else { "" },
                                a.room.clone().unwrap_or_default(),
                            )
                        });
                    view! {
                        <section class="card account">
                            <h2>{lang.t(T::AccountDetails)}</h2>
                            <dl class="facts">
                                <dt>{lang.t(T::DisplayName)}</dt>
                                <dd data-testid="display-name">{a.display_name.clone()}</dd>
                                <dt>{lang.t(T::Phone)}</dt>
                                <dd data-testid="phone">{a.phone_masked.clone()}</dd>
                                <dt>{lang.t(T::SignedInAs)}</dt>
                                <dd>{lang.t(a.role.label())} " · " {a.region.get(lang).to_string()}</dd>
                                {address.map(|addr| view! {
                                    <dt>{lang.t(T::MyAddress)}</dt>
                                    <dd>{addr}</dd>
                                })}
                                {a.volunteer_hours.clone().map(|h| view! {
                                    <dt>{lang.t(T::VolunteerHours)}</dt>
                                    <dd data-testid="volunteer-hours">{format!("{h} {}", lang.t(T::HoursUnit))}</dd>
                                })}
                            </dl>
                            {a.role.is_staff().then(|| view! {
                                <p><a class="button primary" href="/station">{lang.t(T::StationTitle)}</a></p>
                            })}
                        </section>
                        <nav class="card me-links" aria-label=lang.t(T::TabMe)>
                            <a href="/demands">{lang.t(T::MyDemands)}</a>
                            <a href="/appointments">{lang.t(T::MyBookings)}</a>
                            <a href="/activities">{lang.t(T::VolunteerActivities)}</a>
                            <a href="/visits/new">{lang.t(T::HomeVisitTitle)}</a>
                            <a href="/surveys">{lang.t(T::Surveys)}</a>
                            <a href="/notifications">{lang.t(T::Notifications)}</a>
                            <a href="/post">{lang.t(T::PostDemand)}</a>
                            <a href="/me/reach">{lang.t(T::ReachTitle)}</a>
                            <a href="/me/privacy">{lang.t(T::MyPrivacy)}</a>
                            <a href="/me/phone">{lang.t(T::ChangePhoneTitle)}</a>
                        </nav>
                        {(a.role == crate::auth::Role::Resident).then(|| view! {
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    let links = family.await.unwrap_or_default();
                                    view! { <crate::family::FamilySection links=links lang=lang asked=family_asked /> }
                                })}
                            </Suspense>
                        })}
                        <section class="card settings">
                            <h2>{lang.t(T::Settings)}</h2>
                            <div class="setting">
                                <span>{lang.t(T::Language)}</span>
                                <LanguageSwitch />
                            </div>
                            <div class="setting">
                                <span>{lang.t(T::ElderMode)}</span>
                                <ElderSwitch />
                            </div>
                            <p class="hint">{lang.t(T::ElderModeHint)}</p>
                        </section>
                        <section class="card">
                            <h2>{lang.t(T::ChangePassword)}</h2>
                            <EnhancedForm lang=lang>
                                <form method="post" action=ChangePassword::url() class="form" novalidate>
                                    <FormBanner error=ps.error.clone() />
                                    <Field name="current" label=T::CurrentPassword kind="password" problem=ps.problem("current") autocomplete="current-password" />
                                    <Field name="new" label=T::NewPassword hint=T::PasswordHint kind="password" problem=ps.problem("new") autocomplete="new-password" />
                                    <Field name="confirm" label=T::PasswordConfirm kind="password" problem=ps.problem("confirm") autocomplete="new-password" />
                                    <SubmitButton label=T::ChangePassword />
                                </form>
                            </EnhancedForm>
                        </section>
                        <form method="post" action=Logout::url() class="logout">
                            <button type="submit" class="button danger">{lang.t(T::Logout)}</button>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}
