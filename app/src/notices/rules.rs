//! Pure rules of notices: what a notice may say, until when it stays pinned, which
//! residents it reaches, and the links in its body.

use super::{Audience, NoticeCategory};
use crate::i18n::T;

pub const MAX_TITLE: usize = 60;
pub const MAX_BODY: usize = 5000;
/// A notice stays pinned at most this many days.
pub const MAX_PIN_DAYS: i64 = 90;

/// A notice as its form was filled in, checked: parse once, then only valid values travel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeDraft {
    pub title: String,
    pub body: String,
    pub category: NoticeCategory,
    pub audience: Audience,
    /// The grid area or building code, for those audiences.
    pub target: Option<String>,
    /// The last Beijing day it stays on top (inclusive), as days from today.
    pub pinned_days: Option<i64>,
}

/// The form's fields, as strings. `today` is the Beijing date (`YYYY-MM-DD`) to check the
/// pinning date against. Errors name their fields.
pub fn check_draft(
    title: &str,
    body: &str,
    category: &str,
    audience: &str,
    target: &str,
    pinned_until: &str,
    today: chrono::NaiveDate,
) -> Result<NoticeDraft, Vec<(&'static str, T)>> {
    let mut problems = Vec::new();
    let clean = |s: &str| s.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string();
    let (title, body) = (clean(title).replace('\n', " "), clean(body));
    if title.is_empty() {
        problems.push(("title", T::ErrRequired));
    } else if title.chars().count() > MAX_TITLE {
        problems.push(("title", T::ErrTooLong));
    }
    if body.is_empty() {
        problems.push(("body", T::ErrRequired));
    } else if body.chars().count() > MAX_BODY {
        problems.push(("body", T::ErrTooLong));
    }
    let category = NoticeCategory::parse(category.trim());
    if category.is_none() {
        problems.push(("category", T::ErrNoticeCategory));
    }
    let audience = Audience::parse(audience.trim());
    let target = target.trim();
    match audience {
        None => problems.push(("audience", T::ErrNoticeAudience)),
        Some(Audience::GridArea | Audience::Building) if target.is_empty() => {
            problems.push(("target", T::ErrNoticeTarget))
        }
        _ => {}
    }
    let pinned = pinned_until.trim();
    let pinned_days = if pinned.is_empty() {
        None
    } else {
        match chrono::NaiveDate::parse_from_str(pinned, "%Y-%m-%d") {
            Ok(d) if (0..=MAX_PIN_DAYS).contains(&(d - today).num_days()) => Some((d - today).num_days()),
            _ => {
                problems.push(("pinned_until", T::ErrNoticePinned));
                None
            }
        }
    };
    match (category, audience) {
        (Some(category), Some(audience)) if problems.is_empty() => Ok(NoticeDraft {
            title,
            body,
            category,
            audience,
            target: (audience != Audience::Everyone).then(|| target.to_string()),
            pinned_days,
        }),
        _ => Err(problems),
    }
}

/// A piece of a notice's body: text, or a link to open (http and https only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits a body into text and links. A link runs from `http://` or `https://` to the next
/// space, CJK character or closing bracket; trailing punctuation stays text.
pub fn pieces(body: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min() {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let tail = &rest[start..];
        let end = tail
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"' | ')' | ']'))
            .map(|(i, _)| i)
            .unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        if link.len() <= "https://".len() {
            out.push(Piece::Text(link));
        } else {
            out.push(Piece::Link(link));
        }
        rest = &tail[link.len()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The most attachments a notice has: photos and PDFs together.
pub const MAX_ATTACHMENTS: usize = crate::photos::MAX_PHOTOS;
/// The longest file name kept, in characters.
const MAX_FILE_NAME: usize = 80;

/// Is this a PDF? By its content, whatever it is called: the header a PDF starts with (a
/// reader looks for it in the first 1024 bytes) and the end-of-file marker near its end.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    find(head, b"%PDF-") && find(tail, b"%%EOF")
}

/// A file name as sent, made safe to store and to offer for download: no folders, no
/// control or quoting characters, at most 80 characters, ending in `.pdf`.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '*' | '?' | '|' | ':')).collect();
    let kept = kept.trim();
    let stem = match kept.len().checked_sub(4) {
        Some(i) if kept.is_char_boundary(i) && kept[i..].eq_ignore_ascii_case(".pdf") => &kept[..i],
        _ => kept,
    };
    // No hidden file names.
    let stem: String = stem.trim().trim_start_matches('.').chars().take(MAX_FILE_NAME - 4).collect();
    let stem = if stem.trim().is_empty() { "附件".to_string() } else { stem.trim().to_string() };
    format!("{stem}.pdf")
}

/// A size as people read it: 820 KB, 2.4 MB.
pub fn file_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn a_notice_is_checked_once_and_names_its_bad_fields() {
        let d = check_draft(
            " 停水通知 ",
            "明天 9:00–12:00 停水。\r\n",
            "emergency",
            "building",
            "b3",
            "2026-12-05",
            today(),
        )
        .unwrap();
        assert_eq!(d.title, "停水通知");
        assert_eq!(d.body, "明天 9:00–12:00 停水。");
        assert_eq!(
            (d.category, d.audience, d.target.as_deref(), d.pinned_days),
            (NoticeCategory::Emergency, Audience::Building, Some("b3"), Some(3))
        );
        let everyone = check_draft("t", "b", "announcement", "everyone", "ignored", "", today()).unwrap();
        assert_eq!((everyone.target, everyone.pinned_days), (None, None));
        let bad = check_draft("", &"字".repeat(MAX_BODY + 1), "gossip", "grid_area", "", "2026-12-01", today());
        assert_eq!(
            bad,
            Err(vec![
                ("title", T::ErrRequired),
                ("body", T::ErrTooLong),
                ("category", T::ErrNoticeCategory),
                ("target", T::ErrNoticeTarget),
                ("pinned_until", T::ErrNoticePinned),
            ])
        );
        assert!(check_draft("t", "b", "event", "everyone", "", "2027-04-01", today()).is_err(), "pinned too long");
        assert!(check_draft("t", "b", "event", "street", "", "", today()).is_err());
        assert!(check_draft("t", "\0", "event", "everyone", "", "", today()).is_err(), "a NUL is no body");
    }

    #[test]
    fn links_in_a_body_are_found_and_nothing_else() {
        assert_eq!(
            pieces("详见 https://www.bjxch.gov.cn/a.html。电话 6601"),
            vec![Piece::Text("详见 "), Piece::Link("https://www.bjxch.gov.cn/a.html"), Piece::Text("。电话 6601")]
        );
        assert_eq!(
            pieces("(see http://a.cn/x), and https://"),
            vec![Piece::Text("(see "), Piece::Link("http://a.cn/x"), Piece::Text("), and "), Piece::Text("https://")]
        );
        assert_eq!(pieces("javascript:alert(1) 无链接"), vec![Piece::Text("javascript:alert(1) 无链接")]);
        assert_eq!(pieces(""), vec![]);
    }

    #[test]
    fn a_pdf_is_known_by_its_content() {
        assert!(is_pdf(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"));
        // A few bytes before the header, as some writers put, are fine.
        assert!(is_pdf(b"\xef\xbb\xbf%PDF-1.4\n%%EOF"));
        assert!(!is_pdf(b"%PDF-1.7\ncut off in the middle"));
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.7\n%%EOF");
        assert!(!is_pdf(&late));
        assert!(!is_pdf(b"\x89PNG\r\n\x1a\n"));
        assert!(!is_pdf(b""));
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_file_name("2026年第三季度财务公开.pdf"), "2026年第三季度财务公开.pdf");
        assert_eq!(clean_file_name("C:\\Users\\me\\报告.PDF"), "报告.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(clean_file_name("a\"b\r\n<c>.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(""), "附件.pdf");
        assert_eq!(clean_file_name(".pdf"), "附件.pdf");
        assert_eq!(clean_file_name("   "), "附件.pdf");
        let long = "很".repeat(200) + ".pdf";
        assert_eq!(clean_file_name(&long).chars().count(), 80);
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(file_size(1), "1 KB");
        assert_eq!(file_size(820 * 1024), "820 KB");
        assert_eq!(file_size(2_516_582), "2.4 MB");
    }
}
