//! The demo community's affairs menu and partner directory, from `catalogue.txt` and
//! `partners.txt` beside this file (real affairs of a Beijing community service station).

use super::server::{insert, NewAffair};
use super::{Category, Family};
use crate::affairs::Mode;
use crate::error::AppError;
use crate::store::Tx;

const CATALOGUE: &str = include_str!("catalogue.txt");
const PARTNERS: &str = include_str!("partners.txt");

fn lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(" | ").map(str::trim).collect())
}

/// The affairs of the demo menu, parsed (panics on a malformed line: the file is ours and
/// a unit test reads it).
pub fn affairs() -> Vec<NewAffair<'static>> {
    lines(CATALOGUE)
        .map(|f| {
            assert_eq!(f.len(), 14, "catalogue line {:?}", f.first());
            let (served_zh, served_en) = f[6].split_once(" / ").expect("served by: zh / en");
            NewAffair {
                code: f[0],
                family: Family::parse(f[1]).expect("family"),
                category: Category::parse(f[2]).expect("category"),
                mode: Mode::parse(f[3]).expect("mode"),
                response_hours: f[4].parse().expect("response hours"),
                completion_hours: f[5].parse().expect("completion hours"),
                served_by: (served_zh, served_en),
                name: (f[7], f[8]),
                description: (f[9], f[10]),
                documents: (f[11], f[12]),
                keywords: f[13],
            }
        })
        .collect()
}

/// Seeds the menu and the partners of a community, skipping what is already there.
pub async fn seed_community(tx: &mut Tx, community: i64) -> Result<(), AppError> {
    for a in affairs() {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM affairs WHERE community_id = $1 AND code = $2")
            .bind(community)
            .bind(a.code)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_none() {
            insert(tx, community, &a).await?;
        }
    }
    for f in lines(PARTNERS) {
        sqlx::query(
            "INSERT INTO partners (community_id, kind, code, name_zh, name_en, serves_zh, serves_en, phone, address, hours) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (community_id, code) DO NOTHING",
        )
        .bind(community)
        .bind(f[0])
        .bind(f[1])
        .bind(f[2])
        .bind(f[3])
        .bind(f[4])
        .bind(f[5])
        .bind(f[6])
        .bind(f[7])
        .bind(f.get(8).copied().unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_catalogue_is_complete_and_well_formed() {
        let all = affairs();
        assert!(all.len() >= 60, "{} affairs", all.len());
        let codes: HashSet<_> = all.iter().map(|a| a.code).collect();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        for family in Family::ALL {
            assert!(all.iter().any(|a| a.family == family), "{family:?}");
        }
        for category in Category::ALL {
            assert!(all.iter().any(|a| a.category == category), "{category:?}");
        }
        for mode in [Mode::OnTheSpot, Mode::SubmitUpward, Mode::Referral] {
            assert!(all.iter().any(|a| a.mode == mode), "{mode:?}");
        }
        assert!(all.iter().any(|a| a.name.0.contains("低保")), "the minimum living allowance is there");
    }

    #[test]
    fn partners_parse() {
        let rows: Vec<_> = lines(PARTNERS).collect();
        assert!(rows.len() >= 12);
        for r in &rows {
            assert_eq!(r.len(), 9, "{r:?}");
            assert!(["agency", "handy_help", "institute", "voluntary"].contains(&r[0]));
        }
    }
}
