//! The affairs catalogue template (事项目录模板) of a district or subdistrict, pushed to its
//! communities. A template affair is written into every community below its region in the
//! same transaction as the change: a community without the code gets it; a community's affair
//! with the code follows the template from then on (name, texts, deadlines), keeping the
//! station's own choices (hidden or shown, appointment length). A subdistrict's template
//! wins over the district's for the same code. A station adds local affairs under codes of
//! its own and cannot edit a template's.

use super::server::AffairFields;
use super::*;
use crate::auth::Level;
use crate::store::{Millis, Store, Tx};

/// Binds an affair's fields in the order every statement here lists them: family,
/// category, mode, the two deadlines, served by, name, description, documents (zh, en),
/// keywords.
macro_rules! bind_fields {
    ($q:expr, $a:expr) => {
        $q.bind($a.family)
            .bind($a.category)
            .bind($a.mode)
            .bind($a.response_hours)
            .bind($a.completion_hours)
            .bind(&$a.served_by_zh)
            .bind(&$a.served_by_en)
            .bind(&$a.name_zh)
            .bind(&$a.name_en)
            .bind(&$a.description_zh)
            .bind(&$a.description_en)
            .bind(&$a.documents_zh)
            .bind(&$a.documents_en)
            .bind(&$a.keywords)
    };
}

/// The communities below a region, as SQL over `$1` (the region id).
fn communities_below(level: Level) -> &'static str {
    match level {
        Level::Subdistrict => "SELECT id FROM regions WHERE parent_id = $1 AND level = 'community'",
        Level::District => {
            "SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE s.parent_id = $1 AND c.level = 'community'"
        }
        Level::Community => "SELECT id FROM regions WHERE id = $1",
    }
}

/// What saving a template did: how it read before (`None`: new; for the change log),
/// whether anything changed, and what the push did.
pub struct Saved {
    pub before: Option<String>,
    pub changed: bool,
    pub pushed: Pushed,
}

/// Saves the template affair of `region` (created, or changed when the code exists) and
/// pushes it to the communities below, in `tx` (the caller took the code's turn).
pub async fn put_template(
    tx: &mut Tx,
    region: i64,
    level: Level,
    by: i64,
    a: &AffairFields,
) -> Result<Saved, AppError> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM affair_templates WHERE region_id = $1 AND code = $2")
            .bind(region)
            .bind(&a.code)
            .fetch_optional(&mut **tx)
            .await?;
    let before = match existing {
        Some(id) => Some(fields_of(tx, id).await?),
        None => None,
    };
    let now = Millis::now().0;
    let id: i64 = match existing {
        Some(id) => {
            let q = sqlx::query(
                "UPDATE affair_templates SET family = $1, category = $2, mode = $3, response_hours = $4, \
                 completion_hours = $5, served_by_zh = $6, served_by_en = $7, name_zh = $8, name_en = $9, \
                 description_zh = $10, description_en = $11, documents_zh = $12, documents_en = $13, keywords = $14, \
                 updated_by = $15, updated_at = $16 WHERE id = $17",
            );
            bind_fields!(q, a).bind(by).bind(now).bind(id).execute(&mut **tx).await?;
            id
        }
        None => {
            let q = sqlx::query_scalar(
                "INSERT INTO affair_templates (region_id, code, family, category, mode, response_hours, completion_hours, \
                 served_by_zh, served_by_en, name_zh, name_en, description_zh, description_en, documents_zh, documents_en, \
                 keywords, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
            )
            .bind(region)
            .bind(&a.code);
            bind_fields!(q, a).bind(by).bind(now).fetch_one(&mut **tx).await?
        }
    };
    let pushed = push(tx, id, level, (communities_below(level), region), a).await?;
    let changed = before.as_ref() != Some(a);
    let before = before.map(|t| shown(&t));
    Ok(Saved { before, changed, pushed })
}

/// How the change log writes a template affair (its other fields change too, unnamed).
pub fn shown(a: &AffairFields) -> String {
    format!("{} / {} · {}h / {}h", a.name_zh, a.name_en, a.response_hours, a.completion_hours)
}

/// Writes the template into every community below its region: one UPDATE for the affairs
/// that follow it (or take it over), one INSERT for the communities without the code.
/// `(scope, id)`: the communities to write, as SQL over `$1`, and its value.
async fn push(
    tx: &mut Tx,
    template: i64,
    level: Level,
    (scope, scope_id): (&str, i64),
    a: &AffairFields,
) -> Result<Pushed, AppError> {
    let scope = scope.replace("$1", "$18");
    // A district template does not take over a code a subdistrict's template holds.
    let takes = match level {
        Level::District => "(template_id IS NULL OR template_id = $17)",
        _ => "TRUE",
    };
    let search = a.search_text();
    let now = Millis::now().0;
    let updated_sql = format!(
        "UPDATE affairs SET family = $1, category = $2, mode = $3, response_hours = $4, completion_hours = $5, \
         served_by_zh = $6, served_by_en = $7, name_zh = $8, name_en = $9, description_zh = $10, description_en = $11, \
         documents_zh = $12, documents_en = $13, keywords = $14, search_text = $15, updated_at = $16, template_id = $17 \
         WHERE code = $19 AND {takes} AND community_id IN ({scope})"
    );
    let q = sqlx::query(&updated_sql);
    let updated = bind_fields!(q, a)
        .bind(&search)
        .bind(now)
        .bind(template)
        .bind(scope_id)
        .bind(&a.code)
        .execute(&mut **tx)
        .await?
        .rows_affected() as i64;
    let added_sql = format!(
        "INSERT INTO affairs (community_id, code, family, category, mode, response_hours, completion_hours, served_by_zh, \
         served_by_en, name_zh, name_en, description_zh, description_en, documents_zh, documents_en, keywords, search_text, \
         created_at, updated_at, template_id) \
         SELECT c.id, $19, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17 \
         FROM regions c WHERE c.id IN ({scope}) \
         AND NOT EXISTS (SELECT 1 FROM affairs x WHERE x.community_id = c.id AND x.code = $19)"
    );
    let q = sqlx::query(&added_sql);
    let added = bind_fields!(q, a)
        .bind(&search)
        .bind(now)
        .bind(template)
        .bind(scope_id)
        .bind(&a.code)
        .execute(&mut **tx)
        .await?
        .rows_affected() as i64;
    Ok(Pushed { updated, added })
}

/// A community new to the hierarchy gets the templates of its subdistrict and district
/// (the subdistrict's first: they win on a shared code).
pub async fn apply_to_new_community(tx: &mut Tx, community: i64) -> Result<(), AppError> {
    let templates: Vec<(i64, i64, Level)> = sqlx::query_as(
        "SELECT t.id, t.region_id, r.level FROM affair_templates t JOIN regions r ON r.id = t.region_id \
         WHERE t.region_id IN (SELECT s.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE c.id = $1 \
         UNION SELECT s.parent_id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE c.id = $1) \
         ORDER BY CASE WHEN r.level = 'subdistrict' THEN 0 ELSE 1 END, t.id",
    )
    .bind(community)
    .fetch_all(&mut **tx)
    .await?;
    for (id, _, level) in templates {
        let a = fields_of(tx, id).await?;
        push(tx, id, level, (communities_below(Level::Community), community), &a).await?;
    }
    Ok(())
}

async fn fields_of(tx: &mut Tx, template: i64) -> Result<AffairFields, AppError> {
    let r: TemplateFull = sqlx::query_as(&format!("SELECT {TEMPLATE_COLUMNS} FROM affair_templates WHERE id = $1"))
        .bind(template)
        .fetch_one(&mut **tx)
        .await?;
    Ok(r.into())
}

const TEMPLATE_COLUMNS: &str = "code, family, category, mode, response_hours, completion_hours, served_by_zh, \
    served_by_en, name_zh, name_en, description_zh, description_en, documents_zh, documents_en, keywords";

#[derive(sqlx::FromRow)]
struct TemplateFull {
    code: String,
    family: Family,
    category: Category,
    mode: Mode,
    response_hours: i64,
    completion_hours: i64,
    served_by_zh: String,
    served_by_en: String,
    name_zh: String,
    name_en: String,
    description_zh: String,
    description_en: String,
    documents_zh: String,
    documents_en: String,
    keywords: String,
}

impl From<TemplateFull> for AffairFields {
    fn from(r: TemplateFull) -> Self {
        AffairFields {
            code: r.code,
            family: r.family,
            category: r.category,
            mode: r.mode,
            response_hours: r.response_hours,
            completion_hours: r.completion_hours,
            served_by_zh: r.served_by_zh,
            served_by_en: r.served_by_en,
            name_zh: r.name_zh,
            name_en: r.name_en,
            description_zh: r.description_zh,
            description_en: r.description_en,
            documents_zh: r.documents_zh,
            documents_en: r.documents_en,
            keywords: r.keywords,
        }
    }
}

/// A region's template, as the editor shows one of it.
pub async fn template(store: &Store, region: i64, code: &str) -> Result<Option<AffairFields>, AppError> {
    let r: Option<TemplateFull> =
        sqlx::query_as(&format!("SELECT {TEMPLATE_COLUMNS} FROM affair_templates WHERE region_id = $1 AND code = $2"))
            .bind(region)
            .bind(code)
            .fetch_optional(store.pool())
            .await?;
    Ok(r.map(Into::into))
}

/// A region's template affairs (at most 300: a catalogue is a few dozen), with how many
/// communities follow and hide each.
pub async fn templates(store: &Store, region: i64) -> Result<Vec<TemplateLine>, AppError> {
    let rows: Vec<(String, String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT t.code, t.name_zh, t.name_en, t.response_hours, t.completion_hours, \
         (SELECT COUNT(*) FROM affairs a WHERE a.template_id = t.id), \
         (SELECT COUNT(*) FROM affairs a WHERE a.template_id = t.id AND a.retired_at IS NOT NULL) \
         FROM affair_templates t WHERE t.region_id = $1 ORDER BY t.code LIMIT 300",
    )
    .bind(region)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, zh, en, response_hours, completion_hours, following, hidden)| TemplateLine {
            code,
            name: Named { zh, en },
            response_hours,
            completion_hours,
            following,
            hidden,
        })
        .collect())
}

/// Is the community's affair one a template governs (the station may hide it, not edit it)?
pub async fn from_template(store: &Store, community: i64, code: &str) -> Result<bool, AppError> {
    let t: Option<Option<i64>> =
        sqlx::query_scalar("SELECT template_id FROM affairs WHERE community_id = $1 AND code = $2")
            .bind(community)
            .bind(code)
            .fetch_optional(store.pool())
            .await?;
    Ok(matches!(t, Some(Some(_))))
}
