//! A form's idempotency key: minted when the form is rendered, sent back with it, and stored
//! with what the form created, so a double tap, a retry or a back-and-resubmit finds the
//! same row instead of making another. Parsed once, at the edge, into this type.

use crate::error::AppError;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 16 to 64 characters of ASCII letters, digits and `-`; anything else is a bad request
    /// (our own forms always send a good one).
    pub fn parse(s: &str) -> Result<IdempotencyKey, AppError> {
        let ok = (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(IdempotencyKey(s.to_string()))
        } else {
            Err(AppError::BadRequest)
        }
    }

    /// A key made by the server for something it files itself (`thread-7-project`).
    pub fn internal(s: String) -> IdempotencyKey {
        IdempotencyKey(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A new key for a form being rendered: 32 hex characters from the server (the browser
    /// never renders a form anew, so it has none to make).
    pub fn fresh() -> String {
        #[cfg(feature = "ssr")]
        {
            crate::security::new_token()[..32].to_string()
        }
        #[cfg(not(feature = "ssr"))]
        {
            String::new()
        }
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::IdempotencyKey;

    #[test]
    fn keys_are_parsed_once_and_strictly() {
        assert!(IdempotencyKey::parse("0123456789abcdef").is_ok());
        assert!(IdempotencyKey::parse("0123456789abcde").is_err());
        assert!(IdempotencyKey::parse(&"a".repeat(65)).is_err());
        assert!(IdempotencyKey::parse("0123456789abcdef'; --").is_err());
        assert!(IdempotencyKey::parse("").is_err());
        assert_eq!(IdempotencyKey::parse("abcdefgh-1234567").unwrap().as_str(), "abcdefgh-1234567");
    }
}
