//! Pure rules of community set-up: codes, names, the buildings and partner lists pasted
//! from a spreadsheet, and the station's published contacts.

use crate::i18n::T;

/// At most this many buildings in one paste (a large community has a few hundred).
pub const MAX_LINES: usize = 500;

/// Codes appear in URLs and on the command line.
pub fn code_ok(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub fn name_ok(name: &str) -> bool {
    (1..=60).contains(&name.chars().count()) && !name.chars().any(char::is_control)
}

/// A code and its two names as a form sends them (trimmed), each bad one under its field
/// (`fields`: the code's, the Chinese name's, the English name's).
pub fn check_named(code: &str, zh: &str, en: &str, fields: [&'static str; 3]) -> Vec<(&'static str, T)> {
    let mut problems = Vec::new();
    if !code_ok(code) {
        problems.push((fields[0], T::ErrSetupCode));
    }
    for (name, field) in [(zh, fields[1]), (en, fields[2])] {
        if !name_ok(name) {
            problems.push((field, T::ErrSetupName));
        }
    }
    problems
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildingLine {
    pub code: String,
    pub name: String,
    pub households: i64,
    pub area: String,
}

/// Parses a pasted list all or nothing: one record a line, fields by tab (a spreadsheet's
/// copy), comma or Chinese comma, blank lines skipped. `parse` reads one line's fields
/// (`None`: bad). On any problem: the numbers (1-based) of the bad lines and `err`, and
/// nothing is taken.
fn parse_lines<R>(text: &str, err: T, mut parse: impl FnMut(&[&str]) -> Option<R>) -> Result<Vec<R>, (Vec<usize>, T)> {
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    if lines.is_empty() {
        return Err((vec![], err));
    }
    if lines.len() > MAX_LINES {
        return Err((vec![], T::ErrTooManyLines));
    }
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split(['\t', ',', '，']).map(str::trim).collect();
        match parse(&fields) {
            Some(r) => out.push(r),
            None => bad.push(n),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err((bad, err))
    }
}

/// Parses the pasted buildings against the community's grid area codes (see [`parse_lines`]).
pub fn parse_buildings(text: &str, areas: &[String]) -> Result<Vec<BuildingLine>, (Vec<usize>, T)> {
    let mut seen = std::collections::HashSet::new();
    parse_lines(text, T::ErrBuildingLines, |fields| match fields {
        [code, name, households, area] => {
            let h = households.parse::<i64>().ok().filter(|h| (0..=5000).contains(h))?;
            (code_ok(code) && name_ok(name) && areas.iter().any(|a| a == area) && seen.insert(code.to_string())).then(
                || BuildingLine {
                    code: code.to_string(),
                    name: name.to_string(),
                    households: h,
                    area: area.to_string(),
                },
            )
        }
        _ => None,
    })
}

/// A partner (合作单位) as pasted: kind, code, name, what it offers, phone, address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerLine {
    pub kind: &'static str,
    pub code: String,
    pub name: String,
    pub serves: String,
    pub phone: String,
    pub address: String,
    /// Opening hours as the partner states them ("周一至周五 8:30–17:30"); may be empty.
    pub hours: String,
}

/// The partner kinds, by code or by the name a station uses for them.
fn partner_kind(s: &str) -> Option<&'static str> {
    match s {
        "agency" | "服务机构" | "社会组织" => Some("agency"),
        "handy_help" | "便民网点" | "便民服务" => Some("handy_help"),
        "institute" | "驻区单位" => Some("institute"),
        "voluntary" | "志愿组织" | "志愿团队" => Some("voluntary"),
        _ => None,
    }
}

/// How the directory names a stored kind (the codes [`partner_kind`] gives).
pub fn partner_kind_label(code: &str) -> Option<T> {
    crate::affairs::directory::kind_label(code)
}

/// A unit's public phone: a landline, a hotline or a mobile: 5–20 digits, grouped with
/// - or spaces, a + only in front.
fn public_phone_ok(p: &str) -> bool {
    let digits = p.bytes().filter(u8::is_ascii_digit).count();
    p.len() <= 24
        && (5..=20).contains(&digits)
        && p.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b' ' || b == b'+')
        && !p.get(1..).unwrap_or("").contains('+')
}

/// A street address as a resident would read it.
fn address_ok(a: &str) -> bool {
    (1..=100).contains(&a.chars().count()) && !a.chars().any(char::is_control)
}

/// Parses a pasted partner directory (see [`parse_lines`]); what it offers may list several
/// things with 、.
pub fn parse_partners(text: &str) -> Result<Vec<PartnerLine>, (Vec<usize>, T)> {
    let mut seen = std::collections::HashSet::new();
    parse_lines(text, T::ErrPartnerLines, |fields| match fields {
        [kind, code, name, serves, phone, address, hours @ ..]
            if hours.len() <= 1
                && hours.iter().all(|h| h.chars().count() <= 60 && !h.chars().any(char::is_control))
                && code_ok(code)
                && name_ok(name)
                && (1..=200).contains(&serves.chars().count())
                && !serves.chars().any(char::is_control)
                && public_phone_ok(phone)
                && address_ok(address)
                && seen.insert(code.to_string()) =>
        {
            partner_kind(kind).map(|kind| PartnerLine {
                kind,
                code: code.to_string(),
                name: name.to_string(),
                serves: serves.to_string(),
                phone: phone.to_string(),
                address: address.to_string(),
                hours: hours.first().map(|h| h.to_string()).unwrap_or_default(),
            })
        }
        _ => None,
    })
}

/// A station's published contacts: each may be left out (`None`), a given one must be
/// well formed. Errors name the field.
pub fn station_contacts(
    phone: &str,
    address: &str,
) -> Result<(Option<String>, Option<String>), Vec<(&'static str, T)>> {
    let (phone, address) = (phone.trim(), address.trim());
    let mut problems = Vec::new();
    if !phone.is_empty() && !public_phone_ok(phone) {
        problems.push(("phone", T::ErrStationPhone));
    }
    if !address.is_empty() && !address_ok(address) {
        problems.push(("address", T::ErrStationAddress));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok((some(phone), some(address)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> Vec<String> {
        vec!["g1".into(), "g2".into()]
    }

    #[test]
    fn a_spreadsheet_paste_and_a_typed_list_both_parse() {
        let pasted = "b1\t1号楼\t48\tg1\nb2\t2号楼\t60\tg2\n\n";
        let typed = "b1, 1号楼, 48, g1\nb2，2号楼，60，g2";
        for text in [pasted, typed] {
            let lines = parse_buildings(text, &areas()).unwrap();
            assert_eq!(lines.len(), 2);
            assert_eq!(
                lines[1],
                BuildingLine { code: "b2".into(), name: "2号楼".into(), households: 60, area: "g2".into() }
            );
        }
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_is_taken() {
        let text = "b1,1号楼,48,g1\nB 2,2号楼,60,g1\nb3,3号楼,lots,g1\nb4,4号楼,10,g9\nb1,again,1,g1\nb6,6号楼,20";
        assert_eq!(parse_buildings(text, &areas()), Err((vec![2, 3, 4, 5, 6], T::ErrBuildingLines)));
        assert_eq!(parse_buildings("  \n", &areas()), Err((vec![], T::ErrBuildingLines)));
        let many: String = (0..=MAX_LINES).map(|i| format!("b{i},{i}号楼,1,g1\n")).collect();
        assert_eq!(parse_buildings(&many, &areas()), Err((vec![], T::ErrTooManyLines)));
        assert!(parse_buildings("b1,1号楼,5001,g1", &areas()).is_err());
    }

    #[test]
    fn codes_and_names() {
        assert!(code_ok("g1") && code_ok("east-2") && code_ok("a_b"));
        assert!(!code_ok("") && !code_ok("G1") && !code_ok("一") && !code_ok(&"a".repeat(41)));
        assert!(name_ok("第一网格") && !name_ok("") && !name_ok("a\nb") && !name_ok(&"楼".repeat(61)));
    }

    #[test]
    fn a_partner_directory_parses_whole_or_names_its_bad_lines() {
        let text = "agency\tyangl\t养老驿站\t助餐、助浴\t010-63301101\t8号楼底商\n便民网点,repair,修鞋配钥匙,修鞋、配钥匙,13912345678,南门";
        let lines = parse_partners(text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].kind, "handy_help");
        assert_eq!(lines[0].serves, "助餐、助浴");
        assert_eq!((lines[0].hours.as_str(), lines[1].hours.as_str()), ("", ""));
        let with_hours = parse_partners("agency,a,甲,助餐,010-63301101,地址,周一至周五 8:30-17:30").unwrap();
        assert_eq!(with_hours[0].hours, "周一至周五 8:30-17:30");
        assert!(parse_partners("agency,a,甲,助餐,010-63301101,地址,全天,多余").is_err());
        let bad = "agency,a,甲,助餐,010-63301101,地址\nshop,b,乙,修鞋,13912345678,南门\nagency,a,丙,助浴,13912345678,北门\nagency,c,丁,助浴,call me,北门";
        assert_eq!(parse_partners(bad), Err((vec![2, 3, 4], T::ErrPartnerLines)));
        assert_eq!(parse_partners(""), Err((vec![], T::ErrPartnerLines)));
    }

    #[test]
    fn station_contacts_may_be_left_out_but_not_malformed() {
        assert_eq!(
            station_contacts(" 010 6601 2345 ", "西长安街 1 号"),
            Ok((Some("010 6601 2345".into()), Some("西长安街 1 号".into())))
        );
        assert_eq!(station_contacts("", "  "), Ok((None, None)));
        assert_eq!(
            station_contacts("call us", &"路".repeat(101)),
            Err(vec![("phone", T::ErrStationPhone), ("address", T::ErrStationAddress)])
        );
        assert!(station_contacts("12345", "").is_ok());
        assert!(station_contacts("+86 10 6601 2345", "").is_ok());
        for bad in ["-----", "+++++", "010+66012345", "1 2 3 4 5 6 7 8 9 0 1 2 3", "1234"] {
            assert!(station_contacts(bad, "").is_err(), "{bad}");
        }
    }
}
