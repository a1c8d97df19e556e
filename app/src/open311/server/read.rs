//! GET: discovery, services and their definitions, requests (public ones only), tokens.

use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct ServiceRow {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) family: crate::affairs::Family,
    pub(super) name_zh: String,
    pub(super) description_zh: String,
    pub(super) keywords: String,
    pub(super) mode: Mode,
    pub(super) response_hours: i64,
    pub(super) completion_hours: i64,
}

pub(super) const SERVICE_COLUMNS: &str =
    "id, code, family, name_zh, description_zh, keywords, mode, response_hours, completion_hours";

pub(super) fn service_node(s: &ServiceRow) -> Node {
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

pub(super) fn value(key: &str, name: &str) -> Node {
    Node::Object(vec![("key", Node::text(key)), ("name", Node::text(name))])
}

#[allow(clippy::too_many_arguments)]
pub(super) fn attribute(
    code: &str,
    datatype: &str,
    required: bool,
    order: i64,
    description: &str,
    values: Vec<Node>,
) -> Node {
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

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
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
pub(super) const REQUEST_SELECT: &str = "SELECT d.id AS demand_id, w.id AS item_id, w.state, w.triage, d.description, \
     a.code AS service_code, a.name_zh AS service_name, c.name_zh AS community_zh, b.code AS building_code, \
     b.name_zh AS building_zh, w.respond_by, w.complete_by, d.created_at, w.updated_at, o.lat, o.long, o.media_url \
     FROM demands d JOIN work_items w ON w.demand_id = d.id JOIN regions c ON c.id = d.community_id \
     LEFT JOIN affairs a ON a.id = d.affair_id LEFT JOIN buildings b ON b.id = d.building_id \
     LEFT JOIN open311_requests o ON o.demand_id = d.id \
     WHERE d.visibility = 'public' AND w.kind = 'demand' AND d.place <> 'home'";

pub(super) fn notice(triage: &str, respond_by: i64) -> String {
    let how = if triage == "immediate" { "即办 handled at once" } else { "转办 transferred" };
    format!("{how}; 响应时限 response by {}", rules::w3c(respond_by))
}

/// The answer for each row, with three queries for all of them (not three per row): who is
/// responsible (the departments whistled, else the latest partner, else the station) and
/// the latest public word on it (a reply, or a note given with a change of state).
pub(super) async fn request_nodes(store: &Store, rows: &[RequestRow]) -> Result<Vec<Node>, sqlx::Error> {
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
    .persistent(false)
    .fetch_all(store.pool())
    .await?;
    let handed: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT h.work_item_id, p.name_zh FROM handoffs h JOIN partners p ON p.id = h.partner_id \
         WHERE h.work_item_id IN ({ids}) ORDER BY h.id"
    ))
    .persistent(false)
    .fetch_all(store.pool())
    .await?;
    // Only the latest public note of each item travels from the database.
    let notes: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT work_item_id, note FROM work_events WHERE id IN (SELECT MAX(id) FROM work_events \
         WHERE work_item_id IN ({ids}) AND public = 1 AND note <> '' GROUP BY work_item_id)"
    ))
    .persistent(false)
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

pub(super) fn request_node(r: &RequestRow, agency: String, note: Option<String>) -> Node {
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

/// `GET /open311/v2/{discovery|services|requests}.{xml|json}`.
pub async fn get_root(
    AxState(store): AxState<Store>,
    AxState(config): AxState<AppConfig>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((name, format)) = format::split_file(&file) else { return not_found(&file) };
    if name == "discovery" {
        return discovery(format, config.open311_default_jurisdiction.as_deref());
    }
    let q = with_default_jurisdiction(q, &config);
    if !matches!(name, "services" | "requests") {
        return not_found(&file);
    }
    let community = match community_of(&store, format, &q).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let result = match name {
        "services" => services(&store, format, community).await,
        _ => requests(&store, format, community, &q).await,
    };
    result.unwrap_or_else(|e| internal(format, e))
}

pub(super) fn discovery(format: Format, default_jurisdiction: Option<&str>) -> Response {
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
    // The spec has no field for it: the contact line says which community a call without
    // `jurisdiction_id` is for, or that every call needs one.
    let contact = match default_jurisdiction {
        Some(j) => format!("社区服务站 Community service station: see /services. jurisdiction_id defaults to {j}"),
        None => "社区服务站 Community service station: see /services. jurisdiction_id is required".to_string(),
    };
    let node = Node::Object(vec![
        ("changeset", Node::text("2026-11-30T00:00:00+08:00")),
        ("contact", Node::text(&contact)),
        ("key_service", Node::text("API keys are issued by the district admin (/station/open311)")),
        ("endpoints", Node::List { item: "endpoint", items: vec![endpoint("/open311/v2", "production")] }),
    ]);
    answer(format, "discovery", &node, StatusCode::OK)
}

/// A call without `jurisdiction_id` is for the deployment's default community, if it has
/// one (`OPEN311_DEFAULT_JURISDICTION`; discovery says so).
pub(super) fn with_default_jurisdiction(mut q: HashMap<String, String>, config: &AppConfig) -> HashMap<String, String> {
    if let Some(default) = &config.open311_default_jurisdiction {
        let given = q.get("jurisdiction_id").is_some_and(|j| !j.trim().is_empty());
        if !given {
            q.insert("jurisdiction_id".into(), default.clone());
        }
    }
    q
}

/// The community named by the required `jurisdiction_id`, or the spec's error (400 when
/// missing: one endpoint serves many communities; 404 when unknown).
pub(super) async fn required_jurisdiction(
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

/// The community of the call, or the answer that refuses it (a database error included).
async fn community_of(store: &Store, format: Format, q: &HashMap<String, String>) -> Result<i64, Response> {
    match required_jurisdiction(store, format, q).await {
        Ok(found) => found,
        Err(e) => Err(internal(format, e)),
    }
}

pub(super) async fn services(store: &Store, format: Format, community: i64) -> Result<Response, sqlx::Error> {
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
    AxState(config): AxState<AppConfig>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((code, format)) = format::split_file(&file) else { return not_found(&file) };
    let q = with_default_jurisdiction(q, &config);
    let community = match community_of(&store, format, &q).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    service_definition(&store, code, format, community).await.unwrap_or_else(|e| internal(format, e))
}

pub(super) async fn service_definition(
    store: &Store,
    code: &str,
    format: Format,
    community: i64,
) -> Result<Response, sqlx::Error> {
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

pub(super) async fn requests(
    store: &Store,
    format: Format,
    community: i64,
    q: &HashMap<String, String>,
) -> Result<Response, sqlx::Error> {
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
    // With ids written into it the statement is one of a kind: not kept prepared.
    let mut query =
        sqlx::query_as::<_, RequestRow>(&sql).persistent(ids.is_empty()).bind(community).bind(from).bind(to);
    if let Some(s) = &service {
        query = query.bind(s.clone());
    }
    // A list holds up to 1,000 rows and their document in memory while it is built: a few
    // at a time, the others wait their turn, so a burst of clients cannot swell the
    // process (the work is the same; 2 cores do it no faster all at once).
    static BUILDING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
    let _turn = BUILDING.acquire().await;
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
