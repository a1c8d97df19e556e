//! Text typed by residents or staff, going out in other formats.
//! - CSV files the station opens in Excel or WPS: text, never a formula: a cell starting
//!   with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's rule
//!   against CSV injection).
//! - Calendar files: no control characters (the calendar crate escapes a newline but not a
//!   lone carriage return, which some readers take for a new line, and so a new property).

/// Calendar text: newlines kept (escaped by the writer), other control characters as spaces.
pub fn calendar_text(s: &str) -> String {
    s.chars().map(|c| if c == '\n' || !c.is_control() { c } else { ' ' }).collect()
}

/// The cell as a spreadsheet shows it, but never run.
pub fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{calendar_text, cell as text};

    #[test]
    fn calendar_text_has_no_control_characters() {
        assert_eq!(calendar_text("a\rEND:VEVENT\u{0}b\tc\nd"), "a END:VEVENT b c\nd");
        assert_eq!(calendar_text("居民议事会"), "居民议事会");
    }

    #[test]
    fn formulas_become_text() {
        for bad in ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(text(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["路灯不亮", "3号楼", "", "1-2", "a=b", " =x"] {
            assert_eq!(text(fine), fine);
        }
    }
}
