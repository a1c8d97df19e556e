//! Operating the server: stopping with open pages, the drain deadline, health and
//! readiness, the access log, metrics and who may read them, backups, and configuration
//! errors. Each test starts the real server binary on a fresh database.

mod common;
use common::*;
use futures_util::StreamExt;
use std::time::{Duration, Instant};

type Chunks = std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// A resident's open case page: its live stream, read up to the opening event.
async fn open_case_stream(server: &TestServer) -> (reqwest::Client, Chunks) {
    let resident = logged_in(server, RESIDENT).await;
    let k = key();
    let res = post_demand(&resident, server, &demand_fields(&k, "other", "停机时页面还开着"), vec![]).await;
    assert_eq!(res.status(), 200);
    let id = demand_id(&res);
    let one = json(call(&resident, server, "demands/one", &[("id", &id.to_string())]).await).await;
    let item = one["item_id"].as_i64().unwrap();
    let res = resident.get(server.url(&format!("/live/items/{item}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut stream: Chunks = Box::pin(res.bytes_stream().map(|r| r.map(|b| b.to_vec())));
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        seen.push_str(&String::from_utf8_lossy(&stream.next().await.unwrap().unwrap()));
    }
    (resident, stream)
}

#[tokio::test]
async fn sigterm_ends_open_streams_and_stops_promptly() {
    let (_db, server) = seeded_or_skip!();
    let (_a, mut first) = open_case_stream(&server).await;
    let (_b, second) = open_case_stream(&server).await;
    let started = Instant::now();
    let stopping = std::thread::spawn(move || server.terminate());
    // Each stream ends cleanly, telling the browser when to reconnect.
    let mut tail = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_secs(5), first.next()).await {
        tail.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(tail.contains("retry: 3000"), "the stream ends with a retry hint: {tail:?}");
    drop(second);
    let status = stopping.join().unwrap();
    assert!(status.success(), "{status:?}");
    // Well inside the drain deadline (10 s): nothing held it open.
    assert!(started.elapsed() < Duration::from_secs(5), "stopped in {:?}", started.elapsed());
}

#[tokio::test]
async fn a_request_that_never_finishes_does_not_hold_the_drain_past_its_deadline() {
    use tokio::io::AsyncWriteExt;
    let Some(db) = TestDb::create().await else { return };
    let server = TestServer::start(&db, &[("SHUTDOWN_GRACE_SECONDS", "2")]);
    // A body promised and never sent: the request stays in flight.
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 1000\r\n\r\nphone=1"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || server.terminate()).await.unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(6), "stopped in {took:?}");
}

/// Runs a CLI subcommand with extra environment and `input` on standard input.
fn cli_with(db_url: &str, args: &[&str], env: &[(&str, &str)], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut cmd = std::process::Command::new(server_bin());
    cmd.args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .env_remove("ADMIN_PASSWORD")
        .env_remove("NEW_USER_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

const DISTRICT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/xicheng.toml");

#[tokio::test]
async fn init_sets_up_a_district_without_demo_accounts_and_the_password_never_in_argv() {
    let Some(db) = TestDb::create().await else { return };
    let out = cli_with(&db.url, &["init", "--district", DISTRICT], &[], "xicheng-Admin-2026\n");
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("15 subdistricts"), "{said}");
    assert!(!said.contains("xicheng-Admin-2026"), "the password is never echoed");
    // One account: the administrator. No demo accounts, no demo history.
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM users WHERE role = 'district_admin'").await, 1);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items").await, 0);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM regions WHERE level = 'subdistrict'").await, 15);
    let communities = sql_i64(&db, "SELECT COUNT(*) FROM regions WHERE level = 'community'").await;
    assert!(communities >= 2, "{communities}");
    // Every community has the affairs catalogue; every subdistrict its departments.
    assert_eq!(
        sql_i64(&db, "SELECT COUNT(*) FROM regions r WHERE level = 'community' AND NOT EXISTS (SELECT 1 FROM affairs a WHERE a.community_id = r.id)").await,
        0
    );
    assert_eq!(
        sql_i64(&db, "SELECT COUNT(*) FROM regions r WHERE level = 'subdistrict' AND NOT EXISTS (SELECT 1 FROM departments d WHERE d.subdistrict_id = r.id)").await,
        0
    );
    assert_eq!(communities, 263, "the shipped example's communities");
    // Again, with the last community's grid area and a building added: no password asked
    // (the administrator exists), nothing doubles, and a renamed building is renamed.
    let dir = tempdir();
    let edited = dir.join("xicheng.toml");
    let area = "\n    [[subdistricts.communities.grid_areas]]\n    code = \"g1\"\n    name_zh = \"第一网格\"\n    \
                name_en = \"Grid area 1\"\n    buildings = [{ code = \"b1\", name_zh = \"1号楼\", households = 48 }]\n";
    std::fs::write(&edited, std::fs::read_to_string(DISTRICT).unwrap() + area).unwrap();
    let edited = edited.to_str().unwrap().to_string();
    for name in ["1号楼", "一号楼"] {
        std::fs::write(&edited, std::fs::read_to_string(&edited).unwrap().replace("\"1号楼\"", &format!("{name:?}")))
            .unwrap();
        let again = cli_with(&db.url, &["init", "--district", &edited], &[], "");
        assert!(again.status.success(), "{}", text(&again));
        assert!(text(&again).contains("already exists"), "{}", text(&again));
    }
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM buildings").await, 1);
    assert_eq!(sql_text(&db, "SELECT name_zh FROM buildings").await, "一号楼");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM regions WHERE level = 'community'").await, 263);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM users").await, 1);
    // The administrator logs in with the password given on standard input.
    let server = TestServer::start(&db, &[]);
    let admin_phone = sql_text(&db, "SELECT phone FROM users WHERE role = 'district_admin'").await;
    assert_eq!(login(&client(), &server, &admin_phone, "xicheng-Admin-2026").await.status(), 200);
    // The demo password opens nothing.
    assert_eq!(login(&client(), &server, RESIDENT, DEMO_PASSWORD).await.status(), 401);
}

async fn sql_text(db: &TestDb, statement: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(statement).fetch_one(&mut conn).await.unwrap()
}

#[tokio::test]
async fn a_bad_district_file_writes_nothing_and_says_where() {
    let Some(db) = TestDb::create().await else { return };
    let dir = tempdir();
    let bad = dir.join("bad.toml");
    let text_of = std::fs::read_to_string(DISTRICT).unwrap().replacen("code = \"yuetan\"", "code = \"Qiang Gen\"", 1);
    std::fs::write(&bad, text_of).unwrap();
    let out = cli_with(
        &db.url,
        &["init", "--district", bad.to_str().unwrap()],
        &[("ADMIN_PASSWORD", "xicheng-Admin-2026")],
        "",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("Qiang Gen"), "{}", text(&out));
    let regions = cli_with(&db.url, &["migrate"], &[], "");
    assert!(regions.status.success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM regions").await, 0);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM users").await, 0);
}

/// `server user add` of a social worker in Qianggen, without a password argument.
fn add_worker(db: &TestDb, phone: &str, name: &str, env: &[(&str, &str)], input: &str) -> std::process::Output {
    let args = ["user", "add", "--role", "social_worker", "--phone", phone, "--name", name, "--community", "qianggen"];
    cli_with(&db.url, &args, env, input)
}

#[tokio::test]
async fn user_add_reads_the_password_from_standard_input() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let out = add_worker(&db, "13912345678", "王社工", &[], "Gongzuo-2026-x\n");
    assert!(out.status.success(), "{}", text(&out));
    // Or from the environment; and with neither, a clear refusal.
    let env = add_worker(&db, "13912345679", "李社工", &[("NEW_USER_PASSWORD", "Gongzuo-2026-y")], "");
    assert!(env.status.success(), "{}", text(&env));
    let none = add_worker(&db, "13912345670", "赵社工", &[], "");
    assert!(!none.status.success());
    assert!(text(&none).contains("NEW_USER_PASSWORD"), "{}", text(&none));
    let server = TestServer::start(&db, &[]);
    assert_eq!(login(&client(), &server, "13912345678", "Gongzuo-2026-x").await.status(), 200);
    assert_eq!(login(&client(), &server, "13912345679", "Gongzuo-2026-y").await.status(), 200);
    // The help lists no password argument.
    let help = cli_with(&db.url, &["user", "add", "--help"], &[], "");
    assert!(!text(&help).contains("--password"), "{}", text(&help));
    // `user disable`: for an account nobody may manage in the browser; sessions end at once.
    let signed_in = logged_in_with(&server, "13912345678", "Gongzuo-2026-x").await;
    let out = cli_with(&db.url, &["user", "disable", "--phone", "139 1234 5678"], &[], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(json(call(&signed_in, &server, "whoami", &[]).await).await.is_null(), "signed out at once");
    assert_eq!(login(&client(), &server, "13912345678", "Gongzuo-2026-x").await.status(), 401);
    let out = cli_with(&db.url, &["user", "disable", "--phone", "13800000001"], &[], "");
    assert!(!out.status.success(), "a resident is not staff: {}", text(&out));
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mc_ops_{}", key()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_whole() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    if backend() == Backend::Postgres {
        let out = cli_with(&db.url, &["backup", "/tmp/never.db"], &[], "");
        assert!(!out.status.success());
        assert!(text(&out).contains("pg_dump"), "{}", text(&out));
        return;
    }
    let server = TestServer::start(&db, &[]);
    let resident = logged_in(&server, RESIDENT).await;
    // Residents keep posting while the backup is taken.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, base) = (stop.clone(), server.base.clone());
        let resident = resident.clone();
        tokio::spawn(async move {
            let mut posted = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let k = key();
                let mut form = reqwest::multipart::Form::new();
                for (name, value) in demand_fields(&k, "other", "备份时还在写") {
                    form = form.text(name.to_string(), value.to_string());
                }
                let res = resident
                    .post(format!("{base}/api/demands/post"))
                    .header("Accept", "application/json")
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                posted += 1;
            }
            posted
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let dir = tempdir();
    let backup = dir.join("backup.db");
    let out = tokio::task::spawn_blocking({
        let (url, path) = (db.url.clone(), backup.to_str().unwrap().to_string());
        move || cli_with(&url, &["backup", &path], &[], "")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let posted = writer.await.unwrap();
    assert!(posted > 2, "writes went on during the backup ({posted})");
    // A second backup to the same name is refused (never overwritten).
    assert!(!cli_with(&db.url, &["backup", backup.to_str().unwrap()], &[], "").status.success());
    drop(server);
    // Restore into a new place and start a server on it.
    let restored_url = format!("sqlite://{}/restored.db", dir.display());
    let out = cli_with(&restored_url, &["restore", backup.to_str().unwrap()], &[], "");
    assert!(out.status.success(), "{}", text(&out));
    let restored = TestDb::at(restored_url);
    let demands = sql_i64(&restored, "SELECT COUNT(*) FROM demands").await;
    let live = sql_i64(&db, "SELECT COUNT(*) FROM demands").await;
    assert!(demands >= 1 && demands <= live, "backup {demands}, live {live}");
    // One snapshot: every demand in it has its work item (posted in one transaction).
    assert_eq!(
        sql_i64(
            &restored,
            "SELECT COUNT(*) FROM demands d WHERE NOT EXISTS (SELECT 1 FROM work_items w WHERE w.demand_id = d.id)"
        )
        .await,
        0
    );
    let server = TestServer::start(&restored, &[]);
    assert_eq!(login(&client(), &server, RESIDENT, DEMO_PASSWORD).await.status(), 200);
    // Restoring over an existing database keeps the old one beside it.
    drop(server);
    let again = cli_with(&restored.url, &["restore", backup.to_str().unwrap()], &[], "");
    assert!(again.status.success() && text(&again).contains("before-restore"), "{}", text(&again));
    // A file that is not a backup is refused.
    std::fs::write(dir.join("junk.db"), b"not a database").unwrap();
    let junk = cli_with(&restored.url, &["restore", dir.join("junk.db").to_str().unwrap()], &[], "");
    assert!(!junk.status.success());
}

#[tokio::test]
async fn metrics_are_read_with_the_token_or_from_an_allowed_address_not_through_the_proxy() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(call(&resident, &server, "me", &[]).await.status(), 200);
    // From here (loopback, allowed by default) without a proxy's headers.
    let res = client().get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    for metric in [
        "http_requests_total{",
        "http_request_duration_seconds_bucket{",
        "db_pool_connections{state=\"idle\"}",
        "db_pool_max_connections",
        "open311_outbox_backlog 0",
        "live_streams 0",
    ] {
        assert!(body.contains(metric), "{metric} missing from:\n{body}");
    }
    assert!(body.contains("route=\"/api/me\""), "server functions by their path:\n{body}");
    assert!(!body.contains("13800000001"), "no phone numbers in metrics");
    // The same address through the reverse proxy is the outside world.
    let proxied = client().get(server.url("/metrics")).header("X-Forwarded-For", "203.0.113.9").send().await.unwrap();
    assert_eq!(proxied.status(), 403);
    // Elsewhere: only with the token.
    let closed = TestServer::start(&db, &[("METRICS_ALLOW", "10.0.0.0/8"), ("METRICS_TOKEN", "scrape-me-7f3a")]);
    assert_eq!(client().get(closed.url("/metrics")).send().await.unwrap().status(), 403);
    let wrong = client().get(closed.url("/metrics")).bearer_auth("scrape-me").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    let right = client().get(closed.url("/metrics")).bearer_auth("scrape-me-7f3a").send().await.unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn one_access_line_per_request_with_its_id_and_never_a_phone() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[("RUST_LOG", "warn,access=info"), ("LOG_FORMAT", "json")]);
    let c = client();
    let res = c
        .post(server.url("/api/login"))
        .header("x-request-id", "proxy-42.abc")
        .form(&[("phone", RESIDENT), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "proxy-42.abc", "the proxy's id is kept and sent back");
    let page =
        c.get(server.url("/demands/999999")).header("x-request-id", "forged id; 13800000001").send().await.unwrap();
    let made = page.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 36, "a new UUID replaces an unusable id: {made}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines: Vec<serde_json::Value> = server
        .log()
        .iter()
        .filter(|l| l.contains("\"target\":\"access\""))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let login = lines.iter().find(|l| l["request_id"] == "proxy-42.abc").expect("the login's line");
    assert_eq!(login["route"], "/api/login");
    assert_eq!(login["method"], "POST");
    assert_eq!(login["status"], 200);
    assert!(login["latency_ms"].as_f64().is_some());
    let page = lines.iter().find(|l| l["request_id"] == made.as_str()).expect("the page's line");
    assert_eq!(page["route"], "/demands/{id}", "the route's pattern, not the id");
    assert!(page["user"].as_i64().is_some(), "the account id of a signed-in request");
    let all = server.log().join("\n");
    assert!(!all.contains(RESIDENT) && !all.contains("138****0001"), "no phone in the log");
    assert!(!all.contains(DEMO_PASSWORD));
}

/// Starts the server with `env` and expects it to refuse at once with `expected` said.
fn refuses(env: &[(&str, &str)], expected: &str) {
    let out = std::process::Command::new(server_bin())
        .env("DATABASE_URL", "sqlite::memory:")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "started with {env:?}");
    let said = text(&out);
    assert!(said.contains(expected), "{env:?}: {said}");
}

#[test]
fn bad_configuration_is_refused_at_start_with_what_is_wrong() {
    refuses(&[("LOG_FORMAT", "xml")], "LOG_FORMAT");
    refuses(&[("SESSION_IDLE_MINUTES", "thirty")], "SESSION_IDLE_MINUTES");
    refuses(&[("METRICS_ALLOW", "the office")], "METRICS_ALLOW");
    refuses(&[("SHUTDOWN_GRACE_SECONDS", "-1")], "SHUTDOWN_GRACE_SECONDS");
    refuses(&[("COOKIE_SECURE", "maybe")], "COOKIE_SECURE");
    refuses(&[("SMS_SENDER", "aliyun")], "ALIBABA_CLOUD_ACCESS_KEY_ID");
    refuses(&[("DATABASE_URL", "mysql://localhost/x")], "DATABASE_URL");
}

/// The settings deploy/compose.yaml gives its app instances.
fn compose_settings() -> Vec<(String, String)> {
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/app.env")).unwrap();
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("not KEY=VALUE: {l}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[tokio::test]
async fn the_compose_settings_run_two_instances_on_one_postgresql() {
    if backend() != Backend::Postgres {
        return; // the compose file runs PostgreSQL; the PostgreSQL run covers it
    }
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let settings = compose_settings();
    assert!(settings.iter().any(|(k, _)| k == "TRUST_PROXY"));
    let env: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (first, second) = (TestServer::start(&db, &env), TestServer::start(&db, &env));
    for s in [&first, &second] {
        assert_eq!(client().get(s.url("/readyz")).send().await.unwrap().status(), 200);
    }
    // Through the proxy: a Secure session cookie, good on the other instance.
    let res = client()
        .post(first.url("/api/login"))
        .header("X-Forwarded-For", "198.51.100.7")
        .header("X-Forwarded-Proto", "https")
        .form(&[("phone", RESIDENT), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("mc_session="))
        .expect("a session");
    assert!(cookie.contains("Secure"), "{cookie}");
    let token = cookie.split(';').next().unwrap().to_string();
    let me = client()
        .post(second.url("/api/me"))
        .header("Accept", "application/json")
        .header("Cookie", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // Metrics: the token from the settings, and nothing without it through the proxy.
    let token = settings.iter().find(|(k, _)| k == "METRICS_TOKEN").unwrap().1.clone();
    let m = client().get(second.url("/metrics")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(m.status(), 200);
    let outside = client().get(second.url("/metrics")).header("X-Forwarded-For", "198.51.100.7").send().await.unwrap();
    assert_eq!(outside.status(), 403);
    // JSON access lines.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(second.log().iter().any(|l| l.starts_with('{') && l.contains("\"route\":\"/api/me\"")));
}
