//! The one error type of the app. Server functions return it; it maps to an HTTP status and
//! to a translated message. Internal causes are logged on the server and never serialised.

use crate::i18n::{fmt, Lang, T};
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A problem with one field of a form, as a catalogue key so it can be shown in any language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: T,
}

impl FieldError {
    pub fn new(field: &str, problem: T) -> Self {
        Self { field: field.to_string(), problem }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: log in first.
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but the role or scope does not allow it.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The request itself was malformed (missing or undecodable arguments).
    #[error("bad request")]
    BadRequest,
    /// The form had problems; each names its field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("bad credentials")]
    BadCredentials,
    #[error("too many attempts")]
    Throttled { retry_after_secs: i64 },
    /// A per-user limit on posting (threads a day, comment interval).
    #[error("rate limited")]
    RateLimited { what: T, retry_after_secs: i64 },
    /// A moderator blocked this account from posting until then (Beijing time, as shown).
    #[error("blocked from posting")]
    Blocked { until: String },
    /// Two no-shows within 30 days: no booking until then (Beijing time, as shown).
    #[error("banned from booking")]
    BookingBanned { until: String },
    /// Someone took the last place first; the next free slots (start, label) are offered.
    #[error("slot full")]
    SlotFull { next: Vec<(i64, String)> },
    /// Someone else changed the object first (optimistic concurrency).
    #[error("conflict")]
    Conflict,
    /// The object's state does not allow this (e.g. confirming a case that is not resolved).
    #[error("wrong state")]
    WrongState,
    /// Anything that went wrong on our side; the cause is in the server log only.
    #[error("internal error")]
    Internal,
    /// The browser could not reach the server (client side only).
    #[error("network error")]
    Network,
}

impl AppError {
    pub fn invalid(field: &str, problem: T) -> Self {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::BadRequest => 400,
            AppError::Invalid(_) => 422,
            AppError::Throttled { .. } | AppError::RateLimited { .. } => 429,
            AppError::Blocked { .. } | AppError::BookingBanned { .. } => 403,
            AppError::SlotFull { .. } => 409,
            AppError::Conflict | AppError::WrongState => 409,
            AppError::Internal => 500,
            AppError::Network => 503,
        }
    }

    /// The sentence shown at the top of a form or on an error page.
    pub fn message(&self, lang: Lang) -> String {
        let key = match self {
            AppError::Unauthenticated => T::ErrUnauthenticated,
            AppError::Forbidden => T::ErrForbidden,
            AppError::NotFound => T::ErrNotFound,
            AppError::BadRequest => T::ErrBadRequest,
            AppError::Invalid(_) => T::ErrInvalidForm,
            AppError::BadCredentials => T::ErrBadCredentials,
            AppError::Throttled { retry_after_secs } => {
                return fmt::retry_in_minutes(lang, (retry_after_secs + 59) / 60)
            }
            AppError::RateLimited { what, retry_after_secs } => {
                return fmt::rate_limited(lang, what.text(lang), *retry_after_secs)
            }
            AppError::Blocked { until } => return fmt::blocked_until(lang, until),
            AppError::BookingBanned { until } => return fmt::booking_banned(lang, until),
            AppError::SlotFull { .. } => T::ErrSlotFull,
            AppError::Conflict => T::ErrConflict,
            AppError::WrongState => T::ErrWrongState,
            AppError::Internal => T::ErrInternal,
            AppError::Network => T::ErrNetwork,
        };
        key.text(lang).to_string()
    }

    /// [`message`](Self::message) for a banner that stands for a form it cannot point into
    /// (a plain post from one of a page's many small forms): a refused field's own
    /// sentences, not "correct what is marked".
    pub fn message_in_full(&self, lang: Lang) -> String {
        match self {
            AppError::Invalid(fields) if !fields.is_empty() => {
                let mut said: Vec<&str> = Vec::new();
                for f in fields {
                    let text = f.problem.text(lang);
                    if !said.contains(&text) {
                        said.push(text);
                    }
                }
                said.join(" ")
            }
            _ => self.message(lang),
        }
    }

    /// The problem reported for one field, if any.
    pub fn field(&self, name: &str) -> Option<T> {
        match self {
            AppError::Invalid(fields) => fields.iter().find(|f| f.field == name).map(|f| f.problem),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::BadRequest,
            _ => AppError::Internal,
        }
    }
}

/// Collects field problems while validating a form, so every field is reported at once.
#[derive(Default, Debug)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, problem: T) {
        if !self.0.iter().any(|f| f.field == field) {
            self.0.push(FieldError::new(field, problem));
        }
    }

    /// Records the problem of a check, if it failed.
    pub fn check<V>(&mut self, field: &str, result: Result<V, T>) -> Option<V> {
        match result {
            Ok(v) => Some(v),
            Err(p) => {
                self.add(field, p);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|f| f.field == field)
    }

    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_messages() {
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::invalid("phone", T::ErrPhoneFormat).status(), 422);
        assert_eq!(
            AppError::Throttled { retry_after_secs: 61 }.message(Lang::En),
            "Too many attempts. Please try again in 2 minutes."
        );
        assert_eq!(AppError::Internal.message(Lang::Zh), T::ErrInternal.text(Lang::Zh));
        let e = AppError::invalid("phone", T::ErrPhoneFormat);
        assert_eq!(e.message_in_full(Lang::Zh), T::ErrPhoneFormat.text(Lang::Zh), "the field's own sentence");
        assert_eq!(AppError::Conflict.message_in_full(Lang::En), AppError::Conflict.message(Lang::En));
        assert_eq!(e.field("phone"), Some(T::ErrPhoneFormat));
        assert_eq!(e.field("password"), None);
    }

    #[test]
    fn serialised_error_carries_no_internal_detail() {
        let json = serde_json::to_string(&AppError::Internal).unwrap();
        assert_eq!(json, "\"Internal\"");
        let back: AppError =
            serde_json::from_str(&serde_json::to_string(&AppError::invalid("phone", T::ErrPhoneTaken)).unwrap())
                .unwrap();
        assert_eq!(back, AppError::invalid("phone", T::ErrPhoneTaken));
    }

    #[test]
    fn problems_keep_first_per_field() {
        let mut p = Problems::default();
        p.add("phone", T::ErrRequired);
        p.add("phone", T::ErrPhoneFormat);
        assert_eq!(p.into_result(), Err(AppError::invalid("phone", T::ErrRequired)));
    }
}
