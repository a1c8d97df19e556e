//! Personal-data rights (issue 14): who looked at my data, my data as a ZIP, deleting the
//! account (checked by scanning every text column), the privacy notice's consent.

mod common;
use common::*;
use sqlx::Connection;

const PHONE: &str = "13912347001";
const NAME: &str = "注销测试甲";
const SECRET: &str = "只写给服务站的私密诉求内容七七";

/// Every text column of every table, on either database.
async fn text_columns(db: &TestDb) -> Vec<(String, String)> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let q = if backend() == Backend::Postgres {
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')"
    } else {
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND upper(p.type) = 'TEXT'"
    };
    sqlx::query_as(q).fetch_all(&mut conn).await.unwrap()
}

/// Where `needle` still appears: "table.column" for each.
async fn found(db: &TestDb, needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (t, c) in text_columns(db).await {
        let n = sql_i64(db, &format!("SELECT COUNT(*) FROM {t} WHERE {c} LIKE '%{needle}%'")).await;
        if n > 0 {
            out.push(format!("{t}.{c}"));
        }
    }
    out
}

async fn resident(server: &TestServer) -> reqwest::Client {
    let c = client();
    let b = json(call(&c, server, "communities/buildings", &[("community", "qianggen")]).await).await;
    let building = b[0]["id"].as_i64().unwrap().to_string();
    let code = code_for(&c, server, "register", PHONE).await;
    let form = [
        ("phone", PHONE),
        ("sms_code", code.as_str()),
        ("consent", "yes"),
        ("password", "lvyin2026"),
        ("password_confirm", "lvyin2026"),
        ("display_name", NAME),
        ("community", "qianggen"),
        ("building", building.as_str()),
        ("unit_no", "3"),
        ("room", "909"),
    ];
    let res = call(&c, server, "register", &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    c
}

fn zip_files(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.insert(f.name().to_string(), b);
    }
    out
}

#[tokio::test]
async fn access_log_export_and_deletion() {
    let (db, server) = seeded_or_skip!();
    let me = resident(&server).await;
    let k = key();
    let res =
        post_demand(&me, &server, &demand_fields(&k, "home-elderly-care", SECRET), vec![("a.jpg", jpeg(64, 48))]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let id = demand_id(&res).to_string();

    // Staff read it: the station worker opens the case page (twice: one entry a day), an
    // overseer shows the contact with a reason.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    for _ in 0..2 {
        assert_eq!(call(&worker, &server, "demands/one", &[("id", &id)]).await.status(), 200);
    }
    let admin = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(call(&admin, &server, "demands/one", &[("id", &id)]).await.status(), 200);
    let r = call(&admin, &server, "demands/contact", &[("id", &id), ("reason", "核实独居老人情况")]).await;
    assert_eq!(r.status(), 200);
    // The case page view did not unmask the contact for the overseer before the reason.
    let o = json(call(&me, &server, "privacy", &[]).await).await;
    let reads = o["reads"].as_array().unwrap();
    assert_eq!(reads.len(), 3, "{o}");
    assert_eq!(reads[0]["role"], "SubdistrictAdmin");
    assert_eq!(reads[0]["contact"], true);
    assert_eq!(reads[0]["reason"], "核实独居老人情况");
    assert_eq!(reads[2]["role"], "SocialWorker");
    assert_eq!(reads[2]["contact"], false);
    assert_eq!(o["agreed"][0], o["notice_version"], "consent recorded at registration: {o}");
    let page = me.get(server.url("/me/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("核实独居老人情况") && page.contains("data-access-entry"));
    // Nobody else reads it.
    assert_eq!(call(&client(), &server, "privacy", &[]).await.status(), 401);

    // My data: every kind, nothing of other people.
    assert_eq!(client().get(server.url("/me/privacy/my-data.zip")).send().await.unwrap().status(), 401);
    let res = me.get(server.url("/me/privacy/my-data.zip")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let files = zip_files(&res.bytes().await.unwrap());
    for part in [
        "account.json",
        "consents.json",
        "demands.json",
        "comments.json",
        "supports.json",
        "bookings.json",
        "ratings.json",
        "survey_answers.json",
        "notifications.json",
        "sessions.json",
        "push_devices.json",
        "reach_choices.json",
        "deliveries.json",
        "access_log.json",
        "family_links.json",
    ] {
        assert!(files.contains_key(part), "{part} missing: {:?}", files.keys());
    }
    let text = |f: &str| String::from_utf8(files[f].clone()).unwrap();
    assert!(text("account.json").contains(PHONE) && text("account.json").contains(NAME));
    assert!(!text("account.json").contains("argon2"), "no password hash");
    assert!(text("demands.json").contains(SECRET));
    assert_eq!(files.keys().filter(|k| k.starts_with("photos/")).count(), 1);
    assert!(text("access_log.json").contains("核实独居老人情况"));
    let everything: String = files
        .iter()
        .filter(|(k, _)| k.ends_with(".json"))
        .map(|(_, v)| String::from_utf8_lossy(v).to_string())
        .collect();
    for other in [SOCIAL_WORKER, SUBDISTRICT_ADMIN, RESIDENT] {
        assert!(!everything.contains(other), "another person's number {other} in the export");
    }
    let worker_name = json(call(&worker, &server, "me", &[]).await).await["display_name"].as_str().unwrap().to_string();
    assert!(!everything.contains(&worker_name), "a staff name in the export");

    // Deletion: confirmed by a code sent to the account's phone.
    let demands_before = sql_i64(&db, "SELECT COUNT(*) FROM demands").await;
    let items_before = sql_i64(&db, "SELECT COUNT(*) FROM work_items").await;
    let res = call(&me, &server, "privacy/delete", &[("sms_code", "123456")]).await;
    assert_eq!(res.status(), 422, "no code asked for");
    let code = code_for(&me, &server, "delete", PHONE).await;
    let res = call(&me, &server, "privacy/delete", &[("sms_code", &code)]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], "/account-deleted");
    let receipt = me.get(server.url("/account-deleted")).send().await.unwrap().text().await.unwrap();
    assert!(receipt.contains("data-receipt=\"MC-"), "a receipt");
    // No phone, no name, no private text left anywhere.
    for needle in [PHONE, NAME, SECRET] {
        assert_eq!(found(&db, needle).await, Vec::<String>::new(), "{needle} still stored");
    }
    let photos = sql_i64(&db, &format!("SELECT COUNT(*) FROM photos WHERE demand_id = {id}")).await;
    assert_eq!(photos, 0);
    // The case stays for the statistics, with nobody in it.
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM demands").await, demands_before);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items").await, items_before);
    let view = json(call(&worker, &server, "demands/one", &[("id", &id)]).await).await;
    assert_eq!(view["requester"], "已注销居民");
    // The account is gone: no session, no login, no reset.
    assert_eq!(call(&me, &server, "me", &[]).await.status(), 401);
    assert_eq!(login(&client(), &server, PHONE, "lvyin2026").await.status(), 401);
    // The number is free again: a new registration gets a code.
    let c = client();
    code_for(&c, &server, "register", PHONE).await;
}

#[tokio::test]
async fn staff_do_not_delete_themselves_here_and_a_new_notice_asks_again() {
    let (db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(call(&worker, &server, "privacy/delete", &[("sms_code", "123456")]).await.status(), 403);
    // The demo accounts never agreed to this version: asked on the page, then recorded.
    let me = logged_in(&server, RESIDENT).await;
    let o = json(call(&me, &server, "privacy", &[]).await).await;
    assert!(o["agreed"].is_null());
    let page = me.get(server.url("/me/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/privacy/consent"));
    assert_eq!(call(&me, &server, "privacy/consent", &[]).await.status(), 200);
    let o = json(call(&me, &server, "privacy", &[]).await).await;
    assert_eq!(o["agreed"][0], o["notice_version"]);
    let n = sql_i64(&db, "SELECT COUNT(*) FROM consents").await;
    assert_eq!(n, 1);
    let page = me.get(server.url("/me/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/api/privacy/consent"), "asked once per version");
    // The public notice.
    let notice = client().get(server.url("/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(notice.contains("我们收集什么") && notice.contains("2026-12-01"));
}

#[tokio::test]
async fn closed_cases_lose_their_personal_fields_after_the_retention_period() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("JOBS_INTERVAL_SECONDS", "1"), ("RETENTION_CHECK_SECONDS", "1")]);
    let me = logged_in(&server, RESIDENT).await;
    let post = |text: &'static str| {
        let (me, server) = (&me, &server);
        async move {
            let k = key();
            let res =
                post_demand(me, server, &demand_fields(&k, "home-elderly-care", text), vec![("a.jpg", jpeg(32, 32))])
                    .await;
            assert_eq!(res.status(), 200);
            demand_id(&res)
        }
    };
    let old = post("四年前办结的私密诉求内容").await;
    let recent = post("一年前办结的私密诉求内容").await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let year = 365 * 86_400_000_i64;
    // Its delivery log goes with the period too ("已短信通知" four years ago), not last year's.
    for (demand, age) in [(old, 4 * year), (recent, year)] {
        sql(
            &db,
            &format!(
                "INSERT INTO deliveries (user_id, work_item_id, channel, kind, state, due_at, sent_at, created_at) \
                 SELECT d.requester_id, w.id, 'sms', 'status', 'sent', {t}, {t}, {t} \
                 FROM demands d JOIN work_items w ON w.demand_id = d.id WHERE d.id = {demand}",
                t = now - age
            ),
        )
        .await;
    }
    sql(&db, &format!("UPDATE work_items SET closed_at = {} WHERE demand_id = {old}", now - 4 * year)).await;
    sql(&db, &format!("UPDATE work_items SET closed_at = {} WHERE demand_id = {recent}", now - year)).await;
    let log = |demand: i64| {
        format!(
            "SELECT COUNT(*) FROM deliveries WHERE created_at <= {} \
             AND work_item_id = (SELECT id FROM work_items WHERE demand_id = {demand})",
            now - year
        )
    };
    let mut done = false;
    for _ in 0..100 {
        if sql_i64(&db, &format!("SELECT COUNT(*) FROM demands WHERE id = {old} AND anonymised_at IS NOT NULL")).await
            == 1
            && sql_i64(&db, &log(old)).await == 0
        {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "the job anonymised the old case and purged its delivery log");
    assert_eq!(found(&db, "四年前办结").await, Vec::<String>::new());
    assert_eq!(sql_i64(&db, &format!("SELECT COUNT(*) FROM photos WHERE demand_id = {old}")).await, 0);
    assert_eq!(sql_i64(&db, &log(old)).await, 0, "the old delivery log is purged");
    assert_eq!(sql_i64(&db, &log(recent)).await, 1, "last year's is kept");
    // The case closed a year ago keeps everything.
    assert_eq!(sql_i64(&db, &format!("SELECT COUNT(*) FROM photos WHERE demand_id = {recent}")).await, 1);
    assert_eq!(found(&db, "一年前办结").await, vec!["demands.description".to_string()]);
}
