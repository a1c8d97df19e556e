//! Staff accounts made in the browser (`/station/team`): a one-time activation code instead
//! of a password anyone else knows, who may make and manage which accounts where, the
//! roster and area directors, and the change log (`TEST_BACKEND` picks the backend).

mod common;
use common::*;

const NEW_WORKER: &str = "13700000001";
const NEW_PASSWORD: &str = "zhanzhang2027";

/// The activation code the team page shows once after an account is made or reset.
async fn shown_code(c: &reqwest::Client, server: &TestServer, unit: &str) -> Option<String> {
    let page = c.get(server.url(&format!("/station/team?unit={unit}"))).send().await.unwrap().text().await.unwrap();
    let code = page.split("data-code=\"\">").nth(1)?.split('<').next()?.to_string();
    Some(code)
}

async fn activate(server: &TestServer, phone: &str, code: &str) -> reqwest::Response {
    let form = [("phone", phone), ("code", code), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
    call(&client(), server, "activate", &form).await
}

fn add<'a>(unit: &'a str, name: &'a str, phone: &'a str, role: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("unit", unit), ("name", name), ("phone", phone), ("role", role)]
}

#[tokio::test]
async fn a_new_worker_sets_their_own_password_with_the_code_handed_to_them() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let res = call(&master, &server, "team/add", &add("qianggen", "周社工", NEW_WORKER, "social_worker")).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // No password: nobody, the admin included, can log in with it yet; no work is routed to it.
    let hash =
        sql_i64(&db, &format!("SELECT COUNT(*) FROM users WHERE phone = '{NEW_WORKER}' AND password_hash IS NULL"))
            .await;
    assert_eq!(hash, 1);
    // The code is shown once, on the page after; a second look does not show it.
    let code = shown_code(&master, &server, "qianggen").await.expect("the code");
    assert_eq!(code.len(), 8, "{code}");
    assert_eq!(shown_code(&master, &server, "qianggen").await, None);
    // A wrong code and someone else's number get the same answer; neither activates.
    let wrong = if code == "00000000" { "11111111" } else { "00000000" };
    assert_eq!(activate(&server, NEW_WORKER, wrong).await.status(), 422);
    assert_eq!(activate(&server, RESIDENT, &code).await.status(), 422);
    assert_eq!(activate(&server, NEW_WORKER, &code).await.status(), 200);
    let worker = logged_in_with(&server, NEW_WORKER, NEW_PASSWORD).await;
    let me = json(call(&worker, &server, "whoami", &[]).await).await;
    assert_eq!(me[1], "SocialWorker", "{me}");
    // The code is used up.
    assert_eq!(activate(&server, NEW_WORKER, &code).await.status(), 422);
    // The change log names who made the account, and never the whole number.
    let view = json(call(&master, &server, "team/load", &[("unit", "qianggen")]).await).await;
    let entry = &view["changes"][0];
    assert_eq!(entry["what"], "Staff");
    assert_eq!(entry["actor"], "陈站长");
    assert_eq!(entry["subject"], "周社工 137****0001");
    assert!(!view.to_string().contains(NEW_WORKER), "the full number leaks: {view}");
    let member = view["members"].as_array().unwrap().iter().find(|m| m["name"] == "周社工").unwrap().clone();
    assert_eq!(member["state"], "Active");
}

#[tokio::test]
async fn each_admin_makes_only_the_roles_below_it_in_its_own_units() {
    let (db, server) = seeded_or_skip!();
    sql(
        &db,
        "INSERT INTO regions (level, code, name_zh, name_en, parent_id) \
         SELECT 'community', 'elsewhere', '别处社区', 'Elsewhere Community', id FROM regions WHERE code = 'yuetan'",
    )
    .await;
    // Station workers and liaisons make no accounts at all.
    for phone in [SOCIAL_WORKER, DEPARTMENT, RESIDENT] {
        let c = logged_in(&server, phone).await;
        let res = call(&c, &server, "team/add", &add("qianggen", "某人", "13700000009", "social_worker")).await;
        assert_eq!(res.status(), 403, "{phone}");
        assert_eq!(call(&c, &server, "team/load", &[("unit", "qianggen")]).await.status(), 403, "{phone}");
    }
    // A stationmaster: workers of their own station, not a stationmaster, not elsewhere.
    let master = logged_in(&server, STATIONMASTER).await;
    let res = call(&master, &server, "team/add", &add("qianggen", "某站长", "13700000002", "stationmaster")).await;
    assert_eq!(res.status(), 422);
    let res = call(&master, &server, "team/add", &add("hetaoyuan", "某社工", "13700000002", "social_worker")).await;
    assert_eq!(res.status(), 403);
    assert_eq!(call(&master, &server, "team/load", &[("unit", "guanganmenwai")]).await.status(), 403);
    // A subdistrict admin: a stationmaster of any of its stations, liaisons of its
    // departments (the department is required), nothing in another subdistrict.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let res = call(&sub, &server, "team/add", &add("hetaoyuan", "何站长", "13700000003", "stationmaster")).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let res = call(&sub, &server, "team/add", &add("guanganmenwai", "联络员", "13700000004", "department")).await;
    assert_eq!(res.status(), 422);
    let dept: String = {
        let view = json(call(&sub, &server, "team/load", &[("unit", "guanganmenwai")]).await).await;
        view["departments"][0][0].as_str().unwrap().to_string()
    };
    let mut liaison = add("guanganmenwai", "联络员", "13700000004", "department");
    liaison.push(("department", &dept));
    assert_eq!(call(&sub, &server, "team/add", &liaison).await.status(), 200);
    let res =
        call(&sub, &server, "team/add", &add("guanganmenwai", "另一管理员", "13700000005", "subdistrict_admin")).await;
    assert_eq!(res.status(), 422);
    let res = call(&sub, &server, "team/add", &add("elsewhere", "某社工", "13700000006", "social_worker")).await;
    assert_eq!(res.status(), 403);
    // The district admin: a subdistrict admin anywhere in the district.
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let res =
        call(&district, &server, "team/add", &add("yuetan", "月坛管理员", "13700000005", "subdistrict_admin")).await;
    assert_eq!(res.status(), 200);
    // A number already in use is refused on its field.
    let res = call(&district, &server, "team/add", &add("qianggen", "重复", SOCIAL_WORKER, "social_worker")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("phone"));
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM users WHERE phone LIKE '137%'").await, 3);
}

#[tokio::test]
async fn deactivating_signs_out_at_once_and_a_reset_takes_the_password_away() {
    let (db, server) = seeded_or_skip!();
    let worker_id = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{SOCIAL_WORKER}'")).await.to_string();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let master = logged_in(&server, STATIONMASTER).await;
    let access = |action: &'static str| {
        [("unit", "qianggen".to_string()), ("member", worker_id.clone()), ("action", action.to_string())]
    };
    let form = |a: &[(&'static str, String); 3]| a.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let post = |c: &reqwest::Client, endpoint: &'static str, f: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = server.url(&format!("/api/{endpoint}"));
        async move { c.post(url).header("Accept", "application/json").form(&f).send().await.unwrap() }
    };
    assert_eq!(post(&master, "team/access", form(&access("disable"))).await.status(), 200);
    // A second click (another tab, another admin) changes nothing and logs nothing.
    assert_eq!(post(&master, "team/access", form(&access("disable"))).await.status(), 200);
    assert_eq!(call(&worker, &server, "whoami", &[]).await.status(), 200);
    assert!(json(call(&worker, &server, "whoami", &[]).await).await.is_null(), "signed out at once");
    assert_eq!(login(&client(), &server, SOCIAL_WORKER, DEMO_PASSWORD).await.status(), 401);
    assert_eq!(post(&master, "team/access", form(&access("enable"))).await.status(), 200);
    logged_in(&server, SOCIAL_WORKER).await;
    // A reset: the old password stops working; a new code sets a new one.
    assert_eq!(post(&master, "team/access", form(&access("reset"))).await.status(), 200);
    assert_eq!(login(&client(), &server, SOCIAL_WORKER, DEMO_PASSWORD).await.status(), 401);
    let code = shown_code(&master, &server, "qianggen").await.expect("the new code");
    assert_eq!(activate(&server, SOCIAL_WORKER, &code).await.status(), 200);
    logged_in_with(&server, SOCIAL_WORKER, NEW_PASSWORD).await;
    // Nobody manages their own account or a peer's.
    let master_id = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{STATIONMASTER}'")).await.to_string();
    let own = vec![("unit", "qianggen".to_string()), ("member", master_id), ("action", "disable".to_string())];
    assert_eq!(post(&master, "team/access", own).await.status(), 403);
    // An account of another unit is not found from this one.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let wrong_unit =
        vec![("unit", "hetaoyuan".to_string()), ("member", worker_id.clone()), ("action", "disable".to_string())];
    assert_eq!(post(&sub, "team/access", wrong_unit).await.status(), 404);
    let view = json(call(&master, &server, "team/load", &[("unit", "qianggen")]).await).await;
    let log: Vec<String> =
        view["changes"].as_array().unwrap().iter().map(|c| c["after"].as_str().unwrap().to_string()).collect();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log[0].contains("待激活") && log[0].contains("已发新激活码"), "{log:?}");
    assert!(log[2].contains("已停用"), "{log:?}");
    // An account deactivated before its holder activated it gets a new code when reactivated
    // (the deactivation took the first away), and is offered no work meanwhile.
    let res = call(&master, &server, "team/add", &add("qianggen", "吴社工", NEW_WORKER, "social_worker")).await;
    assert_eq!(res.status(), 200);
    assert!(shown_code(&master, &server, "qianggen").await.is_some());
    let view = json(call(&master, &server, "team/load", &[("unit", "qianggen")]).await).await;
    assert!(!view["directors"].to_string().contains("吴社工"), "a pending account directs no area");
    let pending = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{NEW_WORKER}'")).await.to_string();
    let access = |action: &str| {
        vec![("unit", "qianggen".to_string()), ("member", pending.clone()), ("action", action.to_string())]
    };
    assert_eq!(post(&master, "team/access", access("disable")).await.status(), 200);
    assert_eq!(shown_code(&master, &server, "qianggen").await, None);
    assert_eq!(post(&master, "team/access", access("enable")).await.status(), 200);
    let code = shown_code(&master, &server, "qianggen").await.expect("a new code");
    assert_eq!(activate(&server, NEW_WORKER, &code).await.status(), 200);
}

#[tokio::test]
async fn the_stationmaster_keeps_the_roster_and_names_area_directors_from_the_team() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let worker_id = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{SOCIAL_WORKER}'")).await.to_string();
    let duty = [("unit", "qianggen"), ("member", worker_id.as_str()), ("on", "0")];
    assert_eq!(call(&master, &server, "team/duty", &duty).await.status(), 200);
    assert_eq!(sql_i64(&db, &format!("SELECT on_duty FROM users WHERE id = {worker_id}")).await, 0);
    // A social worker cannot set someone else's duty.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(call(&worker, &server, "team/duty", &duty).await.status(), 403);
    // A director from the team; someone of another community is refused.
    let director = [("unit", "qianggen"), ("area", "g2"), ("member", worker_id.as_str())];
    assert_eq!(call(&master, &server, "team/director", &director).await.status(), 200);
    let named = sql_i64(
        &db,
        "SELECT g.director_id FROM grid_areas g JOIN regions r ON r.id = g.community_id WHERE r.code = 'qianggen' AND g.code = 'g2'",
    )
    .await;
    assert_eq!(named.to_string(), worker_id);
    let outsider = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{SUBDISTRICT_ADMIN}'")).await.to_string();
    let wrong = [("unit", "qianggen"), ("area", "g2"), ("member", outsider.as_str())];
    assert_eq!(call(&master, &server, "team/director", &wrong).await.status(), 422);
    let view = json(call(&master, &server, "team/load", &[("unit", "qianggen")]).await).await;
    let kinds: Vec<&str> = view["changes"].as_array().unwrap().iter().map(|c| c["what"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Director", "Duty"]);
    // The subdistrict admin sees the station's log too.
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let seen = json(call(&sub, &server, "team/load", &[("unit", "qianggen")]).await).await;
    assert_eq!(seen["changes"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_subdistrict_admin_adds_a_department_and_opens_its_liaison() {
    let (db, server) = seeded_or_skip!();
    let department =
        [("unit", "guanganmenwai"), ("code", "heating"), ("name_zh", "供热办"), ("name_en", "Heating office")];
    // Not a stationmaster's, not another subdistrict's admin's, not on a community.
    let master = logged_in(&server, STATIONMASTER).await;
    assert_eq!(call(&master, &server, "team/department", &department).await.status(), 403);
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let elsewhere = [("unit", "yuetan"), ("code", "heating"), ("name_zh", "供热办"), ("name_en", "Heating office")];
    assert_eq!(call(&sub, &server, "team/department", &elsewhere).await.status(), 403);
    let on_community =
        [("unit", "qianggen"), ("code", "heating"), ("name_zh", "供热办"), ("name_en", "Heating office")];
    assert_eq!(call(&sub, &server, "team/department", &on_community).await.status(), 403);
    let bad = [("unit", "guanganmenwai"), ("code", "Heating Office"), ("name_zh", ""), ("name_en", "x")];
    assert_eq!(call(&sub, &server, "team/department", &bad).await.status(), 422);
    assert_eq!(call(&sub, &server, "team/department", &department).await.status(), 200);
    // Renamed with the same code; the same names again log nothing.
    let renamed =
        [("unit", "guanganmenwai"), ("code", "heating"), ("name_zh", "供热服务办"), ("name_en", "Heating office")];
    assert_eq!(call(&sub, &server, "team/department", &renamed).await.status(), 200);
    assert_eq!(call(&sub, &server, "team/department", &renamed).await.status(), 200);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM departments WHERE code = 'heating'").await, 1);
    // Its liaison, who can now be whistled up.
    let mut liaison = add("guanganmenwai", "供热联络员", "13700000011", "department");
    liaison.push(("department", "heating"));
    assert_eq!(call(&sub, &server, "team/add", &liaison).await.status(), 200);
    let view = json(call(&sub, &server, "team/load", &[("unit", "guanganmenwai")]).await).await;
    let log = view["changes"].as_array().unwrap();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log[1]["what"], "Department");
    assert_eq!(log[1]["before"], "供热办 / Heating office");
    assert_eq!(log[1]["after"], "供热服务办 / Heating office");
    let member = view["members"].as_array().unwrap().iter().find(|m| m["name"] == "供热联络员").unwrap().clone();
    assert_eq!(member["department"]["zh"], "供热服务办");
}

#[tokio::test]
async fn admins_add_and_rename_the_regions_below_them_and_a_new_community_gets_the_catalogue() {
    let (db, server) = seeded_or_skip!();
    let region = |code: &'static str, zh: &'static str, en: &'static str, unit: &'static str| {
        vec![("unit", unit), ("region_code", code), ("region_zh", zh), ("region_en", en)]
    };
    // A district template, so that a new community starts with the district's catalogue.
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let template = [
        ("region", "xicheng"),
        ("code", "heating-help"),
        ("family", "life"),
        ("category", "daily_life"),
        ("mode", "referral"),
        ("response_hours", "4"),
        ("completion_hours", "48"),
        ("served_by_zh", "街道供暖办"),
        ("served_by_en", "Heating office"),
        ("name_zh", "供暖报修"),
        ("name_en", "Heating repair"),
        ("description_zh", "暖气不热"),
        ("description_en", "Radiators cold"),
        ("documents_zh", ""),
        ("documents_en", ""),
        ("keywords", "暖气"),
    ];
    let res = call(&district, &server, "setup/catalogue/save", &template).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // The stationmaster and a liaison may not; the subdistrict admin adds a community.
    let master = logged_in(&server, STATIONMASTER).await;
    let new = region("gwai-north", "广外北社区", "Guangwai North", "guanganmenwai");
    assert_eq!(call(&master, &server, "team/region", &new).await.status(), 403);
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let res = call(&sub, &server, "team/region", &new).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let q = "SELECT COUNT(*) FROM regions c JOIN regions s ON s.id = c.parent_id \
             WHERE c.code = 'gwai-north' AND c.level = 'community' AND s.code = 'guanganmenwai'";
    assert_eq!(sql_i64(&db, q).await, 1);
    let affairs = "SELECT COUNT(*) FROM affairs a JOIN regions r ON r.id = a.community_id \
                   WHERE r.code = 'gwai-north' AND a.code = 'heating-help' AND a.template_id IS NOT NULL";
    assert_eq!(sql_i64(&db, affairs).await, 1, "the district's template reached the new community");
    // Renamed; a code another region holds is refused with the field named, nothing changed.
    let renamed = region("gwai-north", "广外北里社区", "Guangwai North Li", "guanganmenwai");
    assert_eq!(call(&sub, &server, "team/region", &renamed).await.status(), 200);
    let taken = region("yuetan", "抢占", "Taken", "guanganmenwai");
    let res = call(&sub, &server, "team/region", &taken).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("region_code"));
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM regions WHERE name_zh = '抢占'").await, 0);
    // The subdistrict admin adds no subdistricts; the district admin does.
    let sub_new = region("new-street", "新街道", "New Street", "xicheng");
    assert_eq!(call(&sub, &server, "team/region", &sub_new).await.status(), 403);
    assert_eq!(call(&district, &server, "team/region", &sub_new).await.status(), 200);
    assert_eq!(
        sql_i64(&db, "SELECT COUNT(*) FROM regions WHERE code = 'new-street' AND level = 'subdistrict'").await,
        1
    );
    // The list below and the log on the subdistrict's team page.
    let view = json(call(&sub, &server, "team/load", &[("unit", "guanganmenwai")]).await).await;
    assert!(view["below"].as_array().unwrap().iter().any(|r| r[0] == "gwai-north" && r[1]["zh"] == "广外北里社区"));
    assert_eq!(view["keeps_below"], "Community");
    let log: Vec<_> = view["changes"].as_array().unwrap().iter().filter(|c| c["what"] == "Region").collect();
    assert_eq!(log.len(), 2, "{view}");
    assert_eq!(log[0]["before"], "广外北社区 / Guangwai North");
    assert_eq!(log[0]["after"], "广外北里社区 / Guangwai North Li");
}
