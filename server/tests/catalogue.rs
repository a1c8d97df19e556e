//! The affairs catalogue template over HTTP: pushed to every community below its region in
//! the same request, a station's choice to hide an affair kept, a subdistrict's template
//! winning over the district's, scope, and the change log (`TEST_BACKEND` picks the backend).

mod common;
use common::*;

fn template<'a>(region: &'a str, code: &'a str, name: &'a str, response: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("region", region),
        ("code", code),
        ("family", "life"),
        ("category", "daily_life"),
        ("mode", "referral"),
        ("response_hours", response),
        ("completion_hours", "72"),
        ("name_zh", name),
        ("name_en", "Winter heating help"),
        ("description_zh", "供暖不热、暖气漏水时，社区联系供热单位上门。"),
        ("description_en", "The station calls the heating company when radiators are cold or leak."),
        ("documents_zh", ""),
        ("documents_en", ""),
        ("served_by_zh", "供热单位"),
        ("served_by_en", "Heating company"),
        ("keywords", "暖气 供暖"),
    ]
}

async fn affair(db: &TestDb, community: &str, code: &str, column: &str) -> i64 {
    sql_i64(
        db,
        &format!(
            "SELECT {column} FROM affairs a JOIN regions r ON r.id = a.community_id WHERE r.code = '{community}' AND a.code = '{code}'"
        ),
    )
    .await
}

#[tokio::test]
async fn a_template_reaches_every_community_below_and_a_station_may_hide_but_not_change_it() {
    let (db, server) = seeded_or_skip!();
    // A community of another subdistrict, to see that nothing leaks there.
    sql(
        &db,
        "INSERT INTO regions (level, code, name_zh, name_en, parent_id) \
         SELECT 'community', 'elsewhere', '别处社区', 'Elsewhere Community', id FROM regions WHERE code = 'yuetan'",
    )
    .await;
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    // A new affair: both communities of the subdistrict get it at once.
    let res =
        call(&sub, &server, "setup/catalogue/save", &template("guanganmenwai", "heating-help", "供暖求助", "12")).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    for c in ["qianggen", "hetaoyuan"] {
        assert_eq!(affair(&db, c, "heating-help", "response_hours").await, 12, "{c}");
    }
    let n = sql_i64(
        &db,
        "SELECT COUNT(*) FROM affairs a JOIN regions r ON r.id = a.community_id WHERE r.code = 'elsewhere'",
    )
    .await;
    assert_eq!(n, 0);
    // An affair the communities already have: from now on it follows the template (deadline policy).
    let existing = template("guanganmenwai", "party-transfer", "党组织关系转接", "8");
    assert_eq!(call(&sub, &server, "setup/catalogue/save", &existing).await.status(), 200);
    assert_eq!(affair(&db, "hetaoyuan", "party-transfer", "response_hours").await, 8);
    // The station hides the new one; the template changes; hidden it stays, with the new name.
    let master = logged_in(&server, STATIONMASTER).await;
    let res = call(&master, &server, "affairs/retire", &[("code", "heating-help"), ("retire", "1")]).await;
    assert_eq!(res.status(), 200);
    let renamed = template("guanganmenwai", "heating-help", "冬季供暖求助", "6");
    assert_eq!(call(&sub, &server, "setup/catalogue/save", &renamed).await.status(), 200);
    assert_eq!(affair(&db, "qianggen", "heating-help", "response_hours").await, 6);
    assert_eq!(affair(&db, "qianggen", "heating-help", "CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END").await, 1);
    assert_eq!(affair(&db, "hetaoyuan", "heating-help", "CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END").await, 0);
    // The station cannot edit it, and its page says so instead of offering the editor.
    let one = json(call(&master, &server, "affairs/one", &[("code", "heating-help")]).await).await;
    assert_eq!(one["from_template"], true);
    let own = json(call(&master, &server, "affairs/one", &[("code", "party-register")]).await).await;
    assert_eq!(own["from_template"], false);
    let mut edit = template("", "heating-help", "我们自己的名字", "6");
    edit.retain(|(k, _)| *k != "region");
    edit.push(("existing", "heating-help"));
    let res = call(&master, &server, "affairs/save", &edit).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("code"));
    // The district's template for the same code does not override the subdistrict's.
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let res =
        call(&district, &server, "setup/catalogue/save", &template("xicheng", "heating-help", "区级供暖求助", "24"))
            .await;
    assert_eq!(res.status(), 200);
    assert_eq!(affair(&db, "qianggen", "heating-help", "response_hours").await, 6);
    assert_eq!(affair(&db, "elsewhere", "heating-help", "response_hours").await, 24);
    // The subdistrict's catalogue lists it with who follows and hides it; the log has each change.
    let view = json(call(&sub, &server, "setup/catalogue", &[("region", "guanganmenwai")]).await).await;
    let heating = view["templates"].as_array().unwrap().iter().find(|t| t["code"] == "heating-help").unwrap().clone();
    assert_eq!((heating["following"].as_i64(), heating["hidden"].as_i64()), (Some(2), Some(1)), "{heating}");
    let log = view["changes"].as_array().unwrap();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log[0]["what"], "Affair");
    assert!(log[0]["before"].as_str().unwrap().contains("供暖求助 / Winter heating help · 12h / 72h"), "{log:?}");
}

#[tokio::test]
async fn only_the_admins_of_a_region_keep_its_template() {
    let (db, server) = seeded_or_skip!();
    let body = template("guanganmenwai", "heating-help", "供暖求助", "12");
    for phone in [STATIONMASTER, SOCIAL_WORKER, DEPARTMENT, RESIDENT] {
        let c = logged_in(&server, phone).await;
        assert_eq!(call(&c, &server, "setup/catalogue/save", &body).await.status(), 403, "{phone}");
        assert_eq!(call(&c, &server, "setup/catalogue", &[]).await.status(), 403, "{phone}");
    }
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(call(&sub, &server, "setup/catalogue/save", &template("yuetan", "x", "某事", "12")).await.status(), 403);
    assert_eq!(
        call(&sub, &server, "setup/catalogue/save", &template("xicheng", "x", "某事", "12")).await.status(),
        403
    );
    // Bad fields: each named, nothing written anywhere.
    let bad = template("guanganmenwai", "Bad Code", "", "0");
    let res = call(&sub, &server, "setup/catalogue/save", &bad).await;
    assert_eq!(res.status(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("code") && text.contains("name_zh") && text.contains("response_hours"), "{text}");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM affair_templates").await, 0);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM admin_audit").await, 0);
}
