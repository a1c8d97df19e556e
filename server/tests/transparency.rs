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
    // The six months come from one load over their span: each is the dashboard's month.
    for line in t["months"].as_array().unwrap() {
        let first =
            chrono::NaiveDate::parse_from_str(&format!("{}-01", line["month"].as_str().unwrap()), "%Y-%m-%d").unwrap();
        let next = (first + chrono::Duration::days(32)).format("%Y-%m-01").to_string();
        let last = chrono::NaiveDate::parse_from_str(&next, "%Y-%m-%d").unwrap() - chrono::Duration::days(1);
        let (from, to) = (first.format("%Y-%m-%d").to_string(), last.format("%Y-%m-%d").to_string());
        let q = [("query[period]", "custom"), ("query[from]", from.as_str()), ("query[to]", to.as_str())];
        let d = json(call(&master, &server, "station/dashboard", &q).await).await;
        assert_eq!(line["rates"], d["rates"], "{}", line["month"]);
    }
    let res = call(&guest, &server, "transparency", &[("community", "qianggen"), ("month", "2020-01")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(call(&guest, &server, "transparency", &[("community", "nowhere")]).await.status(), 404);
}

#[tokio::test]
async fn the_station_reports_an_outcome_in_one_impersonal_line() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let res =
        post_demand(&resident, &server, &demand_fields(&k, "electrical-repair", "3号楼二单元楼道灯不亮"), vec![]).await;
    let demand = demand_id(&res);
    let ds = demand.to_string();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let publish = |c: reqwest::Client, summary: &'static str| {
        let (url, ds) = (server.url("/api/transparency/publish"), ds.clone());
        async move {
            c.post(url)
                .header("Accept", "application/json")
                .form(&[("demand", ds.as_str()), ("summary", summary)])
                .send()
                .await
                .unwrap()
        }
    };
    // Not before it is resolved.
    assert_eq!(publish(worker.clone(), "3号楼楼道灯已更换，夜间照明恢复").await.status(), 409);
    let now = chrono::Utc::now().timestamp_millis();
    sql(&db, &format!("UPDATE work_items SET state = 'resolved', resolved_at = {now}, version = version + 1 WHERE demand_id = {demand}")).await;
    // Only the station team; the resident and an admin above may not.
    assert_eq!(publish(resident.clone(), "3号楼楼道灯已更换，夜间照明恢复").await.status(), 403);
    assert_eq!(
        publish(logged_in(&server, SUBDISTRICT_ADMIN).await, "3号楼楼道灯已更换，夜间照明恢复").await.status(),
        403
    );
    // Nothing personal: a phone, or the requester's name, is refused, and nothing is kept.
    for bad in ["已联系13812345678，灯已修好", "王秀兰家门口的灯已修好"] {
        let res = publish(worker.clone(), bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrOutcomePersonal");
    }
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM public_outcomes").await, 0);
    let res = publish(worker.clone(), "3号楼楼道灯已更换，夜间照明恢复").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // On the public page, with the affair; the case's own words and number stay off it.
    let page = client().get(server.url("/transparency?community=qianggen")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("3号楼楼道灯已更换，夜间照明恢复"));
    assert!(!page.contains("楼道灯不亮") && !page.contains(&format!("/demands/{demand}")));
    let t = json(call(&client(), &server, "transparency", &[("community", "qianggen")]).await).await;
    assert_eq!(t["outcomes"][0]["summary"], "3号楼楼道灯已更换，夜间照明恢复");
    assert!(t["outcomes"][0]["affair"]["zh"].is_string());
    // Another community's page does not show it; withdrawn, it is gone.
    let other = json(call(&client(), &server, "transparency", &[("community", "hetaoyuan")]).await).await;
    assert!(other["outcomes"].as_array().unwrap().is_empty());
    assert_eq!(publish(worker.clone(), "").await.status(), 200);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM public_outcomes").await, 0);
}
