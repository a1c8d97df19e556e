//! Supervision from above (督办) over HTTP: admins above a community urge its station with a
//! date to answer by, once at a time even when two urge together; the station answers once;
//! admins whistle departments themselves; each admin sees and acts on its own communities
//! only; residents never learn of it (`TEST_BACKEND` picks the backend).

mod common;
use common::*;
use serde_json::Value;

async fn post(c: &reqwest::Client, server: &TestServer, description: &str) -> i64 {
    let k = key();
    let res = post_demand(c, server, &demand_fields(&k, "drain-manhole", description), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    demand_id(&res)
}

async fn view(c: &reqwest::Client, server: &TestServer, demand: i64) -> reqwest::Response {
    call(c, server, "demands/one", &[("id", &demand.to_string())]).await
}

async fn urge(c: &reqwest::Client, server: &TestServer, demand: i64, by: &str, note: &str) -> reqwest::Response {
    call(c, server, "supervision/urge", &[("demand", &demand.to_string()), ("answer_by", by), ("note", note)]).await
}

async fn answer(c: &reqwest::Client, server: &TestServer, urge: &str, text: &str) -> reqwest::Response {
    call(c, server, "supervision/answer", &[("urge", urge), ("answer", text)]).await
}

async fn cases(c: &reqwest::Client, server: &TestServer, filter: &str, community: &str) -> reqwest::Response {
    call(c, server, "supervision/cases", &[("filter", filter), ("community", community)]).await
}

fn listed(list: &Value, demand: i64) -> Option<Value> {
    list["page"]["lines"].as_array().unwrap().iter().find(|l| l["demand_id"] == demand).cloned()
}

#[tokio::test]
async fn an_admin_above_urges_and_the_station_answers_once() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let master = logged_in(&server, STATIONMASTER).await;
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let note = "井盖外溢已两天，请说明处置进度-SUPERVISE-4417";
    let demand = post(&resident, &server, "楼下井盖堵了，污水外溢").await;
    let by = beijing_date_in(2);

    // Only admins above urge: not the resident, the station, a liaison; nobody signed out.
    for (phone, status) in [(RESIDENT, 403), (SOCIAL_WORKER, 403), (STATIONMASTER, 403), ("13800000005", 404)] {
        let c = logged_in(&server, phone).await;
        assert_eq!(urge(&c, &server, demand, &by, note).await.status(), status, "{phone}");
    }
    assert_eq!(urge(&client(), &server, demand, &by, note).await.status(), 401);
    // Bad input is refused whole, naming its fields.
    let res = urge(&sub, &server, demand, &beijing_date_in(31), " ").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("note") && body.contains("answer_by") && body.contains("ErrUrgeAnswerBy"), "{body}");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM urges").await, 0);

    // Two admins urge at once: one urge waits, the other is told so.
    let (a, b) = tokio::join!(urge(&sub, &server, demand, &by, note), urge(&district, &server, demand, &by, note));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 422]);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM urges").await, 1);
    let (urger, urger_phone) = if a.status() == 200 { (&sub, SUBDISTRICT_ADMIN) } else { (&district, DISTRICT_ADMIN) };
    // The same admin's same urge again (a retried form) is a success, and still one urge.
    let retry = urge(urger, &server, demand, &by, note).await;
    assert_eq!(retry.status(), 200, "{:?}", retry.text().await);
    assert_eq!(retry.headers()["location"], format!("/demands/{demand}").as_str());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM urges").await, 1);

    // The station sees it on its board and is told; the resident learns nothing of it.
    let board = json(call(&worker, &server, "station/board", &[]).await).await;
    let d = json(view(&worker, &server, demand).await).await;
    let item = d["item_id"].as_i64().unwrap();
    let line = board["lines"].as_array().unwrap().iter().find(|l| l["item_id"] == item).unwrap().clone();
    assert_eq!(line["urged"], true);
    let told = sql_i64(
        &db,
        &format!("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'urge_from_above' AND n.work_item_id = {item} AND u.phone = '{STATIONMASTER}'"),
    )
    .await;
    assert_eq!(told, 1);
    let timeline = d["live"]["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|e| e["kind"] == "Urged" && e["note"].as_str().unwrap().contains("SUPERVISE-4417")));
    let mine = view(&resident, &server, demand).await.text().await.unwrap();
    assert!(!mine.contains("SUPERVISE-4417") && !mine.contains("Urged"), "{mine}");
    assert_eq!(call(&resident, &server, "supervision/case", &[("demand", &demand.to_string())]).await.status(), 403);
    let liaison = logged_in(&server, "13800000005").await;
    assert_eq!(call(&liaison, &server, "supervision/case", &[("demand", &demand.to_string())]).await.status(), 404);
    let s = json(call(&master, &server, "supervision/case", &[("demand", &demand.to_string())]).await).await;
    assert_eq!((s["may_answer"].as_bool(), s["may_urge"].as_bool()), (Some(true), Some(false)));
    let urge_id = s["urges"][0]["id"].as_i64().unwrap().to_string();
    assert_eq!(s["urges"][0]["state"], "Waiting");

    // The admin's list of urged cases has it, waiting.
    let list = json(cases(&sub, &server, "urged", "").await).await;
    let l = listed(&list, demand).expect("urged case listed");
    assert_eq!(l["urge"][1], "Waiting");
    assert!(!serde_json::to_string(&list).unwrap().contains(RESIDENT), "no phone in the list");
    // A private case's words are read on its page (logged), not on the list.
    assert_eq!(l["title"], "");
    assert!(!serde_json::to_string(&list).unwrap().contains("污水外溢"));
    assert_eq!(cases(&sub, &server, "late", "").await.status(), 400);

    // The answer: the station only, not empty, once.
    assert_eq!(answer(&sub, &server, &urge_id, "我答").await.status(), 403);
    assert_eq!(answer(&resident, &server, &urge_id, "我答").await.status(), 403);
    assert_eq!(answer(&worker, &server, &urge_id, "  ").await.status(), 422);
    let (a, b) = tokio::join!(
        answer(&worker, &server, &urge_id, "已派养护队，明天上午疏通"),
        answer(&master, &server, &urge_id, "已安排")
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM urges WHERE answered_at IS NOT NULL").await, 1);
    let told = sql_i64(
        &db,
        &format!("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'urge_answered' AND u.phone = '{urger_phone}'"),
    )
    .await;
    assert_eq!(told, 1);
    let board = json(call(&worker, &server, "station/board", &[]).await).await;
    let line = board["lines"].as_array().unwrap().iter().find(|l| l["item_id"] == item).unwrap().clone();
    assert_eq!(line["urged"], false);
    assert!(listed(&json(cases(&sub, &server, "urged", "").await).await, demand).is_none());
    let s = json(call(&sub, &server, "supervision/case", &[("demand", &demand.to_string())]).await).await;
    assert_eq!(s["urges"][0]["state"], "Answered");
    assert_eq!(s["may_urge"], true, "a new urge may follow the answer");
}

#[tokio::test]
async fn each_admin_looks_over_and_acts_on_its_own_communities_only() {
    let (db, server) = seeded_or_skip!();
    // This subdistrict admin is moved to Yuetan, which holds none of the demo's communities.
    sql(&db, "UPDATE users SET region_id = (SELECT id FROM regions WHERE code = 'yuetan') WHERE phone = '13800000006'")
        .await;
    let yuetan = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let resident = logged_in(&server, RESIDENT).await;
    let demand = post(&resident, &server, "井盖松动，晚上看不见").await;
    // Past its answer deadline: overdue.
    sql(&db, &format!("UPDATE work_items SET respond_by = 1 WHERE demand_id = {demand}")).await;

    let list = json(cases(&district, &server, "overdue", "qianggen").await).await;
    let line = listed(&list, demand).expect("the district sees its overdue case");
    assert_eq!(line["overdue"], true);
    let mine = json(cases(&yuetan, &server, "overdue", "").await).await;
    assert!(listed(&mine, demand).is_none());
    assert!(mine["communities"].as_array().unwrap().iter().all(|c| c[0] != "qianggen"));
    assert_eq!(cases(&yuetan, &server, "overdue", "qianggen").await.status(), 404);
    assert_eq!(urge(&yuetan, &server, demand, &beijing_date_in(1), "请答复").await.status(), 404);
    for phone in [RESIDENT, SOCIAL_WORKER, STATIONMASTER, "13800000005"] {
        let c = logged_in(&server, phone).await;
        assert_eq!(cases(&c, &server, "overdue", "").await.status(), 403, "{phone}");
    }

    // 街乡吹哨: the station has accepted the case and it stalls; the district admin whistles
    // the subdistrict's urban management office.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let d = json(view(&worker, &server, demand).await).await;
    let (item, version) =
        (d["item_id"].as_i64().unwrap().to_string(), d["live"]["version"].as_i64().unwrap().to_string());
    let accept = [("item", item.as_str()), ("version", version.as_str()), ("action", "accept")];
    assert_eq!(call(&worker, &server, "work/act", &accept).await.status(), 200);
    let d = json(view(&district, &server, demand).await).await;
    assert_eq!(d["viewing"], "Overseer");
    assert_eq!(d["staff"]["can_whistle"], true);
    let urban = d["staff"]["departments"].as_array().unwrap().iter().find(|x| x[1]["zh"] == "城市管理办公室").unwrap()
        [0]
    .as_i64()
    .unwrap()
    .to_string();
    let item = d["item_id"].as_i64().unwrap().to_string();
    let version = d["live"]["version"].as_i64().unwrap().to_string();
    let form = [
        ("item", item.as_str()),
        ("version", version.as_str()),
        ("departments[0]", urban.as_str()),
        ("note", "区里督办"),
    ];
    assert_eq!(call(&yuetan, &server, "work/whistle", &form).await.status(), 404);
    let res = call(&district, &server, "work/whistle", &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let by = sql_i64(
        &db,
        &format!("SELECT COUNT(*) FROM whistles h JOIN users u ON u.id = h.summoned_by WHERE h.work_item_id = {item} AND u.phone = '{DISTRICT_ADMIN}'"),
    )
    .await;
    assert_eq!(by, 1);
    let liaison = logged_in(&server, "13800000005").await;
    let waiting = json(call(&liaison, &server, "station/department", &[]).await).await;
    assert!(waiting.as_array().unwrap().iter().any(|l| l["item_id"].as_i64().unwrap().to_string() == item));
    // An urge to the station is on its timeline, never on the summoned department's.
    assert_eq!(urge(&district, &server, demand, &beijing_date_in(2), "URGE-FOR-STATION-ONLY").await.status(), 200);
    let theirs = view(&liaison, &server, demand).await.text().await.unwrap();
    assert!(theirs.contains("Whistled") && !theirs.contains("URGE-FOR-STATION-ONLY"), "{theirs}");
    assert!(view(&worker, &server, demand).await.text().await.unwrap().contains("URGE-FOR-STATION-ONLY"));
    let seen = json(view(&worker, &server, demand).await).await;
    let whistled = seen["live"]["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "Whistled").cloned();
    let whistled = whistled.expect("the whistle is on the station's timeline");
    assert!(whistled["actor"].as_str().unwrap_or_default().contains("区级管理员"), "{whistled}");

    // The urban management office misses its check-in: the case is on the late list, and
    // the department's figures on the dashboard say so.
    sql(&db, &format!("UPDATE whistles SET checkin_by = summoned_at - 1 WHERE work_item_id = {item}")).await;
    let late = json(cases(&district, &server, "whistle_late", "qianggen").await).await;
    assert_eq!(listed(&late, demand).expect("late whistle listed")["whistles_late"], 1);
    let dash = json(call(&district, &server, "station/dashboard", &[("query[community]", "qianggen")]).await).await;
    let unit = dash["departments"].as_array().unwrap().iter().find(|u| u["name"]["zh"] == "城市管理办公室").cloned();
    let unit = unit.expect("the whistled department is assessed");
    assert_eq!(unit["figures"]["whistles"], 1);
    assert_eq!(unit["figures"]["late_now"], 1);
    assert_eq!(unit["figures"]["checkin"], serde_json::json!({"num": 0, "den": 1}));

    // A case rated badly is on the dissatisfied list.
    sql(
        &db,
        &format!(
            "INSERT INTO ratings (work_item_id, rater_id, overall, timeliness, attitude, outcome, comment, created_at, updated_at) \
             SELECT id, (SELECT id FROM users WHERE phone = '{RESIDENT}'), 1, 1, 1, 1, '', 1, 1 FROM work_items WHERE demand_id = {demand}"
        ),
    )
    .await;
    let bad = json(cases(&district, &server, "dissatisfied", "").await).await;
    assert_eq!(listed(&bad, demand).expect("dissatisfied listed")["rating"], 1);
}
