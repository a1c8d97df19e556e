//! Test harness: starts the real server binary on port 0 against a fresh database
//! (SQLite file or a new PostgreSQL database), seeded with the demo community.
//!
//! The backend comes from `TEST_BACKEND` (`sqlite`, the default, or `postgres`). PostgreSQL
//! tests create a database per test through `TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); when it cannot be reached they are skipped
//! with a message, unless `REQUIRE_POSTGRES=1` (CI), which makes that a failure.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const DEMO_PASSWORD: &str = "shequ2026";
pub const RESIDENT: &str = "13800000001";
pub const SOCIAL_WORKER: &str = "13800000002";
pub const STATIONMASTER: &str = "13800000004";
pub const DEPARTMENT: &str = "13800000005";
pub const SUBDISTRICT_ADMIN: &str = "13800000006";
pub const DISTRICT_ADMIN: &str = "13800000007";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn unique() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
    )
}

/// A fresh database for one test; dropped (PostgreSQL) or deleted (SQLite) afterwards.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    sqlite_dir: Option<std::path::PathBuf>,
}

impl TestDb {
    /// A database at `url` that the test made itself (nothing is removed afterwards).
    pub fn at(url: String) -> TestDb {
        TestDb { url, pg_name: None, sqlite_dir: None }
    }

    /// `None` when the test must be skipped (PostgreSQL unreachable and not required).
    pub async fn create() -> Option<TestDb> {
        match backend() {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("mc_test_{}", unique()));
                std::fs::create_dir_all(&dir).unwrap();
                Some(TestDb {
                    url: format!("sqlite://{}/test.db", dir.display()),
                    pg_name: None,
                    sqlite_dir: Some(dir),
                })
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                            panic!("REQUIRE_POSTGRES=1 but PostgreSQL at {admin} is unreachable: {e}");
                        }
                        eprintln!("SKIPPED: PostgreSQL test skipped: cannot connect to {admin}: {e}");
                        return None;
                    }
                };
                let name = format!("mc_t_{}", unique());
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
                Some(TestDb { url: format!("{base}/{name}"), pg_name: Some(name), sqlite_dir: None })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.clone() {
            // Drop in a plain thread: Drop may run inside or outside a runtime.
            let admin = admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn server_bin() -> &'static str {
    env!("CARGO_BIN_EXE_server")
}

/// Runs a CLI subcommand of the server against `db`.
pub fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(server_bin())
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run server CLI")
}

/// A running server process.
pub struct TestServer {
    pub base: String,
    child: Option<Child>,
    /// What the server wrote to stderr, when started with [`TestServer::start_logged`].
    log: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
}

impl TestServer {
    /// Like [`TestServer::start`], keeping what the server logs (still shown) for [`TestServer::log`].
    pub fn start_logged(db: &TestDb, env: &[(&str, &str)]) -> TestServer {
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut server = Self::spawn(db, env, Some(log.clone()));
        server.log = Some(log);
        server
    }

    /// The server's log lines so far (started with [`TestServer::start_logged`]).
    pub fn log(&self) -> Vec<String> {
        self.log.as_ref().map(|l| l.lock().unwrap().clone()).unwrap_or_default()
    }

    /// Starts a server on `db` (already seeded or not) with extra environment. Its log is
    /// kept (and still shown): the `log` SMS sender writes codes there.
    pub fn start(db: &TestDb, env: &[(&str, &str)]) -> TestServer {
        Self::start_logged(db, env)
    }

    fn spawn(
        db: &TestDb,
        env: &[(&str, &str)],
        log: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
    ) -> TestServer {
        let mut cmd = Command::new(server_bin());
        cmd.env("DATABASE_URL", &db.url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            // `sms=info`: the log SMS sender's messages, which tests read codes from.
            .env("RUST_LOG", "warn,sms=info")
            // Staff log in with a password alone here; the second factor has its own test.
            .env("STAFF_SECOND_FACTOR", "0")
            // Live dashboards: tests read them right after moving cases (the cache has its own test).
            .env("DASHBOARD_CACHE_SECONDS", "0")
            // Tests read Open311 lists in loops; the limit has its own test.
            .env("OPEN311_GETS_PER_MINUTE", "1000000")
            .stdout(Stdio::piped())
            .stderr(if log.is_some() { Stdio::piped() } else { Stdio::inherit() });
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn server");
        if let (Some(log), Some(stderr)) = (log, child.stderr.take()) {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("{line}");
                    log.lock().unwrap().push(line);
                }
            });
        }
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            while let Some(Ok(line)) = lines.next() {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(60)).expect("server did not start within 60 s");
        TestServer { base, child: Some(child), log: None }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        unsafe_kill(child.id(), 15);
        child.wait().unwrap()
    }
}

fn unsafe_kill(pid: u32, signal: i32) {
    let _ = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A fresh seeded database and a server on it. `None` means skip (see [`TestDb::create`]).
pub async fn seeded_server() -> Option<(TestDb, TestServer)> {
    let db = TestDb::create().await?;
    let out = cli(&db, &["seed-demo", "--without-history"]);
    assert!(out.status.success(), "seed-demo failed: {}", String::from_utf8_lossy(&out.stderr));
    let server = TestServer::start(&db, &[]);
    Some((db, server))
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Calls a server function the way the enhancing script does (JSON answer, no redirect).
pub async fn call(
    c: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(server.url(&format!("/api/{endpoint}")))
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Posts a form the way a browser without JavaScript does.
pub async fn post_form(
    c: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    form: &[(&str, &str)],
    referer: &str,
) -> reqwest::Response {
    c.post(server.url(&format!("/api/{endpoint}")))
        .header("Accept", "text/html,application/xhtml+xml")
        .header("Origin", server.base.clone())
        .header("Referer", server.url(referer))
        .form(form)
        .send()
        .await
        .unwrap()
}

pub async fn login(c: &reqwest::Client, server: &TestServer, phone: &str, password: &str) -> reqwest::Response {
    call(c, server, "login", &[("phone", phone), ("password", password)]).await
}

pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mc_session=") && !v.starts_with("mc_session=;"))
        .map(|v| v.split(';').next().unwrap().trim_start_matches("mc_session=").to_string())
}

/// Skips the test (returns) when the backend is unavailable.
#[macro_export]
macro_rules! seeded_or_skip {
    () => {
        match common::seeded_server().await {
            Some(s) => s,
            None => return,
        }
    };
}

/// A small JPEG, generated (no fixture files).
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The date `days` from today in Beijing (forms take local dates; between 16:00 and 24:00
/// UTC, Beijing is already on the next day).
pub fn beijing_date_in(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

/// A fresh idempotency key.
pub fn key() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("testkey{:08}{:012}", N.fetch_add(1, Ordering::SeqCst), std::process::id())
}

/// Posts a demand the way the enhancing script does (multipart, JSON answer).
pub async fn post_demand(
    c: &reqwest::Client,
    server: &TestServer,
    fields: &[(&str, &str)],
    photos: Vec<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in photos {
        form = form.part("photos", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    }
    c.post(server.url("/api/demands/post")).header("Accept", "application/json").multipart(form).send().await.unwrap()
}

/// Posts a multipart form with files (`(field, file name, bytes)`): the way the enhancing
/// script does (JSON answer), or with `plain` the way a browser without JavaScript does
/// from that page.
pub async fn post_multipart(
    c: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    fields: &[(&str, &str)],
    files: Vec<(&str, &str, Vec<u8>)>,
    plain: Option<&str>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (field, name, bytes) in files {
        form = form.part(field.to_string(), reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    }
    let req = c.post(server.url(&format!("/api/{endpoint}")));
    let req = match plain {
        Some(page) => req
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Origin", server.base.clone())
            .header("Referer", server.url(page)),
        None => req.header("Accept", "application/json"),
    };
    req.multipart(form).send().await.unwrap()
}

/// A normal demand's fields with a given key.
pub fn demand_fields<'a>(key: &'a str, affair: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("affair", affair),
        ("description", description),
        ("place", "home"),
        ("urgency", "normal"),
        ("visibility", "private"),
        ("contact_time", "evening"),
    ]
}

/// The demand id a successful post redirects to.
pub fn demand_id(res: &reqwest::Response) -> i64 {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/demands/"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no demand location in {:?}", res.headers()))
}

/// Runs SQL against the test database directly (to move time, as a clock would).
pub async fn sql(db: &TestDb, statement: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query(statement).execute(&mut conn).await.unwrap();
}

pub async fn sql_i64(db: &TestDb, statement: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(statement).fetch_one(&mut conn).await.unwrap()
}

pub async fn sql_text(db: &TestDb, statement: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(statement).fetch_one(&mut conn).await.unwrap()
}

pub async fn logged_in(server: &TestServer, phone: &str) -> reqwest::Client {
    logged_in_with(server, phone, DEMO_PASSWORD).await
}

pub async fn logged_in_with(server: &TestServer, phone: &str, password: &str) -> reqwest::Client {
    let c = client();
    let res = login(&c, server, phone, password).await;
    assert_eq!(res.status(), 200, "login {phone}");
    c
}

/// A server function's JSON answer (the test fails with the body when it is not JSON).
pub async fn json(res: reqwest::Response) -> serde_json::Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
}

/// Files a request in Qianggen through Open311 with an API key (`api-key add`), as a
/// hotline system would; `description` keeps each distinct.
pub async fn open311_post(server: &TestServer, key: &str, description: &str) {
    let form = [
        ("api_key", key),
        ("jurisdiction_id", "qianggen"),
        ("service_code", "drain-manhole"),
        ("address_string", "5号楼东侧"),
        ("attribute[urgency]", "normal"),
        ("description", description),
    ];
    let res = client().post(server.url("/open311/v2/requests.json")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

/// The SMS messages the server's `log` sender wrote to `phone`, oldest first.
pub fn sms_codes(server: &TestServer, phone: &str) -> Vec<String> {
    let marker = format!("SMS to {phone}: code ");
    server
        .log()
        .iter()
        .filter_map(|line| line.split_once(&marker).map(|(_, rest)| rest.chars().take(6).collect::<String>()))
        .collect()
}

/// Asks for a code (`verify/send`) for `purpose` and `phone` and returns it as the phone
/// received it (read from the server's log, never from a page). Panics when none arrives.
pub async fn code_for(c: &reqwest::Client, server: &TestServer, purpose: &str, phone: &str) -> String {
    let before = sms_codes(server, phone).len();
    let res = call(c, server, "verify/send", &[("purpose", purpose), ("phone", phone)]).await;
    assert_eq!(res.status(), 200, "verify/send {purpose} {phone}: {:?}", res.text().await);
    for _ in 0..100 {
        let codes = sms_codes(server, phone);
        if codes.len() > before {
            return codes.last().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no SMS reached {phone} for {purpose}");
}

/// A registration form of Qianggen, in the order tests index it: phone, sms_code, consent,
/// password, password_confirm, display_name, community, building, unit_no, room.
pub fn registration<'a>(phone: &'a str, code: &'a str, building: &'a str, room: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("phone", phone),
        ("sms_code", code),
        ("consent", "yes"),
        ("password", "lvyin2026"),
        ("password_confirm", "lvyin2026"),
        ("display_name", "测试居民"),
        ("community", "qianggen"),
        ("building", building),
        ("unit_no", "1"),
        ("room", room),
    ]
}

/// Registers a resident of Qianggen with a verified phone; `c` is signed in after.
pub async fn register(
    c: &reqwest::Client,
    server: &TestServer,
    phone: &str,
    building: &str,
    room: &str,
) -> reqwest::Response {
    let code = code_for(c, server, "register", phone).await;
    call(c, server, "register", &registration(phone, &code, building, room)).await
}

/// `n` more Qianggen residents (same password as the demo accounts), signed in.
pub async fn more_residents(db: &TestDb, server: &TestServer, n: usize) -> Vec<reqwest::Client> {
    sql(
        db,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
             INSERT INTO users (phone, password_hash, display_name, role, region_id, building_id, unit_no, room, created_at) \
             SELECT '13700000' || (100 + i), u.password_hash, '测试居民', 'resident', u.region_id, u.building_id, '1', '101', u.created_at \
             FROM n, users u WHERE u.phone = '{RESIDENT}'",
            n - 1
        ),
    )
    .await;
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let base = server.url("/api/login");
            tokio::spawn(async move {
                let c = client();
                let phone = format!("13700000{}", 100 + i);
                let r = c
                    .post(base)
                    .header("Accept", "application/json")
                    .form(&[("phone", phone.as_str()), ("password", DEMO_PASSWORD)])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "login {phone}");
                c
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
