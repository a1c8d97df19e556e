//! Pure rules of verification codes.

use crate::i18n::T;

pub const CODE_DIGITS: usize = 6;
pub const CODE_MINUTES: i64 = 5;
pub const CODE_TRIES: i64 = 5;
pub const RESEND_SECONDS: i64 = 60;

/// A typed code: 6 digits; spaces (read out in pairs) are dropped.
pub fn parse_code(input: &str) -> Result<String, T> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err(T::ErrRequired);
    }
    if digits.len() != CODE_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(T::ErrSmsCodeFormat);
    }
    Ok(digits)
}

/// Seconds until another code may be sent, given when the last was (milliseconds).
pub fn resend_wait_secs(last_sent_at: Option<i64>, now: i64) -> i64 {
    match last_sent_at {
        Some(at) => ((at + RESEND_SECONDS * 1000 - now + 999) / 1000).max(0),
        None => 0,
    }
}

/// The message text, zh-CN (SMS in China is sent in Chinese; the template holds the
/// signature). The `log` sender writes it; a provider fills its template with the code.
pub fn message_text(code: &str, what: &str) -> String {
    format!("验证码 {code}，{CODE_MINUTES} 分钟内有效，用于{what}。请勿告诉他人，工作人员不会向您索要。")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(parse_code(" 123 456 "), Ok("123456".into()));
        assert_eq!(parse_code(""), Err(T::ErrRequired));
        assert_eq!(parse_code("12345"), Err(T::ErrSmsCodeFormat));
        assert_eq!(parse_code("1234567"), Err(T::ErrSmsCodeFormat));
        assert_eq!(parse_code("12345a"), Err(T::ErrSmsCodeFormat));
        assert_eq!(parse_code("１２３４５６"), Err(T::ErrSmsCodeFormat), "full-width digits are not ASCII");
    }

    #[test]
    fn resend_waits_a_minute() {
        assert_eq!(resend_wait_secs(None, 1_000_000), 0);
        assert_eq!(resend_wait_secs(Some(1_000_000), 1_000_000), 60);
        assert_eq!(resend_wait_secs(Some(1_000_000), 1_000_000 + 59_001), 1);
        assert_eq!(resend_wait_secs(Some(1_000_000), 1_000_000 + 60_000), 0);
        assert_eq!(resend_wait_secs(Some(1_000_000), 1_000_000 + 600_000), 0);
    }
}
