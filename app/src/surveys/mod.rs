//! Questionnaires (问卷): the station builds one for its community (single and multiple
//! choice, 1–5 scales, free text; required or not; open and close dates; optionally
//! anonymous), residents answer once, staff read counts, shares and charts, and export CSV.

use crate::error::AppError;
use leptos::prelude::*;
use rules::{Question, Tally};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyLine {
    pub id: i64,
    pub title: String,
    pub opens: String,
    pub closes: String,
    pub open: bool,
    pub upcoming: bool,
    pub anonymous: bool,
    /// Residents: whether they have answered. Staff: always false.
    pub answered: bool,
    /// Staff: how many answered.
    pub responses: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyList {
    pub staff: bool,
    pub lines: Vec<SurveyLine>,
}

/// A survey as the resident sees it to answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveySheet {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub anonymous: bool,
    pub closes: String,
    pub open: bool,
    pub answered: bool,
    /// Only residents of the survey's community answer; staff get a link to the results.
    pub may_answer: bool,
    pub staff: bool,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    pub id: i64,
    pub title: String,
    pub anonymous: bool,
    pub opens: String,
    pub closes: String,
    pub open: bool,
    pub responses: u32,
    pub questions: Vec<Question>,
    pub tallies: Vec<Tally>,
    pub may_close: bool,
}

#[server(endpoint = "surveys/list")]
pub async fn list_surveys() -> Result<SurveyList, AppError> {
    let user = crate::auth::server::require_user()?;
    server::list(&crate::request::store()?, &user).await
}

/// Open surveys the signed-in resident has not answered yet (Home's invitation).
#[server(endpoint = "surveys/waiting")]
pub async fn surveys_waiting() -> Result<i64, AppError> {
    let user = crate::auth::server::require_user()?;
    server::waiting(&crate::request::store()?, &user).await
}

#[server(endpoint = "surveys/one")]
pub async fn load_survey_sheet(id: i64) -> Result<SurveySheet, AppError> {
    let user = crate::auth::server::require_user()?;
    server::sheet(&crate::request::store()?, &user, id).await
}

/// The station builds a survey. Question slots post as `q[s{k}_prompt]`, `q[s{k}_kind]`,
/// `q[s{k}_options]` (one per line) and `q[s{k}_required]` (keys start with a letter: serde_qs reads a leading digit as a list index).
#[server(endpoint = "surveys/create")]
pub async fn create_survey(
    title: String,
    intro: String,
    opens: String,
    closes: String,
    anonymous: Option<String>,
    q: Option<BTreeMap<String, String>>,
    idempotency_key: String,
) -> Result<(), AppError> {
    let q = q.unwrap_or_default();
    let result = async {
        let user = crate::auth::server::require_staff()?;
        let id = server::create(
            &crate::request::store()?,
            &user,
            server::NewSurvey {
                title: &title,
                intro: &intro,
                opens: &opens,
                closes: &closes,
                anonymous: anonymous.is_some(),
                slots: &q,
                key: &idempotency_key,
            },
        )
        .await?;
        crate::form::server::forget("survey-new").await;
        crate::request::redirect(&format!("/station/surveys/{id}"));
        Ok(())
    }
    .await;
    if result.is_err() {
        let mut fields: Vec<(String, String)> = vec![
            ("title".into(), title.clone()),
            ("intro".into(), intro.clone()),
            ("opens".into(), opens.clone()),
            ("closes".into(), closes.clone()),
            ("anonymous".into(), if anonymous.is_some() { "1".into() } else { String::new() }),
            ("idempotency_key".into(), idempotency_key.clone()),
        ];
        fields.extend(q.iter().map(|(k, v)| (format!("q[{k}]"), v.clone())));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        crate::form::server::keep_input("survey-new", &refs).await;
    }
    result
}

/// A resident answers. Answers post as `a[q{id}]` (one choice, a scale value or a text)
/// and `a[q{id}_{option}]` (each ticked option of a multiple choice).
#[server(endpoint = "surveys/answer")]
pub async fn answer_survey(survey_id: i64, a: Option<BTreeMap<String, String>>) -> Result<(), AppError> {
    let a = a.unwrap_or_default();
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::answer(&crate::request::store()?, &user, survey_id, &a).await?;
        crate::form::server::forget("survey-answer").await;
        crate::request::redirect(&format!("/surveys/{survey_id}"));
        Ok(())
    }
    .await;
    if result.is_err() {
        let mut fields: Vec<(String, String)> = vec![("survey_id".into(), survey_id.to_string())];
        fields.extend(a.iter().map(|(k, v)| (format!("a[{k}]"), v.clone())));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        crate::form::server::keep_input("survey-answer", &refs).await;
    }
    result
}

#[server(endpoint = "surveys/results")]
pub async fn load_survey_results(id: i64) -> Result<SurveyResults, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::results(&crate::request::store()?, &user, id).await
}

/// The station stops a survey before its close date.
#[server(endpoint = "surveys/close")]
pub async fn close_survey(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    server::close(&crate::request::store()?, &user, id).await?;
    crate::request::redirect(&format!("/station/surveys/{id}"));
    Ok(())
}

/// The feature's own routes: a survey's answer sheets as CSV.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    axum::Router::new().route("/station/surveys/{id}/responses.csv", axum::routing::get(server::responses_csv_route))
}
