//! POST requests: a demand and its work item, filed like any other case.

use super::keys::{key_of, posts_per_minute, within_rate};
use super::read::{notice, ServiceRow, SERVICE_COLUMNS};
use super::*;

/// `POST /open311/v2/requests.{fmt}` (`application/x-www-form-urlencoded`).
pub async fn post_request(
    AxState(store): AxState<Store>,
    AxState(config): AxState<AppConfig>,
    Path(file): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let Some(("requests", format)) = format::split_file(&file) else { return not_found(&file) };
    let Ok(mut pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return error(format, StatusCode::BAD_REQUEST, "the body must be application/x-www-form-urlencoded");
    };
    // Older clients send the key and the jurisdiction in the query string; the body wins.
    let in_query =
        serde_urlencoded::from_str::<Vec<(String, String)>>(query.as_deref().unwrap_or("")).unwrap_or_default();
    for name in ["api_key", "jurisdiction_id"] {
        let given = pairs.iter().any(|(k, v)| k == name && !v.trim().is_empty());
        if let Some(pair) = in_query.iter().find(|(k, _)| k == name).filter(|_| !given) {
            pairs.push(pair.clone());
        }
    }
    if let Some(default) = &config.open311_default_jurisdiction {
        if !pairs.iter().any(|(k, v)| k == "jurisdiction_id" && !v.trim().is_empty()) {
            pairs.push(("jurisdiction_id".into(), default.clone()));
        }
    }
    let key = pairs.iter().find(|(k, _)| k == "api_key").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let now = Millis::now().0;
    let result = async {
        let Some((key_id, key_name, key_region)) = key_of(&store, &key).await? else {
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
        create(&store, &config, format, (key_id, &key_name, key_region), &form, now).await
    }
    .await;
    result.unwrap_or_else(|e: sqlx::Error| internal(format, e))
}

/// The demand and its work item, as the app makes them (triage, deadlines, routing, first
/// event), filed by the client system's account in the community, and marked open311.
pub(super) async fn create(
    store: &Store,
    config: &AppConfig,
    format: Format,
    (key_id, key_name, key_region): (i64, &str, Option<i64>),
    f: &RequestForm,
    now: i64,
) -> Result<Response, sqlx::Error> {
    let bad = |why: &str| Ok(error(format, StatusCode::BAD_REQUEST, why));
    let Some((community, _)) = jurisdiction(store, &f.jurisdiction_id).await? else {
        return Ok(error(format, StatusCode::NOT_FOUND, "jurisdiction_id not found"));
    };
    // A key files into its own region only: the community, its subdistrict or its district.
    if let Some(region) = key_region {
        let inside: Option<i64> = sqlx::query_scalar(
            "SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id \
             WHERE c.id = $1 AND $2 IN (c.id, s.id, s.parent_id)",
        )
        .bind(community)
        .bind(region)
        .fetch_optional(store.pool())
        .await?;
        if inside.is_none() {
            return Ok(error(format, StatusCode::FORBIDDEN, "this api_key may not file into that jurisdiction_id"));
        }
    }
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
    let (demand, token) = match earlier(store, account, &fingerprint, now).await? {
        Some(found) => found,
        None => {
            let token = crate::security::new_token()[..24].to_string();
            let key = IdempotencyKey::internal(format!("open311-{token}"));
            let kind = ItemKind::Demand;
            let mut case =
                NewCase::new(community, account, account, Channel::Open311, kind, description, place, key, now);
            case.affair = Some(service.id);
            case.mode = Some(service.mode);
            let (response_hours, completion_hours) = (service.response_hours, service.completion_hours);
            case.limits = Some(AffairLimits { response_hours, completion_hours });
            case.building_id = building;
            case.place_detail = detail;
            case.urgency = urgency;
            // The API carries public-space reports: what comes in through it is public.
            case.visibility = Visibility::Public;
            case.note = format!("Open311: {key_name}");
            case.policy = Some(config.deadlines);
            (file(store, case, key_id, &token, &fingerprint, f, now).await?.demand, token)
        }
    };
    let (respond_by, triage): (i64, String) =
        sqlx::query_as("SELECT respond_by, triage FROM work_items WHERE demand_id = $1")
            .bind(demand)
            .fetch_one(store.pool())
            .await?;
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

/// The request this system's account posted with the same content in the last ten
/// minutes: (demand, token).
async fn earlier(
    store: &Store,
    account: i64,
    fingerprint: &str,
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        // Found by its fingerprint (a handful of rows): `+` keeps SQLite from walking all of
        // the account's demands by (filed_by_id, id) instead.
        "SELECT d.id, o.token FROM open311_requests o JOIN demands d ON d.id = o.demand_id \
         WHERE o.fingerprint = $2 AND +d.filed_by_id = $1 AND d.created_at > $3 ORDER BY o.demand_id DESC LIMIT 1",
    )
    .bind(account)
    .bind(fingerprint)
    .bind(now - 10 * 60_000)
    .fetch_optional(store.pool())
    .await
}

/// The last value given for an attribute (`attribute[code]`), or "".
pub(super) fn form_attribute<'a>(f: &'a RequestForm, code: &str) -> &'a str {
    f.attributes.get(code).and_then(|v| v.last()).map(|s| s.as_str()).unwrap_or("")
}

/// Where it is: (place, building, detail), or what is wrong with the location.
pub(super) async fn location(
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
pub(super) fn fingerprint(f: &RequestForm, description: &str) -> String {
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
pub(super) async fn file(
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
