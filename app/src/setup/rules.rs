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
}
