//! The residents' partner directory and the two-way assessment over HTTP (`TEST_BACKEND`
//! picks the backend): searching the directory (the community's and the subdistrict's
//! partners), asking a partner (the case names it; the station hands it over), and the
//! resident rating the partner's part with the case, counted on the dashboard.

mod common;
use common::*;
use serde_json::Value;

async fn directory(c: &reqwest::Client, server: &TestServer, q: &str, kind: &str) -> reqwest::Response {
    call(c, server, "partners/directory", &[("q", q), ("kind", kind)]).await
}

fn codes(d: &Value) -> Vec<String> {
    d["entries"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn residents_search_partners_ask_one_and_rate_its_part() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let master = logged_in(&server, STATIONMASTER).await;

    // The directory: searchable by what a partner offers, by kind; hours and contact shown.
    let all = json(directory(&resident, &server, "", "").await).await;
    assert!(codes(&all).len() >= 12, "{all}");
    assert_eq!(all["may_ask"], true);
    let meals = json(directory(&resident, &server, "助餐", "").await).await;
    assert_eq!(codes(&meals), ["elderly-station"]);
    assert!(!meals["entries"][0]["hours"].as_str().unwrap().is_empty());
    let outlets = json(directory(&resident, &server, "", "handy_help").await).await;
    assert!(outlets["entries"].as_array().unwrap().iter().all(|e| e["kind"] == "handy_help"));
    // A wildcard is a character like any other; an unknown kind is a bad request.
    assert!(codes(&json(directory(&resident, &server, "%", "").await).await).is_empty());
    assert_eq!(directory(&resident, &server, "", "shop").await.status(), 400);
    // The subdistrict's liaison has no community directory; nobody signed out reads it.
    assert_eq!(directory(&logged_in(&server, DEPARTMENT).await, &server, "", "").await.status(), 403);
    assert_eq!(directory(&client(), &server, "", "").await.status(), 401);
    // The subdistrict shares a partner with its communities: listed as shared.
    sql(&db, "INSERT INTO partners (community_id, kind, code, name_zh, name_en, serves_zh, serves_en, phone, address, hours) \
              SELECT id, 'institute', 'district-library', '区图书馆', 'District library', '借书、讲座', 'Books, talks', '010-63300000', '广外大街1号', '周二至周日 9:00-17:00' \
              FROM regions WHERE code = 'guanganmenwai'").await;
    let shared = json(directory(&resident, &server, "图书", "").await).await;
    assert_eq!(codes(&shared), ["district-library"]);
    assert_eq!(shared["entries"][0]["shared"], true);

    // Asking a partner that is not in the directory is refused, and nothing is filed.
    let k = key();
    let mut fields = demand_fields(&k, "home-elderly-care", "我母亲腿脚不便，想请养老驿站上门助浴");
    fields.push(("partner", "no-such-partner"));
    let res = post_demand(&resident, &server, &fields, vec![]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "partner");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM demands WHERE asked_partner_id IS NOT NULL").await, 0);

    // Asking the elderly station: the case names it, and the station's hand-off offers it first.
    let k = key();
    let mut fields = demand_fields(&k, "home-elderly-care", "我母亲腿脚不便，想请养老驿站上门助浴");
    fields.push(("partner", "elderly-station"));
    let res = post_demand(&resident, &server, &fields, vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let demand = demand_id(&res);
    let ds = demand.to_string();
    let station = sql_i64(&db, "SELECT p.id FROM partners p JOIN regions r ON r.id = p.community_id WHERE r.code = 'qianggen' AND p.code = 'elderly-station'").await;
    assert_eq!(sql_i64(&db, &format!("SELECT asked_partner_id FROM demands WHERE id = {demand}")).await, station);
    let d = json(call(&master, &server, "demands/one", &[("id", &ds)]).await).await;
    assert_eq!(d["staff"]["asked_partner"], station);
    let mine = call(&resident, &server, "demands/one", &[("id", &ds)]).await.text().await.unwrap();
    assert!(mine.contains("点名服务伙伴：强根养老服务驿站"), "the resident sees whom they asked");

    // The station accepts and hands it over; the partner's outcome comes back; it is resolved.
    let item = d["item_id"].to_string();
    let version = d["live"]["version"].to_string();
    assert_eq!(
        call(&master, &server, "work/act", &[("item", &item), ("version", &version), ("action", "accept")])
            .await
            .status(),
        200
    );
    let version =
        json(call(&master, &server, "demands/one", &[("id", &ds)]).await).await["live"]["version"].to_string();
    let res = call(
        &master,
        &server,
        "work/hand-off",
        &[("item", &item), ("version", &version), ("partner", &station.to_string())],
    )
    .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let now = chrono::Utc::now().timestamp_millis();
    sql(&db, &format!("UPDATE work_items SET state = 'resolved', resolved_at = {now}, version = version + 1 WHERE demand_id = {demand}")).await;
    let version =
        json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await["live"]["version"].to_string();
    assert!(call(&resident, &server, "demands/act", &[("id", &ds), ("version", &version), ("action", "confirm")])
        .await
        .status()
        .is_success());

    // The rating card names the partner's part; only that unit may be rated, on the five levels.
    let d = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await;
    let units = d["rating"]["units"].as_array().unwrap().clone();
    assert_eq!(units.len(), 1, "{units:?}");
    let unit = format!("u[{}]", units[0]["key"].as_str().unwrap());
    assert_eq!(units[0]["key"], format!("partner-{station}").as_str());
    let rate = |extra: Vec<(String, String)>| {
        let mut f: Vec<(String, String)> = [
            ("demand_id", ds.as_str()),
            ("overall", "4"),
            ("timeliness", "4"),
            ("attitude", "5"),
            ("outcome", "4"),
            ("comment", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        f.extend(extra);
        let (c, url) = (resident.clone(), server.url("/api/ratings/rate"));
        async move { c.post(url).header("Accept", "application/json").form(&f).send().await.unwrap() }
    };
    let res = rate(vec![("u[department-999]".into(), "3".into())]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrRatingUnit");
    let res = rate(vec![(unit.clone(), "7".into())]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM ratings").await, 0, "nothing stored");
    assert!(rate(vec![(unit.clone(), "5".into())]).await.status().is_success());
    assert_eq!(
        sql_i64(&db, &format!("SELECT score FROM unit_ratings WHERE unit_kind = 'partner' AND unit_id = {station}"))
            .await,
        5
    );
    // Changed within the window: still one score.
    assert!(rate(vec![(unit, "4".into())]).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM unit_ratings").await, 1);

    // The dashboard shows the partner's hand-offs and the residents' view of its part.
    let dash = json(call(&master, &server, "station/dashboard", &[("query[period]", "month")]).await).await;
    let line = dash["partners"].as_array().unwrap().iter().find(|p| p["name"]["zh"] == "强根养老服务驿站").cloned();
    let line = line.unwrap_or_else(|| panic!("{}", dash["partners"]));
    assert_eq!(
        (line["handoffs"].as_i64(), line["residents"]["num"].as_i64(), line["residents"]["den"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
}
