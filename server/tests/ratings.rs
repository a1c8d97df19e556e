//! Satisfaction after closure over HTTP (`TEST_BACKEND` picks the backend): only the
//! requester rates, within the window, editable; a bad rating opens exactly one callback;
//! the worker's assessment stays with staff.

mod common;
use common::*;

const NEIGHBOUR: &str = "13800000011";

async fn rate(c: &reqwest::Client, server: &TestServer, demand: &str, levels: [&str; 4]) -> reqwest::Response {
    call(
        c,
        server,
        "ratings/rate",
        &[
            ("demand_id", demand),
            ("overall", levels[0]),
            ("timeliness", levels[1]),
            ("attitude", levels[2]),
            ("outcome", levels[3]),
            ("comment", "谢谢"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_requester_rates_once_and_a_bad_rating_opens_one_callback() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let res = post_demand(&resident, &server, &demand_fields(&k, "residence-proof", "需要居住证明"), vec![]).await;
    let demand = demand_id(&res);
    let ds = demand.to_string();
    // Resolved by the station (as a clock and a worker would), confirmed by the resident.
    let now = chrono::Utc::now().timestamp_millis();
    sql(&db, &format!("UPDATE work_items SET state = 'resolved', resolved_at = {now}, version = version + 1 WHERE demand_id = {demand}")).await;
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    assert!(d["rating"].is_null(), "no rating before closure");
    let version = d["live"]["version"].as_i64().unwrap().to_string();
    let res =
        call(&resident, &server, "demands/act", &[("id", &ds), ("version", &version), ("action", "confirm")]).await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notifications WHERE kind = 'rate_invite'").await, 1);
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    assert_eq!(d["rating"]["can_rate"], true);

    // Nobody else rates it.
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    assert_eq!(rate(&neighbour, &server, &ds, ["5", "5", "5", "5"]).await.status(), 404);
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(rate(&worker, &server, &ds, ["5", "5", "5", "5"]).await.status(), 403);
    let res = rate(&resident, &server, &ds, ["4", "0", "4", "4"]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM ratings").await, 0, "nothing stored");

    // Rated, then changed to 不满意: one callback for the stationmaster; changing again opens no second.
    assert!(rate(&resident, &server, &ds, ["4", "4", "5", "4"]).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items WHERE kind = 'callback'").await, 0);
    assert!(rate(&resident, &server, &ds, ["2", "3", "3", "2"]).await.status().is_success());
    assert!(rate(&resident, &server, &ds, ["1", "2", "2", "1"]).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM ratings").await, 1, "one rating per case");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items WHERE kind = 'callback'").await, 1);
    let master = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{STATIONMASTER}'")).await;
    assert_eq!(sql_i64(&db, "SELECT assignee_id FROM work_items WHERE kind = 'callback'").await, master);
    // Only the stationmaster hears of it (it is not routed to a worker first).
    let told =
        "SELECT COUNT(*) FROM notifications n JOIN work_items w ON w.id = n.work_item_id WHERE w.kind = 'callback'";
    assert_eq!(sql_i64(&db, &format!("{told} AND n.user_id <> {master}")).await, 0, "nobody else is told");
    assert_eq!(sql_i64(&db, &format!("{told} AND n.user_id = {master} AND n.kind = 'callback'")).await, 1);
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    assert_eq!(d["rating"]["scores"]["overall"], 1);
    assert!(d["rating"]["callback_demand"].is_null(), "the resident does not see the internal callback");
    let staff_view = json(call(&worker, &server, "demands/one", &[("id", &ds)]).await).await;
    assert!(staff_view["rating"]["callback_demand"].is_i64());

    // The worker's own assessment: staff only, never in a resident's answer.
    let assess =
        [("demand_id", ds.as_str()), ("difficulty", "4"), ("cooperation", "2"), ("helped", "联系了物业保安队长")];
    assert_eq!(call(&resident, &server, "ratings/assess", &assess).await.status(), 403);
    assert!(call(&worker, &server, "ratings/assess", &assess).await.status().is_success());
    let text = call(&resident, &server, "demands/one", &[("id", &ds)]).await.text().await.unwrap();
    assert!(!text.contains("物业保安队长"), "assessment never reaches the resident");
    let page = resident.get(server.url(&format!("/demands/{demand}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("物业保安队长"));
    let staff_view = json(call(&worker, &server, "demands/one", &[("id", &ds)]).await).await;
    assert_eq!(staff_view["staff"]["assessment"]["difficulty"], 4);

    // After seven days the window is closed.
    sql(&db, &format!("UPDATE work_items SET closed_at = closed_at - 8 * 86400000 WHERE demand_id = {demand}")).await;
    let res = rate(&resident, &server, &ds, ["5", "5", "5", "5"]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrRatingWindow");
}

/// Every station-only server function added with threads, appointments, activities, visits
/// and ratings refuses a resident who calls it directly over HTTP.
#[tokio::test]
async fn station_functions_refuse_residents() {
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let cases: [(&str, &[(&str, &str)]); 10] = [
        ("station/moderation", &[]),
        ("station/moderation/decide", &[("kind", "thread"), ("id", "1"), ("decision", "hide")]),
        ("station/moderation/block", &[("user_id", "1"), ("days", "3"), ("reason", "x")]),
        ("station/threshold", &[("threshold", "2")]),
        ("threads/milestone", &[("id", "1"), ("note", "")]),
        ("station/appointments", &[("date", "")]),
        ("station/appointments/mark", &[("id", "1"), ("mark", "arrived")]),
        ("station/appointments/walk-in", &[("phone", "13800000011"), ("affair", "residence-proof")]),
        ("station/appointments/settings", &[("capacity", "9"), ("hours", ""), ("closed", "")]),
        ("activities/attended", &[("id", "1"), ("user_id", "1")]),
    ];
    for (endpoint, form) in cases {
        let status = call(&resident, &server, endpoint, form).await.status().as_u16();
        assert!(status == 403 || status == 404, "{endpoint} answered {status} to a resident");
    }
    // And a guest gets nothing at all.
    let guest = client();
    for endpoint in ["station/appointments", "appointments", "activities", "station/moderation"] {
        assert_eq!(call(&guest, &server, endpoint, &[("date", ""), ("affair", "")]).await.status(), 401, "{endpoint}");
    }
}

/// A served appointment (here a walk-in) is rated like a case: by its resident only, once
/// (edits allowed), a bad rating opens one callback, and the dashboard counts it.
#[tokio::test]
async fn a_served_appointment_is_rated_like_a_case() {
    let (db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let res =
        call(&worker, &server, "station/appointments/walk-in", &[("phone", NEIGHBOUR), ("affair", "residence-proof")])
            .await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let id = sql_i64(&db, "SELECT MAX(id) FROM appointments").await.to_string();
    assert_eq!(
        sql_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE kind = 'rate_invite' AND link = '/appointments/{id}#rating'"
            )
        )
        .await,
        1
    );
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let b = json(call(&neighbour, &server, "appointments/one", &[("id", &id)]).await).await;
    assert_eq!(b["rating"]["can_rate"], true);
    let form = |levels: [&'static str; 4]| {
        vec![
            ("appointment_id", id.clone()),
            ("overall", levels[0].to_string()),
            ("timeliness", levels[1].to_string()),
            ("attitude", levels[2].to_string()),
            ("outcome", levels[3].to_string()),
            ("comment", String::new()),
        ]
    };
    let post = |c: reqwest::Client, f: Vec<(&'static str, String)>| {
        let url = server.url("/api/ratings/rate-appointment");
        async move { c.post(url).header("Accept", "application/json").form(&f).send().await.unwrap() }
    };
    // Nobody else rates it.
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(post(resident, form(["5", "5", "5", "5"])).await.status(), 404);
    assert_eq!(post(worker.clone(), form(["5", "5", "5", "5"])).await.status(), 403);
    assert_eq!(post(neighbour.clone(), form(["9", "5", "5", "5"])).await.status(), 422);
    // 不满意, then 非常不满意: one rating, one callback for the stationmaster.
    assert!(post(neighbour.clone(), form(["2", "2", "3", "2"])).await.status().is_success());
    assert!(post(neighbour.clone(), form(["1", "2", "3", "2"])).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM appointment_ratings").await, 1);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items WHERE kind = 'callback'").await, 1);
    let master = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{STATIONMASTER}'")).await;
    assert_eq!(sql_i64(&db, "SELECT assignee_id FROM work_items WHERE kind = 'callback'").await, master);
    // The dashboard's satisfaction counts it (one rating, not satisfied).
    let boss = logged_in(&server, STATIONMASTER).await;
    let d = json(call(&boss, &server, "station/dashboard", &[("query[period]", "week")]).await).await;
    assert_eq!(d["rates"]["satisfaction"]["den"], 1, "{d}");
    assert_eq!(d["rates"]["satisfaction"]["num"], 0);
    assert_eq!(d["rates"]["distribution"][4], 1);
    // After seven days the window is closed.
    sql(&db, &format!("UPDATE appointments SET marked_at = marked_at - 8 * 86400000 WHERE id = {id}")).await;
    let res = post(neighbour, form(["5", "5", "5", "5"])).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrRatingWindow");
}
