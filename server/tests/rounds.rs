//! Household visits (入户走访) over HTTP (`TEST_BACKEND` picks the backend): the register
//! filled from residents' addresses, a round that puts care households first, visits recorded
//! once with bad input refused whole, coverage this quarter, care flags changed with a log,
//! plans, and nobody but the community's station team sees any of it.

mod common;
use common::*;
use serde_json::Value;

async fn rounds(c: &reqwest::Client, server: &TestServer, area: &str, building: &str) -> reqwest::Response {
    call(c, server, "rounds", &[("area", area), ("building", building)]).await
}

async fn visit(
    c: &reqwest::Client,
    server: &TestServer,
    household: &str,
    day: &str,
    topics: &[&str],
    demand: &str,
    key: &str,
) -> reqwest::Response {
    let names: Vec<String> = topics.iter().map(|t| format!("topics[{t}]")).collect();
    let mut fields = vec![
        ("household", household),
        ("visited_on", day),
        ("note", "老人血压偏高，已提醒按时服药"),
        ("demand", demand),
        ("idempotency_key", key),
    ];
    fields.extend(names.iter().map(|n| (n.as_str(), "1")));
    call(c, server, "rounds/visit", &fields).await
}

fn area_of<'a>(page: &'a Value, code: &str) -> &'a Value {
    page["areas"].as_array().unwrap().iter().find(|a| a["code"] == code).unwrap()
}

#[tokio::test]
async fn a_round_puts_care_first_and_visits_count_once_this_quarter() {
    let (db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    for (phone, status) in [(RESIDENT, 403), (DEPARTMENT, 403), (SUBDISTRICT_ADMIN, 403)] {
        let c = logged_in(&server, phone).await;
        assert_eq!(rounds(&c, &server, "", "").await.status(), status, "{phone}");
    }
    assert_eq!(rounds(&client(), &server, "", "").await.status(), 401);

    // The demo register came from residents' addresses; one elderly resident lives alone.
    let all = json(rounds(&worker, &server, "", "").await).await;
    let households: i64 = all["areas"].as_array().unwrap().iter().map(|a| a["households"].as_i64().unwrap()).sum();
    assert_eq!(households, sql_i64(&db, "SELECT COUNT(*) FROM households").await);
    assert!(households > 1);
    let area = all["areas"].as_array().unwrap().iter().find(|a| a["cared_for"] == 1).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let round = json(rounds(&worker, &server, &area, "").await).await;
    let first = round["lines"][0].clone();
    assert_eq!(first["care"], serde_json::json!(["AloneElderly"]), "care households first: {round}");
    assert!(first["last_visit"].is_null());
    let hid = first["id"].as_i64().unwrap().to_string();

    // Bad input is refused whole, naming its fields, and nothing is kept.
    let res = visit(&worker, &server, &hid, &beijing_date_in(1), &[], "abc", &key()).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("visited_on") && body.contains("topics") && body.contains("demand"), "{body}");
    // A follow-up case must be this community's.
    sql(
        &db,
        "INSERT INTO households (community_id, building_id, unit_no, room, created_at) \
              SELECT b.community_id, b.id, '9', '909', 0 FROM buildings b JOIN regions r ON r.id = b.community_id \
              WHERE r.code = 'hetaoyuan' LIMIT 1",
    )
    .await;
    let elsewhere = sql_i64(&db, "SELECT MAX(id) FROM households").await.to_string();
    let res = visit(&worker, &server, &hid, &beijing_date_in(0), &["health"], "999999", &key()).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "demand");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM household_visits").await, 0);
    // Another community's household is not found.
    assert_eq!(visit(&worker, &server, &elsewhere, &beijing_date_in(0), &["health"], "", &key()).await.status(), 404);
    assert_eq!(call(&worker, &server, "rounds/household", &[("id", &elsewhere)]).await.status(), 404);

    // Recorded once, even sent twice.
    let k = key();
    let res = visit(&worker, &server, &hid, &beijing_date_in(0), &["health", "safety"], "", &k).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], format!("/station/rounds/{hid}").as_str());
    assert_eq!(visit(&worker, &server, &hid, &beijing_date_in(0), &["health", "safety"], "", &k).await.status(), 200);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM household_visits").await, 1);
    let page = json(call(&worker, &server, "rounds/household", &[("id", &hid)]).await).await;
    assert_eq!(page["visits"][0]["topics"], serde_json::json!(["Health", "Safety"]));

    // Coverage counts it; the household leaves the front of the round.
    let all = json(rounds(&worker, &server, &area, "").await).await;
    let a = area_of(&all, &area);
    assert_eq!((a["visited"].as_i64(), a["cared_for_visited"].as_i64()), (Some(1), Some(1)));
    let lines = all["lines"].as_array().unwrap();
    assert_eq!(lines.last().unwrap()["id"].as_i64().unwrap().to_string(), hid, "visited this quarter: last");

    // A plan puts a household first; a visit on or after that day completes it.
    let last = hid.clone();
    let res = call(&worker, &server, "rounds/plan", &[("household", &last), ("plan_on", &beijing_date_in(3))]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        call(&worker, &server, "rounds/plan", &[("household", &last), ("plan_on", "2020-01-01")]).await.status(),
        422
    );
    let round = json(rounds(&worker, &server, &area, "").await).await;
    assert_eq!(round["lines"][0]["id"].as_i64().unwrap().to_string(), last);
    assert_eq!(round["lines"][0]["plan_on"], beijing_date_in(3).as_str());

    // Care flags: changed with a log line (before → after); the same again logs nothing.
    let care = |flags: &'static [&'static str]| {
        let names: Vec<String> = flags.iter().map(|f| format!("care[{f}]")).collect();
        names
    };
    let set = |c: reqwest::Client, names: Vec<String>| {
        let (server_url, hid) = (server.url("/api/rounds/care"), hid.clone());
        async move {
            let mut fields = vec![("household".to_string(), hid)];
            fields.extend(names.into_iter().map(|n| (n, "1".to_string())));
            c.post(server_url).header("Accept", "application/json").form(&fields).send().await.unwrap()
        }
    };
    assert_eq!(set(worker.clone(), care(&["alone_elderly", "hardship"])).await.status(), 200);
    assert_eq!(set(worker.clone(), care(&["alone_elderly", "hardship"])).await.status(), 200);
    assert_eq!(set(worker.clone(), care(&["rich"])).await.status(), 422);
    let page = json(call(&worker, &server, "rounds/household", &[("id", &hid)]).await).await;
    assert_eq!(page["care"], serde_json::json!(["AloneElderly", "Hardship"]));
    let log = page["care_log"].as_array().unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0]["before"].clone(), log[0]["after"].clone()),
        (serde_json::json!(["AloneElderly"]), serde_json::json!(["AloneElderly", "Hardship"]))
    );
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(call(&resident, &server, "rounds/household", &[("id", &hid)]).await.status(), 403);
    assert_eq!(set(resident.clone(), care(&[])).await.status(), 403);

    // Households are added by hand too: the same address opens the same one.
    let building = all["buildings"][0][0].as_str().unwrap().to_string();
    let form = [("building", building.as_str()), ("unit_no", "3"), ("room", "1801")];
    let res = call(&worker, &server, "rounds/add", &form).await;
    assert_eq!(res.status(), 200);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(call(&worker, &server, "rounds/add", &form).await.headers()["location"].to_str().unwrap(), location);
    let res = call(&worker, &server, "rounds/add", &[("building", "nowhere"), ("unit_no", ""), ("room", "1")]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("building") && body.contains("unit_no"), "{body}");
}
