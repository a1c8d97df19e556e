//! Pages: post a demand (`/post`), my demands (`/demands`); the form the window uses too.

use super::*;
use crate::affairs::{affairs_menu, Family};
use crate::form::{load_state, EnhancedForm, FormBanner, FormState};
use crate::i18n::Lang;
use crate::paging::{before_in_url, failed, NextPage};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use crate::work::state_label;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

#[component]
pub fn PostPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/post");
    }
    let chosen_affair = use_query_map().get_untracked().get("affair").unwrap_or_default();
    let asked_code = use_query_map().get_untracked().get("partner").unwrap_or_default();
    let state = Resource::new(|| (), |_| load_state("demand", PostDemand::PATH));
    let menu = Resource::new(|| (), |_| affairs_menu(None, None, None));
    view! {
        <Page tab=Tab::Post title=lang.t(T::PostDemand).to_string()>
            <p class="lead">{lang.t(T::PostDemandDesc)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let (chosen_affair, asked_code) = (chosen_affair.clone(), asked_code.clone());
                    Suspend::new(async move {
                        let s = state.await;
                        // The partner asked from the directory (kept with the form after an error).
                        let code = if asked_code.is_empty() { s.value("partner") } else { asked_code };
                        let asked = if code.is_empty() {
                            None
                        } else {
                            crate::affairs::directory::load_partner(code).await.ok().flatten()
                        };
                        let key = Some(s.value("idempotency_key")).filter(|k| !k.is_empty()).unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
                        let context = load_posting_context(key.clone()).await;
                        let menu = menu.await.unwrap_or_default();
                        // Without JavaScript, neighbours' similar reports are shown after a first try.
                        let similar = if s.problem("description") == Some(T::ErrSimilarFirst) {
                            super::me_too::similar_demands(s.value("description"), s.value("place"), s.value("building")).await.unwrap_or_default()
                        } else {
                            Vec::new()
                        };
                        match context {
                            Ok(c) => view! { <DemandForm state=s context=c menu=menu key=key chosen_affair=chosen_affair lang=lang staff=None asked=asked similar=similar /> }.into_any(),
                            Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <p class="aside"><a href="/demands">{lang.t(T::MyDemands)}</a></p>
        </Page>
    }
    .into_any()
}

/// For staff intake: the resident it is for.
#[derive(Clone, Debug)]
pub struct IntakeFor {
    pub requester_id: i64,
    pub name: String,
    /// A case the worker found themselves (主动发现): no requester, no home, a source.
    pub found: bool,
}

/// The posting form, for residents (`/post`) and the station's window (`/station/intake`).
#[component]
pub fn DemandForm(
    state: FormState,
    context: PostingContext,
    menu: Vec<crate::affairs::AffairSummary>,
    key: String,
    chosen_affair: String,
    lang: Lang,
    staff: Option<IntakeFor>,
    /// The partner the resident asks from the directory.
    #[prop(default = None)]
    asked: Option<crate::affairs::directory::DirectoryEntry>,
    /// Neighbours' open reports like this one, shown after a first try without JavaScript.
    #[prop(default = Vec::new())]
    similar: Vec<super::me_too::SimilarDemand>,
) -> impl IntoView {
    let s = state;
    let similar_seen = s.problem("description") == Some(T::ErrSimilarFirst);
    let kept = |f: &str, default: &str| {
        let v = s.value(f);
        if v.is_empty() && s.error.is_none() {
            default.to_string()
        } else {
            v
        }
    };
    let affair = if s.error.is_some() { s.value("affair") } else { chosen_affair };
    let found = staff.as_ref().is_some_and(|st| st.found);
    let place = kept("place", if found { "public_area" } else { "home" });
    let found_via = kept("found_via", "patrol");
    let urgency = kept("urgency", "normal");
    let visibility = kept("visibility", "private");
    let contact = kept("contact_time", "");
    let building = {
        let v = s.value("building");
        if v.is_empty() {
            context.my_building.map(|b| b.to_string()).unwrap_or_default()
        } else {
            v
        }
    };
    let for_whom = s.value("for_whom");
    let problems = s.clone();
    let problem = move |f: &str| problems.problem(f).map(|p| lang.t(p));
    let radio = move |name: &'static str, value: &'static str, label: T, current: &str| {
        let id = format!("f-{name}-{value}");
        let for_id = id.clone();
        view! {
            <label class="choice" for=for_id>
                <input type="radio" id=id name=name value=value checked=current == value />
                <span>{lang.t(label)}</span>
            </label>
        }
    };
    let action = match &staff {
        Some(st) if st.found => FileFoundCase::url(),
        Some(_) => IntakeDemand::url(),
        None => PostDemand::url(),
    };
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=action enctype="multipart/form-data" class="card form demand-form" novalidate>
                <FormBanner error=s.error.clone() />
                <input type="hidden" name="idempotency_key" value=key />
                {asked.map(|p| view! {
                    <input type="hidden" name="partner" value=p.code.clone() />
                    <p class="notice" data-testid="asked-partner">{lang.t(T::PartnerAsking)} " " <strong>{p.name.get(lang).to_string()}</strong> "：" {lang.t(T::PartnerAskingHint)}</p>
                })}
                {found.then(|| view! {
                    <fieldset class="field">
                        <legend>{lang.t(T::FoundVia)}</legend>
                        {radio("found_via", "patrol", T::FoundOnPatrol, &found_via)}
                        {radio("found_via", "visit", T::FoundOnVisit, &found_via)}
                        {radio("found_via", "call", T::FoundOnCall, &found_via)}
                        <p class="field-error" data-error-for="found_via">{problem("found_via")}</p>
                    </fieldset>
                })}
                {staff.as_ref().filter(|st| !st.found).map(|st| view! {
                    <input type="hidden" name="requester" value=st.requester_id />
                    <p class="value">{lang.t(T::FilingFor)} " " <strong>{st.name.clone()}</strong></p>
                    <fieldset class="field">
                        <legend>{lang.t(T::Channel)}</legend>
                        {radio("channel", "walk_in", T::ChannelWalkIn, &{ let c = s.value("channel"); if c.is_empty() { "walk_in".to_string() } else { c } })}
                        {radio("channel", "phone", T::ChannelPhone, &s.value("channel"))}
                        <p class="field-error" data-error-for="channel">{problem("channel")}</p>
                    </fieldset>
                })}
                {(staff.is_none() && context.for_whom.len() > 1).then(|| view! {
                    <div class="field">
                        <label for="f-for_whom">{lang.t(T::ForWhom)}</label>
                        <select id="f-for_whom" name="for_whom">
                            {context.for_whom.iter().map(|p| {
                                let label = if p.myself { format!("{} ({})", p.name, lang.t(T::Myself)) } else { p.name.clone() };
                                view! { <option value=p.user_id selected=for_whom == p.user_id.to_string()>{label}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-error" data-error-for="for_whom">{problem("for_whom")}</p>
                    </div>
                })}
                <div class="field">
                    <label for="f-description">{lang.t(T::Description)}</label>
                    <textarea id="f-description" name="description" rows="5" maxlength=MAX_DESCRIPTION required
                        aria-describedby="f-description-hint f-description-error"
                        data-suggest=crate::intake::SuggestAffairs::url()
                        data-suggest-list="f-affair-suggest" data-suggest-select="f-affair"
                        aria-invalid=s.problem("description").map(|_| "true")>{s.value("description")}</textarea>
                    <p class="hint" id="f-description-hint">{lang.t(T::DescriptionHint)}</p>
                    <p class="field-error" id="f-description-error" data-error-for="description">{problem("description")}</p>
                </div>
                <div class="field">
                    <label for="f-affair">{lang.t(T::Affair)}</label>
                    // Filled as the resident types (with JavaScript): the likely affairs, with why.
                    <div id="f-affair-suggest" class="suggest" aria-live="polite" hidden data-for="f-affair"
                        data-label=lang.t(T::SuggestedAffairs) data-why=lang.t(T::SuggestWhy)></div>
                    <select id="f-affair" name="affair" aria-describedby="f-affair-hint f-affair-error">
                        <option value="">{lang.t(T::AffairByText)}</option>
                        <option value="other" selected=affair == "other">{lang.t(T::OtherAffair)}</option>
                        {Family::ALL.into_iter().map(|fam| {
                            let items: Vec<_> = menu.iter().filter(|a| a.family == fam).cloned().collect();
                            let affair = affair.clone();
                            view! {
                                <optgroup label=lang.t(fam.label())>
                                    {items.into_iter().map(|a| view! {
                                        <option value=a.code.clone() selected=affair == a.code>{a.name.get(lang).to_string()}</option>
                                    }).collect_view()}
                                </optgroup>
                            }
                        }).collect_view()}
                    </select>
                    <p class="hint" id="f-affair-hint">{lang.t(T::AffairByTextHint)}</p>
                    <p class="field-error" id="f-affair-error" data-error-for="affair">{problem("affair")}</p>
                </div>
                <fieldset class="field">
                    <legend>{lang.t(T::Place)}</legend>
                    {(!found).then(|| radio("place", "home", T::PlaceHome, &place))}
                    {radio("place", "building", T::PlaceBuilding, &place)}
                    {radio("place", "public_area", T::PlacePublic, &place)}
                    <p class="field-error" data-error-for="place">{problem("place")}</p>
                </fieldset>
                <div class="field">
                    <label for="f-building">{lang.t(T::Building)}</label>
                    <select id="f-building" name="building">
                        <option value="">{lang.t(T::NoBuilding)}</option>
                        {context.buildings.iter().map(|b| {
                            let id = b.id.to_string();
                            view! { <option value=id.clone() selected=building == id>{b.name.get(lang).to_string()}</option> }
                        }).collect_view()}
                    </select>
                    {(!found).then(|| view! { <p class="hint">{lang.t(T::BuildingHint)}</p> })}
                    <p class="field-error" data-error-for="building">{problem("building")}</p>
                </div>
                <div class="field">
                    <label for="f-place_detail">{lang.t(T::PlaceDetail)}</label>
                    <input id="f-place_detail" name="place_detail" type="text" maxlength="100" value=s.value("place_detail")
                        placeholder=lang.t(T::PlaceDetailHint) />
                    <p class="field-error" data-error-for="place_detail">{problem("place_detail")}</p>
                </div>
                <fieldset class="field">
                    <legend>{lang.t(T::Urgency)}</legend>
                    {radio("urgency", "normal", T::UrgencyNormal, &urgency)}
                    {radio("urgency", "emergency", T::UrgencyEmergency, &urgency)}
                    <p class="hint">{lang.t(T::UrgencyHint)}</p>
                    <p class="field-error" data-error-for="urgency">{problem("urgency")}</p>
                </fieldset>
                <div class="field">
                    <label for="f-photos">{lang.t(T::Photos)}</label>
                    {(!context.kept_photos.is_empty()).then(|| view! {
                        <p class="hint">{lang.t(T::PhotosKept)}</p>
                        <ul class="photo-grid small">
                            {context.kept_photos.iter().map(|id| view! {
                                <li><img src=format!("/photos/{id}/thumb") alt=lang.t(T::Photo) width="96" height="96" /></li>
                            }).collect_view()}
                        </ul>
                    })}
                    <input id="f-photos" name="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple
                        aria-describedby="f-photos-hint f-photos-error" data-preview="photo-preview" data-max-files=crate::photos::MAX_PHOTOS data-max-bytes=crate::photos::MAX_PHOTO_BYTES
                        data-err-count=lang.t(T::ErrPhotoCount) data-err-size=lang.t(T::ErrPhotoSize) data-err-type=lang.t(T::ErrPhotoType) />
                    <ul class="photo-grid small" id="photo-preview" aria-live="polite"></ul>
                    <p class="hint" id="f-photos-hint">{lang.t(T::PhotosHint)}</p>
                    <p class="field-error" id="f-photos-error" data-error-for="photos">{problem("photos")}</p>
                    <progress class="upload" data-progress="" max="100" value="0" hidden></progress>
                </div>
                <fieldset class="field">
                    <legend>{lang.t(T::Visibility)}</legend>
                    {radio("visibility", "private", T::VisibilityPrivate, &visibility)}
                    {radio("visibility", "community", T::VisibilityPublic, &visibility)}
                    {radio("visibility", "everyone", T::VisibilityEveryone, &visibility)}
                    <p class="field-error" data-error-for="visibility">{problem("visibility")}</p>
                </fieldset>
                {(!found).then(|| view! {
                    <div class="field">
                        <label for="f-contact_time">{lang.t(T::ContactTime)}</label>
                        <select id="f-contact_time" name="contact_time">
                            {[("", T::ContactAny), ("morning", T::ContactMorning), ("afternoon", T::ContactAfternoon), ("evening", T::ContactEvening)]
                                .into_iter()
                                .map(|(v, label)| view! { <option value=v selected=contact == v>{lang.t(label)}</option> })
                                .collect_view()}
                        </select>
                    </div>
                })}
                {staff.is_none().then(|| view! { <SimilarList similar=similar seen=similar_seen lang=lang /> })}
                <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::Submit)}</button>
            </form>
        </EnhancedForm>
    }
}

/// Neighbours' open reports that look like the one being written: filled by the form's
/// script as the resident types (or chooses the place), or by the page after a first try
/// without JavaScript. "Me too" joins one instead of posting; posting again goes through.
#[component]
fn SimilarList(similar: Vec<super::me_too::SimilarDemand>, seen: bool, lang: Lang) -> impl IntoView {
    use super::me_too::{MeToo, SimilarDemands};
    let empty = similar.is_empty();
    view! {
        <input type="hidden" name="similar_checked" value=if seen { "1" } else { "" } />
        <section id="f-similar" class="similar" aria-live="polite" hidden=empty data-testid="similar"
            data-similar=SimilarDemands::url() data-join=MeToo::url() data-title=lang.t(T::SimilarTitle)
            data-joined=lang.t(T::SimilarJoined) data-me-too=lang.t(T::MeToo)>
            {(!empty).then(|| view! { <p class="label">{lang.t(T::SimilarTitle)}</p> })}
            <ul class="similar-list">
                {similar.into_iter().map(|d| view! {
                    <li class="similar-item">
                        <p class="excerpt">{d.excerpt}</p>
                        <p class="muted small">
                            {(!d.building.is_empty()).then(|| format!("{} · ", d.building))}
                            {d.posted} " · " {d.state_label}
                            {(d.joined > 0).then(|| format!(" · {}{}", d.joined, lang.t(T::SimilarJoined)))}
                        </p>
                        // Without JavaScript this posts the form to "me too" (its other fields
                        // are ignored there); with it, the click is handled in place.
                        <button type="submit" formaction=MeToo::url() formenctype="application/x-www-form-urlencoded" formnovalidate
                            name="id" value=d.id class="button secondary small" data-join-id=d.id>{lang.t(T::MeToo)}</button>
                    </li>
                }).collect_view()}
            </ul>
            {(!empty).then(|| view! { <p class="hint">{lang.t(T::SimilarPostAnyway)} " ↓"</p> })}
        </section>
    }
}

#[component]
pub fn MyDemandsPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/demands");
    }
    let before = before_in_url();
    let list = Resource::new(move || before.clone(), my_demands);
    view! {
        <Page tab=Tab::Me title=lang.t(T::MyDemands).to_string()>
            <p><a class="button primary" href="/post">{lang.t(T::PostDemand)}</a></p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) if page.lines.is_empty() => view! { <p class="empty">{lang.t(T::NoDemandsYet)}</p> }.into_any(),
                        Ok(page) => view! {
                            <DemandList lines=page.lines lang=lang />
                            <NextPage path="/demands".to_string() next=page.next lang=lang />
                        }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

/// The public demands of my community, a page at a time (Home shows the newest few).
#[component]
pub fn NeighbourhoodPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/neighbourhood");
    }
    let before = before_in_url();
    let list = Resource::new(move || before.clone(), community_demands);
    view! {
        <Page tab=Tab::Home title=lang.t(T::NeighbourhoodDemands).to_string()>
            // The search page by its address (search reads demands; demands import nothing of it).
            <form method="get" action="/search" class="search" role="search">
                <input type="hidden" name="kind" value="demands" />
                <label for="n-q" class="visually-hidden">{lang.t(T::SearchLink)}</label>
                <input id="n-q" name="q" type="search" placeholder=lang.t(T::SearchHint) maxlength="100" enterkeyhint="search" />
                <button type="submit" class="button secondary">{lang.t(T::Search)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) if page.lines.is_empty() => view! { <p class="empty">{lang.t(T::NothingHere)}</p> }.into_any(),
                        Ok(page) => view! {
                            <DemandList lines=page.lines lang=lang />
                            <NextPage path="/neighbourhood".to_string() next=page.next lang=lang />
                        }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
pub fn DemandList(lines: Vec<DemandLine>, lang: Lang) -> impl IntoView {
    view! {
        <ul class="demand-list">
            {lines.into_iter().map(|l| view! {
                <li class="card demand-line">
                    <a href=format!("/demands/{}", l.id)>
                        <span class=format!("state state-{}", l.state.as_str())>{lang.t(state_label(l.state))}</span>
                        {(l.urgency == Urgency::Emergency).then(|| view! { <span class="tag danger">{lang.t(T::UrgencyEmergency)}</span> })}
                        <strong class="demand-title">{l.title.clone()}</strong>
                        <span class="muted small">
                            {l.affair.as_ref().map(|a| a.get(lang).to_string()).unwrap_or_else(|| lang.t(T::OtherAffair).to_string())}
                            " · " {l.posted.clone()}
                            {l.for_other.clone().map(|n| format!(" · {} {n}", lang.t(T::ForPerson)))}
                            {(l.photos > 0).then(|| format!(" · 📷 {}", l.photos))}
                        </span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}

pub fn contact_label(v: &str, lang: Lang) -> &'static str {
    lang.t(match v {
        "morning" => T::ContactMorning,
        "afternoon" => T::ContactAfternoon,
        "evening" => T::ContactEvening,
        _ => T::ContactAny,
    })
}
