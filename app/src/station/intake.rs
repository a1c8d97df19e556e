//! One window (一窗受理): a station worker finds a resident by phone, or creates a minimal
//! record (the resident claims it later by registering with that phone and a claim code
//! the station gives them after checking their ID), and records their
//! walk-in or phone demand into the same pipeline.

use crate::demands::views::{DemandForm, IntakeFor};
use crate::demands::{load_posting_context, IntakeDemand};
use crate::error::AppError;
use crate::form::{load_state, EnhancedForm, Field, FormBanner};
use crate::i18n::T;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentCard {
    pub id: i64,
    pub name: String,
    /// Full number: the worker is authorised staff of the resident's community.
    pub phone: String,
    pub address: String,
    pub registered: bool,
    /// Station staff confirmed the registered address.
    pub address_verified: bool,
    /// Until when the record's claim code works (a record nobody has claimed yet).
    pub claim_code_until: Option<String>,
    /// The code just issued in this browser, shown once.
    pub new_claim_code: Option<String>,
}

/// The cookie that carries a code just issued to the next page of the same browser, once:
/// never in a URL (logs, history) nor in a stored draft.
#[cfg(feature = "ssr")]
const CLAIM_FLASH: &str = "claim_flash";

#[cfg(feature = "ssr")]
fn station_worker() -> Result<crate::auth::SessionUser, AppError> {
    let user = crate::auth::server::require_staff()?;
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

#[cfg(feature = "ssr")]
async fn card(store: &crate::store::Store, community: i64, id: i64) -> Result<Option<ResidentCard>, AppError> {
    let row: Option<(i64, String, String, Option<String>, Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as(
            "SELECT u.id, u.display_name, u.phone, b.name_zh, u.unit_no, u.room, u.password_hash FROM users u \
         LEFT JOIN buildings b ON b.id = u.building_id WHERE u.id = $1 AND u.region_id = $2 AND u.role = 'resident'",
        )
        .bind(id)
        .bind(community)
        .fetch_optional(store.pool())
        .await?;
    let Some((id, name, phone, building, unit, room, hash)) = row else { return Ok(None) };
    let claim_code_until = match hash {
        None => crate::auth::server::live_code(store, id).await?.map(crate::time::format_local),
        Some(_) => None,
    };
    // A code issued a moment ago for this record by this browser: shown now, then forgotten.
    let new_claim_code = crate::request::cookie(CLAIM_FLASH).and_then(|v| {
        let (record, code) = v.split_once('.')?;
        (record == id.to_string() && claim_code_until.is_some()).then(|| code.to_string())
    });
    if new_claim_code.is_some() {
        crate::request::forget_flash(CLAIM_FLASH);
    }
    Ok(Some(ResidentCard {
        id,
        name,
        phone,
        address: format!(
            "{} {}{}",
            building.unwrap_or_default(),
            unit.map(|u| format!("{u}单元 ")).unwrap_or_default(),
            room.unwrap_or_default()
        )
        .trim()
        .to_string(),
        registered: hash.is_some(),
        address_verified: crate::auth::server::households::verified(store, id).await?,
        claim_code_until,
        new_claim_code,
    }))
}

/// Issues a claim code for a record nobody has claimed: the worker hands it to the resident
/// at the window (after checking their ID), who registers with the record's phone and it.
#[server(endpoint = "station/intake/claim-code")]
pub async fn issue_claim_code(resident: i64) -> Result<(), AppError> {
    let user = station_worker()?;
    let code = crate::auth::server::issue_claim_code(&crate::request::store()?, &user, resident).await?;
    crate::request::put_flash(CLAIM_FLASH, format!("{resident}.{code}"));
    crate::request::redirect(&format!("/station/intake?resident={resident}"));
    Ok(())
}

/// Finds a resident of the worker's community by phone number.
#[server(endpoint = "station/intake/find")]
pub async fn find_resident(phone: String) -> Result<Option<ResidentCard>, AppError> {
    let user = station_worker()?;
    let phone = crate::auth::rules::normalise_phone(&phone).map_err(|p| AppError::invalid("phone", p))?;
    let store = crate::request::store()?;
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1 AND region_id = $2 AND role = 'resident'")
            .bind(&phone)
            .bind(user.region_id)
            .fetch_optional(store.pool())
            .await?;
    match id {
        Some(id) => card(&store, user.region_id, id).await,
        None => Ok(None),
    }
}

#[server(endpoint = "station/intake/resident")]
pub async fn get_resident_card(id: i64) -> Result<ResidentCard, AppError> {
    let user = station_worker()?;
    card(&crate::request::store()?, user.region_id, id).await?.ok_or(AppError::NotFound)
}

/// Creates a minimal record for a resident without an account (no password: nobody can log
/// in with it until the resident registers with this phone and so claims it).
#[server(endpoint = "station/intake/create")]
pub async fn create_resident_record(
    name: String,
    phone: String,
    building: String,
    unit_no: String,
    room: String,
) -> Result<(), AppError> {
    let kept = [
        ("name", name.clone()),
        ("phone", phone.clone()),
        ("building", building.clone()),
        ("unit_no", unit_no.clone()),
        ("room", room.clone()),
    ];
    let result = async {
        use crate::auth::rules;
        use crate::error::Problems;
        let user = station_worker()?;
        let store = crate::request::store()?;
        let mut p = Problems::default();
        let phone = p.check("phone", rules::normalise_phone(&phone));
        let name = p.check("name", rules::check_display_name(&name));
        let unit_no = p.check("unit_no", rules::check_unit_or_room(&unit_no));
        let room = p.check("room", rules::check_unit_or_room(&room));
        let building: Option<i64> = match building.parse::<i64>() {
            Ok(b) => {
                sqlx::query_scalar("SELECT id FROM buildings WHERE id = $1 AND community_id = $2")
                    .bind(b)
                    .bind(user.region_id)
                    .fetch_optional(store.pool())
                    .await?
            }
            Err(_) => None,
        };
        if building.is_none() {
            p.add("building", T::ErrUnknownBuilding);
        }
        p.into_result()?;
        let (Some(phone), Some(name)) = (phone, name) else { return Err(AppError::Internal) };
        let mut tx = store.write().await?;
        let id = crate::auth::server::insert_user(
            &mut tx,
            crate::auth::server::NewUser {
                phone,
                password_hash: None,
                display_name: name,
                role: crate::auth::Role::Resident,
                region_id: user.region_id,
                department_id: None,
                building_id: building,
                unit_no,
                room,
            },
        )
        .await?;
        tx.commit().await?;
        crate::request::redirect(&format!("/station/intake?resident={id}"));
        Ok(())
    }
    .await;
    match &result {
        Ok(()) => crate::form::server::forget("resident").await,
        Err(_) => {
            let kept: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::form::server::keep_input("resident", &kept).await
        }
    }
    result
}

#[component]
pub fn IntakePage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/intake") };
    if !user.role.is_station_team() {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let phone = query.get("phone").unwrap_or_default();
    let resident: Option<i64> = query.get("resident").and_then(|r| r.parse().ok());
    let search_phone = phone.clone();
    let found = Resource::new(
        || (),
        move |_| {
            let phone = search_phone.clone();
            async move {
                match resident {
                    Some(id) => get_resident_card(id).await.map(Some),
                    None if !phone.is_empty() => find_resident(phone).await,
                    None => Ok(None),
                }
            }
        },
    );
    let demand_state = Resource::new(|| (), |_| load_state("intake", IntakeDemand::PATH));
    let record_state = Resource::new(|| (), |_| load_state("resident", CreateResidentRecord::PATH));
    let menu = Resource::new(|| (), |_| crate::affairs::affairs_menu(None, None, None));
    view! {
        <StationFrame title=lang.t(T::IntakeTitle).to_string()>
            <p class="lead">{lang.t(T::IntakeIntro)}</p>
            <form method="get" action="/station/intake" class="search card">
                <label for="find-phone">{lang.t(T::FindResidentByPhone)}</label>
                <input id="find-phone" name="phone" type="tel" inputmode="numeric" maxlength="20" value=phone.clone() />
                <button type="submit" class="button primary">{lang.t(T::Search)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || {
                    let phone = phone.clone();
                    Suspend::new(async move {
                        match found.await {
                            Ok(Some(r)) => {
                                let s = demand_state.await;
                                let key = Some(s.value("idempotency_key")).filter(|k| !k.is_empty()).unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
                                let context = load_posting_context(key.clone()).await;
                                let menu = menu.await.unwrap_or_default();
                                let who = IntakeFor { requester_id: r.id, name: r.name.clone(), found: false };
                                view! {
                                    <section class="card">
                                        <p><strong data-testid="resident-name">{r.name.clone()}</strong> " · " {r.phone.clone()} " · " {r.address.clone()}</p>
                                        {r.registered.then(|| if r.address_verified {
                                            view! { <p class="hint" data-testid="address-verified">{lang.t(T::AddressVerified)}</p> }.into_any()
                                        } else {
                                            view! {
                                                <form method="post" action=crate::station::households::ConfirmAddresses::url() class="inline-form">
                                                    <span class="hint">{lang.t(T::AddressUnverified)}</span> " "
                                                    <input type="hidden" name="ids[0]" value=r.id.to_string() />
                                                    <input type="hidden" name="back" value=format!("/station/intake?resident={}", r.id) />
                                                    <button type="submit" class="button">{lang.t(T::ConfirmAddress)}</button>
                                                </form>
                                            }.into_any()
                                        })}
                                        {(!r.registered).then(|| view! {
                                            <p class="hint">{lang.t(T::RecordNotClaimed)}</p>
                                            {r.new_claim_code.clone().map(|code| view! {
                                                <p class="notice" role="status">{lang.t(T::ClaimCodeIssued)} " "
                                                    <strong class="claim-code" data-testid="claim-code">{code}</strong>
                                                </p>
                                            })}
                                            {(r.new_claim_code.is_none()).then(|| r.claim_code_until.clone()).flatten().map(|until| view! {
                                                <p class="hint">{lang.t(T::ClaimCodeLive)} " " {until}</p>
                                            })}
                                            <form method="post" action=IssueClaimCode::url()>
                                                <input type="hidden" name="resident" value=r.id.to_string() />
                                                <button type="submit" class="button">{lang.t(T::IssueClaimCode)}</button>
                                            </form>
                                        })}
                                    </section>
                                    {match context {
                                        Ok(mut c) => {
                                            c.for_whom.clear();
                                            c.my_building = None;
                                            view! { <DemandForm state=s context=c menu=menu key=key chosen_affair=String::new() lang=lang staff=Some(who) /> }.into_any()
                                        }
                                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                                    }}
                                }.into_any()
                            }
                            Ok(None) if !phone.is_empty() => {
                                let s = record_state.await;
                                let buildings = crate::demands::load_posting_context(String::new()).await.map(|c| c.buildings).unwrap_or_default();
                                let building = s.value("building");
                                let phone_value = if s.value("phone").is_empty() { phone.clone() } else { s.value("phone") };
                                view! {
                                    <p class="notice" data-testid="not-found">{lang.t(T::NoSuchResident)}</p>
                                    <EnhancedForm lang=lang>
                                        <form method="post" action=CreateResidentRecord::url() class="card form" novalidate>
                                            <h2>{lang.t(T::CreateRecord)}</h2>
                                            <FormBanner error=s.error.clone() />
                                            <Field name="name" label=T::DisplayName value=s.value("name") problem=s.problem("name") maxlength=20 />
                                            <Field name="phone" label=T::Phone kind="tel" value=phone_value problem=s.problem("phone") inputmode="numeric" maxlength=20 />
                                            <div class="field">
                                                <label for="f-building">{lang.t(T::Building)}</label>
                                                <select id="f-building" name="building">
                                                    <option value="">{lang.t(T::ChooseBuilding)}</option>
                                                    {buildings.into_iter().map(|b| {
                                                        let id = b.id.to_string();
                                                        view! { <option value=id.clone() selected=building == id>{b.name.get(lang).to_string()}</option> }
                                                    }).collect_view()}
                                                </select>
                                                <p class="field-error" data-error-for="building">{s.problem("building").map(|p| lang.t(p))}</p>
                                            </div>
                                            <div class="row">
                                                <Field name="unit_no" label=T::UnitNo value=s.value("unit_no") problem=s.problem("unit_no") maxlength=10 />
                                                <Field name="room" label=T::Room value=s.value("room") problem=s.problem("room") maxlength=10 />
                                            </div>
                                            <button type="submit" class="button primary">{lang.t(T::CreateRecord)}</button>
                                        </form>
                                    </EnhancedForm>
                                }.into_any()
                            }
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}
