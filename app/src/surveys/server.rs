//! Surveys in the database. Every function checks the account's role and community itself.

use super::rules::{self, Answer, Kind, Question, QuestionDraft};
use super::*;
use crate::auth::{Role, SessionUser};
use crate::error::Problems;
use crate::i18n::T;
use crate::store::{Millis, Store};
use chrono::NaiveDate;

const DAY: i64 = 86_400_000;

/// The survey secret, made once and kept in the database so every instance uses the same.
async fn secret(store: &Store) -> Result<Vec<u8>, AppError> {
    let fresh = crate::security::new_token();
    sqlx::query("INSERT INTO app_secrets (name, value) VALUES ('survey_key', $1) ON CONFLICT (name) DO NOTHING")
        .bind(&fresh)
        .execute(store.pool())
        .await?;
    let value: String =
        sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = 'survey_key'").fetch_one(store.pool()).await?;
    Ok(value.into_bytes())
}

#[derive(sqlx::FromRow)]
struct SurveyRow {
    id: i64,
    community_id: i64,
    title: String,
    intro: String,
    anonymous: i64,
    opens_at: i64,
    closes_at: i64,
    closed_early_at: Option<i64>,
}

impl SurveyRow {
    fn open(&self, now: i64) -> bool {
        rules::is_open(self.opens_at, self.closes_at, self.closed_early_at, now)
    }
    /// The last day it takes answers (Beijing), as shown.
    fn closes(&self) -> String {
        let end = self.closed_early_at.unwrap_or(self.closes_at).min(self.closes_at);
        crate::time::to_local(end - 1).format("%Y-%m-%d").to_string()
    }
    fn opens(&self) -> String {
        crate::time::to_local(self.opens_at).format("%Y-%m-%d").to_string()
    }
}

const SURVEY_COLUMNS: &str = "id, community_id, title, intro, anonymous, opens_at, closes_at, closed_early_at";

async fn survey(store: &Store, id: i64) -> Result<SurveyRow, AppError> {
    sqlx::query_as(&format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(AppError::NotFound)
}

async fn questions(store: &Store, survey: i64) -> Result<Vec<Question>, AppError> {
    let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, kind, prompt, required, options FROM survey_questions WHERE survey_id = $1 ORDER BY position",
    )
    .bind(survey)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, prompt, required, options)| {
            Some(Question {
                id,
                kind: Kind::parse(&kind)?,
                prompt,
                required: required == 1,
                options: rules::parse_options(&options),
            })
        })
        .collect())
}

/// May this account manage (build, close) surveys of the community? Its station team.
fn manages(user: &SessionUser, community: i64) -> bool {
    user.role.is_station_team() && user.region_id == community
}

/// May this account read the results? The station team, and admins above the community.
async fn reads_results(store: &Store, user: &SessionUser, community: i64) -> Result<bool, AppError> {
    if manages(user, community) {
        return Ok(true);
    }
    if !matches!(user.role, Role::SubdistrictAdmin | Role::DistrictAdmin) {
        return Ok(false);
    }
    let path = crate::community::server::community_path(store, community).await?.ok_or(AppError::NotFound)?;
    Ok(user.scope().covers(&path))
}

async fn has_answered(store: &Store, user: &SessionUser, survey: i64) -> Result<bool, AppError> {
    let key = rules::respondent_key(&secret(store).await?, survey, user.id);
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM survey_responses WHERE survey_id = $1 AND respondent_key = $2")
            .bind(survey)
            .bind(key)
            .fetch_optional(store.pool())
            .await?;
    Ok(found.is_some())
}

pub async fn list(store: &Store, user: &SessionUser) -> Result<SurveyList, AppError> {
    let now = Millis::now().0;
    let staff = user.role.is_station_team();
    if user.role != Role::Resident && !staff {
        return Ok(SurveyList { staff: false, lines: Vec::new() });
    }
    let rows: Vec<SurveyRow> = sqlx::query_as(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE community_id = $1 AND (opens_at <= $2 OR $3 = 1) ORDER BY closes_at DESC, id DESC"
    ))
    .bind(user.region_id)
    .bind(now)
    .bind(staff as i64)
    .fetch_all(store.pool())
    .await?;
    let secret = secret(store).await?;
    let mut lines = Vec::new();
    for r in rows {
        let (answered, responses) = if staff {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1")
                .bind(r.id)
                .fetch_one(store.pool())
                .await?;
            (false, n)
        } else {
            let key = rules::respondent_key(&secret, r.id, user.id);
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM survey_responses WHERE survey_id = $1 AND respondent_key = $2")
                    .bind(r.id)
                    .bind(key)
                    .fetch_optional(store.pool())
                    .await?;
            (found.is_some(), 0)
        };
        lines.push(SurveyLine {
            id: r.id,
            title: r.title.clone(),
            opens: r.opens(),
            closes: r.closes(),
            open: r.open(now),
            upcoming: r.opens_at > now,
            anonymous: r.anonymous == 1,
            answered,
            responses,
        });
    }
    Ok(SurveyList { staff, lines })
}

/// How many surveys the resident could answer now and has not (Home's invitation): only
/// the open ones are read (an index range), however many the community has run.
pub async fn waiting(store: &Store, user: &SessionUser) -> Result<i64, AppError> {
    if user.role != Role::Resident {
        return Ok(0);
    }
    let now = Millis::now().0;
    let rows: Vec<SurveyRow> = sqlx::query_as(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE community_id = $1 AND closes_at > $2 AND opens_at <= $2"
    ))
    .bind(user.region_id)
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let secret = secret(store).await?;
    let mut waiting = 0;
    for r in rows.into_iter().filter(|r| r.open(now)) {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM survey_responses WHERE survey_id = $1 AND respondent_key = $2")
                .bind(r.id)
                .bind(rules::respondent_key(&secret, r.id, user.id))
                .fetch_optional(store.pool())
                .await?;
        waiting += found.is_none() as i64;
    }
    Ok(waiting)
}

pub async fn sheet(store: &Store, user: &SessionUser, id: i64) -> Result<SurveySheet, AppError> {
    let now = Millis::now().0;
    let s = survey(store, id).await?;
    let resident_here = user.role == Role::Resident && user.region_id == s.community_id;
    let staff = reads_results(store, user, s.community_id).await?;
    // Residents elsewhere, and everyone before it opens (except its station), see nothing.
    if !(resident_here && s.opens_at <= now) && !staff {
        return Err(AppError::NotFound);
    }
    let answered = resident_here && has_answered(store, user, id).await?;
    Ok(SurveySheet {
        id,
        title: s.title.clone(),
        intro: s.intro.clone(),
        anonymous: s.anonymous == 1,
        closes: s.closes(),
        open: s.open(now),
        answered,
        may_answer: resident_here,
        staff,
        questions: questions(store, id).await?,
    })
}

pub struct NewSurvey<'a> {
    pub title: &'a str,
    pub intro: &'a str,
    pub opens: &'a str,
    pub closes: &'a str,
    pub anonymous: bool,
    pub slots: &'a BTreeMap<String, String>,
    pub key: &'a str,
}

fn day_start(date: &str) -> Option<i64> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    d.and_hms_opt(0, 0, 0)?.and_local_timezone(crate::time::beijing()).single().map(|t| t.timestamp_millis())
}

pub async fn create(store: &Store, user: &SessionUser, new: NewSurvey<'_>) -> Result<i64, AppError> {
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    if new.key.is_empty() || new.key.len() > 64 {
        return Err(AppError::BadRequest);
    }
    if let Some(id) = crate::store::created_with_key(store, "surveys", "created_by", user.id, new.key).await? {
        return Ok(id);
    }
    let mut p = Problems::default();
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 80 {
        p.add("title", T::ErrSurveyTitle);
    }
    if new.intro.chars().count() > 1_000 {
        p.add("intro", T::ErrAnswerTooLong);
    }
    let opens = day_start(new.opens);
    let closes = day_start(new.closes);
    if opens.is_none() {
        p.add("opens", T::ErrDateFormat);
    }
    match (opens, closes) {
        (_, None) => p.add("closes", T::ErrDateFormat),
        (Some(o), Some(c)) if c < o => p.add("closes", T::ErrSurveyDates),
        _ => {}
    }
    let slots: Vec<QuestionDraft> = (0..rules::MAX_QUESTIONS)
        .map(|k| QuestionDraft {
            prompt: new.slots.get(&format!("s{k}_prompt")).cloned().unwrap_or_default(),
            kind: new.slots.get(&format!("s{k}_kind")).cloned().unwrap_or_default(),
            options: new.slots.get(&format!("s{k}_options")).cloned().unwrap_or_default(),
            required: new.slots.get(&format!("s{k}_required")).is_some_and(|v| !v.is_empty()),
        })
        .collect();
    let questions = match rules::check_questions(&slots) {
        Ok(q) => q,
        Err(problems) => {
            for (field, t) in problems {
                p.add(&field, t);
            }
            Vec::new()
        }
    };
    p.into_result()?;
    let (opens, closes) = (opens.unwrap_or_default(), closes.unwrap_or_default() + DAY);
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (community_id, title, intro, anonymous, opens_at, closes_at, created_by, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(user.region_id)
    .bind(title)
    .bind(new.intro.trim())
    .bind(new.anonymous as i64)
    .bind(opens)
    .bind(closes)
    .bind(user.id)
    .bind(new.key)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for (position, (kind, prompt, required, options)) in questions.into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO survey_questions (survey_id, position, kind, prompt, required, options) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(kind.as_str())
        .bind(prompt)
        .bind(required as i64)
        .bind(options.join("\n"))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn answer(
    store: &Store,
    user: &SessionUser,
    id: i64,
    raw: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    let now = Millis::now().0;
    let s = survey(store, id).await?;
    if user.role != Role::Resident || user.region_id != s.community_id {
        return Err(if user.role.is_staff() { AppError::Forbidden } else { AppError::NotFound });
    }
    if !s.open(now) {
        return Err(AppError::invalid("survey", T::ErrSurveyClosed));
    }
    let questions = questions(store, id).await?;
    let answers: Vec<Answer> = rules::check_answers(&questions, raw).map_err(|problems| {
        let mut p = Problems::default();
        for (field, t) in problems {
            p.add(&field, t);
        }
        p.into_result().err().unwrap_or(AppError::BadRequest)
    })?;
    let key = rules::respondent_key(&secret(store).await?, id, user.id);
    let anonymous = s.anonymous == 1;
    // Anonymous: no account, and the day rather than the moment.
    let at = if anonymous { crate::time::day_start(now) } else { now };
    let mut tx = store.write().await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO survey_responses (survey_id, respondent_id, respondent_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(id)
    .bind((!anonymous).then_some(user.id))
    .bind(&key)
    .bind(at)
    .fetch_one(&mut *tx)
    .await;
    let response = match inserted {
        Ok(r) => r,
        Err(e) if crate::store::is_unique(&e) => {
            return Err(AppError::invalid("survey", T::ErrAlreadyAnswered));
        }
        Err(e) => return Err(e.into()),
    };
    for a in answers {
        sqlx::query("INSERT INTO survey_answers (response_id, question_id, choice, text) VALUES ($1, $2, $3, $4)")
            .bind(response)
            .bind(a.question_id)
            .bind(a.choice)
            .bind(a.text)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn all_answers(store: &Store, survey: i64) -> Result<Vec<(i64, Answer)>, AppError> {
    let rows: Vec<(i64, i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT a.response_id, a.question_id, a.choice, a.text FROM survey_answers a \
         JOIN survey_responses r ON r.id = a.response_id WHERE r.survey_id = $1 ORDER BY a.response_id, a.id",
    )
    .bind(survey)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|(r, q, choice, text)| (r, Answer { question_id: q, choice, text })).collect())
}

pub async fn results(store: &Store, user: &SessionUser, id: i64) -> Result<SurveyResults, AppError> {
    let s = survey(store, id).await?;
    if !reads_results(store, user, s.community_id).await? {
        return Err(AppError::NotFound);
    }
    let now = Millis::now().0;
    let questions = questions(store, id).await?;
    let answers = all_answers(store, id).await?;
    let responses: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await?;
    Ok(SurveyResults {
        id,
        title: s.title.clone(),
        anonymous: s.anonymous == 1,
        opens: s.opens(),
        closes: s.closes(),
        open: s.open(now),
        responses: responses as u32,
        tallies: rules::tally(&questions, &answers),
        questions,
        may_close: manages(user, s.community_id) && s.open(now),
    })
}

pub async fn close(store: &Store, user: &SessionUser, id: i64) -> Result<(), AppError> {
    let s = survey(store, id).await?;
    if !manages(user, s.community_id) {
        return Err(AppError::NotFound);
    }
    sqlx::query("UPDATE surveys SET closed_early_at = $1 WHERE id = $2 AND closed_early_at IS NULL")
        .bind(Millis::now().0)
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// One line per response: when (the day, for an anonymous survey), then one column per
/// question (options of a multiple choice joined with "；"). No names, no phones.
pub fn responses_csv(
    questions: &[Question],
    responses: &[(i64, i64)],
    answers: &[(i64, Answer)],
) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["序号".to_string(), "提交时间".to_string()];
    header.extend(questions.iter().map(|q| crate::export::cell(&q.prompt)));
    w.write_record(&header).map_err(|_| AppError::Internal)?;
    for (k, (response, at)) in responses.iter().enumerate() {
        let mut line = vec![(k + 1).to_string(), crate::time::format_local(*at)];
        for q in questions {
            let mine = answers.iter().filter(|(r, a)| r == response && a.question_id == q.id);
            let cell = match q.kind {
                Kind::Single | Kind::Multiple => mine
                    .filter_map(|(_, a)| a.choice.and_then(|c| q.options.get(c as usize)).cloned())
                    .collect::<Vec<_>>()
                    .join("；"),
                Kind::Scale => mine.filter_map(|(_, a)| a.choice.map(|c| c.to_string())).collect::<Vec<_>>().join(""),
                Kind::Text => mine.filter_map(|(_, a)| a.text.clone()).collect::<Vec<_>>().join(""),
            };
            line.push(crate::export::cell(&cell));
        }
        w.write_record(&line).map_err(|_| AppError::Internal)?;
    }
    let bytes = w.into_inner().map_err(|_| AppError::Internal)?;
    Ok(format!("\u{FEFF}{}", String::from_utf8(bytes).map_err(|_| AppError::Internal)?))
}

/// `GET /station/surveys/{id}/responses.csv`, for whoever may read the results.
pub async fn responses_csv_route(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return StatusCode::UNAUTHORIZED.into_response() };
    let result = async {
        let s = survey(&store, id).await?;
        if !reads_results(&store, &user, s.community_id).await? {
            return Err(AppError::NotFound);
        }
        let questions = questions(&store, id).await?;
        let responses: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, created_at FROM survey_responses WHERE survey_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(store.pool())
                .await?;
        responses_csv(&questions, &responses, &all_answers(&store, id).await?)
    }
    .await;
    match result {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"survey-{id}.csv\"")),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND).into_response(),
    }
}

/// A demo survey for Qianggen (once), open for a month from today.
pub async fn seed_demo_survey(store: &Store) -> Result<(), AppError> {
    let master: Option<(i64, i64)> = sqlx::query_as("SELECT id, region_id FROM users WHERE phone = '13800000004'")
        .fetch_optional(store.pool())
        .await?;
    let Some((master, community)) = master else { return Ok(()) };
    if crate::store::created_with_key(store, "surveys", "created_by", master, "demo-survey").await?.is_some() {
        return Ok(());
    }
    let now = Millis::now().0;
    let opens = crate::time::day_start(now);
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (community_id, title, intro, anonymous, opens_at, closes_at, created_by, idempotency_key, created_at) \
         VALUES ($1, $2, $3, 1, $4, $5, $6, 'demo-survey', $7) RETURNING id",
    )
    .bind(community)
    .bind("2026 年冬季社区服务需求调查")
    .bind("匿名填写，约 2 分钟。结果用于安排明年的助老、助餐和文体活动。")
    .bind(opens)
    .bind(opens + 30 * DAY)
    .bind(master)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let questions: [(&str, &str, i64, &str); 4] = [
        ("single", "您家中是否有 80 岁以上的老人？", 1, "有\n没有"),
        ("multiple", "您最希望社区增加哪些服务？（可多选）", 1, "老年助餐\n上门理发\n健康讲座\n儿童托管\n法律咨询"),
        ("scale", "您对社区服务站今年工作的总体评价（1–5 分）", 1, ""),
        ("text", "其他意见和建议", 0, ""),
    ];
    for (position, (kind, prompt, required, options)) in questions.into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO survey_questions (survey_id, position, kind, prompt, required, options) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(kind)
        .bind(prompt)
        .bind(required)
        .bind(options)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
