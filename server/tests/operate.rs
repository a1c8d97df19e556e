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
