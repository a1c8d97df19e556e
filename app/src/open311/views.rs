//! `/station/open311`: the district admin issues and revokes the API keys of client systems.
//! Plain forms (no enhancement): the new key comes back on the page after the redirect.

use super::*;
use crate::i18n::T;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, StationFrame};
use server_fn::ServerFn;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/open311") };
    if !matches!(user.role, crate::auth::Role::DistrictAdmin | crate::auth::Role::SubdistrictAdmin) {
        return view! { <crate::ui::NotFoundPage /> }.into_any();
    }
    let data = Resource::new(|| (), |_| load_keys());
    let error = [AddKey::PATH, RevokeKey::PATH].into_iter().find_map(crate::form::error_from_url);
    view! {
        <StationFrame title=lang.t(T::ApiKeysTitle).to_string()>
            <p class="lead">{lang.t(T::ApiKeysIntro)}</p>
            {error.map(|e| view! { <p class="form-banner" role="alert">{e.message(lang)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! {
                            {page.new_key.map(|k| view! {
                                <p class="card notice ok" role="status">
                                    {lang.t(T::ApiKeyShownOnce)} <br />
                                    <code data-testid="new-key">{k}</code>
                                </p>
                            })}
                            <form method="post" action=AddKey::url() class="card form">
                                <div class="field">
                                    <label for="k-name">{lang.t(T::ApiKeyName)}</label>
                                    <input id="k-name" name="name" maxlength="80" required />
                                </div>
                                <div class="field">
                                    <label for="k-scope">{lang.t(T::ApiKeyScope)}</label>
                                    <select id="k-scope" name="scope" required>
                                        {page.scopes.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="button primary">{lang.t(T::ApiKeyAdd)}</button>
                            </form>
                            <ul class="demand-list">
                                {page.keys.into_iter().map(|k| view! {
                                    <li class="card" data-testid="api-key">
                                        <strong>{k.name.clone()}</strong>
                                        <p class="meta">{k.scope.clone().unwrap_or_else(|| lang.t(T::ApiKeyEverywhere).to_string())} " · " {k.created.clone()}
                                            {k.revoked.clone().map(|r| view! { " · " {lang.t(T::ApiKeyRevoked)} " " {r} })}
                                        </p>
                                        {k.revoked.is_none().then(|| view! {
                                            <form method="post" action=RevokeKey::url() class="inline-form">
                                                <input type="hidden" name="id" value=k.id />
                                                <button type="submit" class="button danger-outline">{lang.t(T::ApiKeyRevoke)}</button>
                                            </form>
                                        })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}
