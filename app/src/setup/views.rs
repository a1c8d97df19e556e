//! The set-up page: choose the community (admins), its grid areas and buildings, the two
//! forms, and the change log.

use super::*;
use crate::form::{load_state, Field, FormBanner, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

#[component]
pub fn SetupPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/setup") };
    use crate::auth::Role;
    if !matches!(user.role, Role::Stationmaster | Role::SubdistrictAdmin | Role::DistrictAdmin) {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let community = query.get("community").filter(|c| !c.is_empty());
    let before: Option<i64> = query.get("before").and_then(|b| b.parse().ok());
    let saved = query.get("saved");
    let data = Resource::new(move || community.clone(), move |c| load_setup(c, before));
    let forms = Resource::new(
        || (),
        |_| async {
            (
                load_state("setup-area", SaveGridArea::PATH).await,
                load_state("setup-buildings", SaveBuildings::PATH).await,
                load_state("setup-partners", SavePartners::PATH).await,
                load_state("setup-contacts", SaveContacts::PATH).await,
            )
        },
    );
    view! {
        <StationFrame title=lang.t(T::CommunitySetup).to_string()>
            <p class="lead">{lang.t(T::CommunitySetupIntro)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let saved = saved.clone();
                    Suspend::new(async move {
                    let (area_form, buildings_form, partners_form, contacts_form) = forms.await;
                    // After a failed post the address still says what the last good one saved.
                    let saved = saved.filter(|_| {
                        [&area_form, &buildings_form, &partners_form, &contacts_form].iter().all(|f| f.error.is_none())
                    });
                    match data.await {
                        Ok(s) => view! {
                            {saved.map(|n| view! { <p class="notice" role="status">{lang.t(T::SetupSaved)} " (" {n} ")"</p> })}
                            <SetupBody s=s area_form=area_form buildings_form=buildings_form partners_form=partners_form contacts_form=contacts_form lang=lang />
                        }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn CommunityChooser(chosen: String, choices: Vec<(String, Named)>, lang: Lang) -> impl IntoView {
    view! {
        <form method="get" action="/station/setup" class="search card">
            <label for="f-community">{lang.t(T::ChooseCommunity)}</label>
            <select id="f-community" name="community">
                {choices.into_iter().map(|(code, name)| {
                    let selected = code == chosen;
                    view! { <option value=code selected=selected>{name.get(lang).to_string()}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="button">{lang.t(T::Filter)}</button>
        </form>
    }
}

#[component]
fn SetupBody(
    s: SetupView,
    area_form: crate::form::FormState,
    buildings_form: crate::form::FormState,
    partners_form: crate::form::FormState,
    contacts_form: crate::form::FormState,
    lang: Lang,
) -> impl IntoView {
    let bad = buildings_form.value("bad");
    let pasted = buildings_form.value("lines");
    let community = s.code.clone();
    if s.code.is_empty() {
        return view! {
            <CommunityChooser chosen=String::new() choices=s.choices lang=lang />
            <p class="card hint">{lang.t(T::ChooseCommunityFirst)}</p>
        }
        .into_any();
    }
    view! {
        {(s.choices.len() > 1).then(|| view! { <CommunityChooser chosen=s.code.clone() choices=s.choices.clone() lang=lang /> })}
        <h2>{s.name.get(lang).to_string()}</h2>
        <section class="card" aria-labelledby="areas-title">
            <h3 id="areas-title">{lang.t(T::GridAreasAndBuildings)}</h3>
            {s.areas.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoGridAreas)}</p> })}
            <ul class="plain setup-areas">
                {s.areas.iter().map(|a| {
                    let households: i64 = a.buildings.iter().map(|b| b.households).sum();
                    view! {
                        <li data-area=a.code.clone()>
                            <strong>{a.name.get(lang).to_string()}</strong> " "
                            <span class="muted small">{a.code.clone()} " · " {a.buildings.len()} " " {lang.t(T::Buildings)} " · " {households} " " {lang.t(T::Households)}</span>
                            <p class="small">
                                {a.buildings.iter().map(|b| format!("{} ({}, {})", b.name, b.code, b.households)).collect::<Vec<_>>().join("、")}
                            </p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <form method="post" action=SaveGridArea::url() class="card form">
            <h3>{lang.t(T::AddOrRenameGridArea)}</h3>
            <FormBanner error=area_form.error.clone() />
            <input type="hidden" name="community" value=community.clone() />
            <Field name="code" label=T::GridAreaCode hint=T::SetupCodeHint value=area_form.value("code") problem=area_form.problem("code") maxlength=40 />
            <Field name="name_zh" label=T::NameZh value=area_form.value("name_zh") problem=area_form.problem("name_zh") maxlength=60 />
            <Field name="name_en" label=T::NameEn value=area_form.value("name_en") problem=area_form.problem("name_en") maxlength=60 />
            <SubmitButton label=T::Save />
        </form>
        <form method="post" action=SaveBuildings::url() class="card form">
            <h3>{lang.t(T::BulkBuildings)}</h3>
            <FormBanner error=buildings_form.error.clone() />
            {(!bad.is_empty()).then(|| view! { <p class="field-error" data-bad-lines="">{lang.t(T::BadLines)} " " {bad.clone()}</p> })}
            <input type="hidden" name="community" value=community.clone() />
            <div class="field">
                <label for="f-lines">{lang.t(T::BulkBuildingsLabel)}</label>
                <textarea id="f-lines" name="lines" rows="8" required aria-describedby="f-lines-hint f-lines-error"
                    placeholder="b1,1号楼,48,g1">{pasted}</textarea>
                <p class="hint" id="f-lines-hint">{lang.t(T::BulkBuildingsHint)}</p>
                <p class="field-error" id="f-lines-error" data-error-for="lines">
                    {buildings_form.problem("lines").map(|p| lang.t(p))}
                </p>
            </div>
            <SubmitButton label=T::Save />
        </form>
        <Contacts phone=s.phone.clone() address=s.address.clone() community=community.clone() form=contacts_form lang=lang />
        <Partners partners=s.partners.clone() shared=s.shared_partners.clone() may_share=s.may_share community=community.clone() form=partners_form lang=lang />
        <ChangeLog changes=s.changes more=s.older.map(|id| format!("/station/setup?community={}&before={id}", s.code)) lang=lang />
    }
    .into_any()
}

/// A unit's change log, with the link to older changes when there are more.
#[component]
pub fn ChangeLog(changes: Vec<ChangeLine>, more: Option<String>, lang: Lang) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="log-title">
            <h3 id="log-title">{lang.t(T::ChangeLog)}</h3>
            {changes.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoChanges)}</p> })}
            <ul class="plain change-log">
                {changes.into_iter().map(|c| view! {
                    <li data-change=c.id.to_string() data-kind=c.what.as_str()>
                        <span class="muted small">{c.at} " · " {c.actor}</span><br />
                        {lang.t(c.what.label())} " " <strong>{c.subject}</strong> ": "
                        {c.before.map(|b| view! { <del>{b}</del> " → " })}
                        <ins>{c.after}</ins>
                    </li>
                }).collect_view()}
            </ul>
            {more.map(|href| view! { <a class="button" href=href>{lang.t(T::NextPage)}</a> })}
        </section>
    }
}

/// The station's phone and address as residents see them on Home.
#[component]
fn Contacts(
    phone: String,
    address: String,
    community: String,
    form: crate::form::FormState,
    lang: Lang,
) -> impl IntoView {
    // After a failed post, what was typed; otherwise what is published.
    let (phone, address) =
        if form.error.is_some() { (form.value("phone"), form.value("address")) } else { (phone, address) };
    view! {
        <form method="post" action=SaveContacts::url() class="card form" data-contacts="">
            <h3>{lang.t(T::StationContacts)}</h3>
            <p class="hint">{lang.t(T::StationContactsHint)}</p>
            <FormBanner error=form.error.clone() />
            <input type="hidden" name="community" value=community />
            <Field name="phone" label=T::StationPhone kind="tel" inputmode="tel" value=phone problem=form.problem("phone") maxlength=24 required=false />
            <Field name="address" label=T::StationAddress value=address problem=form.problem("address") maxlength=100 required=false />
            <SubmitButton label=T::Save />
        </form>
    }
}

type PartnerRow = (String, String, String, String, String, String);

#[component]
fn PartnerList(partners: Vec<PartnerRow>, shared: bool, lang: Lang) -> impl IntoView {
    view! {
        <ul class="plain partners">
            {partners.into_iter().map(|(kind, code, name, serves, phone, address)| view! {
                <li data-partner=code.clone() data-shared=shared.then_some("")>
                    <strong>{name}</strong> " " <span class="muted small">{code.clone()} " · " {super::rules::partner_kind_label(&kind).map(|t| lang.t(t).to_string()).unwrap_or(kind)}</span>
                    {shared.then(|| view! { " " <span class="tag">{lang.t(T::SubdistrictWide)}</span> })}<br />
                    <span class="small">{serves} " · " {phone} " · " {address}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Partners(
    partners: Vec<PartnerRow>,
    shared: Vec<PartnerRow>,
    may_share: bool,
    community: String,
    form: crate::form::FormState,
    lang: Lang,
) -> impl IntoView {
    let bad = form.value("bad");
    let share_checked = form.value("shared") == "1";
    view! {
        <section class="card" aria-labelledby="partners-title">
            <h3 id="partners-title">{lang.t(T::PartnerDirectory)}</h3>
            {(partners.is_empty() && shared.is_empty()).then(|| view! { <p class="empty">{lang.t(T::NoPartners)}</p> })}
            <PartnerList partners=partners shared=false lang=lang />
            <PartnerList partners=shared shared=true lang=lang />
        </section>
        <form method="post" action=SavePartners::url() class="card form">
            <h3>{lang.t(T::BulkPartners)}</h3>
            <FormBanner error=form.error.clone() />
            {(!bad.is_empty()).then(|| view! { <p class="field-error" data-bad-partner-lines="">{lang.t(T::BadLines)} " " {bad.clone()}</p> })}
            <input type="hidden" name="community" value=community />
            <div class="field">
                <label for="f-partner-lines">{lang.t(T::BulkPartnersLabel)}</label>
                <textarea id="f-partner-lines" name="lines" rows="6" required aria-describedby="f-partner-lines-hint f-partner-lines-error"
                    placeholder="agency,elderly-station,养老服务驿站,助餐、助浴,010-63301101,8号楼底商">{form.value("lines")}</textarea>
                <p class="hint" id="f-partner-lines-hint">{lang.t(T::BulkPartnersHint)}</p>
                <p class="field-error" id="f-partner-lines-error" data-error-for="lines">{form.problem("lines").map(|p| lang.t(p))}</p>
            </div>
            {may_share.then(|| view! {
                <div class="field check">
                    <label><input type="checkbox" name="shared" value="1" checked=share_checked /> {lang.t(T::ShareWithSubdistrict)}</label>
                </div>
            })}
            <SubmitButton label=T::Save />
        </form>
    }
}
