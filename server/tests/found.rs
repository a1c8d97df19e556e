//! Active discovery (主动发现) over HTTP: a station worker files what they found, with nobody
//! reporting it; the case is routed and worked like any other, closes when resolved (nobody
//! to confirm or rate), and counts apart from the three rates (`TEST_BACKEND` picks the
//! backend).

mod common;
use common::*;
use serde_json::Value;

fn found_form<'a>(key: &'a str, via: &'a str, place: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("found_via", via),
        ("affair", "other"),
        ("description", description),
        ("place", place),
        ("place_detail", "东门停车场"),
        ("urgency", "normal"),
        ("visibility", "community"),
    ]
}

async fn file(c: &reqwest::Client, server: &TestServer, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    c.post(server.url("/api/station/found")).header("Accept", "application/json").multipart(form).send().await.unwrap()
}

async fn dashboard(c: &reqwest::Client, server: &TestServer) -> Value {
    json(call(c, server, "station/dashboard", &[("query[period]", "week")]).await).await
}

#[tokio::test]
async fn a_found_case_is_worked_like_any_other_and_counted_apart() {
    let (db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let before = dashboard(&worker, &server).await;

    // Residents and liaisons do not file found cases; bad input is refused whole.
    for phone in [RESIDENT, "13800000005"] {
        let c = logged_in(&server, phone).await;
        let k = key();
        assert_eq!(file(&c, &server, &found_form(&k, "patrol", "public_area", "路灯不亮")).await.status(), 403);
    }
    let k = key();
    let res = file(&worker, &server, &found_form(&k, "rumour", "home", "")).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    for field in ["found_via", "place", "description"] {
        assert!(body.contains(field), "{field}: {body}");
    }
    assert!(body.contains("ErrFoundPlace"), "{body}");
    let demands = sql_i64(&db, "SELECT COUNT(*) FROM demands").await;

    // Found on a patrol: accepted at once, routed, with no resident behind it. A retried
    // form is the same case.
    let k = key();
    let form = found_form(&k, "patrol", "public_area", "东门停车场路灯不亮，夜间有安全隐患");
    let res = file(&worker, &server, &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let demand = demand_id(&res);
    assert_eq!(demand_id(&file(&worker, &server, &form).await), demand);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM demands").await, demands + 1);
    let d = json(call(&worker, &server, "demands/one", &[("id", &demand.to_string())]).await).await;
    assert_eq!(d["viewing"], "Station", "the finder acts as the station, not as a requester");
    assert_eq!(d["found_via"], "Patrol");
    assert_eq!(d["live"]["state"], "Accepted");
    assert!(d["requester"].is_null());
    assert_eq!(d["staff"]["requester_phone"], "");
    assert_eq!(
        sql_i64(&db, &format!("SELECT COUNT(*) FROM work_items WHERE demand_id = {demand} AND found_via = 'patrol'"))
            .await,
        1
    );
    // Neighbours see it on the community's list, as for a public demand.
    let neighbour = logged_in(&server, RESIDENT).await;
    assert_eq!(call(&neighbour, &server, "demands/one", &[("id", &demand.to_string())]).await.status(), 200);

    // A reply is a public note on its page; nobody is notified of it. Resolved is closed:
    // nobody confirms it, nobody is invited to rate it.
    let item = d["item_id"].as_i64().unwrap().to_string();
    let reply = [("item", item.as_str()), ("text", "已报修，明晚前恢复照明")];
    assert_eq!(call(&worker, &server, "work/reply", &reply).await.status(), 200);
    let d = json(call(&worker, &server, "demands/one", &[("id", &demand.to_string())]).await).await;
    let version = d["live"]["version"].as_i64().unwrap().to_string();
    let act = [("item", item.as_str()), ("version", version.as_str()), ("action", "resolve")];
    let res = call(&worker, &server, "work/act", &act).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let d = json(call(&worker, &server, "demands/one", &[("id", &demand.to_string())]).await).await;
    assert_eq!(d["live"]["state"], "Closed");
    assert_eq!(
        sql_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE work_item_id = {item} AND kind IN ('rate_invite', 'status', 'reply')"
            )
        )
        .await,
        0
    );

    // Counted apart: found and solved this week, in none of the three rates.
    let after = dashboard(&worker, &server).await;
    let (r0, r1) = (&before["rates"], &after["rates"]);
    assert_eq!(r1["found"].as_i64().unwrap(), r0["found"].as_i64().unwrap() + 1);
    assert_eq!(r1["found_solved"].as_i64().unwrap(), r0["found_solved"].as_i64().unwrap() + 1);
    assert_eq!(r1["posted"].as_i64().unwrap(), r0["posted"].as_i64().unwrap() + 1);
    assert_eq!(r1["response"], r0["response"]);
    assert_eq!(r1["resolution"], r0["resolution"]);
}

#[tokio::test]
async fn a_found_case_filed_in_error_is_withdrawn_by_the_station_with_its_reason() {
    let (_db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let k = key();
    let res = file(&worker, &server, &found_form(&k, "call", "public_area", "电话反映北门井盖缺失")).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let demand = demand_id(&res).to_string();
    let d = json(call(&worker, &server, "demands/one", &[("id", &demand)]).await).await;
    let item = d["item_id"].as_i64().unwrap().to_string();
    let version = d["live"]["version"].as_i64().unwrap().to_string();
    // The station withdraws what it found only with a reason.
    let bare = [("item", item.as_str()), ("version", version.as_str()), ("action", "withdraw")];
    let res = call(&worker, &server, "work/act", &bare).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("note"));
    let why = "重复：与今早巡查发现的同一井盖";
    let act = [("item", item.as_str()), ("version", version.as_str()), ("action", "withdraw"), ("note", why)];
    let res = call(&worker, &server, "work/act", &act).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let d = json(call(&worker, &server, "demands/one", &[("id", &demand)]).await).await;
    assert_eq!(d["live"]["state"], "Withdrawn");
    assert!(d.to_string().contains(why), "the reason is on the timeline: {d}");
    assert_ne!(call(&worker, &server, "work/act", &act).await.status(), 200);
    // A resident's demand is the resident's to withdraw, never the station's.
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let res = post_demand(&resident, &server, &demand_fields(&k, "residence-proof", "需要居住证明"), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let theirs = demand_id(&res).to_string();
    let d = json(call(&worker, &server, "demands/one", &[("id", &theirs)]).await).await;
    let item = d["item_id"].as_i64().unwrap().to_string();
    let version = d["live"]["version"].as_i64().unwrap().to_string();
    let act = [("item", item.as_str()), ("version", version.as_str()), ("action", "withdraw"), ("note", why)];
    assert_eq!(call(&worker, &server, "work/act", &act).await.status(), 403);
}
