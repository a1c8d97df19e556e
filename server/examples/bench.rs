//! HTTP benchmark: starts the release server on a fresh seeded database and measures
//! latency and throughput of the foundation's hot paths with concurrent clients.
//!
//!   cargo run --release -p server --example bench [-- SECONDS CONCURRENCY]
//!
//! `DATABASE_URL` picks the backend (default: a temporary SQLite file); with PostgreSQL,
//! point it at an empty database. `SERVER_BIN` overrides the server binary
//! (default `target/release/server`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let bin = std::env::var("SERVER_BIN").unwrap_or_else(|_| {
        let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
        format!("{dir}/release/server")
    });
    let tmp = std::env::temp_dir().join(format!("mc_bench_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let db = std::env::var("DATABASE_URL").unwrap_or_else(|_| format!("sqlite://{}/bench.db", tmp.display()));
    let seeded = Command::new(&bin).arg("seed-demo").env("DATABASE_URL", &db).status().expect("run server");
    assert!(seeded.success(), "seed-demo failed");
    // An Open311 key for the API scenarios (printed once by the CLI).
    let out = Command::new(&bin).args(["api-key", "add", "bench"]).env("DATABASE_URL", &db).output().expect("api-key");
    let api_key = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("key: ").map(str::to_string))
        .expect("a key");
    let mut child = Command::new(&bin)
        .env("DATABASE_URL", &db)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .env("LOGIN_MAX_FAILURES_PER_IP", "1000000")
        .env("OPEN311_POSTS_PER_MINUTE", "1000000")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(a) = line.strip_prefix("listening on ") {
            break a.to_string();
        }
    };
    println!(
        "server {bin}\ndatabase {}\n{seconds} s per scenario, {concurrency} concurrent clients\n",
        db.split(':').next().unwrap()
    );
    println!("{:<34} {:>9} {:>9} {:>9} {:>9} {:>10}", "scenario", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s");

    // One signed-in session per client.
    let sessions = signed_in(&base, "13800000001", concurrency).await;
    let guest = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    run(
        "GET /healthz",
        seconds,
        vec![guest.clone(); concurrency],
        |c, b| async move { c.get(format!("{b}/healthz")).send().await.map(|r| r.status().as_u16()) },
        &base,
    )
    .await;
    run(
        "GET / (guest, server-rendered)",
        seconds,
        vec![guest.clone(); concurrency],
        |c, b| async move { c.get(format!("{b}/")).send().await.map(|r| r.status().as_u16()) },
        &base,
    )
    .await;
    run(
        "GET /me (session + render)",
        seconds,
        sessions.clone(),
        |c, b| async move { c.get(format!("{b}/me")).send().await.map(|r| r.status().as_u16()) },
        &base,
    )
    .await;
    run(
        "POST /api/me (server function)",
        seconds,
        sessions.clone(),
        |c, b| async move {
            c.post(format!("{b}/api/me")).header("Accept", "application/json").send().await.map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    // Demands: posting (multipart, one work item each) and the station board.
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    run(
        "POST /api/demands/post",
        seconds,
        sessions.clone(),
        move |c, b| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async move {
                let form = reqwest::multipart::Form::new()
                    .text("idempotency_key", format!("benchkey{n:016}"))
                    .text("affair", "electrical-repair")
                    .text("description", format!("开关坏了 {n}"))
                    .text("place", "home")
                    .text("urgency", "normal")
                    .text("visibility", "private");
                c.post(format!("{b}/api/demands/post"))
                    .header("Accept", "application/json")
                    .multipart(form)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            }
        },
        &base,
    )
    .await;
    let workers = signed_in(&base, "13800000002", concurrency).await;
    run(
        "POST /api/station/board",
        seconds,
        workers.clone(),
        |c, b| async move {
            c.post(format!("{b}/api/station/board"))
                .header("Accept", "application/json")
                .send()
                .await
                .map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    run(
        "GET /station (board page)",
        seconds,
        workers,
        |c, b| async move { c.get(format!("{b}/station")).send().await.map(|r| r.status().as_u16()) },
        &base,
    )
    .await;
    // Appointments: the booking page computes 14 days of free slots for an affair.
    run(
        "GET /appointments?affair= (slots)",
        seconds,
        sessions.clone(),
        |c, b| async move {
            c.get(format!("{b}/appointments?affair=residence-proof")).send().await.map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    // Deliberation: a thread page with its discussion, and its data as a server function.
    run(
        "GET /threads/1 (thread page)",
        seconds,
        sessions.clone(),
        |c, b| async move { c.get(format!("{b}/threads/1")).send().await.map(|r| r.status().as_u16()) },
        &base,
    )
    .await;
    run(
        "POST /api/threads/support (toggle)",
        seconds,
        sessions.clone(),
        |c, b| async move {
            // Everyone shares one account here: support and withdraw in turn.
            let on = if std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() % 2
                == 0
            {
                "1"
            } else {
                "0"
            };
            c.post(format!("{b}/api/threads/support"))
                .header("Accept", "application/json")
                .form(&[("thread_id", "2"), ("support", on)])
                .send()
                .await
                .map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    // The dashboard over the seeded 16 weeks of history: a subdistrict admin, all communities.
    let admins = signed_in(&base, "13800000006", concurrency).await;
    run(
        "POST /api/station/dashboard (120 d)",
        seconds,
        admins.clone(),
        |c, b| async move {
            // Beijing dates: the period ends after today there, so it holds what was just posted.
            let today = chrono::Utc::now() + chrono::Duration::hours(8);
            let from = (today - chrono::Duration::days(120)).format("%Y-%m-%d").to_string();
            let to = today.format("%Y-%m-%d").to_string();
            c.post(format!("{b}/api/station/dashboard"))
                .header("Accept", "application/json")
                .form(&[("query[period]", "custom"), ("query[from]", from.as_str()), ("query[to]", to.as_str())])
                .send()
                .await
                .map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    run(
        "GET /station/dashboard (month page)",
        seconds,
        admins.clone(),
        |c, b| async move { c.get(format!("{b}/station/dashboard?period=month")).send().await.map(|r| r.status().as_u16()) },
        &base,
    )
    .await;
    run(
        "GET /station/dashboard/items.csv",
        seconds,
        admins,
        |c, b| async move {
            c.get(format!("{b}/station/dashboard/items.csv?period=month")).send().await.map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    // Open311: a hotline posting reports and a platform listing them.
    let counter311 = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let key311 = api_key.clone();
    run(
        "POST /open311/v2/requests.json",
        seconds,
        vec![guest.clone(); concurrency],
        move |c, b| {
            let n = counter311.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let key = key311.clone();
            async move {
                let d = format!("路灯不亮 {n}");
                let form = [
                    ("api_key", key.as_str()),
                    ("jurisdiction_id", "qianggen"),
                    ("service_code", "drain-manhole"),
                    ("address_string", "5号楼东侧"),
                    ("attribute[urgency]", "normal"),
                    ("description", d.as_str()),
                ];
                c.post(format!("{b}/open311/v2/requests.json")).form(&form).send().await.map(|r| r.status().as_u16())
            }
        },
        &base,
    )
    .await;
    run(
        "GET /open311/v2/requests.json",
        seconds,
        vec![guest.clone(); concurrency],
        |c, b| async move {
            c.get(format!("{b}/open311/v2/requests.json?jurisdiction_id=qianggen&status=open"))
                .send()
                .await
                .map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;
    run(
        "POST /api/login (argon2id)",
        seconds,
        vec![guest.clone(); concurrency],
        |c, b| async move {
            c.post(format!("{b}/api/login"))
                .header("Accept", "application/json")
                .form(&[("phone", "13800000011"), ("password", "shequ2026")])
                .send()
                .await
                .map(|r| r.status().as_u16())
        },
        &base,
    )
    .await;

    let _ = Command::new("kill").arg("-15").arg(child.id().to_string()).status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(tmp);
}

/// `n` clients, each with its own session of the demo account `phone`.
async fn signed_in(base: &str, phone: &str, n: usize) -> Vec<reqwest::Client> {
    let mut out = Vec::new();
    for _ in 0..n {
        let c =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = c
            .post(format!("{base}/api/login"))
            .header("Accept", "application/json")
            .form(&[("phone", phone), ("password", "shequ2026")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {phone}");
        out.push(c);
    }
    out
}

async fn run<F, Fut>(name: &str, seconds: u64, clients: Vec<reqwest::Client>, f: F, base: &str)
where
    F: Fn(reqwest::Client, String) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = reqwest::Result<u16>> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in clients {
        let (f, base) = (f.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let status = f(c.clone(), base.clone()).await.expect("request");
                assert!(status < 400, "status {status}");
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            samples
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p) as usize];
    println!(
        "{:<34} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>10.0}",
        name,
        all.len(),
        pct(0.5),
        pct(0.95),
        pct(0.99),
        all.len() as f64 / elapsed
    );
}
