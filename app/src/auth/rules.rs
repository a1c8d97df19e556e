//! Pure account rules: phone numbers, passwords, names. No I/O; unit-tested below.

use crate::i18n::T;

/// Normalises what a person typed as a mainland mobile number: spaces and dashes dropped,
/// a `+86`/`86` country prefix removed. Returns the 11 digits if they are a valid number
/// (`1`, then `3`–`9`, then 9 digits).
pub fn normalise_phone(input: &str) -> Result<String, T> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    if digits.is_empty() {
        return Err(T::ErrRequired);
    }
    let digits = digits.strip_prefix("+86").unwrap_or(&digits);
    let digits = if digits.len() == 13 { digits.strip_prefix("86").unwrap_or(digits) } else { digits };
    let b = digits.as_bytes();
    let valid = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit);
    if valid {
        Ok(digits.to_string())
    } else {
        Err(T::ErrPhoneFormat)
    }
}

/// Masks a phone for display: `13812341234` → `138****1234`. Anything that is not a
/// normalised number is masked entirely rather than shown.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "***********".to_string()
    }
}

/// A resident's name as other residents see it in public places: the family name and
/// stars (王** for 王秀兰), the usual masking of Chinese civic apps.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().clamp(1, 3);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// The privacy notice's version (`/me/privacy` shows it): consent is recorded with it, and
/// a new version asks every account again.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-12-01";

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Passwords people pick first; refused outright (NIST 800-63B asks for a blocklist).
const COMMON_PASSWORDS: &[&str] = &[
    "12345678a",
    "a12345678",
    "abc12345",
    "abcd1234",
    "password1",
    "password123",
    "passw0rd",
    "qwerty123",
    "qwe123456",
    "1qaz2wsx",
    "woaini1314",
    "aa123456",
    "a123456789",
    "iloveyou1",
    "admin123",
    "admin1234",
    "test1234",
    "p@ssw0rd",
    "zxcvbnm123",
    "asd123456",
    "qq123456",
];

/// The password policy: 8–128 characters, at least one letter and one digit, not a common
/// password, not the phone number itself.
pub fn check_password(password: &str, phone: Option<&str>) -> Result<(), T> {
    let n = password.chars().count();
    if n == 0 {
        return Err(T::ErrRequired);
    }
    if n < PASSWORD_MIN {
        return Err(T::ErrPasswordTooShort);
    }
    if n > PASSWORD_MAX {
        return Err(T::ErrPasswordTooLong);
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err(T::ErrPasswordWeak);
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) || phone.is_some_and(|p| lower.contains(p)) {
        return Err(T::ErrPasswordCommon);
    }
    Ok(())
}

/// A display name: trimmed, 1–20 characters, no control characters.
pub fn check_display_name(input: &str) -> Result<String, T> {
    let name = input.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err(T::ErrRequired);
    }
    if n > 20 || name.chars().any(char::is_control) {
        return Err(T::ErrNameLength);
    }
    Ok(name.to_string())
}

/// Unit and room of an address: trimmed, 1–10 characters.
pub fn check_unit_or_room(input: &str) -> Result<String, T> {
    let v = input.trim();
    let n = v.chars().count();
    if n == 0 {
        return Err(T::ErrRequired);
    }
    if n > 10 || v.chars().any(char::is_control) {
        return Err(T::ErrUnitRoom);
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accepts_valid_mainland_numbers() {
        assert_eq!(normalise_phone("13812341234"), Ok("13812341234".into()));
        assert_eq!(normalise_phone("138 1234 1234"), Ok("13812341234".into()));
        assert_eq!(normalise_phone("138-1234-1234"), Ok("13812341234".into()));
        assert_eq!(normalise_phone("+86 19912345678"), Ok("19912345678".into()));
        assert_eq!(normalise_phone("8615012345678"), Ok("15012345678".into()));
    }

    #[test]
    fn phone_refuses_everything_else() {
        assert_eq!(normalise_phone(""), Err(T::ErrRequired));
        assert_eq!(normalise_phone("   "), Err(T::ErrRequired));
        for bad in [
            "12812341234",
            "10812341234",
            "1381234123",
            "138123412345",
            "2381234123a",
            "1381234123x",
            "０３８１２３４１２３４",
            "+8713812341234",
        ] {
            assert_eq!(normalise_phone(bad), Err(T::ErrPhoneFormat), "{bad}");
        }
    }

    #[test]
    fn masking() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("abc"), "***********");
        assert_eq!(mask_name("王秀兰"), "王**");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name("Wang Xiulan"), "W***");
        assert_eq!(mask_name(""), "");
        assert!(!mask_phone("13812341234").contains("1234123"));
    }

    #[test]
    fn password_policy() {
        assert_eq!(check_password("", None), Err(T::ErrRequired));
        assert_eq!(check_password("ab12", None), Err(T::ErrPasswordTooShort));
        assert_eq!(check_password(&"a1".repeat(65), None), Err(T::ErrPasswordTooLong));
        assert_eq!(check_password("abcdefghij", None), Err(T::ErrPasswordWeak));
        assert_eq!(check_password("1234567890", None), Err(T::ErrPasswordWeak));
        assert_eq!(check_password("Password1", None), Err(T::ErrPasswordCommon));
        assert_eq!(check_password("x13812341234", Some("13812341234")), Err(T::ErrPasswordCommon));
        assert_eq!(check_password("shequ2026", Some("13812341234")), Ok(()));
        assert_eq!(check_password("社区服务站2026年", None), Ok(()));
    }

    #[test]
    fn names_and_rooms() {
        assert_eq!(check_display_name("  王阿姨 "), Ok("王阿姨".into()));
        assert_eq!(check_display_name(""), Err(T::ErrRequired));
        assert_eq!(check_display_name(&"名".repeat(21)), Err(T::ErrNameLength));
        assert_eq!(check_display_name("a\u{7}b"), Err(T::ErrNameLength));
        assert_eq!(check_unit_or_room("3"), Ok("3".into()));
        assert_eq!(check_unit_or_room("12345678901"), Err(T::ErrUnitRoom));
    }
}
