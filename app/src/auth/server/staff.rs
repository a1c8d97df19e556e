//! Staff accounts made in the browser. An admin makes the account without a password and
//! hands its holder a one-time activation code in person (the claim codes' table, rules
//! and budget of tries); the holder sets their own password at `/activate`. Nobody but the
//! holder ever knows the password. A reset takes the password away and issues a new code;
//! deactivating ends every session at once.

use super::*;

/// A new staff account, checked by the caller (the team feature decides who may make what).
pub struct NewStaff {
    pub phone: String,
    pub display_name: String,
    pub role: Role,
    pub region_id: i64,
    pub department_id: Option<i64>,
}

/// Makes the account (no password) and its activation code, in `tx`; returns the id and
/// the code in clear, to be shown once.
pub async fn create_staff(tx: &mut Tx, issued_by: i64, new: NewStaff) -> Result<(i64, String), AppError> {
    if !new.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let id = insert_user(
        tx,
        NewUser {
            phone: new.phone,
            password_hash: None,
            display_name: new.display_name,
            role: new.role,
            region_id: new.region_id,
            department_id: new.department_id,
            building_id: None,
            unit_no: None,
            room: None,
        },
    )
    .await?;
    let code = super::claims::put_code(tx, id, issued_by).await?;
    Ok((id, code))
}

/// One staff account as its admins see it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct StaffRow {
    pub id: i64,
    pub display_name: String,
    pub phone: String,
    pub role: Role,
    pub region_id: i64,
    pub department_id: Option<i64>,
    pub on_duty: i64,
    pub active: i64,
    pub disabled_at: Option<i64>,
    pub code_until: Option<i64>,
}

/// A staff row's columns; `$1` is now (an expired code is no code).
const STAFF_COLUMNS: &str = "u.id, u.display_name, u.phone, u.role, u.region_id, u.department_id, u.on_duty, \
     CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS active, u.disabled_at, \
     (SELECT c.expires_at FROM claim_codes c WHERE c.user_id = u.id AND c.tries_left > 0 AND c.expires_at > $1) \
     AS code_until";

/// A unit's staff accounts after `after`, by id.
pub async fn staff_of(store: &Store, region: i64, after: i64, limit: i64) -> Result<Vec<StaffRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS} FROM users u WHERE u.region_id = $2 AND u.role <> 'resident' AND u.id > $3 \
         AND u.deleted_at IS NULL ORDER BY u.id LIMIT $4"
    ))
    .bind(Millis::now().0)
    .bind(region)
    .bind(after)
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

const STAFF_BY_ID: &str = "FROM users u WHERE u.id = $2 AND u.role <> 'resident' AND u.deleted_at IS NULL";

pub async fn staff_by_id(store: &Store, id: i64) -> Result<Option<StaffRow>, AppError> {
    Ok(sqlx::query_as(&format!("SELECT {STAFF_COLUMNS} {STAFF_BY_ID}"))
        .bind(Millis::now().0)
        .bind(id)
        .fetch_optional(store.pool())
        .await?)
}

/// The account as it stands inside a change's transaction (after the caller took its turn).
pub async fn staff_in(tx: &mut Tx, id: i64) -> Result<Option<StaffRow>, AppError> {
    Ok(sqlx::query_as(&format!("SELECT {STAFF_COLUMNS} {STAFF_BY_ID}"))
        .bind(Millis::now().0)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Deactivates (every session ends, its code stops working) or reactivates an account.
pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<(), AppError> {
    let at = disabled.then(|| Millis::now().0);
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2").bind(at).bind(id).execute(&mut **tx).await?;
    if disabled {
        end_everything(tx, id).await?;
    }
    Ok(())
}

/// Deactivates a staff account by its phone: `server user disable`, for an account no one
/// in the browser may manage (a departed district admin). Returns its id.
pub async fn disable_by_phone(store: &Store, phone: &str) -> Result<i64, AppError> {
    let phone = rules::normalise_phone(phone).map_err(|t| AppError::invalid("phone", t))?;
    let mut tx = store.write().await?;
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1 AND role <> 'resident' AND deleted_at IS NULL")
            .bind(&phone)
            .fetch_optional(&mut *tx)
            .await?;
    let id = id.ok_or(AppError::NotFound)?;
    set_disabled(&mut tx, id, true).await?;
    tx.commit().await?;
    Ok(id)
}

/// Takes the password away (every session ends) and issues a new activation code.
pub async fn reset_access(tx: &mut Tx, id: i64, issued_by: i64) -> Result<String, AppError> {
    sqlx::query("UPDATE users SET password_hash = NULL, password_changed_at = $1 WHERE id = $2")
        .bind(Millis::now().0)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    end_everything(tx, id).await?;
    super::claims::put_code(tx, id, issued_by).await
}

/// On or off duty, as a stationmaster sets the roster (the same column the worker's own switch sets).
pub async fn set_duty(tx: &mut Tx, id: i64, on: bool) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET on_duty = $1 WHERE id = $2").bind(on as i64).bind(id).execute(&mut **tx).await?;
    Ok(())
}

async fn end_everything(tx: &mut Tx, id: i64) -> Result<(), AppError> {
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM trusted_devices WHERE user_id = $1",
        "DELETE FROM claim_codes WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// A staff member sets their password with the code their admin handed them. Throttled
/// per client address and per phone; a wrong phone and a wrong code get the same answer.
pub async fn activate(phone_input: &str, code: &str, new: &str, confirm: &str) -> Result<(), AppError> {
    use crate::error::Problems;
    let store = request::store()?;
    let config = request::config();
    let mut problems = Problems::default();
    let phone = problems.check("phone", rules::normalise_phone(phone_input));
    if code.trim().is_empty() {
        problems.add("code", T::ErrRequired);
    }
    problems.check("new", rules::check_password(new, phone.as_deref()));
    if new != confirm {
        problems.add("confirm", T::ErrPasswordMismatch);
    }
    problems.into_result()?;
    let phone = phone.ok_or(AppError::Internal)?;
    const HOUR: i64 = 3_600_000;
    count_attempt(&store, "activate_ip", &request::client_ip(), config.registrations_per_ip_per_hour, HOUR).await?;
    count_attempt(&store, "activate_phone", &phone, super::accounts::REGISTRATIONS_PER_PHONE_PER_HOUR, HOUR).await?;
    let wrong = || AppError::invalid("code", T::ErrActivationCode);
    let waiting: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE phone = $1 AND role <> 'resident' AND password_hash IS NULL \
         AND disabled_at IS NULL AND deleted_at IS NULL",
    )
    .bind(&phone)
    .fetch_optional(store.pool())
    .await?;
    let Some(id) = waiting else { return Err(wrong()) };
    if !super::claims::try_code(&store, id, code).await? {
        return Err(wrong());
    }
    let hash = hash_password(new.to_string()).await?;
    let mut tx = store.write().await?;
    let done = super::claims::use_code(&mut tx, id, code).await?
        && sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3 AND password_hash IS NULL",
        )
        .bind(hash)
        .bind(Millis::now().0)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
    if !done {
        // Another tab activated with the same code a moment ago.
        return Err(wrong());
    }
    tx.commit().await?;
    Ok(())
}
