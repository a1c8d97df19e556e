//! The dashboard over HTTP (`TEST_BACKEND` picks the backend): who may read it, the rates
//! moving with real cases, the CSV exports (columns, UTF-8 with BOM), and the seeded history.

mod common;
use common::*;

async fn dash(c: &reqwest::Client, server: &TestServer, fields: &[(&str, &str)]) -> reqwest::Response {
    call(c, server, "station/dashboard", fields).await
}

fn rate(d: &serde_json::Value, name: &str) -> (i64, i64) {
    (d["rates"][name]["num"].as_i64().unwrap(), d["rates"][name]["den"].as_i64().unwrap())
}

#[tokio::test]
async fn rates_follow_the_cases_and_only_staff_read_them() {
    let (db, server) = seeded_or_skip!();
    // The last three Beijing days: robust to running on the first of a recent.
    let beijing = chrono::Utc::now() + chrono::Duration::hours(8);
    let from = (beijing - chrono::Duration::days(3)).format("%Y-%m-%d").to_string();
    let to = beijing.format("%Y-%m-%d").to_string();
    let recent = [("query[period]", "custom"), ("query[from]", from.as_str()), ("query[to]", to.as_str())];
    let csv_query = format!("period=custom&from={from}&to={to}");

    // Residents and department liaisons see no dashboard, nor its CSV; guests neither.
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(dash(&resident, &server, &recent).await.status(), 403);
    let liaison = logged_in(&server, DEPARTMENT).await;
    assert_eq!(dash(&liaison, &server, &recent).await.status(), 403);
    assert_eq!(dash(&client(), &server, &recent).await.status(), 401);
    for path in ["/station/dashboard/items.csv", "/station/dashboard/rates.csv"] {
        assert_eq!(resident.get(server.url(path)).send().await.unwrap().status(), 403, "{path}");
        assert_eq!(client().get(server.url(path)).send().await.unwrap().status(), 401, "{path}");
    }
    let page = resident.get(server.url("/station/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("rate-response"), "no dashboard for a resident");

    // A fresh community: nothing to measure is "no rate", not 0 %.
    let master = logged_in(&server, STATIONMASTER).await;
    let d = json(dash(&master, &server, &recent).await).await;
    assert_eq!(rate(&d, "response"), (0, 0));
    assert_eq!(rate(&d, "satisfaction"), (0, 0));
    // The station team sees its own community only.
    let other = dash(&master, &server, &[("query[community]", "hetaoyuan")]).await;
    assert_eq!(other.status(), 403);

    // Two demands: one answered in time, resolved, confirmed and rated 满意; one left
    // unanswered past its response deadline.
    let k1 = key();
    let one = demand_id(
        &post_demand(&resident, &server, &demand_fields(&k1, "residence-proof", "需要居住证明"), vec![]).await,
    );
    let k2 = key();
    let two =
        demand_id(&post_demand(&resident, &server, &demand_fields(&k2, "residence-proof", "第二件事"), vec![]).await);
    let now = chrono::Utc::now().timestamp_millis();
    let hour = 3_600_000;
    sql(
        &db,
        &format!(
            "UPDATE work_items SET created_at = {}, respond_by = {}, updated_at = {now} WHERE demand_id = {two}",
            now - 30 * hour,
            now - 6 * hour
        ),
    )
    .await;
    sql(&db, &format!("UPDATE work_items SET respond_by = {}, first_response_at = {}, state = 'resolved', resolved_at = {now}, version = version + 1 WHERE demand_id = {one}", now - hour, now - 2 * hour)).await;
    let ds = one.to_string();
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    let version = d["live"]["version"].as_i64().unwrap().to_string();
    let res =
        call(&resident, &server, "demands/act", &[("id", &ds), ("version", &version), ("action", "confirm")]).await;
    assert!(res.status().is_success());
    let res = call(
        &resident,
        &server,
        "ratings/rate",
        &[
            ("demand_id", &ds),
            ("overall", "4"),
            ("timeliness", "4"),
            ("attitude", "5"),
            ("outcome", "4"),
            ("comment", ""),
        ],
    )
    .await;
    assert!(res.status().is_success());

    let d = json(dash(&master, &server, &recent).await).await;
    assert_eq!(rate(&d, "response"), (1, 2), "one in time of two due: {d}");
    assert_eq!(rate(&d, "resolution"), (1, 1));
    assert_eq!(rate(&d, "satisfaction"), (1, 1));
    assert_eq!(d["rates"]["distribution"], serde_json::json!([0, 1, 0, 0, 0]));
    assert_eq!(d["rates"]["overdue_now"], 1);
    assert_eq!(d["rates"]["posted"], 2);
    assert!(d["workers"].as_array().unwrap().iter().any(|w| w["rates"]["overdue_now"] == 1));
    // The same figures on the page, rendered on the server.
    let page =
        master.get(server.url(&format!("/station/dashboard?{csv_query}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("响应率") && page.contains("解决率") && page.contains("满意率"));
    assert!(page.contains("1 / 2") && page.contains("50.0%"), "the response rate on the page: {page}");
    assert!(page.contains("class=\"gauge "), "charts are server-rendered SVG: {page}");

    // A bad custom period is a clear, translated error.
    let res = dash(
        &master,
        &server,
        &[("query[period]", "custom"), ("query[from]", "2026-13-01"), ("query[to]", "2026-01-01")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrDateFormat");

    // CSV: UTF-8 with BOM, Chinese headers, one line per item, no resident's phone.
    let res = master.get(server.url(&format!("/station/dashboard/items.csv?{csv_query}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "byte-order mark");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "编号");
    assert!(header.contains(&"按时响应") && header.contains(&"评价"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(!text.contains(RESIDENT), "no phone numbers");
    let res = master.get(server.url(&format!("/station/dashboard/rates.csv?{csv_query}"))).send().await.unwrap();
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("范围,起始日期,结束日期,诉求量,响应率(%)"), "{header}");
    assert!(text.lines().nth(1).unwrap().starts_with("强根社区,"), "{text}");
    assert!(text.contains(",50.0,1,2,"), "the response rate and its fraction: {text}");

    // A subdistrict admin ranks the communities under it and may open either.
    let admin = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let d = json(dash(&admin, &server, &recent).await).await;
    assert_eq!(d["chosen"], "all");
    let ranking = d["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 2);
    assert_eq!(ranking[0]["code"], "qianggen", "the only community with rates comes first");
    let d = json(dash(&admin, &server, &[("query[community]", "hetaoyuan")]).await).await;
    assert_eq!(d["rates"]["posted"], 0);
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let d = json(dash(&district, &server, &recent).await).await;
    assert_eq!(d["ranking"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn seeded_history_gives_the_dashboard_true_figures() {
    let Some(db) = TestDb::create().await else { return };
    let out = cli(&db, &["seed-demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let items = sql_i64(&db, "SELECT COUNT(*) FROM work_items").await;
    assert!(items > 150, "sixteen weeks of history: {items}");
    // A second run writes nothing more.
    assert!(cli(&db, &["seed-demo"]).status.success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items").await, items);
    // Qianggen's history leaves nothing open for the live demo.
    assert_eq!(
        sql_i64(&db, "SELECT COUNT(*) FROM work_items w JOIN regions r ON r.id = w.community_id WHERE r.code = 'qianggen' AND w.state NOT IN ('resolved', 'closed', 'withdrawn')").await,
        0
    );
    let server = TestServer::start(&db, &[]);
    let admin = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let from = chrono::Utc::now() - chrono::Duration::days(120);
    let (from, to) = (from.format("%Y-%m-%d").to_string(), chrono::Utc::now().format("%Y-%m-%d").to_string());
    let d =
        json(dash(&admin, &server, &[("query[period]", "custom"), ("query[from]", &from), ("query[to]", &to)]).await)
            .await;
    for name in ["response", "resolution", "satisfaction"] {
        let (num, den) = rate(&d, name);
        assert!(den > 20 && num > den / 2 && num <= den, "{name}: {num}/{den}");
    }
    let weekly: i64 = d["weekly"].as_array().unwrap().iter().map(|w| w[1].as_i64().unwrap()).sum();
    assert!(weekly > 50, "weekly volume {weekly}");
    assert_eq!(d["ranking"].as_array().unwrap().len(), 2);
    println!(
        "history over {from}..{to}: response {:?} resolution {:?} satisfaction {:?} posted {}",
        rate(&d, "response"),
        rate(&d, "resolution"),
        rate(&d, "satisfaction"),
        d["rates"]["posted"]
    );
}
