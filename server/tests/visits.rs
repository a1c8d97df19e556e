//! Home visits over HTTP (`TEST_BACKEND` picks the backend): request, routing to the area
//! director, proposal, another time, acceptance, outcome, privacy.

mod common;
use common::*;

const NEIGHBOUR: &str = "13800000011";

#[tokio::test]
async fn a_home_visit_is_proposed_rescheduled_agreed_and_recorded() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let form = [
        ("reason", "老伴卧床，需要办理高龄津贴认证"),
        ("preferred", "weekday_morning"),
        ("preferred_note", "周三最好"),
        ("mobility", "bedridden"),
        ("mobility_note", ""),
        ("idempotency_key", k.as_str()),
    ];
    let bad = [
        ("reason", ""),
        ("preferred", "x"),
        ("preferred_note", ""),
        ("mobility", "none"),
        ("mobility_note", ""),
        ("idempotency_key", k.as_str()),
    ];
    let res = call(&resident, &server, "visits/request", &bad).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM home_visits").await, 0, "nothing stored");
    let res = call(&resident, &server, "visits/request", &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let demand: i64 = res.headers()["location"].to_str().unwrap().strip_prefix("/demands/").unwrap().parse().unwrap();
    // The same form again: the same request.
    assert_eq!(
        call(&resident, &server, "visits/request", &form).await.headers()["location"].to_str().unwrap(),
        format!("/demands/{demand}")
    );
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items WHERE kind = 'home_visit'").await, 1);

    let d = json(call(&resident, &server, "demands/one", &[("id", &demand.to_string())]).await).await;
    assert_eq!(d["triage_reason"], "HomeVisit");
    assert_eq!(d["assignee"], "刘社工", "the building's area director");
    assert_eq!(d["visit"]["mobility"], "bedridden");
    assert!(d["visit"]["can_answer"].is_null());
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    assert_eq!(call(&neighbour, &server, "demands/one", &[("id", &demand.to_string())]).await.status(), 404, "private");

    // The director proposes; the resident asks for another time; a new proposal is agreed.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let ds = demand.to_string();
    let day = beijing_date_in(2);
    let propose = |time: &'static str| {
        let (w, url, ds, day) = (worker.clone(), server.url("/api/visits/propose"), ds.clone(), day.clone());
        async move {
            w.post(url)
                .header("Accept", "application/json")
                .form(&[("demand_id", ds.as_str()), ("date", day.as_str()), ("time", time)])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        call(&resident, &server, "visits/propose", &[("demand_id", &ds), ("date", &day), ("time", "09:30")])
            .await
            .status(),
        403
    );
    assert!(propose("09:30").await.status().is_success());
    assert_eq!(propose("10:30").await.status(), 409, "one proposal at a time");
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    let first = d["visit"]["can_answer"].as_i64().expect("the resident may answer").to_string();
    assert_eq!(
        call(&worker, &server, "visits/answer", &[("proposal_id", &first), ("accept", "1")]).await.status(),
        403
    );
    let res =
        call(&resident, &server, "visits/answer", &[("proposal_id", &first), ("accept", "0"), ("note", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(call(
        &resident,
        &server,
        "visits/answer",
        &[("proposal_id", &first), ("accept", "0"), ("note", "上午 10 点以后")]
    )
    .await
    .status()
    .is_success());
    assert!(propose("10:30").await.status().is_success());
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    let second = d["visit"]["can_answer"].as_i64().unwrap().to_string();
    assert!(call(&resident, &server, "visits/answer", &[("proposal_id", &second), ("accept", "1")])
        .await
        .status()
        .is_success());
    let d = json(call(&worker, &server, "demands/one", &[("id", &ds)]).await).await;
    assert_eq!(d["live"]["state"], "VisitScheduled");
    assert_eq!(d["visit"]["can_record"], true);
    assert!(call(
        &worker,
        &server,
        "visits/outcome",
        &[("demand_id", &ds), ("outcome", "已上门完成认证，材料已代为提交。")]
    )
    .await
    .status()
    .is_success());
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    assert_eq!(d["live"]["state"], "InProgress");
    assert!(d["visit"]["outcome"].as_str().unwrap().contains("认证"));
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notifications WHERE kind = 'visit_proposed'").await, 2);
}
