//! Duplicates and "me too" over HTTP (`TEST_BACKEND` picks the backend): a neighbour about
//! to report what was reported sees it first and joins it instead of filing another work
//! item; joined residents hear of every move and rate it; the station merges what slipped
//! through, and the rates count the incident once.

mod common;
use common::*;
use serde_json::Value;

fn public_report<'a>(key: &'a str, text: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("affair", ""),
        ("description", text),
        ("place", "public_area"),
        ("place_detail", "东门"),
        ("urgency", "normal"),
        ("visibility", "community"),
        ("contact_time", ""),
    ]
}

async fn items(db: &TestDb) -> i64 {
    sql_i64(db, "SELECT COUNT(*) FROM work_items").await
}

async fn one(c: &reqwest::Client, server: &TestServer, id: i64) -> Value {
    json(call(c, server, "demands/one", &[("id", &id.to_string())]).await).await
}

async fn similar(c: &reqwest::Client, server: &TestServer, text: &str) -> Value {
    let res = call(c, server, "demands/similar", &[("text", text), ("place", "public_area"), ("building", "")]).await;
    assert_eq!(res.status(), 200);
    json(res).await
}

#[tokio::test]
async fn a_neighbour_joins_the_same_report_instead_of_filing_another() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("INTAKE_INDEX_SECONDS", "0")]);
    let resident = logged_in(&server, RESIDENT).await;
    let neighbours = more_residents(&db, &server, 2).await;
    let (b, c) = (&neighbours[0], &neighbours[1]);

    let k = key();
    let res = post_demand(&resident, &server, &public_report(&k, "小区东门口井盖没了，晚上很危险"), vec![]).await;
    assert_eq!(res.status(), 200, "nothing like it yet: {:?}", res.text().await);
    let first = demand_id(&res);
    let before = items(&db).await;

    // A neighbour writing the same incident in other words sees it, without its requester.
    let v = similar(b, &server, "东大门那个下水井盖丢了 好大一个窟窿").await;
    let ids: Vec<i64> = v.as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![first], "{v}");
    assert!(!v.to_string().contains("王秀兰"), "no requester's name: {v}");
    // Something else at the same place is not offered; nor is one's own report.
    assert!(similar(b, &server, "东门的快递柜屏幕黑了").await.as_array().unwrap().is_empty());
    assert!(similar(&resident, &server, "东大门井盖丢了").await.as_array().unwrap().is_empty());

    // Posting without having looked: the similar report first, nothing filed.
    let k2 = key();
    let res = post_demand(b, &server, &public_report(&k2, "东大门那个下水井盖丢了 好大一个窟窿"), vec![]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("ErrSimilarFirst"));
    assert_eq!(items(&db).await, before);

    // "Me too", twice (a double tap): one co-requester, no work item.
    for _ in 0..2 {
        let res = call(b, &server, "demands/me-too", &[("id", &first.to_string())]).await;
        assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    }
    assert_eq!(items(&db).await, before);
    assert_eq!(sql_i64(&db, &format!("SELECT COUNT(*) FROM co_requesters WHERE demand_id = {first}")).await, 1);
    let seen = one(b, &server, first).await;
    assert_eq!(seen["viewing"], "CoRequester");
    assert!(seen["requester"].is_null() && seen["contact_time"] == "", "nothing of the requester's: {seen}");
    assert_eq!(seen["joined"], 1);
    assert_eq!(seen["can_join"], false);
    let events: Vec<String> =
        seen["live"]["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect();
    assert!(events.contains(&"MeToo".to_string()), "{events:?}");
    // My demands lists it, without someone else's name.
    let mine = json(call(b, &server, "demands/mine", &[]).await).await;
    let line = mine["lines"].as_array().unwrap().iter().find(|l| l["id"] == first).expect("listed").clone();
    assert!(line["for_other"].is_null(), "{line}");

    // Posting anyway, having looked, files a new case.
    let k3 = key();
    let mut fields = public_report(&k3, "东大门那个下水井盖丢了 好大一个窟窿");
    fields.push(("similar_checked", "1"));
    assert_eq!(post_demand(c, &server, &fields, vec![]).await.status(), 200);
    assert_eq!(items(&db).await, before + 1);

    // Only neighbours join: not the requester, not a private demand, not another community.
    let res = call(&resident, &server, "demands/me-too", &[("id", &first.to_string())]).await;
    assert_eq!(res.status(), 403);
    let private = demand_id(&post_demand(&resident, &server, &demand_fields(&key(), "", "楼下井盖松了"), vec![]).await);
    assert_eq!(call(b, &server, "demands/me-too", &[("id", &private.to_string())]).await.status(), 404);
    // Another community's resident neither joins it nor is offered it; without a session, nothing.
    let stranger = logged_in(&server, "13800000021").await;
    assert_eq!(call(&stranger, &server, "demands/me-too", &[("id", &first.to_string())]).await.status(), 404);
    assert!(similar(&stranger, &server, "东大门那个下水井盖丢了 好大一个窟窿").await.as_array().unwrap().is_empty());
    let res = call(
        &client(),
        &server,
        "demands/similar",
        &[("text", "井盖丢了"), ("place", "public_area"), ("building", "")],
    )
    .await;
    assert_eq!(res.status(), 401);

    // Every move reaches the co-requester, who rates at closure.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let item = seen["item_id"].as_i64().unwrap();
    let version = one(&worker, &server, first).await["live"]["version"].as_i64().unwrap();
    let act = [("item", item.to_string()), ("version", version.to_string()), ("action", "accept".to_string())];
    let act: Vec<(&str, &str)> = act.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(call(&worker, &server, "work/act", &act).await.status().is_success());
    let told = sql_i64(&db, &format!("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.phone = '13700000100' AND n.work_item_id = {item}")).await;
    assert!(told >= 1, "the co-requester heard of the move");
    let now = chrono::Utc::now().timestamp_millis();
    sql(&db, &format!("UPDATE work_items SET state = 'closed', closed_at = {now}, resolved_at = {now}, version = version + 1 WHERE id = {item}")).await;
    let scores = [
        ("demand_id", first.to_string()),
        ("overall", "5".into()),
        ("timeliness", "4".into()),
        ("attitude", "5".into()),
        ("outcome", "5".into()),
        ("comment", String::new()),
    ];
    let scores: Vec<(&str, &str)> = scores.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(call(b, &server, "ratings/rate", &scores).await.status().is_success());
    assert!(call(&resident, &server, "ratings/rate", &scores).await.status().is_success());
    let card = one(b, &server, first).await["rating"].clone();
    assert_eq!(card["scores"]["overall"], 5, "{card}");
    let master = logged_in(&server, STATIONMASTER).await;
    let d = json(call(&master, &server, "station/dashboard", &[("query[period]", "week")]).await).await;
    assert_eq!(d["rates"]["satisfaction"]["den"], 2, "each resident's rating counts: {}", d["rates"]);
}

#[tokio::test]
async fn the_station_merges_a_duplicate_and_it_counts_once() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("INTAKE_INDEX_SECONDS", "0")]);
    let resident = logged_in(&server, RESIDENT).await;
    let neighbour = more_residents(&db, &server, 1).await.remove(0);
    let kept = demand_id(&post_demand(&resident, &server, &public_report(&key(), "东门路灯不亮"), vec![]).await);
    let k = key();
    let mut fields = public_report(&k, "东门口那盏灯坏了，黑乎乎的");
    fields.push(("similar_checked", "1"));
    let dup = demand_id(&post_demand(&neighbour, &server, &fields, vec![]).await);
    let master = logged_in(&server, STATIONMASTER).await;
    let posted = || async {
        json(call(&master, &server, "station/dashboard", &[("query[period]", "week")]).await).await["rates"]["posted"]
            .as_i64()
            .unwrap()
    };
    let before = posted().await;

    // Residents may not merge; nor into itself or a case of another state.
    let merge = |into: i64| [("id", dup.to_string()), ("into", into.to_string())];
    let form = merge(kept);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(call(&resident, &server, "demands/merge", &form).await.status(), 403);
    let own = merge(dup);
    let own: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(call(&master, &server, "demands/merge", &own).await.status(), 422);

    let res = call(&master, &server, "demands/merge", &form).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let gone = one(&master, &server, dup).await;
    assert_eq!(gone["live"]["state"], "Withdrawn");
    assert_eq!(gone["merged_into"], kept);
    // Its requester follows the kept one now; the incident counts once.
    assert_eq!(one(&neighbour, &server, kept).await["viewing"], "CoRequester");
    assert_eq!(one(&master, &server, kept).await["joined"], 1);
    assert_eq!(posted().await, before - 1);
    // Merged once: a second try finds it ended.
    assert_eq!(call(&master, &server, "demands/merge", &form).await.status(), 409);
}
