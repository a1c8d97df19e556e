//! The resident's rating of the units' part in a case (双向考核): every department whistled
//! to and every partner handed the case is rated with the case, on the same five levels,
//! optionally. The dashboard reads them per department and per partner.

use super::rules::unit_scores;
use super::*;
use crate::i18n::Named;
use crate::store::{Store, Tx};

/// The units that had a part in the case, with the requester's score if given.
pub async fn parts(store: &Store, item: i64) -> Result<Vec<UnitPart>, AppError> {
    let rows: Vec<(UnitKind, i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT CAST('department' AS TEXT) AS kind, d.id, d.name_zh, d.name_en, r.score \
         FROM (SELECT DISTINCT department_id FROM whistles WHERE work_item_id = $1) w \
         JOIN departments d ON d.id = w.department_id \
         LEFT JOIN unit_ratings r ON r.work_item_id = $1 AND r.unit_kind = 'department' AND r.unit_id = d.id \
         UNION ALL \
         SELECT CAST('partner' AS TEXT) AS kind, p.id, p.name_zh, p.name_en, r.score \
         FROM (SELECT DISTINCT partner_id FROM handoffs WHERE work_item_id = $1) h \
         JOIN partners p ON p.id = h.partner_id \
         LEFT JOIN unit_ratings r ON r.work_item_id = $1 AND r.unit_kind = 'partner' AND r.unit_id = p.id",
    )
    .bind(item)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, zh, en, score)| UnitPart {
            key: format!("{}-{id}", kind.as_str()),
            kind,
            name: Named { zh, en },
            score,
        })
        .collect())
}

/// Checks the form's unit scores against the case's units, before anything is written.
pub async fn check(
    store: &Store,
    item: i64,
    given: &BTreeMap<String, String>,
) -> Result<Vec<(UnitKind, i64, i64)>, AppError> {
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let parts = parts(store, item).await?;
    let keys: Vec<String> = parts.iter().map(|p| p.key.clone()).collect();
    let scores = unit_scores(&keys, given).map_err(|t| AppError::invalid("units", t))?;
    Ok(scores
        .into_iter()
        .filter_map(|(key, score)| {
            let (kind, id) = key.split_once('-')?;
            Some((UnitKind::parse(kind)?, id.parse().ok()?, score))
        })
        .collect())
}

/// Writes the unit scores in the rating's transaction; a second post changes them.
pub async fn save(
    tx: &mut Tx,
    item: i64,
    rater: i64,
    scores: &[(UnitKind, i64, i64)],
    now: i64,
) -> Result<(), AppError> {
    for (kind, unit, score) in scores {
        sqlx::query(
            "INSERT INTO unit_ratings (work_item_id, unit_kind, unit_id, score, rater_id, rated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (work_item_id, unit_kind, unit_id) DO UPDATE SET score = $4, rated_at = $6",
        )
        .bind(item)
        .bind(*kind)
        .bind(*unit)
        .bind(*score)
        .bind(rater)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
