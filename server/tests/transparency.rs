//! The public accountability page (`/transparency`): no login, the staff dashboard's own
//! figures, and nothing personal in the page (`TEST_BACKEND` picks the backend).

mod common;
use common::*;

#[tokio::test]
async fn the_public_page_shows_the_dashboards_figures_and_nothing_personal() {
    let (_db, server) = seeded_or_skip!();
    // A case this month, with words and a phone of its own that must not reach the page.
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let res =
        post_demand(&resident, &server, &demand_fields(&k, "electrical-repair", "楼道灯坏了找老王"), vec![]).await;
    assert_eq!(res.status(), 200);
    let guest = client();
    let res = guest.get(server.url("/transparency?community=qianggen")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("响应率") && page.contains("强根社区") && page.contains("核桃园社区"),
        "the rates and the ranking"
    );
    // Nothing personal: no resident, no staff member, no phone, no case text.
    for personal in
        ["王秀兰", "李建国", "何明", "刘社工", "陈站长", "赵副站长", "13800000", "138****", "/demands/", "楼道灯坏了"]
    {
        assert!(!page.contains(personal), "{personal} is on the public page");
    }
    // The same figures as the station's dashboard for the same month.
    let t = json(call(&guest, &server, "transparency", &[("community", "qianggen")]).await).await;
    let month = t["month"].as_str().unwrap().to_string();
    assert_eq!(t["months"].as_array().unwrap().len(), 6);
    assert_eq!(t["months"][5]["month"], month.as_str());
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
    let next = (first + chrono::Duration::days(32)).format("%Y-%m-01").to_string();
    let last = chrono::NaiveDate::parse_from_str(&next, "%Y-%m-%d").unwrap() - chrono::Duration::days(1);
    let (from, to) = (first.format("%Y-%m-%d").to_string(), last.format("%Y-%m-%d").to_string());
    let master = logged_in(&server, STATIONMASTER).await;
    let q = [("query[period]", "custom"), ("query[from]", from.as_str()), ("query[to]", to.as_str())];
    let d = json(call(&master, &server, "station/dashboard", &q).await).await;
    for key in ["response", "resolution", "satisfaction"] {
        assert_eq!(t["rates"][key], d["rates"][key], "{key}");
    }
    assert_eq!(t["rates"]["posted"], d["rates"]["posted"]);
    assert!(t["rates"]["posted"].as_i64().unwrap() > 0, "the demo has cases this month: {t}");
    let ranked: Vec<&str> = t["ranking"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(ranked.contains(&"qianggen") && ranked.contains(&"hetaoyuan"), "{ranked:?}");
    assert!(!t.to_string().contains("刘社工"), "no worker in the JSON either");
    // An earlier month; a month out of range and an unknown community are refused.
    let earlier = t["months"][0]["month"].as_str().unwrap().to_string();
    let e = json(call(&guest, &server, "transparency", &[("community", "qianggen"), ("month", &earlier)]).await).await;
    assert_eq!(e["month"], earlier.as_str());
    assert_eq!(e["months"][5]["rates"], t["months"][0]["rates"]);
    let res = call(&guest, &server, "transparency", &[("community", "qianggen"), ("month", "2020-01")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(call(&guest, &server, "transparency", &[("community", "nowhere")]).await.status(), 404);
}
