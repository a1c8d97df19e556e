//! Queries and edits of the affairs menu.

use super::*;
use crate::auth::{Level, Role, SessionUser};
use crate::error::Problems;
use crate::store::{Millis, Store};

/// The community whose menu a viewer sees: their own, or (visitors, staff above the
/// community) the default community.
pub async fn menu_community(store: &Store, viewer: Option<&SessionUser>) -> Result<i64, AppError> {
    if let Some(v) = viewer.filter(|v| v.role.home_level() == Level::Community) {
        return Ok(v.region_id);
    }
    let code = crate::request::config().default_community;
    match crate::community::server::region_by_code(store, &code).await?.filter(|r| r.level == Level::Community) {
        Some(r) => Ok(r.id),
        None => crate::community::server::first_community(store).await?.ok_or(AppError::NotFound),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AffairRow {
    pub id: i64,
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
    retired_at: Option<i64>,
    template_id: Option<i64>,
}

pub(crate) const AFFAIR_COLUMNS: &str =
    "id, code, family, category, mode, response_hours, completion_hours, served_by_zh, \
     served_by_en, name_zh, name_en, description_zh, description_en, documents_zh, documents_en, keywords, retired_at, template_id";

impl AffairRow {
    pub fn summary(&self) -> AffairSummary {
        AffairSummary {
            code: self.code.clone(),
            family: self.family,
            category: self.category,
            mode: self.mode,
            name: Named { zh: self.name_zh.clone(), en: self.name_en.clone() },
            served_by: Named { zh: self.served_by_zh.clone(), en: self.served_by_en.clone() },
            response_hours: self.response_hours,
            completion_hours: self.completion_hours,
            retired: self.retired_at.is_some(),
        }
    }

    pub fn detail(&self) -> AffairDetail {
        AffairDetail {
            summary: self.summary(),
            description: Named { zh: self.description_zh.clone(), en: self.description_en.clone() },
            documents: Named { zh: self.documents_zh.clone(), en: self.documents_en.clone() },
            keywords: self.keywords.clone(),
            from_template: self.template_id.is_some(),
        }
    }

    /// Its id with its summary (what filing a case needs).
    pub fn summary_with_id(&self) -> (i64, AffairSummary) {
        (self.id, self.summary())
    }
}

/// The text searched: names, descriptions, documents and keywords in both languages,
/// lower-cased.
pub fn search_text(parts: &[&str]) -> String {
    parts.join(" \u{1f} ").to_lowercase()
}

/// Escapes a search term for `LIKE … ESCAPE '\'`.
fn like_pattern(term: &str) -> String {
    let mut p = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Substring search, every term must match (same results on SQLite and PostgreSQL: both
/// compare the same lower-cased text with LIKE). Chinese needs no word splitting: "低保"
/// is found inside "最低生活保障（低保）申请".
pub async fn search(
    store: &Store,
    community: i64,
    q: &str,
    family: Option<Family>,
    include_retired: bool,
) -> Result<Vec<AffairSummary>, AppError> {
    let terms: Vec<String> =
        q.to_lowercase().split_whitespace().take(5).map(|t| t.chars().take(40).collect::<String>()).collect();
    let mut sql = format!("SELECT {AFFAIR_COLUMNS} FROM affairs WHERE community_id = $1");
    let mut n = 1;
    if family.is_some() {
        n += 1;
        sql.push_str(&format!(" AND family = ${n}"));
    }
    if !include_retired {
        sql.push_str(" AND retired_at IS NULL");
    }
    for _ in &terms {
        n += 1;
        sql.push_str(&format!(" AND search_text LIKE ${n} ESCAPE '\\'"));
    }
    sql.push_str(" ORDER BY CASE family WHEN 'party' THEN 0 WHEN 'government' THEN 1 WHEN 'life' THEN 2 ELSE 3 END, category, id");
    let mut query = sqlx::query_as::<_, AffairRow>(&sql).bind(community);
    if let Some(f) = family {
        query = query.bind(f.as_str());
    }
    for t in &terms {
        query = query.bind(like_pattern(t));
    }
    Ok(query.fetch_all(store.pool()).await?.iter().map(AffairRow::summary).collect())
}

pub async fn detail(store: &Store, community: i64, code: &str) -> Result<Option<AffairDetail>, AppError> {
    let row: Option<AffairRow> =
        sqlx::query_as(&format!("SELECT {AFFAIR_COLUMNS} FROM affairs WHERE community_id = $1 AND code = $2"))
            .bind(community)
            .bind(code)
            .fetch_optional(store.pool())
            .await?;
    Ok(row.as_ref().map(AffairRow::detail))
}

pub(crate) async fn row_by_code(store: &Store, community: i64, code: &str) -> Result<Option<AffairRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {AFFAIR_COLUMNS} FROM affairs WHERE community_id = $1 AND code = $2 AND retired_at IS NULL"
    ))
    .bind(community)
    .bind(code)
    .fetch_optional(store.pool())
    .await?)
}

/// The affair form as posted by a stationmaster.
pub struct AffairForm {
    pub code: String,
    pub family: String,
    pub category: String,
    pub mode: String,
    pub response_hours: String,
    pub completion_hours: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub documents_zh: String,
    pub documents_en: String,
    pub served_by_zh: String,
    pub served_by_en: String,
    pub keywords: String,
    pub existing: Option<String>,
}

impl AffairForm {
    pub fn kept(&self) -> Vec<(&'static str, String)> {
        vec![
            ("code", self.code.clone()),
            ("family", self.family.clone()),
            ("category", self.category.clone()),
            ("mode", self.mode.clone()),
            ("response_hours", self.response_hours.clone()),
            ("completion_hours", self.completion_hours.clone()),
            ("name_zh", self.name_zh.clone()),
            ("name_en", self.name_en.clone()),
            ("description_zh", self.description_zh.clone()),
            ("description_en", self.description_en.clone()),
            ("documents_zh", self.documents_zh.clone()),
            ("documents_en", self.documents_en.clone()),
            ("served_by_zh", self.served_by_zh.clone()),
            ("served_by_en", self.served_by_en.clone()),
            ("keywords", self.keywords.clone()),
        ]
    }
}

fn text(p: &mut Problems, field: &str, value: &str, max: usize, required: bool) -> String {
    // Control characters (a NUL, say) are dropped, lines kept: PostgreSQL refuses a NUL, and
    // a template carries the text into every community.
    let v: String = value.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    let v = v.trim();
    if required && v.is_empty() {
        p.add(field, T::ErrRequired);
    } else if v.chars().count() > max {
        p.add(field, T::ErrTooLong);
    }
    v.to_string()
}

fn hours(p: &mut Problems, field: &str, value: &str) -> i64 {
    match value.trim().parse::<i64>() {
        Ok(h) if (1..=24 * 90).contains(&h) => h,
        _ => {
            p.add(field, T::ErrHours);
            0
        }
    }
}

/// An affair's fields, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffairFields {
    pub code: String,
    pub family: Family,
    pub category: Category,
    pub mode: Mode,
    pub response_hours: i64,
    pub completion_hours: i64,
    pub served_by_zh: String,
    pub served_by_en: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub documents_zh: String,
    pub documents_en: String,
    pub keywords: String,
}

impl AffairFields {
    /// What the substring search looks in.
    pub fn search_text(&self) -> String {
        self.as_new().search_text()
    }

    pub fn as_new(&self) -> NewAffair<'_> {
        NewAffair {
            code: &self.code,
            family: self.family,
            category: self.category,
            mode: self.mode,
            response_hours: self.response_hours,
            completion_hours: self.completion_hours,
            name: (&self.name_zh, &self.name_en),
            description: (&self.description_zh, &self.description_en),
            documents: (&self.documents_zh, &self.documents_en),
            served_by: (&self.served_by_zh, &self.served_by_en),
            keywords: &self.keywords,
        }
    }
}

/// Checks the form's fields, every problem beside its field; the fields when all are good
/// enough to build (the caller adds its own problems before answering).
pub fn check(form: &AffairForm, p: &mut Problems) -> Option<AffairFields> {
    let code = form.code.trim().to_ascii_lowercase();
    if code.is_empty() {
        p.add("code", T::ErrRequired);
    } else if code.len() > 40 || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        p.add("code", T::ErrCode);
    }
    let family = Family::parse(&form.family);
    if family.is_none() {
        p.add("family", T::ErrRequired);
    }
    let category = Category::parse(&form.category);
    if category.is_none() {
        p.add("category", T::ErrRequired);
    }
    let mode = Mode::parse(&form.mode);
    if mode.is_none() {
        p.add("mode", T::ErrRequired);
    }
    let response_hours = hours(p, "response_hours", &form.response_hours);
    let completion_hours = hours(p, "completion_hours", &form.completion_hours);
    let fields = AffairFields {
        name_zh: text(p, "name_zh", &form.name_zh, 60, true),
        name_en: text(p, "name_en", &form.name_en, 120, true),
        description_zh: text(p, "description_zh", &form.description_zh, 1000, true),
        description_en: text(p, "description_en", &form.description_en, 2000, false),
        documents_zh: text(p, "documents_zh", &form.documents_zh, 500, false),
        documents_en: text(p, "documents_en", &form.documents_en, 1000, false),
        served_by_zh: text(p, "served_by_zh", &form.served_by_zh, 60, true),
        served_by_en: text(p, "served_by_en", &form.served_by_en, 120, false),
        keywords: text(p, "keywords", &form.keywords, 200, false),
        code,
        family: family?,
        category: category?,
        mode: mode?,
        response_hours,
        completion_hours,
    };
    Some(fields)
}

/// Validates and saves an affair of the stationmaster's community; returns its code. An
/// affair a catalogue template governs is not the station's to edit (it may hide it).
pub async fn save(form: AffairForm) -> Result<String, AppError> {
    let user = crate::auth::server::require_staff()?;
    if user.role != Role::Stationmaster {
        return Err(AppError::Forbidden);
    }
    let store = crate::request::store()?;
    let mut p = Problems::default();
    let fields = check(&form, &mut p);
    let code = form.code.trim().to_ascii_lowercase();
    let existing = match &form.existing {
        Some(old) => Some(row_by_code_any(&store, user.region_id, old).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    if let Some(old) = &existing {
        if super::templates::from_template(&store, user.region_id, &old.code).await? {
            p.add("code", T::ErrAffairFromTemplate);
        }
    }
    if existing.as_ref().map(|e| e.code.as_str()) != Some(code.as_str())
        && !code.is_empty()
        && row_by_code_any(&store, user.region_id, &code).await?.is_some()
    {
        p.add("code", T::ErrCodeTaken);
    }
    p.into_result()?;
    let a = fields.ok_or(AppError::Internal)?;
    let search = a.search_text();
    let now = Millis::now();
    let mut tx = store.write().await?;
    match existing {
        Some(old) => {
            sqlx::query(
                "UPDATE affairs SET code = $1, family = $2, category = $3, mode = $4, response_hours = $5, \
                 completion_hours = $6, name_zh = $7, name_en = $8, description_zh = $9, description_en = $10, \
                 documents_zh = $11, documents_en = $12, served_by_zh = $13, served_by_en = $14, keywords = $15, \
                 search_text = $16, updated_at = $17 WHERE id = $18",
            )
            .bind(&a.code)
            .bind(a.family.as_str())
            .bind(a.category.as_str())
            .bind(a.mode.as_str())
            .bind(a.response_hours)
            .bind(a.completion_hours)
            .bind(&a.name_zh)
            .bind(&a.name_en)
            .bind(&a.description_zh)
            .bind(&a.description_en)
            .bind(&a.documents_zh)
            .bind(&a.documents_en)
            .bind(&a.served_by_zh)
            .bind(&a.served_by_en)
            .bind(&a.keywords)
            .bind(&search)
            .bind(now)
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        }
        None => insert(&mut tx, user.region_id, &a.as_new()).await?,
    }
    tx.commit().await?;
    Ok(a.code)
}

async fn row_by_code_any(store: &Store, community: i64, code: &str) -> Result<Option<AffairRow>, AppError> {
    Ok(sqlx::query_as(&format!("SELECT {AFFAIR_COLUMNS} FROM affairs WHERE community_id = $1 AND code = $2"))
        .bind(community)
        .bind(code)
        .fetch_optional(store.pool())
        .await?)
}

impl NewAffair<'_> {
    /// What the substring search looks in: names, texts, documents, keywords, who serves it.
    pub fn search_text(&self) -> String {
        search_text(&[
            self.name.0,
            self.name.1,
            self.description.0,
            self.description.1,
            self.documents.0,
            self.documents.1,
            self.keywords,
            self.served_by.0,
        ])
    }
}

pub struct NewAffair<'a> {
    pub code: &'a str,
    pub family: Family,
    pub category: Category,
    pub mode: Mode,
    pub response_hours: i64,
    pub completion_hours: i64,
    pub name: (&'a str, &'a str),
    pub description: (&'a str, &'a str),
    pub documents: (&'a str, &'a str),
    pub served_by: (&'a str, &'a str),
    pub keywords: &'a str,
}

pub async fn insert(tx: &mut crate::store::Tx, community: i64, a: &NewAffair<'_>) -> Result<(), AppError> {
    let search = a.search_text();
    let now = Millis::now();
    sqlx::query(
        "INSERT INTO affairs (community_id, code, family, category, mode, response_hours, completion_hours, served_by_zh, \
         served_by_en, name_zh, name_en, description_zh, description_en, documents_zh, documents_en, keywords, search_text, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(community)
    .bind(a.code)
    .bind(a.family.as_str())
    .bind(a.category.as_str())
    .bind(a.mode.as_str())
    .bind(a.response_hours)
    .bind(a.completion_hours)
    .bind(a.served_by.0)
    .bind(a.served_by.1)
    .bind(a.name.0)
    .bind(a.name.1)
    .bind(a.description.0)
    .bind(a.description.1)
    .bind(a.documents.0)
    .bind(a.documents.1)
    .bind(a.keywords)
    .bind(search)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_retired(store: &Store, community: i64, code: &str, retire: bool) -> Result<(), AppError> {
    let done = sqlx::query("UPDATE affairs SET retired_at = $1, updated_at = $2 WHERE community_id = $3 AND code = $4")
        .bind(retire.then(|| Millis::now().0))
        .bind(Millis::now())
        .bind(community)
        .bind(code)
        .execute(store.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("低保"), "%低保%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn search_text_is_lower_case() {
        assert_eq!(search_text(&["Dibao", "低保"]), "dibao \u{1f} 低保");
    }
}

/// How long an appointment for each affair takes (the station's settings): the listed
/// affairs their minutes, every other one a single slot.
pub async fn set_appointment_lengths(
    tx: &mut crate::store::Tx,
    community: i64,
    lengths: &[(String, i64)],
) -> Result<(), AppError> {
    sqlx::query("UPDATE affairs SET slot_minutes = 30 WHERE community_id = $1")
        .bind(community)
        .execute(&mut **tx)
        .await?;
    for (code, minutes) in lengths {
        sqlx::query("UPDATE affairs SET slot_minutes = $1 WHERE community_id = $2 AND code = $3")
            .bind(minutes)
            .bind(community)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
