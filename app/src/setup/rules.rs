//! Pure rules of community set-up: codes, names, and the buildings list pasted from a
//! spreadsheet (one building a line: code, name, households, grid area code).

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildingLine {
    pub code: String,
    pub name: String,
    pub households: i64,
    pub area: String,
}

/// Parses the pasted list against the community's grid area codes. Fields are separated
/// by tabs (a spreadsheet's copy), commas or Chinese commas; blank lines are skipped. On
/// any problem: the numbers (1-based) of the bad lines and what is wrong, and nothing is
/// taken.
pub fn parse_buildings(text: &str, areas: &[String]) -> Result<Vec<BuildingLine>, (Vec<usize>, T)> {
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    if lines.is_empty() {
        return Err((vec![], T::ErrBuildingLines));
    }
    if lines.len() > MAX_LINES {
        return Err((vec![], T::ErrTooManyLines));
    }
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split(['\t', ',', '，']).map(str::trim).collect();
        let parsed = match fields.as_slice() {
            [code, name, households, area] => {
                let households = households.parse::<i64>().ok().filter(|h| (0..=5000).contains(h));
                match households {
                    Some(h)
                        if code_ok(code) && name_ok(name) && areas.iter().any(|a| a == area) && seen.insert(*code) =>
                    {
                        Some(BuildingLine {
                            code: code.to_string(),
                            name: name.to_string(),
                            households: h,
                            area: area.to_string(),
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(b) => out.push(b),
            None => bad.push(n),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err((bad, T::ErrBuildingLines))
    }
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
    match code {
        "agency" => Some(T::PartnerAgency),
        "handy_help" => Some(T::PartnerHandyHelp),
        "institute" => Some(T::PartnerInstitute),
        "voluntary" => Some(T::PartnerVoluntary),
        _ => None,
    }
}

/// A partner's public phone: a landline or a mobile, digits with - or +.
fn partner_phone_ok(p: &str) -> bool {
    (5..=20).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
}

/// Parses a pasted partner directory, all or nothing, like [`parse_buildings`]: fields by
/// tab or comma (a Chinese comma too); what it offers may list several things with 、.
pub fn parse_partners(text: &str) -> Result<Vec<PartnerLine>, (Vec<usize>, T)> {
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    if lines.is_empty() {
        return Err((vec![], T::ErrPartnerLines));
    }
    if lines.len() > MAX_LINES {
        return Err((vec![], T::ErrTooManyLines));
    }
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split(['\t', ',', '，']).map(str::trim).collect();
        let parsed = match fields.as_slice() {
            [kind, code, name, serves, phone, address]
                if code_ok(code)
                    && name_ok(name)
                    && (1..=200).contains(&serves.chars().count())
                    && partner_phone_ok(phone)
                    && (1..=100).contains(&address.chars().count())
                    && seen.insert(*code) =>
            {
                partner_kind(kind).map(|kind| PartnerLine {
                    kind,
                    code: code.to_string(),
                    name: name.to_string(),
                    serves: serves.to_string(),
                    phone: phone.to_string(),
                    address: address.to_string(),
                })
            }
            _ => None,
        };
        match parsed {
            Some(p) => out.push(p),
            None => bad.push(n),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err((bad, T::ErrPartnerLines))
    }
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
        let bad = "agency,a,甲,助餐,010-63301101,地址\nshop,b,乙,修鞋,13912345678,南门\nagency,a,丙,助浴,13912345678,北门\nagency,c,丁,助浴,call me,北门";
        assert_eq!(parse_partners(bad), Err((vec![2, 3, 4], T::ErrPartnerLines)));
        assert_eq!(parse_partners(""), Err((vec![], T::ErrPartnerLines)));
    }
}
