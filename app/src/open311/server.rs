//! The Open311 GeoReport v2 endpoints under `/open311/v2`, in XML and JSON. A POSTed service
//! request becomes a demand and its work item exactly as the app makes them; GET shows
//! public demands only, and never a resident's name, phone or home.

use super::format::{self, Format, Node};
use super::rules::{self, RequestForm};
use crate::config::AppConfig;
use crate::demands::file::{file_case, Filed, NewCase};
use crate::demands::Channel;
use crate::error::AppError;
use crate::form::key::IdempotencyKey;
use crate::store::{Millis, Store};
use crate::work::rules::{AffairLimits, ItemKind, Mode, Place, State, Urgency, Visibility};
use crate::work::server::WorkTx;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// POSTs per API key per minute (shared by every instance: counted in the database);
/// `OPEN311_POSTS_PER_MINUTE` overrides it.
pub const POSTS_PER_MINUTE: i64 = 30;

fn posts_per_minute() -> i64 {
    std::env::var("OPEN311_POSTS_PER_MINUTE").ok().and_then(|v| v.parse().ok()).unwrap_or(POSTS_PER_MINUTE)
}

fn answer(format: Format, root: &str, node: &Node, status: StatusCode) -> Response {
    let body = match format {
        Format::Xml => format::to_xml(root, node),
        Format::Json => format::to_json(node).to_string(),
    };
    (status, [(header::CONTENT_TYPE, format.content_type())], body).into_response()
}

fn error(format: Format, status: StatusCode, description: &str) -> Response {
    answer(format, "errors", &format::errors(status.as_u16(), description), status)
}

/// Database trouble answers 500 in the spec's format, without the cause.
fn internal(format: Format, e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "open311");
    error(format, StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

/// An unknown file name or format: the spec's error list (in XML, as the spec's default).
fn not_found(file: &str) -> Response {
    let format = format::split_file(file).map(|(_, f)| f).unwrap_or(Format::Xml);
    error(format, StatusCode::NOT_FOUND, "no such resource")
}

// ---- API keys ----------------------------------------------------------------------------

/// A client system's key: shown once when made, stored as its SHA-256.
pub async fn add_key(store: &Store, name: &str, created_by: Option<i64>) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid("name", crate::i18n::T::ErrRequired));
    }
    let key = crate::security::new_token();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(crate::security::sha256_hex(&key))
    .bind(created_by)
    .bind(Millis::now().0)
    .fetch_one(store.pool())
    .await?;
    Ok((id, key))
}

pub async fn revoke_key(store: &Store, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(Millis::now().0)
        .bind(id)
        .execute(store.pool())
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// (id, name, created, revoked) of every key.
pub async fn list_keys(store: &Store) -> Result<Vec<(i64, String, i64, Option<i64>)>, AppError> {
    Ok(sqlx::query_as("SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id")
        .fetch_all(store.pool())
        .await?)
}

/// The live key's (id, name), if the key is known and not revoked.
async fn key_of(store: &Store, key: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    if key.is_empty() || key.len() > 200 {
        return Ok(None);
    }
    sqlx::query_as("SELECT id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(crate::security::sha256_hex(key))
        .fetch_optional(store.pool())
        .await
}

/// Counts a POST against the key's minute; false once over the limit.
async fn within_rate(store: &Store, key: i64, now: i64) -> Result<bool, sqlx::Error> {
    let minute = now.div_euclid(60_000);
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO api_key_usage (key_id, minute, posts) VALUES ($1, $2, 1) \
         ON CONFLICT (key_id, minute) DO UPDATE SET posts = api_key_usage.posts + 1 RETURNING posts",
    )
    .bind(key)
    .bind(minute)
    .fetch_one(store.pool())
    .await?;
    Ok(n <= posts_per_minute())
}

// ---- Jurisdictions and services ------------------------------------------------------------

async fn jurisdiction(store: &Store, code: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name_zh FROM regions WHERE code = $1 AND level = 'community'")
        .bind(code.trim())
        .fetch_optional(store.pool())
        .await
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: i64,
    code: String,
    family: crate::affairs::Family,
    name_zh: String,
    description_zh: String,
    keywords: String,
    mode: Mode,
    response_hours: i64,
    completion_hours: i64,
}

const SERVICE_COLUMNS: &str =
    "id, code, family, name_zh, description_zh, keywords, mode, response_hours, completion_hours";

fn service_node(s: &ServiceRow) -> Node {
    let group = crate::i18n::Lang::Zh.t(s.family.label()).to_string();
    Node::Object(vec![
        ("service_code", Node::text(&s.code)),
        ("service_name", Node::text(&s.name_zh)),
        ("description", Node::text(&s.description_zh)),
        ("metadata", Node::Bool(true)),
        // Each request becomes a work item at once, with its id in the answer.
        ("type", Node::text("realtime")),
        ("keywords", Node::text(s.keywords.split_whitespace().collect::<Vec<_>>().join(", "))),
        ("group", Node::text(group)),
    ])
}

fn value(key: &str, name: &str) -> Node {
    Node::Object(vec![("key", Node::text(key)), ("name", Node::text(name))])
}

#[allow(clippy::too_many_arguments)]
fn attribute(code: &str, datatype: &str, required: bool, order: i64, description: &str, values: Vec<Node>) -> Node {
    Node::Object(vec![
        ("variable", Node::Bool(true)),
        ("code", Node::text(code)),
        ("datatype", Node::text(datatype)),
        ("required", Node::Bool(required)),
        ("datatype_description", Node::text(if values.is_empty() { "" } else { "选择一项 Choose one" })),
        ("order", Node::Int(order)),
        ("description", Node::text(description)),
        ("values", Node::List { item: "value", items: values }),
    ])
}

// ---- Requests ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RequestRow {
    demand_id: i64,
    item_id: i64,
    state: State,
    triage: String,
    description: String,
    service_code: Option<String>,
    service_name: Option<String>,
    community_zh: String,
    building_code: Option<String>,
    building_zh: Option<String>,
    respond_by: i64,
    complete_by: i64,
    created_at: i64,
    updated_at: i64,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
}

/// Only public demands (a private one is the resident's and the station's alone), and
/// only what the public page shows: no names, no phones, no home, no case notes.
const REQUEST_SELECT: &str = "SELECT d.id AS demand_id, w.id AS item_id, w.state, w.triage, d.description, \
     a.code AS service_code, a.name_zh AS service_name, c.name_zh AS community_zh, b.code AS building_code, \
     b.name_zh AS building_zh, w.respond_by, w.complete_by, d.created_at, w.updated_at, o.lat, o.long, o.media_url \
     FROM demands d JOIN work_items w ON w.demand_id = d.id JOIN regions c ON c.id = d.community_id \
     LEFT JOIN affairs a ON a.id = d.affair_id LEFT JOIN buildings b ON b.id = d.building_id \
     LEFT JOIN open311_requests o ON o.demand_id = d.id \
     WHERE d.visibility = 'public' AND w.kind = 'demand' AND d.place <> 'home'";

fn notice(triage: &str, respond_by: i64) -> String {
    let how = if triage == "immediate" { "即办 handled at once" } else { "转办 transferred" };
    format!("{how}; 响应时限 response by {}", rules::w3c(respond_by))
}

/// The answer for each row, with three queries for all of them (not three per row): who is
/// responsible (the departments whistled, else the latest partner, else the station) and
/// the latest public word on it (a reply, or a note given with a change of state).
async fn request_nodes(store: &Store, rows: &[RequestRow]) -> Result<Vec<Node>, sqlx::Error> {
    use std::collections::HashMap;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Ids from the database, so inlining them is safe.
    let ids = rows.iter().map(|r| r.item_id.to_string()).collect::<Vec<_>>().join(",");
    let whistled: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT DISTINCT h.work_item_id, p.name_zh FROM whistles h JOIN departments p ON p.id = h.department_id \
         WHERE h.work_item_id IN ({ids}) ORDER BY h.work_item_id, p.name_zh"
    ))
    .fetch_all(store.pool())
    .await?;
    let handed: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT h.work_item_id, p.name_zh FROM handoffs h JOIN partners p ON p.id = h.partner_id \
         WHERE h.work_item_id IN ({ids}) ORDER BY h.id"
    ))
    .fetch_all(store.pool())
    .await?;
    let notes: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT work_item_id, note FROM work_events WHERE work_item_id IN ({ids}) AND public = 1 AND note <> '' ORDER BY id"
    ))
    .fetch_all(store.pool())
    .await?;
    let mut departments: HashMap<i64, Vec<String>> = HashMap::new();
    for (item, name) in whistled {
        departments.entry(item).or_default().push(name);
    }
    // Later rows overwrite earlier ones: the latest partner, the latest note.
    let partner: HashMap<i64, String> = handed.into_iter().collect();
    let note: HashMap<i64, String> = notes.into_iter().collect();
    Ok(rows
        .iter()
        .map(|r| {
            let agency = match departments.get(&r.item_id) {
                Some(d) => d.join("、"),
                None => partner.get(&r.item_id).cloned().unwrap_or_else(|| format!("{}服务站", r.community_zh)),
            };
            request_node(r, agency, note.get(&r.item_id).cloned())
        })
        .collect())
}

fn request_node(r: &RequestRow, agency: String, note: Option<String>) -> Node {
    let state = r.state;
    let state_label = crate::i18n::Lang::Zh.t(crate::work::state_label(state)).to_string();
    let status_notes = match note {
        Some(n) => format!("{state_label}：{n}"),
        None => state_label,
    };
    let address = match &r.building_zh {
        Some(b) => format!("{}{}", r.community_zh, b),
        None => format!("{}公共区域", r.community_zh),
    };
    Node::Object(vec![
        ("service_request_id", Node::text(r.demand_id.to_string())),
        ("status", Node::text(rules::status(state))),
        ("status_notes", Node::text(status_notes)),
        ("service_name", Node::opt_text(r.service_name.clone())),
        ("service_code", Node::opt_text(r.service_code.clone())),
        ("description", Node::text(&r.description)),
        ("agency_responsible", Node::text(agency)),
        ("service_notice", Node::text(notice(&r.triage, r.respond_by))),
        ("requested_datetime", Node::text(rules::w3c(r.created_at))),
        ("updated_datetime", Node::text(rules::w3c(r.updated_at))),
        ("expected_datetime", Node::text(rules::w3c(r.complete_by))),
        ("address", Node::text(address)),
        ("address_id", Node::opt_text(r.building_code.clone())),
        ("zipcode", Node::Null),
        ("lat", r.lat.map(Node::Float).unwrap_or(Node::Null)),
        ("long", r.long.map(Node::Float).unwrap_or(Node::Null)),
        ("media_url", Node::opt_text(r.media_url.clone())),
    ])
}

// ---- Handlers ------------------------------------------------------------------------------

/// `GET /open311/v2/{discovery|services|requests}.{xml|json}`.
pub async fn get_root(
    AxState(store): AxState<Store>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((name, format)) = format::split_file(&file) else { return not_found(&file) };
    let result = match name {
        "discovery" => return discovery(format),
        "services" => services(&store, format, &q).await,
        "requests" => requests(&store, format, &q).await,
        _ => return not_found(&file),
    };
    result.unwrap_or_else(|e| internal(format, e))
}

fn discovery(format: Format) -> Response {
    let endpoint = |url: &str, kind: &str| {
        Node::Object(vec![
            ("specification", Node::text("http://wiki.open311.org/GeoReport_v2")),
            ("url", Node::text(url)),
            ("changeset", Node::text("2026-11-30T00:00:00+08:00")),
            ("type", Node::text(kind)),
            (
                "formats",
                Node::List { item: "format", items: vec![Node::text("text/xml"), Node::text("application/json")] },
            ),
        ])
    };
    let node = Node::Object(vec![
        ("changeset", Node::text("2026-11-30T00:00:00+08:00")),
        ("contact", Node::text("社区服务站 Community service station: see /services")),
        ("key_service", Node::text("API keys are issued by the district admin (/station/open311)")),
        ("endpoints", Node::List { item: "endpoint", items: vec![endpoint("/open311/v2", "production")] }),
    ]);
    answer(format, "discovery", &node, StatusCode::OK)
}

/// The community named by the required `jurisdiction_id`, or the spec's error (400 when
/// missing: one endpoint serves many communities; 404 when unknown).
async fn required_jurisdiction(
    store: &Store,
    format: Format,
    q: &HashMap<String, String>,
) -> Result<Result<i64, Response>, sqlx::Error> {
    let Some(code) = q.get("jurisdiction_id").filter(|c| !c.trim().is_empty()) else {
        return Ok(Err(error(
            format,
            StatusCode::BAD_REQUEST,
            "jurisdiction_id is required: this endpoint serves many communities",
        )));
    };
    Ok(match jurisdiction(store, code).await? {
        Some((community, _)) => Ok(community),
        None => Err(error(format, StatusCode::NOT_FOUND, "jurisdiction_id not found")),
    })
}

async fn services(store: &Store, format: Format, q: &HashMap<String, String>) -> Result<Response, sqlx::Error> {
    let community = match required_jurisdiction(store, format, q).await? {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let rows: Vec<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} FROM affairs WHERE community_id = $1 AND retired_at IS NULL ORDER BY family, code"
    ))
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    let node = Node::List { item: "service", items: rows.iter().map(service_node).collect() };
    Ok(answer(format, "services", &node, StatusCode::OK))
}

/// `GET /open311/v2/services/{service_code}.{fmt}`: the service definition.
pub async fn get_service(
    AxState(store): AxState<Store>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((code, format)) = format::split_file(&file) else { return not_found(&file) };
    service_definition(&store, code, format, &q).await.unwrap_or_else(|e| internal(format, e))
}

async fn service_definition(
    store: &Store,
    code: &str,
    format: Format,
    q: &HashMap<String, String>,
) -> Result<Response, sqlx::Error> {
    let community = match required_jurisdiction(store, format, q).await? {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let found: Option<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} FROM affairs WHERE community_id = $1 AND code = $2 AND retired_at IS NULL"
    ))
    .bind(community)
    .bind(code)
    .fetch_optional(store.pool())
    .await?;
    let Some(_service) = found else {
        return Ok(error(format, StatusCode::NOT_FOUND, "service_code not found"));
    };
    let buildings: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name_zh FROM buildings WHERE community_id = $1 ORDER BY id")
            .bind(community)
            .fetch_all(store.pool())
            .await?;
    let node = Node::Object(vec![
        ("service_code", Node::text(code)),
        (
            "attributes",
            Node::List {
                item: "attribute",
                items: vec![
                    attribute(
                        "urgency",
                        "singlevaluelist",
                        true,
                        1,
                        "紧急程度 Urgency",
                        vec![value("normal", "一般 Normal"), value("emergency", "紧急 Emergency")],
                    ),
                    attribute(
                        "place",
                        "singlevaluelist",
                        false,
                        2,
                        "地点类型（默认公共区域） Kind of place (default: public area)",
                        vec![value("building", "楼内 In a building"), value("public_area", "公共区域 Public area")],
                    ),
                    attribute(
                        "building",
                        "singlevaluelist",
                        false,
                        3,
                        "楼栋（地点为楼内时必填；也可用 address_id） Building (required for place=building; address_id works too)",
                        buildings.iter().map(|(c, n)| value(c, n)).collect(),
                    ),
                    attribute("place_detail", "string", false, 4, "具体位置，如“东门北侧” Where exactly", Vec::new()),
                ],
            },
        ),
    ]);
    Ok(answer(format, "service_definition", &node, StatusCode::OK))
}

async fn requests(store: &Store, format: Format, q: &HashMap<String, String>) -> Result<Response, sqlx::Error> {
    let community = match required_jurisdiction(store, format, q).await? {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let date = |k: &str| -> Result<Option<i64>, ()> {
        match q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => rules::parse_datetime(s).map(Some).ok_or(()),
        }
    };
    let (Ok(start), Ok(end)) = (date("start_date"), date("end_date")) else {
        return Ok(error(format, StatusCode::BAD_REQUEST, "start_date and end_date must be W3C date-times"));
    };
    let now = Millis::now().0;
    let mut sql = format!("{REQUEST_SELECT} AND d.community_id = $1");
    let mut ids: Vec<i64> = Vec::new();
    if let Some(list) = q.get("service_request_id").filter(|s| !s.trim().is_empty()) {
        for part in list.split(',') {
            match part.trim().parse::<i64>() {
                Ok(id) if ids.len() < 100 => ids.push(id),
                _ => {
                    return Ok(error(
                        format,
                        StatusCode::BAD_REQUEST,
                        "service_request_id must be a comma list of at most 100 ids",
                    ))
                }
            }
        }
    }
    // With ids, the other filters are ignored (as the spec says); else the window applies.
    let (from, to) = rules::window(start, end, now);
    if ids.is_empty() {
        sql.push_str(" AND d.created_at >= $2 AND d.created_at < $3");
    } else {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        sql.push_str(&format!(" AND d.id IN ({list}) AND $2 = $2 AND $3 = $3"));
    }
    let service = q.get("service_code").map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && ids.is_empty());
    if service.is_some() {
        sql.push_str(" AND a.code = $4");
    }
    let status = q.get("status").map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && ids.is_empty());
    match status.as_deref() {
        None => {}
        Some("open") => sql.push_str(" AND w.state NOT IN ('resolved', 'closed', 'withdrawn')"),
        Some("closed") => sql.push_str(" AND w.state IN ('resolved', 'closed', 'withdrawn')"),
        Some(_) => return Ok(error(format, StatusCode::BAD_REQUEST, "status is open or closed")),
    }
    sql.push_str(&format!(" ORDER BY d.created_at DESC LIMIT {}", rules::MAX_RESULTS));
    let mut query = sqlx::query_as::<_, RequestRow>(&sql).bind(community).bind(from).bind(to);
    if let Some(s) = &service {
        query = query.bind(s.clone());
    }
    let rows = query.fetch_all(store.pool()).await?;
    let items = request_nodes(store, &rows).await?;
    Ok(answer(format, "service_requests", &Node::List { item: "request", items }, StatusCode::OK))
}

/// `GET /open311/v2/requests/{service_request_id}.{fmt}`.
pub async fn get_request(
    AxState(store): AxState<Store>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((id, format)) = format::split_file(&file) else { return not_found(&file) };
    let Ok(id) = id.parse::<i64>() else { return error(format, StatusCode::NOT_FOUND, "service_request_id not found") };
    let result = async {
        let mut sql = format!("{REQUEST_SELECT} AND d.id = $1");
        let community = match q.get("jurisdiction_id").filter(|c| !c.trim().is_empty()) {
            Some(j) => match jurisdiction(&store, j).await? {
                Some((c, _)) => Some(c),
                None => return Ok(error(format, StatusCode::NOT_FOUND, "jurisdiction_id not found")),
            },
            None => None,
        };
        if community.is_some() {
            sql.push_str(" AND d.community_id = $2");
        }
        let mut query = sqlx::query_as::<_, RequestRow>(&sql).bind(id);
        if let Some(c) = community {
            query = query.bind(c);
        }
        match query.fetch_optional(store.pool()).await? {
            Some(r) => {
                let node =
                    Node::List { item: "request", items: request_nodes(&store, std::slice::from_ref(&r)).await? };
                Ok(answer(format, "service_requests", &node, StatusCode::OK))
            }
            None => Ok(error(format, StatusCode::NOT_FOUND, "service_request_id not found")),
        }
    }
    .await;
    result.unwrap_or_else(|e: sqlx::Error| internal(format, e))
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: ids are returned at once, but a client that
/// follows the token still finds its request.
pub async fn get_token(AxState(store): AxState<Store>, Path(file): Path<String>) -> Response {
    let Some((token, format)) = format::split_file(&file) else { return not_found(&file) };
    let found: Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT demand_id FROM open311_requests WHERE token = $1")
            .bind(token)
            .fetch_optional(store.pool())
            .await;
    match found {
        Ok(Some(id)) => {
            let node = Node::List {
                item: "request",
                items: vec![Node::Object(vec![
                    ("service_request_id", Node::text(id.to_string())),
                    ("token", Node::text(token)),
                ])],
            };
            answer(format, "service_requests", &node, StatusCode::OK)
        }
        Ok(None) => error(format, StatusCode::NOT_FOUND, "token not found"),
        Err(e) => internal(format, e),
    }
}

/// `POST /open311/v2/requests.{fmt}` (`application/x-www-form-urlencoded`).
pub async fn post_request(
    AxState(store): AxState<Store>,
    AxState(config): AxState<AppConfig>,
    Path(file): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Some(("requests", format)) = format::split_file(&file) else { return not_found(&file) };
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return error(format, StatusCode::BAD_REQUEST, "the body must be application/x-www-form-urlencoded");
    };
    let key = pairs.iter().find(|(k, _)| k == "api_key").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let now = Millis::now().0;
    let result = async {
        let Some((key_id, key_name)) = key_of(&store, &key).await? else {
            return Ok(error(format, StatusCode::FORBIDDEN, "api_key is missing, unknown or revoked"));
        };
        if !within_rate(&store, key_id, now).await? {
            return Ok(error(
                format,
                StatusCode::TOO_MANY_REQUESTS,
                &format!("at most {} requests a minute per api_key", posts_per_minute()),
            ));
        }
        let form = match rules::parse_request(&pairs) {
            Ok(f) => f,
            Err(why) => return Ok(error(format, StatusCode::BAD_REQUEST, &why)),
        };
        create(&store, &config, format, key_id, &key_name, &form, now).await
    }
    .await;
    result.unwrap_or_else(|e: sqlx::Error| internal(format, e))
}

/// The demand and its work item, as the app makes them (triage, deadlines, routing, first
/// event), filed by the client system's account in the community, and marked open311.
async fn create(
    store: &Store,
    config: &AppConfig,
    format: Format,
    key_id: i64,
    key_name: &str,
    f: &RequestForm,
    now: i64,
) -> Result<Response, sqlx::Error> {
    let bad = |why: &str| Ok(error(format, StatusCode::BAD_REQUEST, why));
    let Some((community, _)) = jurisdiction(store, &f.jurisdiction_id).await? else {
        return Ok(error(format, StatusCode::NOT_FOUND, "jurisdiction_id not found"));
    };
    let service: Option<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} FROM affairs WHERE community_id = $1 AND code = $2 AND retired_at IS NULL"
    ))
    .bind(community)
    .bind(&f.service_code)
    .fetch_optional(store.pool())
    .await?;
    let Some(service) = service else { return Ok(error(format, StatusCode::NOT_FOUND, "service_code not found")) };
    let one = |code: &str| form_attribute(f, code);
    let urgency = match one("urgency") {
        "normal" => Urgency::Normal,
        "emergency" => Urgency::Emergency,
        "" => return bad("attribute[urgency] is required: normal or emergency"),
        _ => return bad("attribute[urgency] must be normal or emergency"),
    };
    let (place, building, detail) = match location(store, community, f).await? {
        Ok(l) => l,
        Err(why) => return bad(why),
    };
    let description = if f.description.is_empty() { service.name_zh.clone() } else { f.description.clone() };

    // A retried POST (same key, same content, within ten minutes) is the same request.
    let fingerprint = fingerprint(f, &description);
    let account = crate::auth::server::system_account(store, key_id, key_name, community).await?;
    let earlier: Option<(i64, String)> = sqlx::query_as(
        "SELECT d.id, o.token FROM demands d JOIN open311_requests o ON o.demand_id = d.id \
         WHERE d.filed_by_id = $1 AND o.fingerprint = $2 AND d.created_at > $3 ORDER BY d.id DESC LIMIT 1",
    )
    .bind(account)
    .bind(&fingerprint)
    .bind(now - 10 * 60_000)
    .fetch_optional(store.pool())
    .await?;
    let (demand, token, respond_by, triage) = match earlier {
        Some((d, token)) => {
            let (respond_by, triage): (i64, String) =
                sqlx::query_as("SELECT respond_by, triage FROM work_items WHERE demand_id = $1")
                    .bind(d)
                    .fetch_one(store.pool())
                    .await?;
            (d, token, respond_by, triage)
        }
        None => {
            let token = crate::security::new_token()[..24].to_string();
            let key = IdempotencyKey::internal(format!("open311-{token}"));
            let mut case = NewCase::new(
                community,
                account,
                account,
                Channel::Open311,
                ItemKind::Demand,
                description,
                place,
                key,
                now,
            );
            case.affair = Some(service.id);
            case.mode = Some(service.mode);
            case.limits = Some(AffairLimits {
                response_hours: service.response_hours,
                completion_hours: service.completion_hours,
            });
            case.building_id = building;
            case.place_detail = detail;
            case.urgency = urgency;
            // The API carries public-space reports: what comes in through it is public.
            case.visibility = Visibility::Public;
            case.note = format!("Open311: {key_name}");
            case.policy = Some(config.deadlines);
            let filed = file(store, case, key_id, &token, &fingerprint, f, now).await?;
            let (respond_by, triage): (i64, String) =
                sqlx::query_as("SELECT respond_by, triage FROM work_items WHERE id = $1")
                    .bind(filed.item)
                    .fetch_one(store.pool())
                    .await?;
            (filed.demand, token, respond_by, triage)
        }
    };
    let node = Node::List {
        item: "request",
        items: vec![Node::Object(vec![
            ("service_request_id", Node::text(demand.to_string())),
            ("token", Node::text(token)),
            ("service_notice", Node::text(notice(&triage, respond_by))),
            ("account_id", Node::opt_text(Some(f.account_id.clone()).filter(|a| !a.is_empty()))),
        ])],
    };
    Ok(answer(format, "service_requests", &node, StatusCode::CREATED))
}

/// The last value given for an attribute (`attribute[code]`), or "".
fn form_attribute<'a>(f: &'a RequestForm, code: &str) -> &'a str {
    f.attributes.get(code).and_then(|v| v.last()).map(|s| s.as_str()).unwrap_or("")
}

/// Where it is: (place, building, detail), or what is wrong with the location.
async fn location(
    store: &Store,
    community: i64,
    f: &RequestForm,
) -> Result<Result<(Place, Option<i64>, String), &'static str>, sqlx::Error> {
    let one = |code: &str| form_attribute(f, code);
    let building_code =
        Some(one("building")).filter(|b| !b.is_empty()).or(Some(f.address_id.as_str()).filter(|b| !b.is_empty()));
    let building: Option<i64> = match building_code {
        Some(code) => {
            let b: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE community_id = $1 AND code = $2")
                .bind(community)
                .bind(code)
                .fetch_optional(store.pool())
                .await?;
            if b.is_none() {
                return Ok(Err("attribute[building] / address_id is not a building of this jurisdiction"));
            }
            b
        }
        None => None,
    };
    let place = match (one("place"), building) {
        ("building", Some(_)) => Place::Building,
        ("building", None) => return Ok(Err("attribute[place]=building needs attribute[building] or address_id")),
        ("" | "public_area", _) => Place::PublicArea,
        _ => return Ok(Err("attribute[place] must be building or public_area")),
    };
    let detail = [one("place_detail"), f.address_string.as_str()]
        .into_iter()
        .find(|s| !s.is_empty())
        .map(|s| s.chars().take(100).collect::<String>())
        .or_else(|| f.lat.zip(f.long).map(|(la, lo)| format!("{la:.5},{lo:.5}")))
        .unwrap_or_default();
    if rules::has_html(&detail) {
        return Ok(Err("attribute[place_detail] must be plain text"));
    }
    Ok(Ok((place, building, detail)))
}

/// What makes two POSTs the same request.
fn fingerprint(f: &RequestForm, description: &str) -> String {
    let mut parts: Vec<String> = [
        &f.jurisdiction_id,
        &f.service_code,
        description,
        &f.address_string,
        &f.address_id,
        &f.account_id,
        &f.device_id,
        &f.email,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    parts.push(format!("{:?}{:?}{:?}", f.lat, f.long, f.attributes));
    crate::security::sha256_hex(&parts.join("\u{1f}"))[..32].to_string()
}

/// Files the case and keeps the caller's side of it (contact, location, token) beside it.
async fn file(
    store: &Store,
    case: NewCase,
    key_id: i64,
    token: &str,
    fingerprint: &str,
    f: &RequestForm,
    now: i64,
) -> Result<Filed, sqlx::Error> {
    let work_item = |_: AppError| sqlx::Error::Protocol("work item".into());
    let mut w = WorkTx::begin(store).await.map_err(work_item)?;
    let filed =
        file_case(&mut w, case).await.map_err(work_item)?.ok_or_else(|| sqlx::Error::Protocol("work item".into()))?;
    sqlx::query(
        "INSERT INTO open311_requests (demand_id, key_id, token, fingerprint, lat, long, address_string, address_id, \
         media_url, email, device_id, account_id, first_name, last_name, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(filed.demand)
    .bind(key_id)
    .bind(token)
    .bind(fingerprint)
    .bind(f.lat)
    .bind(f.long)
    .bind(&f.address_string)
    .bind(&f.address_id)
    .bind(Some(f.media_url.clone()).filter(|m| !m.is_empty()))
    .bind(&f.email)
    .bind(&f.device_id)
    .bind(&f.account_id)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(&f.phone)
    .bind(now)
    .execute(&mut **w.tx())
    .await?;
    w.commit(store).await.map_err(work_item)?;
    Ok(filed)
}
