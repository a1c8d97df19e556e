//! Reaching residents outside the app (issue 18): Web Push to a local fake push service
//! whose payloads are decrypted here (RFC 8291), an expired subscription dropped on 410,
//! notice SMS through the log sender, each delivery once with two instances (PostgreSQL),
//! quiet hours and the daily cap, the switches on /me/reach, the case's delivery log, and
//! the reminders (confirm day 5, rating's last day, check-in due, reopened).

mod common;

use base64::Engine;
use common::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use web_push_native::p256;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// One request the fake push service received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    authorization: String,
    encoding: String,
    ttl: String,
    body: Vec<u8>,
}

struct FakePush {
    origin: String,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A push service on a local port: `/ok/…` takes the message (201), `/gone/…` says the
/// subscription expired (410).
async fn fake_push() -> FakePush {
    use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, http::Uri, routing::post, Router};
    type Shared = Arc<Mutex<Vec<Received>>>;
    async fn take(State(seen): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let path = uri.path().to_string();
        seen.lock().unwrap().push(Received {
            path: path.clone(),
            authorization: h("authorization"),
            encoding: h("content-encoding"),
            ttl: h("ttl"),
            body: body.to_vec(),
        });
        if path.starts_with("/gone/") {
            StatusCode::GONE
        } else {
            StatusCode::CREATED
        }
    }
    let received: Shared = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().route("/{kind}/{id}", post(take)).with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakePush { origin, received }
}

/// A browser's side of a subscription: its key pair and auth secret.
struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    fn new(seed: u8) -> Browser {
        let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        Browser { secret, auth: [seed; 16] }
    }
    fn p256dh(&self) -> String {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        B64.encode(self.secret.public_key().to_encoded_point(false).as_bytes())
    }
    fn auth(&self) -> String {
        B64.encode(self.auth)
    }
    /// The payload as the browser decrypts it.
    fn open(&self, body: &[u8]) -> Value {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth).expect("decrypts (RFC 8291)");
        serde_json::from_slice(&plain).expect("a JSON payload")
    }
}

async fn view(c: &reqwest::Client, server: &TestServer, id: i64) -> Value {
    json(call(c, server, "demands/one", &[("id", &id.to_string())]).await).await
}

async fn post(c: &reqwest::Client, server: &TestServer, description: &str) -> i64 {
    let k = key();
    let res = post_demand(c, server, &demand_fields(&k, "other", description), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    demand_id(&res)
}

/// The station accepts and resolves the demand; its work item's id.
async fn resolve(worker: &reqwest::Client, server: &TestServer, demand: i64) -> i64 {
    let mut item = 0;
    for action in ["accept", "resolve"] {
        let d = view(worker, server, demand).await;
        item = d["item_id"].as_i64().unwrap();
        let v = d["live"]["version"].as_i64().unwrap().to_string();
        let r =
            call(worker, server, "work/act", &[("item", &item.to_string()), ("version", &v), ("action", action)]).await;
        assert_eq!(r.status(), 200, "{action}: {:?}", r.text().await);
    }
    item
}

/// Waits (up to 15 s) until `check` holds.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..60 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("never happened: {what}");
}

fn notice_sms(servers: &[&TestServer], phone: &str) -> Vec<String> {
    let marker = format!("SMS to {phone}: notice ");
    servers.iter().flat_map(|s| s.log()).filter_map(|l| l.split_once(&marker).map(|(_, t)| t.to_string())).collect()
}

fn env<'a>(fake: &'a FakePush, quiet: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("PUSH_SERVICES", fake.origin.as_str()),
        ("PUSH_CONTACT", "mailto:it@district.example.cn"),
        ("DELIVERY_INTERVAL_SECONDS", "1"),
        ("JOBS_INTERVAL_SECONDS", "1"),
        ("SMS_QUIET_HOURS", quiet),
    ]
}

#[tokio::test]
async fn push_and_sms_reach_the_resident_once_with_two_instances() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let fake = fake_push().await;
    let first = TestServer::start(&db, &env(&fake, "off"));
    // Two instances send from the same queue (SQLite: one process writes at a time anyway).
    let second = (backend() == Backend::Postgres).then(|| TestServer::start(&db, &env(&fake, "off")));
    let resident = logged_in(&first, RESIDENT).await;
    let worker = logged_in(&first, SOCIAL_WORKER).await;

    // The page gives the site's key; the browser subscribes with it.
    let reach = json(call(&resident, &first, "reach", &[]).await).await;
    let site_key = reach["public_key"].as_str().unwrap().to_string();
    assert_eq!(B64.decode(&site_key).unwrap().len(), 65, "an uncompressed P-256 point");
    let phone = Browser::new(7);
    let old_phone = Browser::new(9);
    for (browser, path) in [(&phone, "/ok/1"), (&old_phone, "/gone/2")] {
        let endpoint = format!("{}{path}", fake.origin);
        let r = call(
            &resident,
            &first,
            "reach/subscribe",
            &[("endpoint", &endpoint), ("p256dh", &browser.p256dh()), ("auth", &browser.auth())],
        )
        .await;
        assert_eq!(r.status(), 200, "{:?}", r.text().await);
    }
    // Anything but an allowed push service is refused: the server would post to it.
    for endpoint in ["http://10.0.0.5/internal", "https://fcm.googleapis.com.evil.cn/x"] {
        let r = call(
            &resident,
            &first,
            "reach/subscribe",
            &[("endpoint", endpoint), ("p256dh", &phone.p256dh()), ("auth", &phone.auth())],
        )
        .await;
        assert_eq!(r.status(), 422, "{endpoint}");
    }
    let r = call(
        &resident,
        &first,
        "reach/subscribe",
        &[("endpoint", &format!("{}/ok/3", fake.origin)), ("p256dh", "bm90IGEga2V5"), ("auth", &phone.auth())],
    )
    .await;
    assert_eq!(r.status(), 422, "not a P-256 key");
    let devices = json(call(&resident, &first, "reach", &[]).await).await["devices"].as_array().unwrap().len();
    assert_eq!(devices, 2);
    // Nobody else may subscribe for the resident, or without an account.
    assert_eq!(
        call(&client(), &first, "reach/subscribe", &[("endpoint", "x"), ("p256dh", "x"), ("auth", "x")]).await.status(),
        401
    );
    // Nor read, change or remove anything without one.
    assert_eq!(call(&client(), &first, "reach", &[]).await.status(), 401);
    assert_eq!(call(&client(), &first, "reach/save", &[("sms_only", "on")]).await.status(), 401);
    assert_eq!(call(&client(), &first, "reach/device/remove", &[("id", "1")]).await.status(), 401);

    // The station resolves the case: "confirm or reopen within 7 days" goes by push and SMS.
    let demand = post(&resident, &first, "楼道灯坏了").await;
    let item = resolve(&worker, &first, demand).await;
    eventually("the push reached the phone", async || {
        fake.received
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.path == "/ok/1" && phone.open(&r.body)["body"].as_str().unwrap_or("").contains("已办结待确认"))
    })
    .await;
    let servers: Vec<&TestServer> = std::iter::once(&first).chain(second.as_ref()).collect();
    eventually("the SMS went", async || !notice_sms(&servers, RESIDENT).is_empty()).await;

    let got = fake.received.lock().unwrap().clone();
    let to_phone: Vec<&Received> = got.iter().filter(|r| r.path == "/ok/1").collect();
    let first_push =
        to_phone.iter().find(|r| phone.open(&r.body)["body"].as_str().unwrap().contains("已办结待确认")).unwrap();
    let payload = phone.open(&first_push.body);
    assert_eq!(payload["title"], "我的社区");
    assert_eq!(payload["url"], format!("/demands/{demand}"));
    assert_eq!(first_push.encoding, "aes128gcm");
    assert!(first_push.ttl.parse::<u64>().unwrap() > 0);
    // VAPID (RFC 8292): a signed token and the site's key.
    assert!(first_push.authorization.starts_with("vapid t="), "{}", first_push.authorization);
    assert!(first_push.authorization.ends_with(&format!("k={site_key}")));
    let token = first_push.authorization.trim_start_matches("vapid t=").split(',').next().unwrap();
    let claims: Value = serde_json::from_slice(&B64.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["sub"], "mailto:it@district.example.cn");
    assert_eq!(claims["aud"], "http://127.0.0.1");

    // The expired subscription answered 410 and is gone; the other stays.
    eventually("the gone subscription was dropped", async || {
        sql_i64(&db, "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint LIKE '%/gone/2'").await == 0
    })
    .await;
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint LIKE '%/ok/1'").await, 1);

    // Let both instances run a few more rounds: nothing goes twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = fake.received.lock().unwrap().clone();
    let mut tags: Vec<String> = got
        .iter()
        .filter(|r| r.path == "/ok/1")
        .map(|r| phone.open(&r.body)["tag"].as_str().unwrap().to_string())
        .collect();
    let pushes = tags.len();
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), pushes, "each delivery pushed once: {tags:?}");
    let sent_push = sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'push' AND state = 'sent'").await;
    assert_eq!(sent_push as usize, pushes);
    let sms = notice_sms(&servers, RESIDENT);
    let sent_sms = sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'sent'").await;
    assert_eq!(sms.len() as i64, sent_sms, "each SMS once: {sms:?}");
    assert_eq!(sms.len(), 1, "only the confirm window goes by SMS: {sms:?}");
    assert!(sms[0].contains("已办结待确认"), "{sms:?}");

    // The station sees who was told, how and when; the resident's own view has no log.
    let d = view(&worker, &first, demand).await;
    let log = d["staff"]["deliveries"].as_array().unwrap();
    assert!(
        log.iter().any(|l| l["channel"] == "Sms"
            && l["state"] == "Sent"
            && l["who"].as_str().unwrap().contains("138****0001")),
        "{log:?}"
    );
    assert!(log.iter().any(|l| l["channel"] == "Push" && l["state"] == "Sent"), "{log:?}");
    assert!(view(&resident, &first, demand).await["staff"].is_null());
    let page = worker.get(first.url(&format!("/demands/{demand}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("通知记录") && page.contains("已发送"), "the case page shows the log");
    let _ = item;
    drop(second);
}

#[tokio::test]
async fn switches_quiet_hours_and_the_daily_cap() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let fake = fake_push().await;
    // Quiet hours that hold now, whatever the hour of the run.
    let hour = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%H").to_string().parse::<i64>().unwrap();
    let quiet = format!("{hour}-{}", (hour + 2) % 24);
    let mut e = env(&fake, &quiet);
    e.push(("NOTICE_SMS_PER_DAY", "1"));
    let server = TestServer::start(&db, &e);
    let resident = logged_in(&server, RESIDENT).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;

    // Quiet hours: the SMS waits for their end, the delivery log says until when.
    let demand = post(&resident, &server, "夜里反映的问题").await;
    resolve(&worker, &server, demand).await;
    eventually("the SMS is held", async || {
        sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'queued' AND reason = 'quiet'")
            .await
            == 1
    })
    .await;
    let due = sql_i64(&db, "SELECT due_at FROM deliveries WHERE channel = 'sms'").await;
    let now = chrono::Utc::now().timestamp_millis();
    assert!(due > now && due <= now + 2 * 3_600_000, "held until the quiet hours end");
    assert_eq!(due % 3_600_000, 0, "on the hour");
    assert!(notice_sms(&[&server], RESIDENT).is_empty());
    let log = view(&worker, &server, demand).await["staff"]["deliveries"].clone();
    assert_eq!(log[0]["reason"], "quiet", "{log:?}");
    // The page names the hours this deployment keeps, not a fixed 22:00–07:00.
    let page = resident.get(server.url("/me/reach")).send().await.unwrap().text().await.unwrap();
    let hours = format!("{hour:02}:00–{:02}:00 不发送", (hour + 2) % 24);
    assert!(page.contains(&hours) && page.contains("每天最多 1 条"), "{hours}: {page}");
    // Once the hours end (moved here, as a clock would) it goes.
    sql(&db, &format!("UPDATE deliveries SET due_at = {now} WHERE reason = 'quiet'")).await;
    drop(server);
    let mut e = env(&fake, "off");
    e.push(("NOTICE_SMS_PER_DAY", "1"));
    let server = TestServer::start(&db, &e);
    eventually("the held SMS went", async || notice_sms(&[&server], RESIDENT).len() == 1).await;

    // The daily cap: a second notice SMS today is not sent, and says why.
    let second = post(&resident, &server, "第二件事").await;
    resolve(&worker, &server, second).await;
    eventually("the second SMS is capped", async || {
        sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'skipped' AND reason = 'cap'")
            .await
            == 1
    })
    .await;
    assert_eq!(notice_sms(&[&server], RESIDENT).len(), 1);

    // The switches, without JavaScript: SMS for the confirm window off.
    let resident2 = logged_in(&server, RESIDENT).await;
    let r = post_form(
        &resident2,
        &server,
        "reach/save",
        &[("push[confirm]", "on"), ("push[answer]", "on"), ("sms[appointment]", "on"), ("sms[emergency]", "on")],
        "/me/reach",
    )
    .await;
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    assert_eq!(r.headers()["location"], "/me/reach?saved=1");
    let reach = json(call(&resident2, &server, "reach", &[]).await).await;
    let confirm = reach["switches"].as_array().unwrap().iter().find(|s| s["topic"] == "Confirm").unwrap().clone();
    assert_eq!((confirm["push"].as_bool(), confirm["sms"].as_bool()), (Some(true), Some(false)));
    let meeting = reach["switches"].as_array().unwrap().iter().find(|s| s["topic"] == "Meeting").unwrap().clone();
    assert!(meeting["sms"].is_null(), "SMS is not offered for meetings");
    let before = sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms'").await;
    let third = post(&resident, &server, "第三件事").await;
    resolve(&worker, &server, third).await;
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms'").await, before, "switched off");
    // The page shows the switches as saved.
    let page = resident2.get(server.url("/me/reach")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("提醒方式") && page.contains("name=\"sms_only\""), "{page}");
    assert!(!page.contains("不发送"), "no quiet hours (SMS_QUIET_HOURS=off), none named");

    // SMS only (an elder): no push is queued even with a device, SMS where offered.
    let browser = Browser::new(3);
    let endpoint = format!("{}/ok/9", fake.origin);
    let r = call(
        &resident2,
        &server,
        "reach/subscribe",
        &[("endpoint", &endpoint), ("p256dh", &browser.p256dh()), ("auth", &browser.auth())],
    )
    .await;
    assert_eq!(r.status(), 200);
    let r =
        call(&resident2, &server, "reach/save", &[("sms_only", "on"), ("sms[confirm]", "on"), ("push[confirm]", "on")])
            .await;
    assert_eq!(r.status(), 200);
    let pushes = sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'push'").await;
    let fourth = post(&resident, &server, "第四件事").await;
    resolve(&worker, &server, fourth).await;
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'push'").await, pushes);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms'").await, before + 1);
    // Someone else's settings are not anyone's to read or change.
    assert_eq!(call(&resident2, &server, "reach", &[("member", "4")]).await.status(), 404);
    assert_eq!(call(&resident2, &server, "reach/save", &[("member", "4"), ("sms_only", "on")]).await.status(), 404);
    // A device is removed by its owner only.
    let id = json(call(&resident2, &server, "reach", &[]).await).await["devices"][0]["id"].as_i64().unwrap();
    assert_eq!(call(&worker, &server, "reach/device/remove", &[("id", &id.to_string())]).await.status(), 404);
    assert_eq!(call(&resident2, &server, "reach/device/remove", &[("id", &id.to_string())]).await.status(), 200);
}

#[tokio::test]
async fn a_confirmed_family_member_chooses_sms_only_for_an_elder() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let fake = fake_push().await;
    let server = TestServer::start(&db, &env(&fake, "off"));
    let son = logged_in(&server, RESIDENT).await;
    let mother = logged_in(&server, "13800000012").await;
    let mother_id = sql_i64(&db, "SELECT id FROM users WHERE phone = '13800000012'").await.to_string();
    // Asked but not yet confirmed by her: not his to set.
    assert_eq!(call(&son, &server, "family/request", &[("phone", "13800000012")]).await.status(), 200);
    assert_eq!(call(&son, &server, "reach", &[("member", &mother_id)]).await.status(), 404);
    assert_eq!(call(&son, &server, "reach/save", &[("member", &mother_id), ("sms_only", "on")]).await.status(), 404);
    let link = json(call(&mother, &server, "family", &[]).await).await[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(call(&mother, &server, "family/answer", &[("id", &link), ("accept", "1")]).await.status(), 200);

    // Confirmed: he finds her among the people he helps, and reads her switches, not her devices.
    let mine = json(call(&son, &server, "reach", &[]).await).await;
    assert_eq!(mine["members"][0][0].as_i64().unwrap().to_string(), mother_id, "{mine}");
    let hers = json(call(&son, &server, "reach", &[("member", &mother_id)]).await).await;
    assert_eq!(hers["member"][0].as_i64().unwrap().to_string(), mother_id);
    assert_eq!(hers["devices"], serde_json::json!([]));
    assert_eq!(hers["sms_only"], false);
    // Without JavaScript, as an elder's son on an old phone would: back to her page.
    let r = post_form(
        &son,
        &server,
        "reach/save",
        &[
            ("member", &mother_id),
            ("sms_only", "on"),
            ("sms[confirm]", "on"),
            ("sms[appointment]", "on"),
            ("sms[emergency]", "on"),
        ],
        "/me/reach",
    )
    .await;
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    assert!(r.headers()["location"].to_str().unwrap().contains(&format!("member={mother_id}")), "{:?}", r.headers());
    // Her own page says so, and who set it is kept.
    assert_eq!(json(call(&mother, &server, "reach", &[]).await).await["sms_only"], true);
    let son_id = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{RESIDENT}'")).await;
    assert_eq!(sql_i64(&db, &format!("SELECT set_by FROM reach_settings WHERE user_id = {mother_id}")).await, son_id);
    // His own settings are untouched.
    assert_eq!(json(call(&son, &server, "reach", &[]).await).await["sms_only"], false);
    // Once she removes the link, her settings are hers alone again.
    assert_eq!(call(&mother, &server, "family/remove", &[("id", &link)]).await.status(), 200);
    assert_eq!(call(&son, &server, "reach", &[("member", &mother_id)]).await.status(), 404);
}

#[tokio::test]
async fn reminders_that_change_outcomes() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let fake = fake_push().await;
    let server = TestServer::start(&db, &env(&fake, "off"));
    let resident = logged_in(&server, RESIDENT).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let day = 24 * 3_600_000_i64;
    let now = chrono::Utc::now().timestamp_millis();

    // Day 5 of the confirm window: the requester is reminded, once.
    let waiting = post(&resident, &server, "修好了还没确认").await;
    let item = resolve(&worker, &server, waiting).await;
    sql(&db, &format!("UPDATE work_items SET resolved_at = {} WHERE id = {item}", now - 5 * day - 60_000)).await;
    let count = |kind: &'static str, item: i64| {
        let db = &db;
        async move {
            sql_i64(db, &format!("SELECT COUNT(*) FROM notifications WHERE kind = '{kind}' AND work_item_id = {item}"))
                .await
        }
    };
    eventually("the confirm reminder", async || count("confirm_reminder", item).await == 1).await;
    // It is a confirm-window notice: it goes by SMS too (the first of the day).
    eventually("its SMS", async || notice_sms(&[&server], RESIDENT).iter().any(|t| t.contains("2 天后将自动办结")))
        .await;

    // The rating window's last day: one more invitation to a requester who has not rated.
    let rated_late = post(&resident, &server, "办结了还没评价").await;
    let closed = resolve(&worker, &server, rated_late).await;
    sql(
        &db,
        &format!(
            "UPDATE work_items SET state = 'closed', closed_at = {}, version = version + 1 WHERE id = {closed}",
            now - 6 * day - 60_000
        ),
    )
    .await;
    eventually("the last invitation to rate", async || count("rate_reminder", closed).await == 1).await;

    // The resident reopens a resolved case: its worker hears at once.
    let reopened = post(&resident, &server, "又坏了").await;
    let reopened_item = resolve(&worker, &server, reopened).await;
    let d = view(&resident, &server, reopened).await;
    let v = d["live"]["version"].as_i64().unwrap().to_string();
    let r = call(
        &resident,
        &server,
        "demands/act",
        &[("id", &reopened.to_string()), ("version", &v), ("action", "reopen"), ("note", "还是不亮")],
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    assert_eq!(count("reopened", reopened_item).await, 1);

    // A whistled department's check-in due within minutes: its liaisons are reminded.
    let whistled = post(&resident, &server, "井盖堵了").await;
    let d = view(&worker, &server, whistled).await;
    let w_item = d["item_id"].as_i64().unwrap();
    let r = call(
        &worker,
        &server,
        "work/act",
        &[
            ("item", &w_item.to_string()),
            ("version", &d["live"]["version"].as_i64().unwrap().to_string()),
            ("action", "accept"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let d = view(&worker, &server, whistled).await;
    let urban = d["staff"]["departments"].as_array().unwrap().iter().find(|x| x[1]["zh"] == "城市管理办公室").unwrap()
        [0]
    .as_i64()
    .unwrap();
    let r = call(
        &worker,
        &server,
        "work/whistle",
        &[
            ("item", &w_item.to_string()),
            ("version", &d["live"]["version"].as_i64().unwrap().to_string()),
            ("departments[0]", &urban.to_string()),
            ("note", "请速派人"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    sql(&db, &format!("UPDATE whistles SET checkin_by = {} WHERE work_item_id = {w_item}", now + 5 * 60_000)).await;
    eventually("the check-in reminder", async || count("checkin_due", w_item).await >= 1).await;
    let liaison = sql_i64(
        &db,
        &format!("SELECT user_id FROM notifications WHERE kind = 'checkin_due' AND work_item_id = {w_item} LIMIT 1"),
    )
    .await;
    let role = sql_text(&db, &format!("SELECT role FROM users WHERE id = {liaison}")).await;
    assert_eq!(role, "department");

    // A few more rounds: every reminder stays single.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(count("confirm_reminder", item).await, 1);
    assert_eq!(count("rate_reminder", closed).await, 1);
    let per_liaison = sql_i64(&db, &format!("SELECT COUNT(*) FROM notifications WHERE kind = 'checkin_due' AND work_item_id = {w_item} AND user_id = {liaison}")).await;
    assert_eq!(per_liaison, 1);
}
