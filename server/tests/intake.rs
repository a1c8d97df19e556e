//! Smart intake over HTTP: the stable suggestion endpoint, the post form's server function,
//! and learning from the demands filed under each affair (`TEST_BACKEND` picks the backend).

mod common;
use common::*;
use serde_json::Value;

async fn suggest(server: &TestServer, query: &[(&str, &str)]) -> reqwest::Response {
    client().get(server.url("/api/suggest/affairs")).query(query).send().await.unwrap()
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_endpoint_suggests_affairs_for_what_residents_write() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    // Rebuilt for every request: the test reads what it just filed.
    let server = TestServer::start(&db, &[("INTAKE_INDEX_SECONDS", "0")]);

    // Colloquial text, a typo, Latin letters: the intended affair first, with why.
    for (q, want) in [
        ("楼道灯坏了三天了晚上摸黑", "shared-facilities-repair"),
        ("5号楼电悌卡住不动了", "shared-facilities-repair"),
        ("dibao怎么申请", "minimum-living-allowance"),
        ("我家狗的犬证过期了", "dog-registration"),
    ] {
        let res = suggest(&server, &[("community", "qianggen"), ("q", q)]).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/json");
        let v: Value = res.json().await.unwrap();
        let list = v.as_array().unwrap();
        assert!(!list.is_empty() && list.len() <= 5, "{q}: {v}");
        assert_eq!(list[0]["code"], want, "{q}: {v}");
        assert!(!list[0]["why"].as_array().unwrap().is_empty(), "{v}");
        assert!(list[0]["name"].as_str().is_some_and(|n| !n.is_empty()));
        let scores: Vec<f64> = list.iter().map(|s| s["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    }
    // Nothing to go on: nothing suggested. Bad requests say so; another place is not found.
    let v: Value = suggest(&server, &[("community", "qianggen"), ("q", "")]).await.json().await.unwrap();
    assert_eq!(v, serde_json::json!([]));
    assert_eq!(suggest(&server, &[("q", "灯不亮")]).await.status(), 400);
    assert_eq!(suggest(&server, &[("community", "nowhere"), ("q", "灯不亮")]).await.status(), 404);
    assert_eq!(suggest(&server, &[("community", "guanganmenwai"), ("q", "灯不亮")]).await.status(), 404);
    // A long text is ranked by its first 500 characters, not refused.
    let long = format!("{}{}", "楼道灯坏了".repeat(100), "低保");
    let v: Value = suggest(&server, &[("community", "qianggen"), ("q", &long)]).await.json().await.unwrap();
    assert_eq!(codes(&v)[0], "shared-facilities-repair", "{v}");

    // The post form asks as the signed-in resident, for their own community.
    let resident = logged_in(&server, RESIDENT).await;
    let res = call(&resident, &server, "intake/suggest", &[("text", "想给我妈申请老年餐桌送饭")]).await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert!(v.as_array().unwrap().len() <= 3);
    assert_eq!(codes(&v)[0], "elderly-meals", "{v}");
    assert_eq!(call(&client(), &server, "intake/suggest", &[("text", "灯")]).await.status(), 401);

    // It learns from what is filed: words no affair text has, once demands under an
    // affair use them, lead to it.
    let q = [("community", "qianggen"), ("q", "鸽子在阳台筑巢")];
    let before: Value = suggest(&server, &q).await.json().await.unwrap();
    assert!(!codes(&before).contains(&"volunteer-environment".to_string()), "{before}");
    // Private demands teach nothing: a public score must not tell what they say.
    for i in 0..3 {
        let k = key();
        let text = format!("鸽子在阳台筑巢，粪便很多 {i}");
        let res = post_demand(&resident, &server, &demand_fields(&k, "volunteer-environment", &text), vec![]).await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
    }
    let still: Value = suggest(&server, &q).await.json().await.unwrap();
    assert_eq!(still, before, "private demands taught it");
    // Words the catalogue does not know count once three different residents wrote them:
    // one resident's words (however often) never steer the suggestions.
    let shown = |i: usize| {
        let k = key();
        let text = format!("鸽子在阳台筑巢，粪便很多 {i}");
        (k, text)
    };
    for i in 0..3 {
        let (k, text) = shown(i);
        let mut fields = demand_fields(&k, "volunteer-environment", &text);
        fields[5] = ("visibility", "community");
        let res = post_demand(&resident, &server, &fields, vec![]).await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
    }
    let one: Value = suggest(&server, &q).await.json().await.unwrap();
    assert_eq!(one, before, "one resident's words taught it");
    for (i, neighbour) in more_residents(&db, &server, 2).await.iter().enumerate() {
        let (k, text) = shown(10 + i);
        let mut fields = demand_fields(&k, "volunteer-environment", &text);
        fields[5] = ("visibility", "community");
        let res = post_demand(neighbour, &server, &fields, vec![]).await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
    }
    let after: Value = suggest(&server, &q).await.json().await.unwrap();
    assert_eq!(codes(&after)[0], "volunteer-environment", "{after}");
}

async fn case(c: &reqwest::Client, server: &TestServer, id: i64) -> Value {
    json(call(c, server, "demands/one", &[("id", &id.to_string())]).await).await
}

async fn change(c: &reqwest::Client, server: &TestServer, id: i64, affair: &str) -> reqwest::Response {
    call(c, server, "demands/affair", &[("id", &id.to_string()), ("affair", affair)]).await
}

async fn post(c: &reqwest::Client, server: &TestServer, affair: &str, text: &str) -> i64 {
    let k = key();
    demand_id(&post_demand(c, server, &demand_fields(&k, affair, text), vec![]).await)
}

#[tokio::test]
async fn a_post_without_a_choice_is_filed_under_the_best_match_and_changed_in_one_tap() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("INTAKE_INDEX_SECONDS", "0")]);
    let resident = logged_in(&server, RESIDENT).await;

    // No choice: the best match, marked, with the next best offered to the requester.
    let id = post(&resident, &server, "", "楼道灯坏了三天了，晚上摸黑").await;
    let v = case(&resident, &server, id).await;
    assert_eq!(v["affair"][0], "shared-facilities-repair", "{v}");
    assert_eq!(v["affair_matched"], true);
    let choices = v["affair_choices"].as_array().expect("one-tap choices");
    assert!(choices.len() <= 2 && choices.iter().all(|c| c[0] != "shared-facilities-repair"), "{v}");
    // Words that say nothing clear, or an explicit "other": no affair, nothing marked.
    let vague = case(&resident, &server, post(&resident, &server, "", "你好，想问一下").await).await;
    assert!(vague["affair"].is_null() && vague["affair_matched"] == false, "{vague}");
    let other = case(&resident, &server, post(&resident, &server, "other", "楼道灯坏了").await).await;
    assert!(other["affair"].is_null() && other["affair_matched"] == false, "{other}");
    // A chosen affair is the resident's: no choices offered.
    let chosen = case(&resident, &server, post(&resident, &server, "electrical-repair", "楼道灯坏了").await).await;
    assert_eq!(chosen["affair"][0], "electrical-repair");
    assert!(chosen["affair_choices"].is_null() && chosen["affair_matched"] == false);

    // Nobody else changes it: a neighbour does not see it, an overseer does not sort it.
    assert_eq!(change(&logged_in(&server, "13800000011").await, &server, id, "other").await.status(), 404);
    assert_eq!(change(&logged_in(&server, SUBDISTRICT_ADMIN).await, &server, id, "other").await.status(), 403);
    assert_eq!(change(&resident, &server, id, "no-such-affair").await.status(), 422);
    // The requester's one tap: "other" (the case is visited to find out what is needed).
    let res = change(&resident, &server, id, "other").await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let v = case(&resident, &server, id).await;
    assert!(v["affair"].is_null() && v["affair_matched"] == false && v["affair_choices"].is_null(), "{v}");
    assert_eq!(v["triage_reason"], "NoAffair", "{v}");
    let timeline = v["live"]["timeline"].to_string();
    assert!(timeline.contains("affair_changed") || timeline.contains("AffairChanged"), "{timeline}");
    assert!(timeline.contains("其他"), "the change names the affairs: {timeline}");
    // Once: the choice is now a person's.
    assert_eq!(change(&resident, &server, id, "electrical-repair").await.status(), 403);

    // The station corrects it while it is open; the requester sees the new affair.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let res = change(&worker, &server, id, "electrical-repair").await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    assert_eq!(case(&resident, &server, id).await["affair"][0], "electrical-repair");
    assert_eq!(change(&worker, &server, id, "no-such-affair").await.status(), 422);
    assert_eq!(call(&client(), &server, "demands/affair", &[("id", "1"), ("affair", "other")]).await.status(), 401);
}
