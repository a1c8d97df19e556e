//! Deliberation threads (议事): residents discuss with stances and support; a thread that
//! reaches its community's threshold becomes an autonomy-project work item for the station,
//! which answers on the thread (adopted with milestones, merged, declined) and can continue
//! the talk offline as a consultation meeting. Flags, moderation and rate limits keep it civil.

use crate::error::AppError;
use crate::i18n::T;
use leptos::prelude::*;
use rules::{Piece, SignupOutcome, Stance, StanceCounts, ThreadState};
use serde::{Deserialize, Serialize};
use server_fn::codec::{MultipartData, MultipartFormData};

pub mod live;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

pub const TOPICS: [&str; 6] = ["environment", "safety", "facilities", "elderly_care", "culture", "other"];

pub fn topic_label(topic: &str) -> T {
    match topic {
        "environment" => T::TopicEnvironment,
        "safety" => T::TopicSafety,
        "facilities" => T::TopicFacilities,
        "elderly_care" => T::TopicElderlyCare,
        "culture" => T::TopicCulture,
        _ => T::TopicOther,
    }
}

pub fn thread_state_label(s: ThreadState) -> T {
    match s {
        ThreadState::Open => T::ThreadOpen,
        ThreadState::Review => T::ThreadReview,
        ThreadState::Adopted => T::ThreadAdopted,
        ThreadState::Merged => T::ThreadMerged,
        ThreadState::Declined => T::ThreadDeclined,
    }
}

pub fn stance_label(s: Stance) -> T {
    match s {
        Stance::Support => T::StanceSupport,
        Stance::Oppose => T::StanceOppose,
        Stance::Neutral => T::StanceNeutral,
    }
}

/// Why something is not shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hidden {
    /// Three residents flagged it; a moderator will look.
    PendingReview,
    /// A moderator hid it.
    ByModerator,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadLine {
    pub id: i64,
    /// None when hidden (and the viewer is not staff).
    pub title: Option<String>,
    pub topic: String,
    pub state: ThreadState,
    pub supports: i64,
    pub comments: i64,
    pub author: String,
    pub posted: String,
    pub hidden: Option<Hidden>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadList {
    /// A page of threads in the chosen order, and where the next page starts.
    pub threads: Vec<ThreadLine>,
    pub next: Option<String>,
    pub threshold: i64,
    /// May the viewer open a thread (a resident of the community, not blocked)?
    pub can_post: bool,
    pub blocked_until: Option<String>,
    pub community: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub author: String,
    pub by_station: bool,
    pub stance: Stance,
    /// None when deleted or hidden from this viewer.
    pub body: Option<String>,
    pub deleted: bool,
    pub hidden: Option<Hidden>,
    pub when: String,
    pub edited: bool,
    pub mine: bool,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub id: i64,
    pub title: String,
    pub due_on: String,
    pub done: Option<String>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: i64,
    pub starts: String,
    pub ends: String,
    pub place: String,
    pub capacity: i64,
    pub taken: i64,
    pub waitlist: i64,
    /// The viewer's place: confirmed, waitlisted (with their position), or none.
    pub mine: Option<SignupOutcome>,
    pub waitlist_position: Option<i64>,
    pub started: bool,
    pub minutes: String,
    pub decision: String,
    /// Staff only: who signed up (masked phones).
    pub attendees: Vec<String>,
}

/// What the viewer may do on a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadPowers {
    /// A resident of the community who is not blocked (or the station team).
    pub can_comment: bool,
    /// A resident of the community.
    pub can_support: bool,
    pub can_flag: bool,
    /// The station team of the community.
    pub station: bool,
    pub blocked_until: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    pub id: i64,
    pub title: String,
    pub body: Vec<Piece>,
    pub topic: String,
    pub state: ThreadState,
    pub supports: i64,
    /// Verified households among the supporters: what the threshold counts.
    pub verified_supports: i64,
    pub threshold: i64,
    pub i_support: bool,
    pub stances: StanceCounts,
    pub author: String,
    pub posted: String,
    pub photos: Vec<i64>,
    pub hidden: Option<Hidden>,
    pub answer: String,
    pub answered: Option<String>,
    pub merged_into: Option<(i64, String)>,
    /// The autonomy-project work item: its demand page, state and answer deadline.
    pub work: Option<(i64, crate::work::rules::State, String)>,
    pub milestones: Vec<MilestoneView>,
    pub meetings: Vec<MeetingView>,
    pub comments: Vec<CommentView>,
    pub powers: ThreadPowers,
    /// Other threads of the community a station answer may merge into.
    pub merge_targets: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedItem {
    pub kind: String,
    pub id: i64,
    pub thread_id: i64,
    pub excerpt: String,
    pub author_id: i64,
    pub author: String,
    pub flags: i64,
    pub reasons: Vec<String>,
    pub hidden: Option<Hidden>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedUser {
    pub id: i64,
    pub name: String,
    pub until: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationOverview {
    pub queue: Vec<FlaggedItem>,
    pub blocked: Vec<BlockedUser>,
    pub threshold: i64,
    pub threshold_setting: Option<i64>,
    pub households: i64,
    pub in_review: Vec<ThreadLine>,
    pub may_set_threshold: bool,
}

#[server(endpoint = "threads")]
pub async fn threads(sort: String, topic: String, before: Option<String>) -> Result<ThreadList, AppError> {
    let user = crate::auth::server::require_user()?;
    let before = crate::paging::Cursor::from_arg(before)?;
    server::list(&crate::request::store()?, &user, &sort, &topic, before).await
}

#[server(endpoint = "threads/one")]
pub async fn thread(id: i64) -> Result<ThreadView, AppError> {
    let user = crate::auth::server::require_user()?;
    server::view(&crate::request::store()?, &user, id).await
}

/// Opens a thread (multipart: text fields and up to three photos; works without JavaScript).
#[server(input = MultipartFormData, endpoint = "threads/open")]
pub async fn open_thread(data: MultipartData) -> Result<(), AppError> {
    server::open_from_form(data).await
}

#[server(endpoint = "threads/comment")]
pub async fn post_comment(
    thread_id: i64,
    parent_id: Option<String>,
    stance: String,
    body: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    let parent = parent_id.and_then(|p| p.trim().parse::<i64>().ok());
    let result = async {
        let user = crate::auth::server::require_user()?;
        let id = server::comment(&crate::request::store()?, &user, thread_id, parent, &stance, &body, &idempotency_key)
            .await?;
        crate::request::redirect(&format!("/threads/{thread_id}#c{id}"));
        Ok(())
    }
    .await;
    if result.is_err() {
        crate::form::server::keep_input(
            &format!("comment-{}", parent.unwrap_or(0)),
            &[("body", &body), ("stance", &stance)],
        )
        .await;
    }
    result
}

#[server(endpoint = "threads/comment/edit")]
pub async fn edit_comment(id: i64, body: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let thread = server::talk::edit_comment(&crate::request::store()?, &user, id, &body).await?;
    crate::request::redirect(&format!("/threads/{thread}#c{id}"));
    Ok(())
}

#[server(endpoint = "threads/comment/delete")]
pub async fn delete_comment(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let thread = server::talk::delete_comment(&crate::request::store()?, &user, id).await?;
    crate::request::redirect(&format!("/threads/{thread}"));
    Ok(())
}

/// Support a thread (`support` = "1") or withdraw one's support.
#[server(endpoint = "threads/support")]
pub async fn support_thread(thread_id: i64, support: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::support(&crate::request::store()?, &user, thread_id, support == "1").await?;
    crate::request::redirect(&format!("/threads/{thread_id}"));
    Ok(())
}

#[server(endpoint = "threads/flag")]
pub async fn flag(kind: String, id: i64, reason: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let thread = server::moderation::flag(&crate::request::store()?, &user, &kind, id, &reason).await?;
    crate::request::redirect(&format!("/threads/{thread}"));
    Ok(())
}

/// The station's answer to a thread under review: `adopt` (plan + milestones, one per line
/// as `YYYY-MM-DD title`), `merge` (into `merge_into`), or `decline` (with a reason).
#[server(endpoint = "threads/answer")]
pub async fn answer_thread(
    thread_id: i64,
    decision: String,
    text: String,
    milestones: Option<String>,
    merge_into: Option<String>,
) -> Result<(), AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        let merge_into = merge_into.and_then(|m| m.trim().parse::<i64>().ok());
        server::answer(
            &crate::request::store()?,
            &user,
            thread_id,
            &decision,
            &text,
            milestones.as_deref().unwrap_or(""),
            merge_into,
        )
        .await?;
        crate::request::redirect(&format!("/threads/{thread_id}"));
        Ok(())
    }
    .await;
    if result.is_err() {
        crate::form::server::keep_input(
            "thread-answer",
            &[("decision", &decision), ("text", &text), ("milestones", milestones.as_deref().unwrap_or(""))],
        )
        .await;
    }
    result
}

#[server(endpoint = "threads/milestone")]
pub async fn update_milestone(id: i64, note: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let thread = server::milestone_done(&crate::request::store()?, &user, id, &note).await?;
    crate::request::redirect(&format!("/threads/{thread}"));
    Ok(())
}

/// Schedules a consultation meeting: date `YYYY-MM-DD`, times `HH:MM` (Beijing time).
#[server(endpoint = "threads/meeting")]
pub async fn schedule_meeting(
    thread_id: i64,
    date: String,
    start: String,
    end: String,
    place: String,
    capacity: String,
) -> Result<(), AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::meetings::schedule_meeting(
            &crate::request::store()?,
            &user,
            thread_id,
            &date,
            &start,
            &end,
            &place,
            &capacity,
        )
        .await?;
        crate::request::redirect(&format!("/threads/{thread_id}#meetings"));
        Ok(())
    }
    .await;
    if result.is_err() {
        crate::form::server::keep_input(
            "meeting",
            &[("date", &date), ("start", &start), ("end", &end), ("place", &place), ("capacity", &capacity)],
        )
        .await;
    }
    result
}

/// Sign up for a meeting (`join` = "1") or cancel.
#[server(endpoint = "threads/meeting/signup")]
pub async fn meeting_signup(meeting_id: i64, join: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let thread = server::signup(&crate::request::store()?, &user, meeting_id, join == "1").await?;
    crate::request::redirect(&format!("/threads/{thread}#meetings"));
    Ok(())
}

#[server(endpoint = "threads/meeting/minutes")]
pub async fn meeting_minutes(meeting_id: i64, minutes: String, decision: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let thread = server::minutes(&crate::request::store()?, &user, meeting_id, &minutes, &decision).await?;
    crate::request::redirect(&format!("/threads/{thread}#meetings"));
    Ok(())
}

#[server(endpoint = "station/moderation")]
pub async fn moderation_desk() -> Result<ModerationOverview, AppError> {
    let user = crate::auth::server::require_user()?;
    server::desk(&crate::request::store()?, &user).await
}

/// Hide or restore a thread or comment (`decision` = hide | restore).
#[server(endpoint = "station/moderation/decide")]
pub async fn moderate(kind: String, id: i64, decision: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::moderation::moderate(&crate::request::store()?, &user, &kind, id, &decision).await?;
    crate::request::redirect("/station/threads");
    Ok(())
}

/// Block a resident from posting for `days` (0 lifts a block).
#[server(endpoint = "station/moderation/block")]
pub async fn block_user(user_id: i64, days: String, reason: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::block(&crate::request::store()?, &user, user_id, &days, &reason).await?;
    crate::request::redirect("/station/threads");
    Ok(())
}

/// The community's support threshold (blank: the default rule). Stationmaster only.
#[server(endpoint = "station/threshold")]
pub async fn set_threshold(threshold: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::moderation::set_threshold(&crate::request::store()?, &user, &threshold).await?;
    crate::request::redirect("/station/threads");
    Ok(())
}

/// The feature's own routes: a thread's live stream and a meeting's calendar file.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/live/threads/{id}", get(live::sse))
        .route("/meetings/{id}/ics", get(server::meeting_ics))
}
