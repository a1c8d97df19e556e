//! Verification codes sent by SMS: proof that a person holds a phone number, asked before
//! registering (or claiming a station record), resetting a password, moving an account to
//! a new number, deleting an account and, for staff, logging in on a new device. A code is 6 digits, valid 5 minutes, used
//! once, stored hashed, with 5 tries; one may be resent after 60 s; sends are capped per
//! phone and per client address a day, counted in the database.

#[cfg(feature = "ssr")]
pub mod gateway;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};

/// What a code is for: a code for one purpose never works for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    Register,
    Reset,
    Delete,
    StaffLogin,
    /// Moving the account to a new number: the code goes to the new one.
    PhoneChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Reset => "reset",
            Purpose::Delete => "delete",
            Purpose::StaffLogin => "staff_login",
            Purpose::PhoneChange => "phone_change",
        }
    }

    /// Strict: an unknown purpose is an error, never a default.
    pub fn parse(s: &str) -> Option<Purpose> {
        Some(match s {
            "register" => Purpose::Register,
            "reset" => Purpose::Reset,
            "delete" => Purpose::Delete,
            "staff_login" => Purpose::StaffLogin,
            "phone_change" => Purpose::PhoneChange,
            _ => return None,
        })
    }
}

/// A code sent and waiting, as the page that asks for it shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The full number: only ever sent back to the browser that typed it.
    pub phone: String,
    pub phone_masked: String,
    /// In demo mode only (the `log` sender on a demo site): the code itself, badged "demo".
    pub demo_code: Option<String>,
    /// Seconds until another code may be sent.
    pub resend_in_secs: i64,
}
