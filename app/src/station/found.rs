//! 主动发现 (`/station/found`): a station worker files what they found themselves on a patrol,
//! a household visit or a call, with nobody reporting it. The same form as the window's,
//! without a requester or a home; the case is routed like any other and counted apart in the
//! rates (未诉先办).

use crate::demands::views::{DemandForm, IntakeFor};
use crate::demands::{load_posting_context, FileFoundCase};
use crate::form::load_state;
use crate::i18n::T;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos::prelude::*;
use server_fn::ServerFn;

#[component]
pub fn FoundCasePage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/found") };
    if !user.role.is_station_team() {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let data = Resource::new(
        || (),
        |_| async {
            let s = load_state("found", FileFoundCase::PATH).await;
            let key = Some(s.value("idempotency_key"))
                .filter(|k| !k.is_empty())
                .unwrap_or_else(crate::form::key::IdempotencyKey::fresh);
            let context = load_posting_context(key.clone()).await;
            let menu = crate::affairs::affairs_menu(None, None, None).await.unwrap_or_default();
            (s, key, context, menu)
        },
    );
    view! {
        <StationFrame title=lang.t(T::FoundTitle).to_string()>
            <p class="lead">{lang.t(T::FoundIntro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (s, key, context, menu) = data.await;
                    match context {
                        Ok(mut c) => {
                            c.for_whom.clear();
                            c.my_building = None;
                            let who = IntakeFor { requester_id: 0, name: String::new(), found: true };
                            view! { <DemandForm state=s context=c menu=menu key=key chosen_affair=String::new() lang=lang staff=Some(who) /> }.into_any()
                        }
                        Err(e) => view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}
