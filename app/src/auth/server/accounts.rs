//! Accounts: registration, login, password change, the owner's details, the CLI's accounts, and the columns other features keep on an account.

use super::*;

/// What creating an account needs. Used by registration, the CLI and the demo seed.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub phone: String,
    /// From [`hash_password`], computed before the transaction begins (it takes CPU time
    /// and the transaction may hold SQLite's write lock).
    pub password_hash: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub region_id: i64,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub unit_no: Option<String>,
    pub room: Option<String>,
}

/// Inserts an account inside `tx`. The phone must be free (checked by the unique index too).
pub async fn insert_user(tx: &mut Tx, user: NewUser) -> Result<i64, AppError> {
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1").bind(&user.phone).fetch_optional(&mut **tx).await?;
    if taken.is_some() {
        return Err(AppError::invalid("phone", T::ErrPhoneTaken));
    }
    let now = Millis::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (phone, password_hash, display_name, role, region_id, department_id, \
         building_id, unit_no, room, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&user.phone)
    .bind(user.password_hash)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(user.region_id)
    .bind(user.department_id)
    .bind(user.building_id)
    .bind(user.unit_no)
    .bind(user.room)
    .bind(now)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => AppError::invalid("phone", T::ErrPhoneTaken),
        _ => AppError::from(e),
    })?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
pub(super) struct Credentials {
    id: i64,
    password_hash: Option<String>,
    disabled_at: Option<i64>,
}

/// Checks a phone and password. Unknown phones cost the same time as wrong passwords.
pub async fn check_credentials(store: &Store, phone: &str, password: &str) -> Result<Option<i64>, AppError> {
    let row: Option<Credentials> = sqlx::query_as("SELECT id, password_hash, disabled_at FROM users WHERE phone = $1")
        .bind(phone)
        .fetch_optional(store.pool())
        .await?;
    let (hash, id) = match row {
        Some(Credentials { id, password_hash: Some(h), disabled_at: None }) => (h, Some(id)),
        _ => (dummy_hash().to_string(), None),
    };
    let ok = verify_password(hash, password.to_string()).await;
    Ok(if ok { id } else { None })
}

/// Changes a password and ends every other session of the account.
pub async fn change_password(store: &Store, user: &SessionUser, current: &str, new: &str) -> Result<(), AppError> {
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(store.pool())
        .await?;
    let current_ok = match hash {
        Some(h) => verify_password(h, current.to_string()).await,
        None => false,
    };
    if !current_ok {
        return Err(AppError::invalid("current", T::ErrPasswordWrong));
    }
    rules::check_password(new, Some(&user.phone)).map_err(|p| AppError::invalid("new", p))?;
    let new_hash = hash_password(new.to_string()).await?;
    let mut tx = store.write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(new_hash)
        .bind(Millis::now())
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    end_other_sessions(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// A registration form as posted.
pub struct Registration {
    pub phone: String,
    pub password: String,
    pub password_confirm: String,
    pub display_name: String,
    pub community: String,
    pub building: String,
    pub unit_no: String,
    pub room: String,
    /// The code station staff gave for a record they made with this phone (else empty).
    pub claim_code: String,
    /// The code sent by SMS to the phone.
    pub sms_code: String,
    /// The privacy notice was ticked.
    pub consent: bool,
}

/// Registrations tried for one phone number in an hour (a claim code's five tries fit).
pub const REGISTRATIONS_PER_PHONE_PER_HOUR: i64 = 10;

/// How a registration went, when the form itself was fine.
#[derive(Debug, PartialEq, Eq)]
pub enum Registered {
    SignedIn,
    /// The phone cannot be registered (an account has it, or a station record without the
    /// right claim code): the same answer either way, so nobody learns which numbers are
    /// known. `owner` is the account to tell someone tried.
    Refused {
        owner: Option<i64>,
    },
}

/// Registers a resident and signs them in. Every field is checked before anything is
/// written; the account is created in one transaction. Throttled per client address and
/// per phone; the password is hashed after the cheap checks but before the phone's status
/// is looked at, so a known number answers in the time a new one takes.
pub async fn register(form: Registration) -> Result<Registered, AppError> {
    use crate::error::Problems;
    let store = request::store()?;
    let config = request::config();
    let mut problems = Problems::default();
    let phone = problems.check("phone", rules::normalise_phone(&form.phone));
    problems.check("password", rules::check_password(&form.password, phone.as_deref()));
    if form.password_confirm != form.password {
        problems.add("password_confirm", T::ErrPasswordMismatch);
    }
    let name = problems.check("display_name", rules::check_display_name(&form.display_name));
    let unit_no = problems.check("unit_no", rules::check_unit_or_room(&form.unit_no));
    let room = problems.check("room", rules::check_unit_or_room(&form.room));
    let community = crate::community::server::region_by_code(&store, form.community.trim())
        .await?
        .filter(|r| r.level == crate::auth::Level::Community);
    if community.is_none() {
        problems.add("community", T::ErrUnknownCommunity);
    }
    let building: Option<i64> = match (&community, form.building.trim().parse::<i64>()) {
        (Some(c), Ok(b)) => {
            sqlx::query_scalar("SELECT id FROM buildings WHERE id = $1 AND community_id = $2")
                .bind(b)
                .bind(c.id)
                .fetch_optional(store.pool())
                .await?
        }
        _ => None,
    };
    if building.is_none() {
        problems.add("building", if form.building.trim().is_empty() { T::ErrRequired } else { T::ErrUnknownBuilding });
    }
    if !form.consent {
        problems.add("consent", T::ErrConsentRequired);
    }
    problems.check("sms_code", crate::verify::rules::parse_code(&form.sms_code));
    problems.into_result()?;
    let (Some(phone), Some(name), Some(community)) = (phone, name, community) else {
        return Err(AppError::Internal);
    };
    const HOUR: i64 = 3_600_000;
    count_attempt(&store, "register_ip", &request::client_ip(), config.registrations_per_ip_per_hour, HOUR).await?;
    count_attempt(&store, "register_phone", &phone, REGISTRATIONS_PER_PHONE_PER_HOUR, HOUR).await?;
    // The phone is the registrant's: the code sent to it proves it.
    let proven = crate::verify::server::check(&store, &phone, crate::verify::Purpose::Register, &form.sms_code).await?;
    let hash = hash_password(form.password).await?;

    let holder: Option<(i64, Option<String>, String)> =
        sqlx::query_as("SELECT id, password_hash, role FROM users WHERE phone = $1")
            .bind(&phone)
            .fetch_optional(store.pool())
            .await?;
    // A record the station made for this phone (no password yet) becomes the registrant's
    // only with the code the station gave them: the phone alone proves nothing.
    let unclaimed = match holder {
        None => None,
        Some((id, None, role)) if role == "resident" => {
            if !super::claims::try_code(&store, id, &form.claim_code).await? {
                return Ok(Registered::Refused { owner: None });
            }
            Some(id)
        }
        Some((id, Some(_), _)) => return Ok(Registered::Refused { owner: Some(id) }),
        Some(_) => return Ok(Registered::Refused { owner: None }),
    };
    let mut tx = store.write().await?;
    crate::verify::server::use_up(&mut tx, proven).await?;
    let id = match unclaimed {
        Some(id) => {
            let claimed = super::claims::use_code(&mut tx, id, &form.claim_code).await?
                && sqlx::query(
                    "UPDATE users SET password_hash = $1, display_name = $2, region_id = $3, building_id = $4, unit_no = $5, \
                     room = $6, password_changed_at = $7 WHERE id = $8 AND password_hash IS NULL",
                )
                .bind(hash)
                .bind(&name)
                .bind(community.id)
                .bind(building)
                .bind(unit_no)
                .bind(room)
                .bind(Millis::now())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
            if !claimed {
                // Another registration with the same code was first.
                return Ok(Registered::Refused { owner: None });
            }
            id
        }
        None => {
            let made = insert_user(
                &mut tx,
                NewUser {
                    phone,
                    password_hash: Some(hash),
                    display_name: name,
                    role: Role::Resident,
                    region_id: community.id,
                    department_id: None,
                    building_id: building,
                    unit_no,
                    room,
                },
            )
            .await;
            match made {
                Ok(id) => id,
                // Registered a moment ago by a parallel request: the same answer.
                Err(AppError::Invalid(_)) => return Ok(Registered::Refused { owner: None }),
                Err(e) => return Err(e),
            }
        }
    };
    record_consent(&mut tx, id).await?;
    tx.commit().await?;
    start_session(&store, id).await?;
    Ok(Registered::SignedIn)
}

/// The account agreed to the current privacy notice (at registration, or when a new
/// version asks again).
pub async fn record_consent(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    sqlx::query("INSERT INTO consents (user_id, notice_version, given_at) VALUES ($1, $2, $3)")
        .bind(user)
        .bind(rules::PRIVACY_NOTICE_VERSION)
        .bind(Millis::now().0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who holds a phone number, as the code sender needs to know (never shown to anyone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneHolder {
    Nobody,
    /// A resident record the station made, not yet claimed.
    StationRecord(i64),
    /// An account with a password (disabled or not).
    Account(i64),
}

pub async fn phone_holder(store: &Store, phone: &str) -> Result<PhoneHolder, AppError> {
    let row: Option<(i64, Option<String>, String)> =
        sqlx::query_as("SELECT id, password_hash, role FROM users WHERE phone = $1")
            .bind(phone)
            .fetch_optional(store.pool())
            .await?;
    Ok(match row {
        None => PhoneHolder::Nobody,
        Some((id, None, role)) if role == "resident" => PhoneHolder::StationRecord(id),
        Some((id, _, _)) => PhoneHolder::Account(id),
    })
}

/// A forgotten password, reset with the code sent to the account's phone: every session of
/// the account ends and its login throttle is cleared. A phone without an account gets the
/// answer a wrong code gets (its "code" was never sent).
pub async fn reset_password(phone_input: &str, sms_code: &str, new: &str, confirm: &str) -> Result<(), AppError> {
    use crate::error::Problems;
    let store = request::store()?;
    let mut problems = Problems::default();
    let phone = problems.check("phone", rules::normalise_phone(phone_input));
    problems.check("sms_code", crate::verify::rules::parse_code(sms_code));
    problems.check("new", rules::check_password(new, phone.as_deref()));
    if new != confirm {
        problems.add("confirm", T::ErrPasswordMismatch);
    }
    problems.into_result()?;
    let phone = phone.ok_or(AppError::Internal)?;
    let proven = crate::verify::server::check(&store, &phone, crate::verify::Purpose::Reset, sms_code).await?;
    let hash = hash_password(new.to_string()).await?;
    let mut tx = store.write().await?;
    crate::verify::server::use_up(&mut tx, proven).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, password_changed_at = $2 \
         WHERE phone = $3 AND password_hash IS NOT NULL AND deleted_at IS NULL RETURNING id",
    )
    .bind(hash)
    .bind(Millis::now().0)
    .bind(&phone)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Err(AppError::invalid("sms_code", T::ErrSmsCodeWrong));
    };
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM auth_failures WHERE kind = $1 AND key = $2")
        .bind(super::throttle::FAIL_PHONE)
        .bind(&phone)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Logs in: throttled per phone and per client address; a fresh session on success, the
/// account's stored display preferences put back into cookies.
pub async fn login(phone_input: &str, password: &str) -> Result<LoggedIn, AppError> {
    let store = request::store()?;
    let config = request::config();
    let phone = rules::normalise_phone(phone_input).map_err(|p| AppError::invalid("phone", p))?;
    if password.is_empty() {
        return Err(AppError::invalid("password", T::ErrRequired));
    }
    let ip = request::client_ip();
    let attempt = reserve_login_attempt(&store, &config, &phone, &ip).await?;
    let Some(user_id) = check_credentials(&store, &phone, password).await? else {
        login_failed(&store, &ip).await?;
        return Err(AppError::BadCredentials);
    };
    release_login_attempt(&store, attempt).await?;
    clear_login_failures(&store, &phone).await?;
    // A session cookie the browser still holds (another account on a shared phone) ends here.
    if let Some(old) = request::cookie(SESSION_COOKIE) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(sha256_hex(&old)).execute(store.pool()).await?;
    }
    let (role, lang, elder): (String, Option<String>, i64) =
        sqlx::query_as("SELECT role, lang, elder FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(store.pool())
            .await?;
    let role = Role::parse(&role).ok_or(AppError::Internal)?;
    let lang = lang.as_deref().and_then(crate::i18n::Lang::from_tag);
    // Staff on a device not trusted yet: the code sent to their phone comes first.
    if role.is_staff() && config.staff_second_factor && !super::second_factor::trusted(&store, user_id).await? {
        super::second_factor::begin(&store, &config, user_id).await?;
        return Ok(LoggedIn { role, lang, elder: elder == 1, second_factor: true });
    }
    start_session(&store, user_id).await?;
    Ok(LoggedIn { role, lang, elder: elder == 1, second_factor: false })
}

/// Who logged in, and the language and elder mode they chose before (the caller puts them
/// back into this browser's cookies).
pub struct LoggedIn {
    pub role: Role,
    pub lang: Option<crate::i18n::Lang>,
    pub elder: bool,
    /// The password was right; the code sent to the phone is still to come (`/login/verify`).
    pub second_factor: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    display_name: String,
    phone: String,
    region_zh: String,
    region_en: String,
    building_zh: Option<String>,
    building_en: Option<String>,
    unit_no: Option<String>,
    room: Option<String>,
}

pub async fn my_account(store: &Store, user: &SessionUser) -> Result<crate::auth::AccountDetails, AppError> {
    let row: AccountRow = sqlx::query_as(
        "SELECT u.display_name, u.phone, r.name_zh AS region_zh, r.name_en AS region_en, b.name_zh AS building_zh, \
         b.name_en AS building_en, u.unit_no, u.room \
         FROM users u JOIN regions r ON r.id = u.region_id LEFT JOIN buildings b ON b.id = u.building_id WHERE u.id = $1",
    )
    .bind(user.id)
    .fetch_one(store.pool())
    .await?;
    let keep = request::cookie(SESSION_COOKIE).map(|t| sha256_hex(&t)).unwrap_or_default();
    let other_sessions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.id)
            .bind(keep)
            .fetch_one(store.pool())
            .await?;
    use crate::i18n::Named;
    Ok(crate::auth::AccountDetails {
        // The Me page adds a resident's volunteer hours (the activities feature's).
        volunteer_hours: None,
        phone_masked: rules::mask_phone(&row.phone),
        display_name: row.display_name,
        phone: row.phone,
        role: user.role,
        region: Named { zh: row.region_zh, en: row.region_en },
        building: row.building_zh.zip(row.building_en).map(|(zh, en)| Named { zh, en }),
        unit_no: row.unit_no,
        room: row.room,
        other_sessions,
    })
}

/// `server user add`: creates any account. `region_code` may name the role's own level or
/// one below it (a community code for a subdistrict admin means its subdistrict).
/// Is there an account with this number (as typed; normalised first)?
pub async fn phone_exists(store: &Store, phone: &str) -> Result<bool, AppError> {
    let Ok(phone) = rules::normalise_phone(phone) else { return Ok(false) };
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1").bind(phone).fetch_optional(store.pool()).await?;
    Ok(id.is_some())
}

pub async fn add_user(
    store: &Store,
    role: Role,
    phone: &str,
    password: &str,
    name: &str,
    region_code: &str,
    department_code: Option<&str>,
) -> Result<i64, String> {
    use crate::community::server::{region_by_code, region_by_id};
    let phone = rules::normalise_phone(phone)
        .map_err(|_| "the phone must be a mainland mobile number: 1[3-9] and 9 digits".to_string())?;
    rules::check_password(password, Some(&phone))
        .map_err(|p| format!("password refused: {}", p.text(crate::i18n::Lang::En)))?;
    let name = rules::check_display_name(name).map_err(|_| "the name must have 1 to 20 characters".to_string())?;
    let mut region = region_by_code(store, region_code)
        .await
        .map_err(|_| "database error".to_string())?
        .ok_or_else(|| format!("no region with code {region_code:?}"))?;
    let want = role.home_level();
    let rank = |l: crate::auth::Level| match l {
        crate::auth::Level::District => 0,
        crate::auth::Level::Subdistrict => 1,
        crate::auth::Level::Community => 2,
    };
    if rank(region.level) < rank(want) {
        return Err(format!(
            "a {} belongs to a {}; {region_code} is a {}",
            role.as_str(),
            want.as_str(),
            region.level.as_str()
        ));
    }
    while region.level != want {
        let parent = region.parent_id.ok_or("broken hierarchy")?;
        region =
            region_by_id(store, parent).await.map_err(|_| "database error".to_string())?.ok_or("broken hierarchy")?;
    }
    let department_id = match (role, department_code) {
        (Role::Department, Some(code)) => Some(
            sqlx::query_scalar::<_, i64>("SELECT id FROM departments WHERE subdistrict_id = $1 AND code = $2")
                .bind(region.id)
                .bind(code)
                .fetch_optional(store.pool())
                .await
                .map_err(|_| "database error".to_string())?
                .ok_or_else(|| format!("no department {code:?} in {}", region.code))?,
        ),
        (Role::Department, None) => None,
        (_, Some(_)) => return Err("--department is only for the department role".into()),
        (_, None) => None,
    };
    let hash = hash_password(password.to_string()).await.map_err(|_| "could not hash the password".to_string())?;
    let mut tx = store.write().await.map_err(|_| "database error".to_string())?;
    let id = insert_user(
        &mut tx,
        NewUser {
            phone,
            password_hash: Some(hash),
            display_name: name,
            role,
            region_id: region.id,
            department_id,
            building_id: None,
            unit_no: None,
            room: None,
        },
    )
    .await
    .map_err(|e| match e {
        AppError::Invalid(_) => "an account with this phone already exists".to_string(),
        _ => "database error".to_string(),
    })?;
    tx.commit().await.map_err(|_| "database error".to_string())?;
    Ok(id)
}

/// A resident's saved language and elder mode (the prefs feature's choice, kept on the account).
pub async fn save_prefs(store: &Store, user: i64, lang: Option<&str>, elder: Option<bool>) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET lang = COALESCE($1, lang), elder = COALESCE($2, elder) WHERE id = $3")
        .bind(lang)
        .bind(elder.map(i64::from))
        .bind(user)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// A station worker on or off duty (off duty: new items are not routed to them).
pub async fn set_on_duty(store: &Store, user: i64, on: bool) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET on_duty = $1 WHERE id = $2").bind(on as i64).bind(user).execute(store.pool()).await?;
    Ok(())
}

/// A moderator's block on posting until then (none: lifted), with its reason.
pub async fn set_posting_block(tx: &mut Tx, user: i64, until: Option<i64>, reason: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET posting_blocked_until = $1, posting_block_reason = $2 WHERE id = $3")
        .bind(until)
        .bind(reason)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The account a client system files under in a community (no password: nobody logs in).
pub async fn system_account(store: &Store, key_id: i64, key_name: &str, community: i64) -> Result<i64, sqlx::Error> {
    let phone = format!("open311:{key_id}:{community}");
    sqlx::query(
        "INSERT INTO users (phone, password_hash, display_name, role, region_id, created_at) VALUES ($1, NULL, $2, 'resident', $3, $4) \
         ON CONFLICT (phone) DO NOTHING",
    )
    .bind(&phone)
    .bind(format!("Open311 · {key_name}"))
    .bind(community)
    .bind(Millis::now().0)
    .execute(store.pool())
    .await?;
    sqlx::query_scalar("SELECT id FROM users WHERE phone = $1").bind(&phone).fetch_one(store.pool()).await
}

/// What the account held, erased (the deletion's last step, inside its transaction): the
/// row stays so cases and statistics keep pointing at it, with no person in it. Returns
/// the phone it had (its codes and throttle counts go too).
pub async fn erase_account(tx: &mut Tx, user: i64) -> Result<String, AppError> {
    let phone: String = sqlx::query_scalar("SELECT phone FROM users WHERE id = $1 AND deleted_at IS NULL")
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Millis::now().0;
    sqlx::query(
        "UPDATE users SET phone = $1, password_hash = NULL, display_name = $2, building_id = NULL, unit_no = NULL, \
         room = NULL, lang = NULL, posting_block_reason = NULL, address_verified_at = NULL, address_verified_by = NULL, \
         disabled_at = $3, deleted_at = $3 WHERE id = $4",
    )
    // Not a phone number: unique, and no login or code can ever match it.
    .bind(format!("deleted:{user}"))
    .bind(DELETED_NAME)
    .bind(now)
    .bind(user)
    .execute(&mut **tx)
    .await?;
    for table in ["sessions", "trusted_devices", "consents", "claim_codes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user).execute(&mut **tx).await?;
    }
    sqlx::query("DELETE FROM auth_failures WHERE key = $1").bind(&phone).execute(&mut **tx).await?;
    Ok(phone)
}

/// The name a deleted account shows under what it leaves behind.
pub const DELETED_NAME: &str = "已注销居民";

/// Moves the account to a new number, proven by the code sent to it. Other sessions end
/// (whoever held the old number's sessions is out).
pub async fn change_phone(
    store: &Store,
    user: &SessionUser,
    phone_input: &str,
    sms_code: &str,
) -> Result<(), AppError> {
    let phone = rules::normalise_phone(phone_input).map_err(|p| AppError::invalid("phone", p))?;
    let proven = crate::verify::server::check(store, &phone, crate::verify::Purpose::PhoneChange, sms_code).await?;
    let mut tx = store.write().await?;
    crate::verify::server::use_up(&mut tx, proven).await?;
    sqlx::query("UPDATE users SET phone = $1 WHERE id = $2 AND deleted_at IS NULL")
        .bind(&phone)
        .bind(user.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            // Taken a moment ago by a registration: the code was sent when it was free.
            sqlx::Error::Database(d) if d.is_unique_violation() => AppError::invalid("phone", T::ErrPhoneUnavailable),
            _ => AppError::from(e),
        })?;
    end_other_sessions(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the account but this browser's (a new password or number).
async fn end_other_sessions(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    let keep = request::cookie(SESSION_COOKIE).map(|t| sha256_hex(&t)).unwrap_or_default();
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
