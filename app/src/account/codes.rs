//! Sending verification codes for the account's forms: who gets a real message, the daily
//! caps, and the browser's note of which number is waiting for a code.

use crate::auth::server::{count_attempt, phone_holder, PhoneHolder};
use crate::error::AppError;
use crate::request;
use crate::verify::{gateway::shows_codes, Pending, Purpose};

/// `purpose:phone` of the code this browser waits for (HttpOnly, 15 minutes): the number
/// is not put in a URL or a stored draft, and the page after can say where the code went.
pub const PENDING_COOKIE: &str = "mc_verify";
const DAY_MS: i64 = 86_400_000;

/// Sends a code. A number that cannot use `purpose` (registering one that has an account,
/// resetting one that has none) gets no message but the same answer, after the same work;
/// an account's owner is told in the app when someone tries to register their number.
pub async fn send(purpose: Purpose, phone_input: &str) -> Result<(), AppError> {
    let store = request::store()?;
    let config = request::config();
    // The caps come first: nothing after them (a notification, a code) happens past them.
    let (phone, deliver) = match purpose {
        Purpose::Register | Purpose::Reset => {
            let phone = crate::auth::rules::normalise_phone(phone_input).map_err(|p| AppError::invalid("phone", p))?;
            caps(&phone).await?;
            let holder = phone_holder(&store, &phone).await?;
            let deliver = match (purpose, holder) {
                (Purpose::Register, PhoneHolder::Nobody | PhoneHolder::StationRecord(_)) => true,
                (Purpose::Register, PhoneHolder::Account(owner)) => {
                    let mut tx = store.write().await?;
                    let n = crate::notifications::server::Send::new(owner, crate::notifications::Kind::AccountAttempt);
                    crate::notifications::server::send(&mut tx, n).await?;
                    tx.commit().await?;
                    false
                }
                (Purpose::Reset, PhoneHolder::Account(_)) => true,
                _ => false,
            };
            (phone, deliver)
        }
        Purpose::Delete => {
            let phone = crate::auth::server::require_user()?.phone;
            caps(&phone).await?;
            (phone, true)
        }
        Purpose::PhoneChange => {
            let user = crate::auth::server::require_user()?;
            let phone = crate::auth::rules::normalise_phone(phone_input).map_err(|p| AppError::invalid("phone", p))?;
            caps(&phone).await?;
            // A number someone has gets no code (and the answer does not say so).
            let free = phone != user.phone && phone_holder(&store, &phone).await? == PhoneHolder::Nobody;
            (phone, free)
        }
        // Sent by the login itself, never on request.
        Purpose::StaffLogin => return Err(AppError::BadRequest),
    };
    let demo = shows_codes(config.demo_mode);
    crate::verify::server::issue(&store, &phone, purpose, deliver, demo).await?;
    request::set_cookie(request::build_cookie(PENDING_COOKIE, format!("{}:{phone}", purpose.as_str()), 15 * 60));
    Ok(())
}

/// The number this browser waits for a code for, for `purpose` (none: ask for the number).
pub fn waiting_phone(purpose: Purpose) -> Option<String> {
    let value = request::cookie(PENDING_COOKIE)?;
    let (p, phone) = value.split_once(':')?;
    if Purpose::parse(p)? != purpose {
        return None;
    }
    crate::auth::rules::normalise_phone(phone).ok()
}

pub async fn pending(purpose: Purpose) -> Result<Option<Pending>, AppError> {
    let Some(phone) = waiting_phone(purpose) else { return Ok(None) };
    if purpose == Purpose::Delete {
        let user = crate::auth::server::require_user()?;
        if user.phone != phone {
            return Ok(None);
        }
    }
    let store = request::store()?;
    let demo = shows_codes(request::config().demo_mode);
    let masked = crate::auth::rules::mask_phone(&phone);
    crate::verify::server::pending(&store, &phone, masked, purpose, demo).await
}

/// Counts a code against its number's and the client address's daily caps (in the
/// database: every instance shares them).
async fn caps(phone: &str) -> Result<(), AppError> {
    let (store, config) = (request::store()?, request::config());
    count_attempt(&store, "sms_ip", &request::client_ip(), config.sms_per_ip_per_day, DAY_MS).await?;
    count_attempt(&store, "sms_phone", phone, config.sms_per_phone_per_day, DAY_MS).await
}
