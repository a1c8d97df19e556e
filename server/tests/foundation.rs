//! Foundation over HTTP: accounts, sessions, roles, throttling, health, shutdown. Each test
//! starts the real server binary on a fresh database (`TEST_BACKEND` picks the backend).

mod common;
use common::*;
use serde_json::Value;

/// A server function called with a session token replayed by hand (as a thief would).
async fn call_as(server: &TestServer, endpoint: &str, token: &str) -> reqwest::Response {
    client()
        .post(server.url(&format!("/api/{endpoint}")))
        .header("Accept", "application/json")
        .header("Cookie", format!("mc_session={token}"))
        .send()
        .await
        .unwrap()
}

async fn json(res: reqwest::Response) -> Value {
    let text = res.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

async fn building_of(c: &reqwest::Client, server: &TestServer, community: &str) -> String {
    let res = call(c, server, "communities/buildings", &[("community", community)]).await;
    assert_eq!(res.status(), 200);
    let list = json(res).await;
    list[0]["id"].as_i64().expect("a building").to_string()
}

/// A registration with a made-up code (tests that need a real one put it at index 1).
fn registration<'a>(phone: &'a str, building: &'a str) -> Vec<(&'a str, &'a str)> {
    common::registration(phone, "000000", building, "301")
}

#[tokio::test]
async fn register_then_login_then_health() {
    let (_db, server) = seeded_or_skip!();
    let c = client();
    let building = building_of(&c, &server, "qianggen").await;
    let code = code_for(&c, &server, "register", "13912345678").await;
    let mut form = registration("139 1234 5678", &building);
    form[1] = ("sms_code", &code);
    let res = call(&c, &server, "register", &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let me = json(call(&c, &server, "me", &[]).await).await;
    assert_eq!(me["phone"], "13912345678");
    assert_eq!(me["phone_masked"], "139****5678");
    assert_eq!(me["role"], "Resident");

    // The Me page renders the masked number, never the full one in the visible text.
    let page = c.get(server.url("/me")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("139****5678"));

    // Log in again from a fresh client.
    let c2 = client();
    let res = login(&c2, &server, "13912345678", "lvyin2026").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("location").unwrap(), "/me");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("mc_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let token = cookie.split(';').next().unwrap().trim_start_matches("mc_session=");
    assert!(token.len() >= 32, "token has at least 128 bits");

    assert_eq!(c2.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let ready = c2.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let h = json(ready).await;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["database"], if backend() == Backend::Postgres { "postgres" } else { "sqlite" });
}

#[tokio::test]
async fn registration_refuses_bad_input_and_stores_nothing() {
    let (db, server) = seeded_or_skip!();
    let c = client();
    let building = building_of(&c, &server, "qianggen").await;
    let mut form = registration("12345", &building);
    form[4] = ("password_confirm", "different1");
    form[5] = ("display_name", "");
    form[1] = ("sms_code", "12");
    form[2] = ("consent", "");
    let res = call(&c, &server, "register", &form).await;
    assert_eq!(res.status(), 422);
    let err = json(res).await;
    let fields: Vec<&str> = err["Invalid"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"phone")
            && fields.contains(&"password_confirm")
            && fields.contains(&"display_name")
            && fields.contains(&"sms_code")
            && fields.contains(&"consent"),
        "{fields:?}"
    );

    // A building of another community is refused too.
    let other = building_of(&c, &server, "hetaoyuan").await;
    let res = call(&c, &server, "register", &registration("13912345670", &other)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "building");

    // A taken phone: asking for a code answers as for any number, but no code goes out
    // (nobody learns which numbers are known); the owner is told someone tried.
    let res = call(&c, &server, "verify/send", &[("purpose", "register"), ("phone", RESIDENT)]).await;
    assert_eq!(res.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sms_codes(&server, RESIDENT).is_empty(), "no code for a registered number");
    let res = call(&c, &server, "register", &registration(RESIDENT, &building)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSmsCodeWrong");
    let owner = logged_in(&server, RESIDENT).await;
    let inbox = json(call(&owner, &server, "notifications", &[]).await).await;
    assert!(inbox["lines"].as_array().unwrap().iter().any(|n| n["kind"] == "account_attempt"), "{inbox}");

    // Nothing was stored: those numbers cannot log in and no session exists.
    let res = login(&client(), &server, "13912345670", "lvyin2026").await;
    assert_eq!(res.status(), 401);
    drop(db);
}

#[tokio::test]
async fn registrations_are_limited_per_address_and_per_phone() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("TRUST_PROXY", "1"), ("REGISTRATIONS_PER_IP_PER_HOUR", "3")]);
    let building = building_of(&client(), &server, "qianggen").await;
    let register = |phone: &'static str, from: String| {
        let (server, building) = (&server, building.clone());
        async move {
            let c = client();
            // A real code for a free number (a taken one gets none: a made-up code then).
            let code =
                if phone == RESIDENT { "000000".to_string() } else { code_for(&c, server, "register", phone).await };
            let mut form = registration(phone, &building);
            form[1] = ("sms_code", &code);
            c.post(server.url("/api/register"))
                .header("Accept", "application/json")
                .header("X-Forwarded-For", from)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    // Per phone: ten tries an hour, whatever the address.
    for n in 0..10 {
        assert_eq!(register(RESIDENT, format!("198.51.100.{n}")).await.status(), 422);
    }
    assert_eq!(register(RESIDENT, "198.51.100.9".into()).await.status(), 429);
    // Per address: three an hour here.
    for phone in ["13912340002", "13912340003", "13912340004"] {
        assert_eq!(register(phone, "203.0.113.7".into()).await.status(), 200);
    }
    let res = register("13912340005", "203.0.113.7".into()).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(login(&client(), &server, "13912340005", "lvyin2026").await.status(), 401, "nothing made");
}

#[tokio::test]
async fn plain_form_errors_come_back_with_the_input_kept() {
    let (_db, server) = seeded_or_skip!();
    let c = client();
    let building = building_of(&c, &server, "qianggen").await;
    // The code was asked for first (the page then shows the account form).
    let code = code_for(&c, &server, "register", "13912349999").await;
    let mut form = registration("13912349999", &building);
    form[1] = ("sms_code", &code);
    form[3] = ("password", "short");
    form[4] = ("password_confirm", "short");
    let res = post_form(&c, &server, "register", &form, "/register?community=qianggen").await;
    assert_eq!(res.status(), 302);
    let location = res.headers().get("location").unwrap().to_str().unwrap().to_string();
    assert!(location.contains("__err="), "{location}");
    assert!(!location.contains("13912349999"), "typed data must not travel in the URL: {location}");
    let page = c.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"13912349999\""), "phone kept");
    assert!(page.contains("测试居民"), "name kept");
    assert!(!page.contains("value=\"short\""), "passwords are never put back");
    assert!(page.contains("密码至少 8 位"), "translated field message");

    // Another browser does not see that draft.
    let other = client().get(&location).send().await.unwrap().text().await.unwrap();
    assert!(!other.contains("13912349999"));
}

#[tokio::test]
async fn wrong_password_and_throttling() {
    let (_db, server) = seeded_or_skip!();
    let c = client();
    let res = login(&c, &server, RESIDENT, "wrong-pass-1").await;
    assert_eq!(res.status(), 401);
    assert_eq!(json(res).await, Value::String("BadCredentials".into()));
    // Unknown phone: the same answer.
    let res = login(&c, &server, "13999999999", "wrong-pass-1").await;
    assert_eq!(res.status(), 401);

    for _ in 0..4 {
        assert_eq!(login(&c, &server, RESIDENT, "wrong-pass-1").await.status(), 401);
    }
    // Five failures for this phone: even the right password is refused for now, clearly.
    let res = login(&c, &server, RESIDENT, DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body = json(res).await;
    let wait = body["Throttled"]["retry_after_secs"].as_i64().unwrap();
    assert!(wait > 0 && wait <= 15 * 60, "{body}");
    // Another phone from the same address still works (per-address limit is higher).
    assert_eq!(login(&client(), &server, SOCIAL_WORKER, DEMO_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn parallel_guesses_do_not_pass_the_limit() {
    let (_db, server) = seeded_or_skip!();
    // Seven wrong passwords at once for one phone, limit five: five answered, two refused.
    let guesses = (0..7).map(|n| {
        let server = &server;
        async move { login(&client(), server, RESIDENT, &format!("wrong-pass-{n}")).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let wrong = answers.iter().filter(|r| r.status() == 401).count();
    let refused: Vec<_> = answers.iter().filter(|r| r.status() == 429).collect();
    assert_eq!((wrong, refused.len()), (5, 2));
    // A refusal says when to come back, in the header too.
    let after: i64 = refused[0].headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(after > 0);
}

#[tokio::test]
async fn behind_a_proxy_the_client_is_the_address_the_proxy_saw() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("TRUST_PROXY", "1"), ("LOGIN_MAX_FAILURES_PER_IP", "3")]);
    // The client writes anything first; the proxy appends the address it saw.
    let attempt = |n: usize| {
        let server = &server;
        async move {
            client()
                .post(server.url("/api/login"))
                .header("Accept", "application/json")
                .header("X-Forwarded-For", format!("10.0.0.{n}, 203.0.113.9"))
                .form(&[("phone", format!("1399999000{n}")), ("password", "wrong-pass-1".into())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for n in 0..3 {
        assert_eq!(attempt(n).await, 401);
    }
    assert_eq!(attempt(3).await, 429, "a new first entry is not a new client");
}

#[tokio::test]
async fn resident_gets_403_from_staff_functions_and_pages() {
    let (_db, server) = seeded_or_skip!();
    let resident = client();
    assert_eq!(login(&resident, &server, RESIDENT, DEMO_PASSWORD).await.status(), 200);
    let res = call(&resident, &server, "station/overview", &[]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(json(res).await, Value::String("Forbidden".into()));
    assert_eq!(resident.get(server.url("/station")).send().await.unwrap().status(), 403);

    let guest = client();
    assert_eq!(call(&guest, &server, "station/overview", &[]).await.status(), 401);
    let res = guest.get(server.url("/station")).send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers().get("location").unwrap(), "/login?next=/station");

    for (phone, scope) in [
        (SOCIAL_WORKER, "强根社区"),
        (STATIONMASTER, "强根社区"),
        (DEPARTMENT, "广安门外街道"),
        (SUBDISTRICT_ADMIN, "广安门外街道"),
        (DISTRICT_ADMIN, "西城区"),
    ] {
        let staff = client();
        let res = login(&staff, &server, phone, DEMO_PASSWORD).await;
        assert_eq!(res.headers().get("location").unwrap(), "/station");
        let o = json(call(&staff, &server, "station/overview", &[]).await).await;
        assert_eq!(o["scope_name"]["zh"], scope, "{phone}");
        assert_eq!(staff.get(server.url("/station")).send().await.unwrap().status(), 200);
    }
}

/// Arguments that do not decode are the caller's mistake, whichever route Leptos serves the
/// function on: 400 with the app's error, never 500 (one layer sets the status).
#[tokio::test]
async fn undecodable_arguments_answer_400() {
    let (_db, server) = seeded_or_skip!();
    let resident = client();
    assert_eq!(login(&resident, &server, RESIDENT, DEMO_PASSWORD).await.status(), 200);
    for (endpoint, form) in [
        ("threads/support", vec![("thread_id", "abc"), ("support", "1")]),
        ("demands/one", vec![("id", "not-a-number")]),
        ("demands/act", vec![("id", "1")]),
    ] {
        let res = call(&resident, &server, endpoint, &form).await;
        assert_eq!(res.status(), 400, "{endpoint}");
        assert_eq!(json(res).await, Value::String("BadRequest".into()), "{endpoint}");
    }
}

#[tokio::test]
async fn logout_invalidates_the_session() {
    let (_db, server) = seeded_or_skip!();
    let c = client();
    let res = login(&c, &server, RESIDENT, DEMO_PASSWORD).await;
    let token = session_cookie(&res).unwrap();
    assert_eq!(call(&c, &server, "me", &[]).await.status(), 200);
    let res = call(&c, &server, "logout", &[]).await;
    assert_eq!(res.status(), 200);
    // The old token, replayed by someone who kept it, is dead.
    assert_eq!(call_as(&server, "me", &token).await.status(), 401);
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let (_db, server) = seeded_or_skip!();
    let (phone_a, phone_b) = (client(), client());
    login(&phone_a, &server, RESIDENT, DEMO_PASSWORD).await;
    login(&phone_b, &server, RESIDENT, DEMO_PASSWORD).await;
    let res = call(
        &phone_a,
        &server,
        "change-password",
        &[("current", "nope"), ("new", "xinmima2026"), ("confirm", "xinmima2026")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = call(
        &phone_a,
        &server,
        "change-password",
        &[("current", DEMO_PASSWORD), ("new", "xinmima2026"), ("confirm", "xinmima2026")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(call(&phone_a, &server, "me", &[]).await.status(), 200, "this session stays");
    assert_eq!(call(&phone_b, &server, "me", &[]).await.status(), 401, "the other one ends");
    assert_eq!(login(&client(), &server, RESIDENT, "xinmima2026").await.status(), 200);
}

#[tokio::test]
async fn foreign_origin_posts_are_refused() {
    let (_db, server) = seeded_or_skip!();
    let res = client()
        .post(server.url("/api/login"))
        .header("Origin", "https://evil.example")
        .form(&[("phone", RESIDENT), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client()
        .post(server.url("/api/login"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("phone", RESIDENT), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// `server user add` with the usual password; returns the process output.
fn add_user(db: &TestDb, role: &str, phone: &str, name: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["user", "add", "--role", role, "--phone", phone, "--password", "gongzuo2026", "--name", name];
    args.extend_from_slice(&["--community", "qianggen"]);
    args.extend_from_slice(extra);
    cli(db, &args)
}

#[tokio::test]
async fn cli_adds_staff_who_reach_the_station() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo"]).status.success());
    let out = add_user(&db, "social_worker", "13700000001", "新社工", &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = add_user(&db, "department", "13700000002", "部门联络", &["--department", "safety"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Wrong role name and duplicate phone are refused with a message.
    let out = add_user(&db, "admin", "13700000003", "x", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
    let out = add_user(&db, "resident", "13700000001", "x", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // seed-demo again changes nothing and does not fail.
    assert!(cli(&db, &["seed-demo"]).status.success());

    let server = TestServer::start(&db, &[]);
    let c = client();
    assert_eq!(login(&c, &server, "13700000001", "gongzuo2026").await.status(), 200);
    let o = json(call(&c, &server, "station/overview", &[]).await).await;
    assert_eq!(o["role"], "SocialWorker");
    let d = client();
    assert_eq!(login(&d, &server, "13700000002", "gongzuo2026").await.status(), 200);
    let o = json(call(&d, &server, "station/overview", &[]).await).await;
    assert_eq!(o["department"]["zh"], "平安建设办公室");
    assert_eq!(o["scope_name"]["zh"], "广安门外街道", "a community code puts a department liaison in its subdistrict");
}

#[tokio::test]
async fn two_server_processes_share_sessions() {
    let (db, first) = seeded_or_skip!();
    let second = TestServer::start(&db, &[]);
    let c = client();
    let res = login(&c, &first, RESIDENT, DEMO_PASSWORD).await;
    let token = session_cookie(&res).unwrap();
    assert_eq!(call_as(&second, "me", &token).await.status(), 200);
    // Logging out on the second ends it on the first.
    assert_eq!(call_as(&second, "logout", &token).await.status(), 200);
    assert_eq!(call(&c, &first, "me", &[]).await.status(), 401);
    // Throttling counts across instances too.
    for s in [&first, &second, &first, &second, &first] {
        assert_eq!(login(&client(), s, SOCIAL_WORKER, "wrong-pass-1").await.status(), 401);
    }
    assert_eq!(login(&client(), &second, SOCIAL_WORKER, DEMO_PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn sigterm_stops_cleanly() {
    let (_db, server) = seeded_or_skip!();
    assert_eq!(client().get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn pages_and_errors() {
    let (_db, server) = seeded_or_skip!();
    let c = client();
    for path in
        ["/", "/services", "/services/minimum-living-allowance", "/login", "/register", "/register?community=qianggen"]
    {
        let res = c.get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("<html lang=\"zh-CN\""), "{path}: zh-CN by default");
    }
    // Threads belong to a community: a guest is sent to log in first.
    let res = c.get(server.url("/threads")).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
    let res = c.get(server.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("页面不存在"));
    for path in ["/me", "/post", "/demands", "/demands/1", "/notifications", "/station/intake"] {
        let res = c.get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 302, "{path} needs a login");
    }
    // English from Accept-Language, and from the switch (which persists in a cookie).
    let res = client().get(server.url("/")).header("Accept-Language", "en-US,en;q=0.9").send().await.unwrap();
    assert!(res.text().await.unwrap().contains("<html lang=\"en\""));
    let res = post_form(&c, &server, "prefs/language", &[("lang", "en")], "/services").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers().get("location").unwrap(), "/services");
    let html = c.get(server.url("/services")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""));
    let res = post_form(&c, &server, "prefs/elder", &[("on", "1")], "/").await;
    assert_eq!(res.status(), 302);
    let html = c.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("class=\"elder\""), "elder mode on the html element");
}

#[tokio::test]
async fn readiness_says_503_when_the_database_is_gone() {
    if backend() != Backend::Postgres {
        // A SQLite file cannot be taken away from a running process in a portable way;
        // the PostgreSQL run covers this.
        return;
    }
    let (db, server) = seeded_or_skip!();
    assert_eq!(client().get(server.url("/healthz")).send().await.unwrap().status(), 200);
    // Take the database away from under the server.
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&admin_url()).await.unwrap();
        let name = db.url.rsplit('/').next().unwrap().to_string();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    }
    // Alive (no restart would help), but not ready for traffic.
    assert_eq!(client().get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let res = client().get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body = json(res).await;
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"], "postgres");
    assert!(body["reason"].is_string());
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("COOKIE_SECURE", "1")]);
    for path in ["/", "/services", "/login", "/api/whoami", "/open311/v2/discovery.json", "/healthz", "/no-such-page"] {
        let res = client().get(server.url(path)).send().await.unwrap();
        let h = res.headers().clone();
        let csp = h["content-security-policy"].to_str().unwrap().to_string();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(h["strict-transport-security"].to_str().unwrap().contains("max-age="), "{path}");
        // A page's inline scripts run by this response's nonce, and nothing else inline.
        if path == "/" {
            let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("a nonce").to_string();
            let html = res.text().await.unwrap();
            let scripts = html.matches("<script").count();
            assert!(scripts >= 2, "the loader and the hydration script");
            assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script has the nonce");
            let again = client().get(server.url("/")).send().await.unwrap();
            assert!(
                !again.headers()["content-security-policy"].to_str().unwrap().contains(&nonce),
                "a new nonce each time"
            );
        }
    }
}

#[tokio::test]
async fn bodies_are_limited_on_every_route() {
    let (_db, server) = seeded_or_skip!();
    let c = logged_in(&server, RESIDENT).await;
    // A 3 MB form to a server function: refused before reading, in the reader's language.
    let big = format!("x={}", "a".repeat(3 * 1024 * 1024));
    let res = c
        .post(server.url("/api/whoami"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.headers().contains_key("x-error-message"));
    // The same without a declared length (chunked): read up to the limit, then refused.
    let stream = futures_util::stream::iter(
        big.into_bytes().chunks(64 * 1024).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    );
    let res = c
        .post(server.url("/api/threads/support"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // An 18 MB multipart post to the demand form: refused unread.
    let part = reqwest::multipart::Part::bytes(vec![0u8; 18 * 1024 * 1024]).file_name("a.jpg");
    let form = reqwest::multipart::Form::new().text("description", "大").part("photos", part);
    let res = c
        .post(server.url("/api/demands/post"))
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // A form where the demand form wants photos, and a multipart without its boundary: 400.
    let res = c
        .post(server.url("/api/demands/post"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body("description=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = c
        .post(server.url("/api/threads/open"))
        .header("Content-Type", "multipart/form-data")
        .header("Accept", "application/json")
        .body("--x--")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let (_db, server) = seeded_or_skip!();
    // The login page sends a signed-in visitor on to `next`, only within the site.
    let c = logged_in(&server, RESIDENT).await;
    for (next, expected) in [("%2F%09%2Fevil.example%2Fphish", "/me"), ("%2Fservices", "/services"), ("%2F%01", "/me")]
    {
        let res = c.get(server.url(&format!("/login?next={next}"))).send().await.unwrap();
        assert_eq!(res.status(), 302, "{next}");
        assert_eq!(res.headers()["location"], expected, "{next}");
    }
    // A login with a hostile `next` goes to the default page, and never panics.
    for next in ["/\t/evil.example", "/\u{1}", "//evil.example", "/\\evil.example"] {
        let res = client()
            .post(server.url("/api/login"))
            .header("Accept", "application/json")
            .form(&[("phone", RESIDENT), ("password", DEMO_PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{next:?}");
        assert_eq!(res.headers()["location"], "/me", "{next:?}");
    }
}
