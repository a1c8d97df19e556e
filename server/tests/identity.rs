//! Identity (issue 14): phones proven by SMS codes, password reset, no enumeration, the
//! caps, and the Alibaba Cloud sender against a local fake of its API.

mod common;
use common::*;
use std::sync::{Arc, Mutex};

async fn building(server: &TestServer) -> String {
    let list = json(call(&client(), server, "communities/buildings", &[("community", "qianggen")]).await).await;
    list[0]["id"].as_i64().unwrap().to_string()
}

fn form<'a>(phone: &'a str, code: &'a str, building: &'a str) -> Vec<(&'a str, &'a str)> {
    registration(phone, code, building, "101")
}

fn problem(v: &serde_json::Value) -> String {
    v["Invalid"][0]["problem"].as_str().unwrap_or_default().to_string()
}

/// Moves the last code's send time back a minute, as a clock would.
async fn a_minute_later(db: &TestDb) {
    sql(db, "UPDATE sms_codes SET sent_at = sent_at - 60000").await;
}

#[tokio::test]
async fn registration_needs_the_code_sent_to_the_phone() {
    let (db, server) = seeded_or_skip!();
    let b = building(&server).await;
    let c = client();
    let phone = "13912345001";
    // No code asked for: any code is wrong.
    let res = call(&c, &server, "register", &form(phone, "123456", &b)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(problem(&json(res).await), "ErrSmsCodeWrong");
    let code = code_for(&c, &server, "register", phone).await;
    assert_eq!(code.len(), 6);
    // The code is stored hashed: the table never holds it.
    let stored = sql_i64(
        &db,
        &format!("SELECT COUNT(*) FROM sms_codes WHERE code_hash LIKE '%{code}%' OR demo_code IS NOT NULL"),
    )
    .await;
    assert_eq!(stored, 0);
    // A second code within a minute is refused, with the wait.
    let res = call(&c, &server, "verify/send", &[("purpose", "register"), ("phone", phone)]).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // A code for another purpose does not register.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // Four wrong tries, then the right one works (five tries in all).
    for _ in 0..4 {
        let res = call(&c, &server, "register", &form(phone, wrong, &b)).await;
        assert_eq!(problem(&json(res).await), "ErrSmsCodeWrong");
    }
    let res = call(&c, &server, "register", &form(phone, &code, &b)).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    // The consent was recorded with the notice's version.
    let consents =
        sql_i64(&db, "SELECT COUNT(*) FROM consents c JOIN users u ON u.id = c.user_id WHERE u.phone = '13912345001'")
            .await;
    assert_eq!(consents, 1);
    // Used once: the same code does not register another account from another browser.
    let res = call(&client(), &server, "register", &form(phone, &code, &b)).await;
    assert_eq!(res.status(), 422);

    // Five wrong tries spend a code: the right one no longer works.
    let phone = "13912345002";
    let code = code_for(&c, &server, "register", phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        call(&client(), &server, "register", &form(phone, wrong, &b)).await;
    }
    let res = call(&client(), &server, "register", &form(phone, &code, &b)).await;
    assert_eq!(problem(&json(res).await), "ErrSmsCodeWrong", "tries spent");

    // An expired code (five minutes) does not work either.
    let phone = "13912345003";
    let code = code_for(&client(), &server, "register", phone).await;
    sql(&db, "UPDATE sms_codes SET expires_at = expires_at - 300001 WHERE phone = '13912345003'").await;
    let res = call(&client(), &server, "register", &form(phone, &code, &b)).await;
    assert_eq!(problem(&json(res).await), "ErrSmsCodeWrong", "expired");
    assert_eq!(login(&client(), &server, phone, "lvyin2026").await.status(), 401, "nothing was made");
}

#[tokio::test]
async fn asking_for_a_code_says_nothing_about_the_number() {
    let (db, server) = seeded_or_skip!();
    // The same status, body and cookies for a registered number and a free one, for both
    // registering and resetting; only a number that can use the purpose gets a message.
    let ask = |purpose: &'static str, phone: &'static str| {
        let server = &server;
        async move {
            let res = call(&client(), server, "verify/send", &[("purpose", purpose), ("phone", phone)]).await;
            let status = res.status();
            let cookies: Vec<String> = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_string())
                .collect();
            let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
            (status, cookies, location, res.text().await.unwrap())
        }
    };
    for purpose in ["register", "reset"] {
        let known = ask(purpose, RESIDENT).await;
        let unknown = ask(purpose, "13912345100").await;
        assert_eq!(known, unknown, "{purpose}");
        assert_eq!(known.0, 200);
        a_minute_later(&db).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(sms_codes(&server, RESIDENT).len(), 1, "a reset code for the account, none for registering it");
    assert_eq!(sms_codes(&server, "13912345100").len(), 1, "a register code for the free number, no reset code");
    // An unknown purpose is refused outright.
    let res = call(&client(), &server, "verify/send", &[("purpose", "admin"), ("phone", RESIDENT)]).await;
    assert_eq!(res.status(), 400);
    let res = call(&client(), &server, "verify/send", &[("purpose", "staff_login"), ("phone", RESIDENT)]).await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn codes_are_capped_per_phone_and_per_address_a_day() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server =
        TestServer::start(&db, &[("TRUST_PROXY", "1"), ("SMS_PER_PHONE_PER_DAY", "3"), ("SMS_PER_IP_PER_DAY", "5")]);
    let send = |phone: &'static str, from: &'static str| {
        let server = &server;
        async move {
            client()
                .post(server.url("/api/verify/send"))
                .header("Accept", "application/json")
                .header("X-Forwarded-For", from)
                .form(&[("purpose", "register"), ("phone", phone)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Per phone: three a day, from any address.
    for from in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        assert_eq!(send("13912345200", from).await, 200);
        a_minute_later(&db).await;
    }
    assert_eq!(send("13912345200", "198.51.100.4").await, 429);
    // Per address: five a day, whatever the number.
    for phone in ["13912345201", "13912345202", "13912345203", "13912345204", "13912345205"] {
        assert_eq!(send(phone, "203.0.113.9").await, 200);
    }
    assert_eq!(send("13912345206", "203.0.113.9").await, 429);
    // The count lives in the database: a second instance sees it.
    let second =
        TestServer::start(&db, &[("TRUST_PROXY", "1"), ("SMS_PER_PHONE_PER_DAY", "3"), ("SMS_PER_IP_PER_DAY", "5")]);
    let res = client()
        .post(second.url("/api/verify/send"))
        .header("Accept", "application/json")
        .header("X-Forwarded-For", "203.0.113.9")
        .form(&[("purpose", "register"), ("phone", "13912345207")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_code() {
    let (_db, server) = seeded_or_skip!();
    // Signed in on a phone: the reset ends that session too.
    let old_session = logged_in(&server, RESIDENT).await;
    let c = client();
    let code = code_for(&c, &server, "reset", RESIDENT).await;
    let reset = |code: String, new: &'static str| {
        let (c, server) = (c.clone(), &server);
        async move {
            call(
                &c,
                server,
                "password/reset",
                &[("phone", RESIDENT), ("sms_code", &code), ("new", new), ("confirm", new)],
            )
            .await
        }
    };
    // A weak password is refused before the code is spent.
    let res = reset(code.clone(), "short").await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "new");
    let res = reset(code.clone(), "xinmima2026").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], "/login?reset=1");
    assert_eq!(login(&client(), &server, RESIDENT, DEMO_PASSWORD).await.status(), 401, "the old password is gone");
    assert_eq!(login(&client(), &server, RESIDENT, "xinmima2026").await.status(), 200);
    assert_eq!(call(&old_session, &server, "me", &[]).await.status(), 401, "every session ended");
    // The code worked once.
    let res = reset(code, "another2026").await;
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSmsCodeWrong");
    // A number without an account: asked the same way, no message, any code is wrong.
    let res = call(
        &client(),
        &server,
        "password/reset",
        &[("phone", "13912345300"), ("sms_code", "123456"), ("new", "xinmima2026"), ("confirm", "xinmima2026")],
    )
    .await;
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSmsCodeWrong");
}

#[tokio::test]
async fn the_register_and_forgot_pages_work_without_javascript() {
    let (_db, server) = seeded_or_skip!();
    let c = client();
    // Step one asks for the number only.
    let page = c.get(server.url("/register?community=qianggen")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/verify/send") && page.contains("获取验证码"), "the phone step");
    assert!(!page.contains("name=\"password\""), "no account form before the code");
    let res = post_form(
        &c,
        &server,
        "verify/send",
        &[("purpose", "register"), ("phone", "13912345400"), ("next", "/register?community=qianggen")],
        "/register?community=qianggen",
    )
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/register?community=qianggen");
    // Step two: where the code went (masked), the code's field and the account form.
    let page = c.get(server.url("/register?community=qianggen")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("139****5400"), "masked number shown");
    assert!(
        page.contains("name=\"sms_code\"") && page.contains("name=\"password\"") && page.contains("name=\"consent\"")
    );
    assert!(!page.contains("data-demo-code"), "codes are not shown outside demo mode");
    // The forgotten-password page, for a browser that asked for nothing yet.
    let page = client().get(server.url("/forgot")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"phone\"") && !page.contains("name=\"new\""));
    let login = client().get(server.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("href=\"/forgot\""));
}

#[tokio::test]
async fn demo_sites_show_the_code_with_a_badge() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("DEMO_MODE", "1")]);
    let c = client();
    let code = code_for(&c, &server, "register", "13912345500").await;
    let page = c.get(server.url("/register?community=qianggen")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("data-demo-code=\"{code}\"")), "the demo badge shows the code");
    // Only to the browser that asked.
    let other = client().get(server.url("/register?community=qianggen")).send().await.unwrap().text().await.unwrap();
    assert!(!other.contains(&code));
}

/// A local stand-in for Alibaba Cloud's `SendSms`: it checks the parameters and the
/// signature (computed here independently) and keeps what it was asked to send.
struct FakeAliyun {
    url: String,
    sent: Arc<Mutex<Vec<(String, String)>>>,
    refused: Arc<Mutex<Vec<String>>>,
}

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn fake_aliyun(secret: &'static str) -> FakeAliyun {
    use axum::{extract::State, routing::post, Form, Json, Router};
    use std::collections::BTreeMap;
    type Shared = (Arc<Mutex<Vec<(String, String)>>>, Arc<Mutex<Vec<String>>>);
    async fn send_sms(
        State((sent, refused)): State<Shared>,
        Form(mut p): Form<BTreeMap<String, String>>,
    ) -> (axum::http::StatusCode, Json<serde_json::Value>) {
        use base64::Engine;
        use hmac::{Hmac, Mac};
        let given = p.remove("Signature").unwrap_or_default();
        let canonical: Vec<String> = p.iter().map(|(k, v)| format!("{}={}", pct(k), pct(v))).collect();
        let to_sign = format!("POST&%2F&{}", pct(&canonical.join("&")));
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{}&", "fake-secret").as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let mut problems = Vec::new();
        for (k, v) in [
            ("Action", "SendSms"),
            ("Version", "2017-05-25"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Format", "JSON"),
            ("AccessKeyId", "fake-key-id"),
            ("SignName", "我的社区"),
            ("TemplateCode", "SMS_000001"),
        ] {
            if p.get(k).map(String::as_str) != Some(v) {
                problems.push(format!("{k}={:?}", p.get(k)));
            }
        }
        let ts = p.get("Timestamp").cloned().unwrap_or_default();
        if chrono::NaiveDateTime::parse_from_str(&ts, "%Y-%m-%dT%H:%M:%SZ").is_err() {
            problems.push(format!("Timestamp {ts:?}"));
        }
        if p.get("SignatureNonce").is_none_or(|n| n.len() < 16) {
            problems.push("SignatureNonce".into());
        }
        if given != expected {
            refused.lock().unwrap().push("SignatureDoesNotMatch".into());
            return (
                axum::http::StatusCode::BAD_REQUEST,
                Json(
                    serde_json::json!({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."}),
                ),
            );
        }
        if !problems.is_empty() {
            refused.lock().unwrap().push(problems.join(", "));
            return (
                axum::http::StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"Code": "isv.INVALID_PARAMETERS", "Message": problems.join(", ")})),
            );
        }
        let param: serde_json::Value =
            serde_json::from_str(p.get("TemplateParam").map(String::as_str).unwrap_or("{}")).unwrap_or_default();
        sent.lock().unwrap().push((p["PhoneNumbers"].clone(), param["code"].as_str().unwrap_or_default().to_string()));
        (
            axum::http::StatusCode::OK,
            Json(
                serde_json::json!({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"}),
            ),
        )
    }
    let _ = secret;
    let sent = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().route("/", post(send_sms)).with_state((sent.clone(), refused.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakeAliyun { url, sent, refused }
}

#[tokio::test]
async fn the_aliyun_sender_signs_its_requests_as_documented() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let fake = fake_aliyun("fake-secret").await;
    let env = |secret: &'static str| {
        vec![
            ("SMS_SENDER", "aliyun"),
            ("SMS_ALIYUN_ENDPOINT", fake.url.as_str()),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "fake-key-id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret),
            ("SMS_SIGN_NAME", "我的社区"),
            ("SMS_TEMPLATE_CODE", "SMS_000001"),
        ]
    };
    let server = TestServer::start(&db, &env("fake-secret"));
    let c = client();
    let res = call(&c, &server, "verify/send", &[("purpose", "register"), ("phone", "13912345600")]).await;
    assert_eq!(res.status(), 200);
    let mut got = None;
    for _ in 0..100 {
        if let Some(m) = fake.sent.lock().unwrap().last().cloned() {
            got = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (phone, code) =
        got.unwrap_or_else(|| panic!("nothing reached the provider: {:?}", fake.refused.lock().unwrap()));
    assert_eq!(phone, "13912345600");
    assert!(sms_codes(&server, "13912345600").is_empty(), "the aliyun sender does not log codes");
    // The code it carried registers the number.
    let b = building(&server).await;
    let res = call(&c, &server, "register", &form("13912345600", &code, &b)).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    drop(server);

    // A wrong secret: the provider refuses the signature; the person's answer is the same,
    // and the failure is in the log for operators.
    let server = TestServer::start(&db, &env("not-the-secret"));
    let res = call(&client(), &server, "verify/send", &[("purpose", "register"), ("phone", "13912345601")]).await;
    assert_eq!(res.status(), 200);
    for _ in 0..100 {
        if server.log().iter().any(|l| l.contains("SMS not sent")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        server.log().iter().any(|l| l.contains("SMS not sent") && l.contains("SignatureDoesNotMatch")),
        "{:?}",
        server.log()
    );
    assert_eq!(fake.refused.lock().unwrap().as_slice(), ["SignatureDoesNotMatch"]);
}

#[tokio::test]
async fn staff_confirm_a_new_device_with_a_code() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("STAFF_SECOND_FACTOR", "1")]);
    let c = client();
    let res = login(&c, &server, SOCIAL_WORKER, DEMO_PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["location"], "/login/verify?next=%2Fstation");
    // The password alone opens nothing.
    assert_eq!(call(&c, &server, "me", &[]).await.status(), 401);
    assert_eq!(call(&c, &server, "station/board", &[]).await.status(), 401);
    let mut code = String::new();
    for _ in 0..100 {
        if let Some(last) = sms_codes(&server, SOCIAL_WORKER).last() {
            code = last.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(code.len(), 6, "a code went to the worker's phone");
    let page = c.get(server.url("/login/verify")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("138****0002") && page.contains("name=\"sms_code\""));
    // Another browser cannot use it (the code belongs to this login).
    assert_eq!(call(&client(), &server, "login/verify", &[("sms_code", &code)]).await.status(), 401);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(call(&c, &server, "login/verify", &[("sms_code", wrong)]).await.status(), 422);
    let res = call(&c, &server, "login/verify", &[("sms_code", &code), ("next", "/station")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], "/station");
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mc_device="))
        .expect("a trusted-device cookie")
        .to_string();
    assert!(device.contains("HttpOnly") && device.contains("Max-Age=2592000"), "{device}");
    assert_eq!(call(&c, &server, "me", &[]).await.status(), 200);
    // The same browser, later: the device is trusted, the password is enough.
    call(&c, &server, "logout", &[]).await;
    let res = login(&c, &server, SOCIAL_WORKER, DEMO_PASSWORD).await;
    assert_eq!(res.headers()["location"], "/station");
    assert_eq!(call(&c, &server, "me", &[]).await.status(), 200);
    // A trusted device of one account does not let another staff account skip its code.
    let res = login(&c, &server, STATIONMASTER, DEMO_PASSWORD).await;
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login/verify"));
    // Residents never need the second factor.
    let res = login(&client(), &server, RESIDENT, DEMO_PASSWORD).await;
    assert_eq!(res.headers()["location"], "/me");
    // Thirty days on, the device is asked again.
    sql(&db, "UPDATE trusted_devices SET expires_at = expires_at - 2592000001").await;
    let res = login(&c, &server, SOCIAL_WORKER, DEMO_PASSWORD).await;
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login/verify"));
}

#[tokio::test]
async fn a_new_number_is_proven_before_the_account_moves_to_it() {
    let (_db, server) = seeded_or_skip!();
    let me = logged_in(&server, RESIDENT).await;
    let other_device = logged_in(&server, RESIDENT).await;
    // A number someone has: the same answer, no code.
    let res = call(&me, &server, "verify/send", &[("purpose", "phone_change"), ("phone", SOCIAL_WORKER)]).await;
    assert_eq!(res.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sms_codes(&server, SOCIAL_WORKER).is_empty());
    let res = call(&me, &server, "account/phone", &[("phone", SOCIAL_WORKER), ("sms_code", "123456")]).await;
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSmsCodeWrong");
    // Signed out: no code, no change.
    let res = call(&client(), &server, "verify/send", &[("purpose", "phone_change"), ("phone", "13912345900")]).await;
    assert_eq!(res.status(), 401);
    // A free number: the code goes to it, and the account moves.
    let code = code_for(&me, &server, "phone_change", "13912345900").await;
    let res = call(&me, &server, "account/phone", &[("phone", "13912345900"), ("sms_code", &code)]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], "/me?phone=changed");
    assert_eq!(json(call(&me, &server, "me", &[]).await).await["phone"], "13912345900");
    assert_eq!(call(&other_device, &server, "me", &[]).await.status(), 401, "other sessions ended");
    assert_eq!(login(&client(), &server, RESIDENT, DEMO_PASSWORD).await.status(), 401);
    assert_eq!(login(&client(), &server, "13912345900", DEMO_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn the_new_server_functions_refuse_guests_and_other_communities() {
    let (db, server) = seeded_or_skip!();
    let guest = client();
    for (endpoint, form) in [
        ("verify/send", vec![("purpose", "delete")]),
        ("verify/send", vec![("purpose", "phone_change"), ("phone", "13912345950")]),
        ("account/phone", vec![("phone", "13912345950"), ("sms_code", "123456")]),
        ("privacy", vec![]),
        ("privacy/consent", vec![]),
        ("privacy/delete", vec![("sms_code", "123456")]),
        ("login/verify", vec![("sms_code", "123456")]),
        ("station/households", vec![]),
        ("station/households/confirm", vec![("ids[0]", "1")]),
    ] {
        assert_eq!(call(&guest, &server, endpoint, &form).await.status(), 401, "{endpoint} as a guest");
    }
    // A station worker of another community neither lists nor confirms Qianggen's addresses.
    let b = building(&server).await;
    let resident = client();
    assert_eq!(common::register(&resident, &server, "13912345960", &b, "960").await.status(), 200);
    let out = cli(
        &db,
        &[
            "user",
            "add",
            "--role",
            "social_worker",
            "--phone",
            "13700000061",
            "--password",
            "gongzuo2026",
            "--name",
            "何社工",
            "--community",
            "hetaoyuan",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let elsewhere = logged_in_with(&server, "13700000061", "gongzuo2026").await;
    let list = json(call(&elsewhere, &server, "station/households", &[]).await).await;
    assert!(list["lines"].as_array().unwrap().is_empty(), "{list}");
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let card = json(call(&worker, &server, "station/intake/find", &[("phone", "13912345960")]).await).await;
    let id = card["id"].as_i64().unwrap().to_string();
    let res = call(&elsewhere, &server, "station/households/confirm", &[("ids[0]", &id)]).await;
    assert_eq!(res.headers()["location"], "/station/households?confirmed=0");
    let card = json(call(&worker, &server, "station/intake/find", &[("phone", "13912345960")]).await).await;
    assert_eq!(card["address_verified"], false, "not confirmed by another community's worker");
    // A department liaison is staff, not the station team.
    let liaison = logged_in(&server, DEPARTMENT).await;
    assert_eq!(call(&liaison, &server, "station/households", &[]).await.status(), 403);
    assert_eq!(call(&liaison, &server, "station/households/confirm", &[("ids[0]", &id)]).await.status(), 403);
}

#[tokio::test]
async fn code_forms_without_javascript_keep_the_number_and_explain() {
    let (_db, server) = seeded_or_skip!();
    let me = logged_in(&server, RESIDENT).await;
    // A bad new number: back to the page with it kept and the message in Chinese.
    let res = post_form(
        &me,
        &server,
        "verify/send",
        &[("purpose", "phone_change"), ("phone", "1391234"), ("next", "/me/phone")],
        "/me/phone",
    )
    .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("/me/phone?") && back.contains("__err="), "{back}");
    let page = me.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"1391234\""), "the number typed is kept");
    assert!(page.contains("请输入 11 位中国大陆手机号"), "translated message");
    // The same on the forgotten-password page.
    let c = client();
    let res =
        post_form(&c, &server, "verify/send", &[("purpose", "reset"), ("phone", "12"), ("next", "/forgot")], "/forgot")
            .await;
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let page = c.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"12\"") && page.contains("请输入 11 位中国大陆手机号"));
    // A wrong code when deleting: the page says so, in Chinese, and nothing is deleted.
    let code = code_for(&me, &server, "delete", RESIDENT).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = post_form(&me, &server, "privacy/delete", &[("sms_code", wrong)], "/me/privacy").await;
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let page = me.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("验证码不对或已失效"), "translated message");
    assert_eq!(call(&me, &server, "me", &[]).await.status(), 200);
}
