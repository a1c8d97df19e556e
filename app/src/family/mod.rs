//! Family members (代办): a resident links a relative's account (the relative confirms), then
//! posts and follows cases for them; each case shows for whom and by whom.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyLink {
    pub id: i64,
    pub name: String,
    pub phone_masked: String,
    pub state: String,
    /// I act for them (true) or they act for me.
    pub i_act_for_them: bool,
}

#[server(endpoint = "family")]
pub async fn family_links() -> Result<Vec<FamilyLink>, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT f.id, u.display_name, u.phone, f.state, CASE WHEN f.proxy_id = $1 THEN 1 ELSE 0 END \
         FROM family_links f JOIN users u ON u.id = CASE WHEN f.proxy_id = $1 THEN f.member_id ELSE f.proxy_id END \
         WHERE (f.proxy_id = $1 AND f.state = 'confirmed') OR (f.member_id = $1 AND f.state <> 'declined') ORDER BY f.id",
    )
    .bind(user.id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, phone, state, mine)| FamilyLink {
            id,
            name,
            phone_masked: crate::auth::rules::mask_phone(&phone),
            state,
            i_act_for_them: mine == 1,
        })
        .collect())
}

/// Asks to act for the resident with this phone number (of the same community). They confirm.
/// The answer is the same whether the number belongs to a neighbour or not, and the asker
/// sees the link only once it is confirmed: nobody learns who is registered by asking.
#[server(endpoint = "family/request")]
pub async fn request_family_link(phone: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    if user.role != crate::auth::Role::Resident {
        return Err(AppError::Forbidden);
    }
    let phone = crate::auth::rules::normalise_phone(&phone).map_err(|p| AppError::invalid("phone", p))?;
    let store = crate::request::store()?;
    // Ten a day: enough for a family, too few to go through numbers.
    crate::auth::server::count_attempt(&store, "family_request", &user.id.to_string(), 10, 86_400_000).await?;
    let member: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE phone = $1 AND role = 'resident' AND region_id = $2 AND password_hash IS NOT NULL",
    )
    .bind(&phone)
    .bind(user.region_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(member) = member.filter(|m| *m != user.id) else {
        crate::request::redirect("/me?family=asked#family");
        return Ok(());
    };
    let mut tx = store.write().await?;
    let created = sqlx::query(
        "INSERT INTO family_links (proxy_id, member_id, state, created_at) VALUES ($1, $2, 'pending', $3) \
         ON CONFLICT (proxy_id, member_id) DO UPDATE SET state = 'pending', created_at = $3, decided_at = NULL \
         WHERE family_links.state = 'declined'",
    )
    .bind(user.id)
    .bind(member)
    .bind(crate::store::Millis::now())
    .execute(&mut *tx)
    .await?;
    if created.rows_affected() == 1 {
        crate::notifications::server::send(
            &mut tx,
            crate::notifications::server::Send::new(member, crate::notifications::Kind::FamilyRequest)
                .detail(&user.display_name),
        )
        .await?;
    }
    tx.commit().await?;
    crate::request::redirect("/me?family=asked#family");
    Ok(())
}

/// The family member answers a request (only the member can).
#[server(endpoint = "family/answer")]
pub async fn answer_family_link(id: i64, accept: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let state = if accept == "1" { "confirmed" } else { "declined" };
    let mut tx = store.write().await?;
    let proxy: Option<i64> =
        sqlx::query_scalar("SELECT proxy_id FROM family_links WHERE id = $1 AND member_id = $2 AND state = 'pending'")
            .bind(id)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(proxy) = proxy else { return Err(AppError::NotFound) };
    sqlx::query("UPDATE family_links SET state = $1, decided_at = $2 WHERE id = $3")
        .bind(state)
        .bind(crate::store::Millis::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if state == "confirmed" {
        crate::notifications::server::send(
            &mut tx,
            crate::notifications::server::Send::new(proxy, crate::notifications::Kind::FamilyConfirmed)
                .detail(&user.display_name),
        )
        .await?;
    }
    tx.commit().await?;
    crate::request::redirect("/me#family");
    Ok(())
}

/// Either side ends a link.
#[server(endpoint = "family/remove")]
pub async fn remove_family_link(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let done = sqlx::query("DELETE FROM family_links WHERE id = $1 AND (proxy_id = $2 OR member_id = $2)")
        .bind(id)
        .bind(user.id)
        .execute(crate::request::store()?.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    crate::request::redirect("/me#family");
    Ok(())
}

/// The family section of the Me page.
#[component]
pub fn FamilySection(links: Vec<FamilyLink>, lang: Lang, #[prop(optional)] asked: bool) -> impl IntoView {
    view! {
        <section class="card" id="family">
            <h2>{lang.t(T::Family)}</h2>
            <p class="hint">{lang.t(T::FamilyHint)}</p>
            {asked.then(|| view! { <p class="notice" role="status">{lang.t(T::FamilyAsked)}</p> })}
            <ul class="plain">
                {links.into_iter().map(|l| {
                    let relation = if l.i_act_for_them { T::IActFor } else { T::ActsForMe };
                    let pending_for_me = l.state == "pending" && !l.i_act_for_them;
                    view! {
                        <li class="family-line">
                            <strong>{l.name.clone()}</strong> " " <span class="muted">{l.phone_masked.clone()}</span>
                            <span class="small"> " · " {lang.t(relation)} " · " {lang.t(if l.state == "confirmed" { T::Confirmed } else { T::Pending })}</span>
                            {pending_for_me.then(|| view! {
                                <span class="actions">
                                    <form method="post" action=AnswerFamilyLink::url() class="inline-form">
                                        <input type="hidden" name="id" value=l.id />
                                        <input type="hidden" name="accept" value="1" />
                                        <button type="submit" class="button primary small">{lang.t(T::Confirm)}</button>
                                    </form>
                                    <form method="post" action=AnswerFamilyLink::url() class="inline-form">
                                        <input type="hidden" name="id" value=l.id />
                                        <input type="hidden" name="accept" value="0" />
                                        <button type="submit" class="button secondary small">{lang.t(T::Decline)}</button>
                                    </form>
                                </span>
                            })}
                            {(!pending_for_me).then(|| view! {
                                <form method="post" action=RemoveFamilyLink::url() class="inline-form">
                                    <input type="hidden" name="id" value=l.id />
                                    <button type="submit" class="linkish">{lang.t(T::Remove)}</button>
                                </form>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <crate::form::EnhancedForm lang=lang>
                <form method="post" action=RequestFamilyLink::url() class="form">
                    <crate::form::FormBanner error=None />
                    <crate::form::Field name="phone" label=T::FamilyPhone kind="tel" inputmode="numeric" maxlength=20 />
                    <button type="submit" class="button secondary">{lang.t(T::LinkFamily)}</button>
                </form>
            </crate::form::EnhancedForm>
        </section>
    }
}

/// An account's deletion: its family links, both ways.
#[cfg(feature = "ssr")]
pub async fn forget_member(tx: &mut crate::store::Tx, user: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM family_links WHERE proxy_id = $1 OR member_id = $1").bind(user).execute(&mut **tx).await?;
    Ok(())
}
