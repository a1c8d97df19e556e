//! The team page: choose the unit (admins), the code just issued, the accounts with their
//! actions, the form to add one, the grid areas' directors, and the change log.

use super::*;
use crate::form::{load_state, Field, FormBanner, FormState, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::setup::views::ChangeLog;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

#[component]
pub fn TeamPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/team") };
    if !matches!(user.role, Role::Stationmaster | Role::SubdistrictAdmin | Role::DistrictAdmin) {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let unit = query.get("unit").filter(|c| !c.is_empty());
    let after: Option<i64> = query.get("after").and_then(|b| b.parse().ok());
    let before: Option<i64> = query.get("before").and_then(|b| b.parse().ok());
    let data = Resource::new(move || unit.clone(), move |u| load_team(u, after, before));
    let form = Resource::new(
        || (),
        |_| async {
            (
                load_state("team-add", AddStaff::PATH).await,
                load_state("team-department", SaveDepartment::PATH).await,
                load_state("team-region", SaveRegion::PATH).await,
            )
        },
    );
    view! {
        <StationFrame title=lang.t(T::TeamTitle).to_string()>
            <p class="lead">{lang.t(T::TeamIntro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (form, department_form, region_form) = form.await;
                    match data.await {
                        Ok(t) => view! { <TeamBody t=t form=form department_form=department_form region_form=region_form lang=lang /> }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

fn level_label(level: Level) -> T {
    match level {
        Level::District => T::LevelDistrict,
        Level::Subdistrict => T::LevelSubdistrict,
        Level::Community => T::LevelCommunity,
    }
}

#[component]
fn TeamBody(
    t: TeamView,
    form: FormState,
    department_form: FormState,
    region_form: FormState,
    lang: Lang,
) -> impl IntoView {
    let unit = t.code.clone();
    let chosen = t.code.clone();
    let choices = t.choices.clone();
    let more = t.older.map(|id| format!("/station/team?unit={}&before={id}", t.code));
    let next = t.next.map(|id| format!("/station/team?unit={}&after={id}", t.code));
    view! {
        {(choices.len() > 1).then(|| view! {
            <form method="get" action="/station/team" class="search card">
                <label for="f-unit">{lang.t(T::ChooseUnit)}</label>
                <select id="f-unit" name="unit">
                    {choices.into_iter().map(|c| {
                        let selected = c.code == chosen;
                        let indent = if c.level == Level::Community { "　" } else { "" };
                        view! { <option value=c.code selected=selected>{indent}{c.name.get(lang).to_string()}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="button">{lang.t(T::Filter)}</button>
            </form>
        })}
        <h2>{t.name.get(lang).to_string()} " " <span class="muted small">{lang.t(level_label(t.level))}</span></h2>
        {t.new_code.clone().map(|c| view! {
            <section class="card notice" role="status" data-activation-code="">
                <h3>{lang.t(T::ActivationCodeTitle)}</h3>
                <p>{c.name} " " {c.phone}</p>
                <p class="big-code"><strong data-code="">{c.code}</strong></p>
                <p class="small">{lang.t(T::ActivationCodeHint)} " " {c.until}</p>
            </section>
        })}
        <section class="card" aria-labelledby="team-title">
            <h3 id="team-title">{lang.t(T::TeamMembers)}</h3>
            {t.members.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoTeamMembers)}</p> })}
            <ul class="plain team">
                {t.members.iter().cloned().map(|m| view! { <MemberLine m=m unit=unit.clone() lang=lang /> }).collect_view()}
            </ul>
            {next.map(|href| view! { <a class="button" href=href>{lang.t(T::NextPage)}</a> })}
        </section>
        {(!t.roles.is_empty()).then(|| view! { <AddForm t=t.clone() form=form lang=lang /> })}
        {(!t.areas.is_empty() && !t.directors.is_empty()).then(|| view! { <Directors t=t.clone() lang=lang /> })}
        {(t.level == Level::Subdistrict).then(|| view! { <Departments t=t.clone() form=department_form lang=lang /> })}
        {(t.level != Level::Community).then(|| view! { <RegionsBelow t=t.clone() form=region_form lang=lang /> })}
        <ChangeLog changes=t.changes more=more lang=lang />
    }
}

#[component]
fn MemberLine(m: Member, unit: String, lang: Lang) -> impl IntoView {
    let (state_class, state_label) = match m.state {
        MemberState::Pending => ("tag", T::StaffPending),
        MemberState::Active => ("tag ok", T::StaffActive),
        MemberState::Disabled => ("tag danger", T::StaffDisabled),
    };
    let action = |value: &'static str, label: T| {
        let unit = unit.clone();
        view! {
            <form method="post" action=ChangeAccess::url() class="inline">
                <input type="hidden" name="unit" value=unit />
                <input type="hidden" name="member" value=m.id.to_string() />
                <input type="hidden" name="action" value=value />
                <button type="submit" class="button small">{lang.t(label)}</button>
            </form>
        }
    };
    let toggle =
        if m.state == MemberState::Disabled { ("enable", T::StaffEnable) } else { ("disable", T::StaffDisable) };
    let duty = m.rostered.then(|| {
        let (value, label) = if m.on_duty { ("0", T::PutOffDuty) } else { ("1", T::PutOnDuty) };
        view! {
            <form method="post" action=SetDuty::url() class="inline">
                <input type="hidden" name="unit" value=unit.clone() />
                <input type="hidden" name="member" value=m.id.to_string() />
                <input type="hidden" name="on" value=value />
                <button type="submit" class="button small">{lang.t(label)}</button>
            </form>
        }
    });
    view! {
        <li data-member=m.id.to_string() data-state=m.state.as_str()>
            <strong>{m.name.clone()}</strong> " " <span class="muted small">{m.phone.clone()}</span><br />
            {lang.t(m.role.label())}
            {m.department.clone().map(|d| view! { " · " {d.get(lang).to_string()} })}
            " " <span class=state_class>{lang.t(state_label)}</span>
            {(m.rostered || m.state == MemberState::Active && m.role.is_station_team()).then(|| {
                let (c, l) = if m.on_duty { ("tag ok", T::OnDuty) } else { ("tag", T::OffDuty) };
                view! { " " <span class=c>{lang.t(l)}</span> }
            })}
            {m.code_until.clone().map(|u| view! { <br /><span class="muted small">{lang.t(T::CodeValidUntil)} " " {u}</span> })}
            <div class="actions">
                {m.manageable.then(|| view! {
                    {action(toggle.0, toggle.1)}
                    {action("reset", T::StaffReset)}
                })}
                {duty}
            </div>
        </li>
    }
}

#[component]
fn AddForm(t: TeamView, form: FormState, lang: Lang) -> impl IntoView {
    let chosen = form.value("role");
    let liaison = t.roles.contains(&Role::Department);
    view! {
        <form method="post" action=AddStaff::url() class="card form">
            <h3>{lang.t(T::AddStaff)}</h3>
            <p class="hint">{lang.t(T::AddStaffHint)}</p>
            <FormBanner error=form.error.clone() />
            <input type="hidden" name="unit" value=t.code.clone() />
            <Field name="name" label=T::StaffName value=form.value("name") problem=form.problem("name") maxlength=20 />
            <Field name="phone" label=T::Phone hint=T::PhoneHint kind="tel" inputmode="numeric" autocomplete="off"
                value=form.value("phone") problem=form.problem("phone") maxlength=20 />
            <div class="field">
                <label for="f-role">{lang.t(T::StaffRole)}</label>
                <select id="f-role" name="role" required aria-describedby="f-role-error">
                    {t.roles.iter().map(|r| {
                        let selected = r.as_str() == chosen;
                        view! { <option value=r.as_str() selected=selected>{lang.t(r.label())}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" id="f-role-error" data-error-for="role">{form.problem("role").map(|p| lang.t(p))}</p>
            </div>
            {liaison.then(|| view! {
                <div class="field">
                    <label for="f-department">{lang.t(T::Department)}</label>
                    <select id="f-department" name="department" aria-describedby="f-department-hint f-department-error">
                        <option value="">"—"</option>
                        {t.departments.iter().map(|(code, name)| view! {
                            <option value=code.clone()>{name.get(lang).to_string()}</option>
                        }).collect_view()}
                    </select>
                    <p class="hint" id="f-department-hint">{lang.t(T::DepartmentForLiaison)}</p>
                    <p class="field-error" id="f-department-error" data-error-for="department">
                        {form.problem("department").map(|p| lang.t(p))}
                    </p>
                </div>
            })}
            <SubmitButton label=T::AddStaff />
        </form>
    }
}

#[component]
fn Directors(t: TeamView, lang: Lang) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="directors-title">
            <h3 id="directors-title">{lang.t(T::AreaDirectors)}</h3>
            <p class="hint">{lang.t(T::AreaDirectorsHint)}</p>
            <ul class="plain directors">
                {t.areas.iter().map(|(code, name, director)| {
                    let id = format!("f-director-{code}");
                    view! {
                        <li data-area=code.clone()>
                            <form method="post" action=NameDirector::url() class="inline">
                                <input type="hidden" name="unit" value=t.code.clone() />
                                <input type="hidden" name="area" value=code.clone() />
                                <label for=id.clone()>{name.get(lang).to_string()}</label> " "
                                <select id=id name="member">
                                    <option value="" selected=director.is_none()>{lang.t(T::NoDirector)}</option>
                                    {t.directors.iter().map(|(uid, n)| view! {
                                        <option value=uid.to_string() selected=*director == Some(*uid)>{n.clone()}</option>
                                    }).collect_view()}
                                </select> " "
                                <button type="submit" class="button small">{lang.t(T::Save)}</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Departments(t: TeamView, form: FormState, lang: Lang) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="departments-title">
            <h3 id="departments-title">{lang.t(T::Departments)}</h3>
            {t.departments.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoDepartments)}</p> })}
            <ul class="plain departments">
                {t.departments.iter().map(|(code, name)| view! {
                    <li data-department=code.clone()>{name.get(lang).to_string()} " " <span class="muted small">{code.clone()}</span></li>
                }).collect_view()}
            </ul>
        </section>
        <form method="post" action=SaveDepartment::url() class="card form">
            <h3>{lang.t(T::AddOrRenameDepartment)}</h3>
            <FormBanner error=form.error.clone() />
            <input type="hidden" name="unit" value=t.code.clone() />
            <Field name="code" label=T::DepartmentCode hint=T::SetupCodeHint value=form.value("code") problem=form.problem("code") maxlength=40 />
            <Field name="name_zh" label=T::NameZh value=form.value("name_zh") problem=form.problem("name_zh") maxlength=60 />
            <Field name="name_en" label=T::NameEn value=form.value("name_en") problem=form.problem("name_en") maxlength=60 />
            <SubmitButton label=T::Save />
        </form>
    }
}

/// The communities of a subdistrict (the subdistricts of the district), and for their
/// admins the form to add or rename one.
#[component]
fn RegionsBelow(t: TeamView, form: FormState, lang: Lang) -> impl IntoView {
    let (title, add) = match t.level {
        Level::District => (T::SubdistrictsBelow, T::AddOrRenameSubdistrict),
        _ => (T::CommunitiesBelow, T::AddOrRenameCommunity),
    };
    view! {
        <section class="card" aria-labelledby="below-title">
            <h3 id="below-title">{lang.t(title)}</h3>
            {t.below.is_empty().then(|| view! { <p class="empty">{lang.t(T::NoRegionsBelow)}</p> })}
            <ul class="plain regions-below">
                {t.below.iter().map(|(code, name)| view! {
                    <li data-region=code.clone()>
                        <a href=format!("/station/team?unit={code}")>{name.get(lang).to_string()}</a> " "
                        <span class="muted small">{code.clone()}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        {t.keeps_below.map(|_| view! {
            <form method="post" action=SaveRegion::url() class="card form" data-region-form="">
                <h3>{lang.t(add)}</h3>
                <FormBanner error=form.error.clone() />
                <input type="hidden" name="unit" value=t.code.clone() />
                <Field name="region_code" label=T::RegionCode hint=T::SetupCodeHint value=form.value("region_code") problem=form.problem("region_code") maxlength=40 />
                <Field name="region_zh" label=T::NameZh value=form.value("region_zh") problem=form.problem("region_zh") maxlength=60 />
                <Field name="region_en" label=T::NameEn value=form.value("region_en") problem=form.problem("region_en") maxlength=60 />
                <SubmitButton label=T::Save />
            </form>
        })}
    }
}
