//! Open311 GeoReport v2 over HTTP (`TEST_BACKEND` picks the backend), in both formats: every
//! endpoint, keys, filters, the spec's errors, and privacy (no private demand, no personal
//! field, in any answer).

mod common;
use common::*;

const FIRST_NAME: &str = "赵铁柱";
const CALLER_PHONE: &str = "13912345678";
const CALLER_EMAIL: &str = "caller@example.cn";

fn new_key(db: &TestDb, name: &str) -> String {
    let out = cli(db, &["api-key", "add", name]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines().find_map(|l| l.strip_prefix("key: ")).expect("the key is printed once").trim().to_string()
}

/// Every answer body, checked for what must never leave: residents' and callers' details.
fn private_fields_absent(body: &str) {
    for secret in [FIRST_NAME, CALLER_PHONE, CALLER_EMAIL, "王秀兰", RESIDENT, "3号楼1单元", "private-marker"] {
        assert!(!body.contains(secret), "{secret} leaked in {body}");
    }
}

fn well_formed_xml(body: &str) {
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{body}");
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed XML: {e}\n{body}"),
        }
    }
    assert_eq!(depth, 0);
}

async fn get(server: &TestServer, path: &str) -> (u16, String, String) {
    let res = client().get(server.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = res.text().await.unwrap();
    private_fields_absent(&body);
    if path.contains(".xml") {
        assert!(ct.starts_with("text/xml"), "{ct}");
        well_formed_xml(&body);
    } else {
        assert!(ct.starts_with("application/json"), "{ct}");
        serde_json::from_str::<serde_json::Value>(&body).expect("JSON parses");
    }
    (status, ct, body)
}

async fn post(server: &TestServer, fmt: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = client().post(server.url(&format!("/open311/v2/requests.{fmt}"))).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    private_fields_absent(&body);
    if fmt == "xml" {
        well_formed_xml(&body);
    }
    (status, body)
}

fn report<'a>(key: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("jurisdiction_id", "qianggen"),
        ("service_code", "drain-manhole"),
        ("lat", "39.8865"),
        ("long", "116.3370"),
        ("address_string", "5号楼东侧"),
        ("attribute[urgency]", "normal"),
        ("description", description),
        ("first_name", FIRST_NAME),
        ("phone", CALLER_PHONE),
        ("email", CALLER_EMAIL),
        ("account_id", "hotline-42"),
    ]
}

#[tokio::test]
async fn discovery_services_and_definitions_in_both_formats() {
    let (_db, server) = seeded_or_skip!();
    for fmt in ["json", "xml"] {
        let (s, _, body) = get(&server, &format!("/open311/v2/discovery.{fmt}")).await;
        assert_eq!(s, 200);
        assert!(body.contains("http://wiki.open311.org/GeoReport_v2"));
        let (s, _, body) = get(&server, &format!("/open311/v2/services.{fmt}?jurisdiction_id=qianggen")).await;
        assert_eq!(s, 200);
        assert!(body.contains("drain-manhole") && body.contains("realtime"));
        let (s, _, body) =
            get(&server, &format!("/open311/v2/services/drain-manhole.{fmt}?jurisdiction_id=qianggen")).await;
        assert_eq!(s, 200);
        assert!(body.contains("singlevaluelist") && body.contains("emergency") && body.contains("b5"), "{body}");
        // The spec's errors: 400 without a jurisdiction, 404 for an unknown service.
        let (s, _, body) = get(&server, &format!("/open311/v2/services.{fmt}")).await;
        assert_eq!(s, 400);
        assert!(body.contains("jurisdiction_id"));
        let (s, _, body) =
            get(&server, &format!("/open311/v2/services/nothing-here.{fmt}?jurisdiction_id=qianggen")).await;
        assert_eq!(s, 404);
        if fmt == "json" {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v[0]["code"], 404);
            assert!(v[0]["description"].is_string());
        } else {
            assert!(body.contains("<errors>") && body.contains("<code>404</code>"));
        }
    }
    let v: serde_json::Value =
        serde_json::from_str(&get(&server, "/open311/v2/services.json?jurisdiction_id=qianggen").await.2).unwrap();
    let services = v.as_array().unwrap();
    assert!(services.len() >= 60, "one service per affair");
    for s in services {
        for field in ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"] {
            assert!(!s[field].is_null(), "{field} in {s}");
        }
    }
    let def: serde_json::Value =
        serde_json::from_str(&get(&server, "/open311/v2/services/drain-manhole.json?jurisdiction_id=qianggen").await.2)
            .unwrap();
    for a in def["attributes"].as_array().unwrap() {
        for field in ["variable", "code", "datatype", "required", "datatype_description", "order", "description"] {
            assert!(!a[field].is_null(), "{field} in {a}");
        }
    }
}

#[tokio::test]
async fn a_request_posted_through_open311_is_a_work_item_and_its_status_follows() {
    let (db, server) = seeded_or_skip!();
    let key = new_key(&db, "12345 热线");
    // No key, a wrong key, a revoked key: 403 in the spec's format.
    let (s, body) = post(&server, "json", &report("", "井盖松动")).await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(post(&server, "xml", &report("wrong", "井盖松动")).await.0, 403);
    let revoked = new_key(&db, "old system");
    let id = sql_i64(&db, "SELECT MAX(id) FROM api_keys").await.to_string();
    assert!(cli(&db, &["api-key", "revoke", &id]).status.success());
    assert_eq!(post(&server, "json", &report(&revoked, "井盖松动")).await.0, 403);
    // Bad input: 400 / 404, never 500, nothing stored.
    let mut bad = report(&key, "x");
    bad.retain(|(k, _)| !k.starts_with("attribute"));
    assert_eq!(post(&server, "json", &bad).await.0, 400);
    let mut unknown = report(&key, "x");
    unknown[2] = ("service_code", "no-such-service");
    assert_eq!(post(&server, "json", &unknown).await.0, 404);
    assert_eq!(post(&server, "json", &report(&key, "<script>alert(1)</script>")).await.0, 400);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM demands WHERE channel = 'open311'").await, 0);

    // Posted: a demand and its work item with triage, deadline and routing, like the app's.
    let (s, body) = post(&server, "json", &report(&key, "5号楼东侧井盖松动，踩上去会响")).await;
    assert_eq!(s, 201, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rid = v[0]["service_request_id"].as_str().unwrap().to_string();
    assert!(v[0]["service_notice"].as_str().unwrap().contains("+08:00"));
    assert_eq!(v[0]["account_id"], "hotline-42");
    let token = v[0]["token"].as_str().unwrap().to_string();
    // A retry is the same request.
    let (_, again) = post(&server, "json", &report(&key, "5号楼东侧井盖松动，踩上去会响")).await;
    assert!(again.contains(&format!("\"service_request_id\":\"{rid}\"")), "{again}");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM demands WHERE channel = 'open311'").await, 1);
    assert_eq!(
        sql_i64(&db, &format!("SELECT COUNT(*) FROM work_items WHERE demand_id = {rid} AND respond_by > created_at AND triage IN ('immediate', 'transfer')")).await,
        1
    );
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let board = call(&worker, &server, "station/board", &[]).await.text().await.unwrap();
    assert!(board.contains("5号楼东侧井盖松动"), "on the station board");
    // The station sees who sent it and how to reach the caller (phone masked).
    let staff = json(call(&worker, &server, "demands/one", &[("id", &rid)]).await).await;
    let source = staff["staff"]["open311_source"].as_str().unwrap().to_string();
    assert!(source.contains("12345 热线") && source.contains("139****5678") && source.contains(FIRST_NAME), "{source}");
    assert!(!source.contains(CALLER_PHONE));

    // Followed by id, by token, in a list; open, then closed with the station's note.
    for fmt in ["json", "xml"] {
        let (s, _, body) = get(&server, &format!("/open311/v2/requests/{rid}.{fmt}")).await;
        assert_eq!(s, 200);
        assert!(body.contains("open") && body.contains("39.8865"), "{body}");
        let (s, _, body) = get(&server, &format!("/open311/v2/tokens/{token}.{fmt}")).await;
        assert_eq!(s, 200);
        assert!(body.contains(&rid));
    }
    let item = sql_i64(&db, &format!("SELECT id FROM work_items WHERE demand_id = {rid}")).await.to_string();
    for (action, note) in [("accept", ""), ("resolve", "已更换井盖")] {
        let version = sql_i64(&db, &format!("SELECT version FROM work_items WHERE id = {item}")).await.to_string();
        let res = call(
            &worker,
            &server,
            "work/act",
            &[("item", &item), ("version", &version), ("action", action), ("note", note)],
        )
        .await;
        assert!(res.status().is_success() || res.status().is_redirection(), "{action}: {:?}", res.text().await);
    }
    let (_, _, body) = get(&server, &format!("/open311/v2/requests/{rid}.json")).await;
    let r: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(r[0]["status"], "closed", "{body}");
    assert!(r[0]["status_notes"].as_str().unwrap().contains("已更换井盖"));
    for field in ["requested_datetime", "updated_datetime", "expected_datetime"] {
        assert!(r[0][field].as_str().unwrap().ends_with("+08:00"), "{field}");
    }

    // Filters.
    let (_, second) = post(&server, "json", &report(&key, "2号楼前路灯不亮")).await;
    assert!(second.contains("service_request_id"));
    assert_eq!(list(&server, String::new()).await, 2);
    assert_eq!(list(&server, "&status=closed".into()).await, 1);
    assert_eq!(list(&server, "&status=open".into()).await, 1);
    assert_eq!(list(&server, format!("&service_request_id={rid}")).await, 1);
    assert_eq!(list(&server, "&service_code=residence-proof".into()).await, 0);
    assert_eq!(
        list(&server, "&start_date=2001-01-01T00:00:00%2B08:00&end_date=2001-02-01T00:00:00%2B08:00".into()).await,
        0
    );
    assert_eq!(get(&server, "/open311/v2/requests.json?jurisdiction_id=qianggen&start_date=yesterday").await.0, 400);
    assert_eq!(get(&server, "/open311/v2/requests.xml").await.0, 400);
    assert_eq!(get(&server, "/open311/v2/requests/999999.json").await.0, 404);
}

#[tokio::test]
async fn private_demands_and_personal_fields_never_appear() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let mut fields = demand_fields(&k, "drain-manhole", "private-marker 家里下水道堵了");
    fields.retain(|(n, _)| *n != "visibility");
    fields.push(("visibility", "private"));
    let private = demand_id(&post_demand(&resident, &server, &fields, vec![]).await);
    let (s, _, _) = get(&server, &format!("/open311/v2/requests/{private}.json")).await;
    assert_eq!(s, 404, "a private demand is not found");
    let (_, _, body) = get(&server, "/open311/v2/requests.xml?jurisdiction_id=qianggen").await;
    assert!(!body.contains(&format!("<service_request_id>{private}</service_request_id>")));
    // Shown to the community (chosen as such, or as "public" by a form from before the
    // choice existed, which promised the community) is not published: only "everyone" is.
    let mut posted = Vec::new();
    for (choice, marker) in
        [("community", "community-marker"), ("public", "legacy-marker"), ("everyone", "everyone-marker")]
    {
        let k = key();
        let text = format!("{marker} 3号楼门口路灯不亮");
        let mut fields = demand_fields(&k, "drain-manhole", &text);
        fields.retain(|(n, _)| *n != "visibility" && *n != "place");
        fields.extend([("visibility", choice), ("place", "public_area"), ("place_detail", "东门路灯")]);
        let r = post_demand(&resident, &server, &fields, vec![]).await;
        if r.status() != 200 {
            panic!("{choice}: {} {:?}", r.status(), r.text().await);
        }
        posted.push((choice, marker, demand_id(&r)));
    }
    for (choice, marker, id) in posted {
        let (s, _, _) = get(&server, &format!("/open311/v2/requests/{id}.json")).await;
        let listed: Vec<String> =
            ["json", "xml"].iter().map(|f| format!("/open311/v2/requests.{f}?jurisdiction_id=qianggen")).collect();
        let mut anywhere = false;
        for url in listed {
            anywhere |= get(&server, &url).await.2.contains(marker);
        }
        if choice == "everyone" {
            assert_eq!(s, 200, "published by choice");
            assert!(anywhere, "listed");
        } else {
            assert_eq!(s, 404, "{choice}: not found through Open311");
            assert!(!anywhere, "{choice}: in no list");
        }
    }
    // Rate limit per key: the 31st POST within a minute is refused, in the spec's format.
    let key = new_key(&db, "busy app");
    let mut refused = 0;
    for n in 0..31 {
        let d = format!("路灯 {n}");
        let (s, _) = post(&server, "json", &report(&key, &d)).await;
        if s == 429 {
            refused += 1;
        }
    }
    assert_eq!(refused, 1);
}

async fn list(server: &TestServer, q: String) -> usize {
    let (s, _, body) = get(server, &format!("/open311/v2/requests.json?jurisdiction_id=qianggen{q}")).await;
    assert_eq!(s, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap().as_array().unwrap().len()
}

#[tokio::test]
async fn admins_issue_keys_for_their_own_region_and_a_key_files_only_there() {
    let (db, server) = seeded_or_skip!();
    for phone in [SOCIAL_WORKER, STATIONMASTER, RESIDENT] {
        let c = logged_in(&server, phone).await;
        let form = [("name", "x"), ("scope", "1")];
        assert_eq!(call(&c, &server, "station/open311/keys/add", &form).await.status(), 403, "{phone}");
        assert_eq!(call(&c, &server, "station/open311/keys", &[]).await.status(), 403, "{phone}");
    }
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM api_keys").await, 0);
    // A subdistrict admin: keys for the subdistrict or one of its communities, nothing else.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let page = json(call(&sub, &server, "station/open311/keys", &[]).await).await;
    let scopes: Vec<(i64, String)> = page["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_i64().unwrap(), s[1].as_str().unwrap().to_string()))
        .collect();
    let qianggen = sql_i64(&db, "SELECT id FROM regions WHERE code = 'qianggen'").await;
    let hetaoyuan = sql_i64(&db, "SELECT id FROM regions WHERE code = 'hetaoyuan'").await;
    assert!(scopes.iter().any(|s| s.0 == qianggen));
    let district = sql_i64(&db, "SELECT id FROM regions WHERE level = 'district'").await.to_string();
    let refused = call(&sub, &server, "station/open311/keys/add", &[("name", "x"), ("scope", &district)]).await;
    assert_eq!(refused.status(), 422, "not above their own region");
    let res =
        call(&sub, &server, "station/open311/keys/add", &[("name", "强根热线"), ("scope", &qianggen.to_string())])
            .await;
    assert!(res.status().is_success());
    // The key goes to this browser once, in an HttpOnly cookie; never into a stored draft.
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("open311_key_flash="));
    let cookie = cookie.expect("the new key").to_string();
    assert!(cookie.contains("HttpOnly"));
    let key = cookie.strip_prefix("open311_key_flash=").unwrap().split(';').next().unwrap().to_string();
    assert_eq!(sql_i64(&db, &format!("SELECT COUNT(*) FROM form_drafts WHERE payload LIKE '%{key}%'")).await, 0);
    let page = json(call(&sub, &server, "station/open311/keys", &[]).await).await;
    assert_eq!(page["new_key"], key.as_str(), "shown once");
    let again = json(call(&sub, &server, "station/open311/keys", &[]).await).await;
    assert!(again["new_key"].is_null(), "and only once");
    // It files into Qianggen, not into Hetaoyuan (whatever its subdistrict).
    let (s, _) = post(&server, "json", &report(&key, "范围内")).await;
    assert_eq!(s, 201);
    let mut elsewhere = report(&key, "范围外");
    elsewhere[1] = ("jurisdiction_id", "hetaoyuan");
    let (s, body) = post(&server, "json", &elsewhere).await;
    let _ = hetaoyuan;
    assert_eq!(s, 403, "{body}");
    // The district admin sees and revokes every key; the key is never stored in clear.
    let admin = logged_in(&server, DISTRICT_ADMIN).await;
    let page = json(call(&admin, &server, "station/open311/keys", &[]).await).await;
    assert_eq!(page["keys"].as_array().unwrap().len(), 1);
    let id = page["keys"][0]["id"].as_i64().unwrap().to_string();
    assert!(call(&admin, &server, "station/open311/keys/revoke", &[("id", &id)]).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NOT NULL").await, 1);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM api_keys WHERE length(key_hash) = 64").await, 1);
}

/// A seeded station whose urban-management department runs its own Open311 system (a
/// second instance of this server on its own database).
async fn station_and_department(dept_url_override: Option<&str>) -> Option<(TestDb, TestServer, TestDb, TestServer)> {
    let dept_db = TestDb::create().await?;
    assert!(cli(&dept_db, &["seed-demo", "--without-history"]).status.success());
    let dept = TestServer::start(&dept_db, &[]);
    let key = new_key(&dept_db, "强根社区服务站");
    let db = TestDb::create().await?;
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let url = dept_url_override.map(str::to_string).unwrap_or_else(|| dept.url("/open311/v2"));
    let out = cli(
        &db,
        &[
            "api-key",
            "link",
            "--subdistrict",
            "guanganmenwai",
            "--department",
            "urban",
            "--url",
            &url,
            "--jurisdiction",
            "qianggen",
            "--key",
            &key,
            "--service",
            "drain-manhole",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let station = TestServer::start(&db, &[("JOBS_INTERVAL_SECONDS", "1"), ("OPEN311_POLL_SECONDS", "1")]);
    Some((db, station, dept_db, dept))
}

/// A resident's public demand, accepted and whistled to the urban-management office.
async fn whistled(db: &TestDb, server: &TestServer) -> (i64, reqwest::Client) {
    let resident = logged_in(server, RESIDENT).await;
    let k = key();
    let demand = demand_id(
        &post_demand(&resident, server, &demand_fields(&k, "drain-manhole", "楼下井盖堵塞外溢"), vec![]).await,
    );
    let item = sql_i64(db, &format!("SELECT id FROM work_items WHERE demand_id = {demand}")).await;
    let worker = logged_in(server, SOCIAL_WORKER).await;
    let urban = sql_i64(db, "SELECT id FROM departments WHERE code = 'urban'").await.to_string();
    let version = sql_i64(db, &format!("SELECT version FROM work_items WHERE id = {item}")).await.to_string();
    let res = call(
        &worker,
        server,
        "work/act",
        &[("item", &item.to_string()), ("version", &version), ("action", "accept"), ("note", "")],
    )
    .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let version = sql_i64(db, &format!("SELECT version FROM work_items WHERE id = {item}")).await.to_string();
    let res = call(
        &worker,
        server,
        "work/whistle",
        &[("item", &item.to_string()), ("version", &version), ("departments[0]", &urban), ("note", "")],
    )
    .await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{:?}", res.text().await);
    (item, worker)
}

async fn wait_for(db: &TestDb, sql_text: &str, want: i64) -> bool {
    for _ in 0..40 {
        if sql_i64(db, sql_text).await == want {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    false
}

#[tokio::test]
async fn a_whistle_reaches_the_departments_own_system_and_its_answer_comes_back() {
    let Some((db, station, dept_db, dept)) = station_and_department(None).await else { return };
    let (item, _) = whistled(&db, &station).await;
    assert!(wait_for(&db, "SELECT COUNT(*) FROM open311_outbox WHERE state = 'delivered'", 1).await, "delivered");
    assert_eq!(sql_i64(&dept_db, "SELECT COUNT(*) FROM demands WHERE channel = 'open311'").await, 1);
    // The department's own staff close it there, with a note.
    let remote = sql_i64(
        &dept_db,
        "SELECT w.id FROM work_items w JOIN demands d ON d.id = w.demand_id WHERE d.channel = 'open311'",
    )
    .await
    .to_string();
    let their_worker = logged_in(&dept, SOCIAL_WORKER).await;
    for (action, note) in [("accept", ""), ("resolve", "已派养护队疏通完毕")] {
        let version =
            sql_i64(&dept_db, &format!("SELECT version FROM work_items WHERE id = {remote}")).await.to_string();
        let res = call(
            &their_worker,
            &dept,
            "work/act",
            &[("item", &remote), ("version", &version), ("action", action), ("note", note)],
        )
        .await;
        assert!(res.status().is_success() || res.status().is_redirection());
    }
    // Polled back: the whistle is reported with their note and the item returns to the station.
    assert!(
        wait_for(
            &db,
            &format!("SELECT COUNT(*) FROM whistles WHERE work_item_id = {item} AND report LIKE '%疏通完毕%'"),
            1
        )
        .await,
        "the department's answer came back"
    );
    assert!(
        sql_i64(&db, &format!("SELECT COUNT(*) FROM work_events WHERE work_item_id = {item} AND kind = 'remote'"))
            .await
            >= 2
    );
    assert_eq!(
        sql_i64(&db, &format!("SELECT COUNT(*) FROM work_items WHERE id = {item} AND state = 'in_progress'")).await,
        1
    );
    // Jobs kept running all along: nothing was sent twice.
    assert_eq!(sql_i64(&dept_db, "SELECT COUNT(*) FROM demands WHERE channel = 'open311'").await, 1);
}

#[tokio::test]
async fn a_unit_that_is_down_shows_as_retrying_and_gets_it_once_back_up() {
    // Port 9 (discard) refuses connections here: the department's system is down.
    let Some((db, station, dept_db, dept)) = station_and_department(Some("http://127.0.0.1:9/open311/v2")).await else {
        return;
    };
    let (item, worker) = whistled(&db, &station).await;
    assert!(wait_for(&db, "SELECT COUNT(*) FROM open311_outbox WHERE state = 'pending' AND attempts >= 1", 1).await);
    let board = json(call(&worker, &station, "station/board", &[]).await).await;
    let line = board["lines"].as_array().unwrap().iter().find(|l| l["item_id"] == item).unwrap().clone();
    assert_eq!(line["remote_retrying"], true, "the board says it is not delivered");
    // Back up (the link now points at the running system), and due again: delivered once.
    let url = dept.url("/open311/v2");
    sql(&db, &format!("UPDATE open311_links SET base_url = '{url}'")).await;
    sql(&db, "UPDATE open311_outbox SET next_attempt_at = 0").await;
    assert!(wait_for(&db, "SELECT COUNT(*) FROM open311_outbox WHERE state = 'delivered'", 1).await);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(sql_i64(&dept_db, "SELECT COUNT(*) FROM demands WHERE channel = 'open311'").await, 1, "sent once");
}

#[tokio::test]
async fn older_clients_key_in_the_query_and_a_default_jurisdiction() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("OPEN311_DEFAULT_JURISDICTION", "qianggen")]);
    let key = new_key(&db, "old hotline");
    // The key and the jurisdiction in the query string, the rest in the body.
    let mut form = report(&key, "query-key 路灯不亮");
    form.retain(|(k, _)| *k != "api_key" && *k != "jurisdiction_id");
    let res = client()
        .post(server.url(&format!("/open311/v2/requests.json?api_key={key}&jurisdiction_id=qianggen")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    // No jurisdiction anywhere: the default community's, and discovery says so.
    let res = client()
        .post(server.url(&format!("/open311/v2/requests.json?api_key={key}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let (s, _, body) = get(&server, "/open311/v2/services.json").await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("drain-manhole"));
    let (_, _, discovery) = get(&server, "/open311/v2/discovery.json").await;
    assert!(discovery.contains("defaults to qianggen"), "{discovery}");
    // A wrong key in the query is still refused.
    let res = client().post(server.url("/open311/v2/requests.json?api_key=nope")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn reads_are_limited_per_address() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("OPEN311_GETS_PER_MINUTE", "5")]);
    // Eleven reads: however a minute's turn splits them, one window holds six or more.
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let res = client().get(server.url("/open311/v2/services.json?jurisdiction_id=qianggen")).send().await.unwrap();
        statuses.push((res.status().as_u16(), res.headers().contains_key("retry-after")));
    }
    assert_eq!(statuses[..5], [(200, false); 5]);
    let refused = statuses.iter().filter(|s| **s == (429, true)).count();
    assert!(refused >= 1 && statuses.iter().all(|s| *s == (200, false) || *s == (429, true)), "{statuses:?}");
}
