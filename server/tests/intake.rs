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
    let long = "灯".repeat(501);
    assert_eq!(suggest(&server, &[("community", "qianggen"), ("q", &long)]).await.status(), 400);

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
    for i in 0..3 {
        let k = key();
        let text = format!("鸽子在阳台筑巢，粪便很多 {i}");
        let res = post_demand(&resident, &server, &demand_fields(&k, "volunteer-environment", &text), vec![]).await;
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
    }
    let after: Value = suggest(&server, &q).await.json().await.unwrap();
    assert_eq!(codes(&after)[0], "volunteer-environment", "{after}");
}
