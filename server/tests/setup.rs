//! Community set-up over HTTP: who may change a community's grid areas and buildings, a
//! bulk paste that is all or nothing, and the change log (`TEST_BACKEND` picks the backend).

mod common;
use common::*;

/// A community in another subdistrict (Yuetan), for scope checks.
async fn elsewhere(db: &TestDb) {
    sql(
        db,
        "INSERT INTO regions (level, code, name_zh, name_en, parent_id) \
         SELECT 'community', 'elsewhere', '别处社区', 'Elsewhere Community', id FROM regions WHERE code = 'yuetan'",
    )
    .await;
}

async fn setup(c: &reqwest::Client, server: &TestServer, community: &str) -> reqwest::Response {
    call(c, server, "setup/community", &[("community", community)]).await
}

#[tokio::test]
async fn only_the_stationmaster_and_the_admins_above_change_a_community() {
    let (db, server) = seeded_or_skip!();
    elsewhere(&db).await;
    let area = [("community", "qianggen"), ("code", "g9"), ("name_zh", "第九网格"), ("name_en", "Grid area 9")];
    // The station's other staff, a liaison and residents may not.
    for phone in [SOCIAL_WORKER, "13800000003", DEPARTMENT, RESIDENT] {
        let c = logged_in(&server, phone).await;
        assert_eq!(call(&c, &server, "setup/area", &area).await.status(), 403, "{phone}");
        assert_eq!(setup(&c, &server, "qianggen").await.status(), 403, "{phone}");
    }
    assert_eq!(call(&client(), &server, "setup/area", &area).await.status(), 401);
    // The stationmaster: their own community, not another.
    let master = logged_in(&server, STATIONMASTER).await;
    assert_eq!(call(&master, &server, "setup/area", &area).await.status(), 200);
    let hetao = [("community", "hetaoyuan"), ("code", "g9"), ("name_zh", "第九网格"), ("name_en", "Grid area 9")];
    assert_eq!(call(&master, &server, "setup/area", &hetao).await.status(), 403);
    // The subdistrict admin: every community of Guang'anmenwai, none of Yuetan's.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(call(&sub, &server, "setup/area", &hetao).await.status(), 200);
    let away = [("community", "elsewhere"), ("code", "g1"), ("name_zh", "第一网格"), ("name_en", "Grid area 1")];
    assert_eq!(call(&sub, &server, "setup/area", &away).await.status(), 403);
    assert_eq!(setup(&sub, &server, "elsewhere").await.status(), 403);
    let choices = json(call(&sub, &server, "setup/community", &[]).await).await;
    let codes: Vec<&str> = choices["choices"].as_array().unwrap().iter().map(|c| c[0].as_str().unwrap()).collect();
    assert!(codes.contains(&"qianggen") && !codes.contains(&"elsewhere"), "{codes:?}");
    // The district admin: any community of the district.
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    assert_eq!(call(&district, &server, "setup/area", &away).await.status(), 200);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM grid_areas WHERE code = 'g9'").await, 2);
    // An unknown community is a 404, a bad code a 422 naming the field.
    let ghost = [("community", "nowhere"), ("code", "g1"), ("name_zh", "一"), ("name_en", "One")];
    assert_eq!(call(&district, &server, "setup/area", &ghost).await.status(), 404);
    let bad = [("community", "qianggen"), ("code", "G 9"), ("name_zh", ""), ("name_en", "x")];
    let res = call(&district, &server, "setup/area", &bad).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_pasted_building_list_is_saved_whole_or_not_at_all_and_every_change_is_logged() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let before = sql_i64(&db, "SELECT COUNT(*) FROM buildings").await;
    // One bad line (an unknown grid area): nothing is saved.
    let bad = "b21\t21号楼\t40\tg1\nb22\t22号楼\t40\tg99\n";
    let res = call(&master, &server, "setup/buildings", &[("community", "qianggen"), ("lines", bad)]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM buildings").await, before);
    // A spreadsheet paste: two new buildings and one existing building changed.
    let good = "b21\t21号楼\t40\tg1\nb22\t22号楼\t36\tg2\nb1\t1号楼\t50\tg1\n";
    let res = call(&master, &server, "setup/buildings", &[("community", "qianggen"), ("lines", good)]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM buildings").await, before + 2);
    assert_eq!(sql_i64(&db, "SELECT households FROM buildings b JOIN regions r ON r.id = b.community_id WHERE r.code = 'qianggen' AND b.code = 'b1'").await, 50);
    // The same paste again changes nothing and logs nothing.
    let res = call(&master, &server, "setup/buildings", &[("community", "qianggen"), ("lines", good)]).await;
    assert_eq!(res.status(), 200);
    // The log: three entries, newest first, with before and after; the subdistrict admin sees it too.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let view = json(setup(&sub, &server, "qianggen").await).await;
    let changes = view["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{changes:?}");
    let b1 = changes.iter().find(|c| c["subject"] == "b1").unwrap();
    assert_eq!(b1["before"], "1号楼 · 48 · g1");
    assert_eq!(b1["after"], "1号楼 · 50 · g1");
    assert_eq!(b1["actor"], "陈站长");
    assert!(changes.iter().any(|c| c["subject"] == "b21" && c["before"].is_null()));
    // Hetaoyuan's log does not show Qianggen's changes.
    let other = json(setup(&sub, &server, "hetaoyuan").await).await;
    assert_eq!(other["changes"].as_array().unwrap().len(), 0);
    // Residents can now register in the new building (the registration form lists it).
    let buildings = json(call(&client(), &server, "communities/buildings", &[("community", "qianggen")]).await).await;
    assert!(buildings.as_array().unwrap().iter().any(|b| b.to_string().contains("21号楼")), "{buildings}");
}

#[tokio::test]
async fn without_javascript_a_bad_paste_comes_back_with_its_lines_and_the_bad_line_numbers() {
    let (_db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let pasted = "b31,31号楼,40,g1\nb32,32号楼,many,g1\n";
    let res = post_form(
        &master,
        &server,
        "setup/buildings",
        &[("community", "qianggen"), ("lines", pasted)],
        "/station/setup",
    )
    .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let back = if back.starts_with("http") { back } else { server.url(&back) };
    let page = master.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("b32,32号楼,many,g1"), "the paste is kept");
    let marked = page.split("data-bad-lines").nth(1).and_then(|s| s.split("</p>").next()).expect("the bad lines");
    assert!(marked.contains("有问题的行：") && marked.contains('2') && !marked.contains('1'), "{marked}");
    assert!(page.contains("什么都没有保存"), "the translated error");
    // A good paste goes back to the page with the count of changes.
    let res = post_form(
        &master,
        &server,
        "setup/buildings",
        &[("community", "qianggen"), ("lines", "b31,31号楼,40,g1")],
        "/station/setup",
    )
    .await;
    assert_eq!(res.status(), 302);
    let to = res.headers()["location"].to_str().unwrap();
    assert!(to.contains("saved=1"), "{to}");
    let page = master.get(server.url(to)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("31号楼") && page.contains("b31"));
}

#[tokio::test]
async fn a_pasted_partner_directory_is_saved_whole_and_offered_for_hand_offs() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let before = sql_i64(&db, "SELECT COUNT(*) FROM partners").await;
    let bad =
        "便民网点\tshoe-repair\t老李修鞋\t修鞋、配钥匙\t13912345678\t南门\nshop\tx\t某店\t卖东西\t13912345678\t北门\n";
    let res = call(&master, &server, "setup/partners", &[("community", "qianggen"), ("lines", bad)]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM partners").await, before);
    let good = "便民网点\tshoe-repair\t老李修鞋\t修鞋、配钥匙\t13912345678\t南门\n志愿组织,green-team,绿色家园志愿队,垃圾分类宣传,010-63300000,社区活动室\n";
    let res = call(&master, &server, "setup/partners", &[("community", "qianggen"), ("lines", good)]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM partners").await, before + 2);
    // Another station's admin may not; the subdistrict admin may.
    let hetao = [("community", "hetaoyuan"), ("lines", good)];
    assert_eq!(call(&master, &server, "setup/partners", &hetao).await.status(), 403);
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(call(&sub, &server, "setup/partners", &hetao).await.status(), 200);
    // The log and the directory on the set-up page.
    let view = json(setup(&master, &server, "qianggen").await).await;
    let partner = view["partners"].as_array().unwrap().iter().find(|p| p[1] == "shoe-repair").unwrap().clone();
    assert_eq!(partner[0], "handy_help");
    let changes = view["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|c| c["what"] == "Partner"));
    assert_eq!(
        sql_i64(&db, "SELECT COUNT(*) FROM partners p JOIN regions r ON r.id = p.community_id WHERE r.code = 'hetaoyuan' AND p.code = 'green-team'").await,
        1
    );
}

#[tokio::test]
async fn a_subdistrict_directory_reaches_every_station_below_and_only_its_admins_keep_it() {
    let (db, server) = seeded_or_skip!();
    elsewhere(&db).await;
    let line = "驻区单位\tchildrens-hospital\t儿童医院\t义诊、健康讲座\t010-59616161\t南礼士路56号\n";
    // A stationmaster keeps their own directory, not the subdistrict's.
    let master = logged_in(&server, STATIONMASTER).await;
    let shared = |c: &'static str| [("community", c), ("lines", line), ("shared", "1")];
    assert_eq!(call(&master, &server, "setup/partners", &shared("qianggen")).await.status(), 403);
    // The subdistrict admin pastes it once, from any of its communities, not from another subdistrict's.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(call(&sub, &server, "setup/partners", &shared("elsewhere")).await.status(), 403);
    let res = call(&sub, &server, "setup/partners", &shared("hetaoyuan")).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let at_subdistrict = "SELECT COUNT(*) FROM partners p JOIN regions r ON r.id = p.community_id \
                          WHERE r.level = 'subdistrict' AND p.code = 'childrens-hospital'";
    assert_eq!(sql_i64(&db, at_subdistrict).await, 1);
    // Qianggen's station sees it on its set-up page and hands a case to it.
    let view = json(setup(&master, &server, "qianggen").await).await;
    assert_eq!(view["shared_partners"][0][1], "childrens-hospital", "{view}");
    assert_eq!(view["may_share"], false);
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let res =
        post_demand(&resident, &server, &demand_fields(&k, "electrical-repair", "想请医生来做个讲座"), vec![]).await;
    assert_eq!(res.status(), 200);
    let id = demand_id(&res).to_string();
    let d = json(call(&master, &server, "demands/one", &[("id", &id)]).await).await;
    let partner = d["staff"]["partners"].as_array().unwrap().iter().find(|p| p["name"]["zh"] == "儿童医院");
    let partner =
        partner.unwrap_or_else(|| panic!("offered for hand-offs: {}", d["staff"]["partners"]))["id"].to_string();
    let (item, version) = (d["item_id"].to_string(), d["live"]["version"].to_string());
    let accept = [("item", item.as_str()), ("version", version.as_str()), ("action", "accept")];
    assert_eq!(call(&master, &server, "work/act", &accept).await.status(), 200);
    let d = json(call(&master, &server, "demands/one", &[("id", &id)]).await).await;
    let version = d["live"]["version"].to_string();
    let form = [("item", item.as_str()), ("version", version.as_str()), ("partner", partner.as_str())];
    let res = call(&master, &server, "work/hand-off", &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // The hand-off went to the subdistrict's partner.
    let other =
        "SELECT COUNT(*) FROM handoffs h JOIN partners p ON p.id = h.partner_id WHERE p.code = 'childrens-hospital'";
    assert_eq!(sql_i64(&db, other).await, 1);
    // The change is logged at the subdistrict.
    let logged = "SELECT COUNT(*) FROM admin_audit a JOIN regions r ON r.id = a.region_id \
                  WHERE r.level = 'subdistrict' AND a.what = 'partner' AND a.subject = 'childrens-hospital'";
    assert_eq!(sql_i64(&db, logged).await, 1);
}

#[tokio::test]
async fn the_station_publishes_its_phone_and_address_on_home_and_a_bad_one_is_refused() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let contacts = |phone: &'static str, address: &'static str| {
        [("community", "qianggen"), ("phone", phone), ("address", address)]
    };
    let res = call(&master, &server, "setup/contacts", &contacts("call us", "西城区前稿子胡同 2 号")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("phone"));
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM admin_audit WHERE what = 'contact'").await, 0);
    let res = call(&master, &server, "setup/contacts", &contacts("010-6601 2345", "西城区前稿子胡同 2 号")).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // Residents see them on Home, from the same setting.
    let resident = logged_in(&server, RESIDENT).await;
    let mine = json(call(&resident, &server, "my-community", &[]).await).await;
    assert_eq!(mine["phone"], "010-6601 2345");
    assert_eq!(mine["address"], "西城区前稿子胡同 2 号");
    let home = resident.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("href=\"tel:01066012345\""), "the phone is a link to call");
    // Another station's master may not change them; withdrawing is logged too.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(call(&sub, &server, "setup/contacts", &contacts("", "")).await.status(), 200);
    let mine = json(call(&resident, &server, "my-community", &[]).await).await;
    assert_eq!(mine["phone"], serde_json::Value::Null);
    let other = [("community", "hetaoyuan"), ("phone", "12345"), ("address", "")];
    assert_eq!(call(&master, &server, "setup/contacts", &other).await.status(), 403);
    let view = json(setup(&master, &server, "qianggen").await).await;
    let log: Vec<_> = view["changes"].as_array().unwrap().iter().filter(|c| c["what"] == "Contact").collect();
    assert_eq!(log.len(), 2, "{view}");
    assert_eq!(log[0]["before"], "010-6601 2345 · 西城区前稿子胡同 2 号");
    assert_eq!(log[0]["after"], "— · —");
}
