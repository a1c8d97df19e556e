//! Bad input never answers 5xx, never drops the connection, never panics and never shows
//! internals (`TEST_BACKEND` picks the backend). The targets come from the server itself
//! (`server routes`: every registered server function and page), so a new function is
//! covered without touching this file; the feature routes outside Leptos are listed here.
//! Each gets malformed requests of every kind, as a visitor and as each role.

mod common;
use common::*;

/// Routes of features outside Leptos's registry (`{id}` is filled in).
const OTHER_ROUTES: [&str; 18] = [
    "GET /live/items/{id}",
    "GET /live/threads/{id}",
    "GET /meetings/{id}/ics",
    "GET /appointments/{id}/ics",
    "GET /photos/{id}",
    "GET /photos/{id}/thumb",
    "GET /station/surveys/{id}/responses.csv",
    "GET /station/dashboard/items.csv",
    "GET /station/dashboard/rates.csv",
    "GET /open311/v2/{id}.json",
    "POST /open311/v2/requests.json",
    "GET /open311/v2/services/{id}.json",
    "GET /open311/v2/requests/{id}.json",
    "GET /open311/v2/tokens/{id}.json",
    "GET /open311/v2/requests.xml",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
];

/// The values put where a path takes a parameter.
const IDS: [&str; 5] = ["1", "abc", "-1", "9223372036854775807", "%00"];

/// A malformed body: (content type, bytes).
fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    let form = "application/x-www-form-urlencoded";
    vec![
        (form, Vec::new()),
        (form, b"id=abc&item=x&version=&thread_id=abc&for_whom=-1".to_vec()),
        (form, b"id=-1&demand_id=0&version=9223372036854775807&for_whom=9223372036854775807".to_vec()),
        (form, b"id=1&id=2&id[]=3&[]=1&a[b]=c".to_vec()),
        (form, b"phone=%00&name=%00&text=a%00b&description=%00".to_vec()),
        (form, b"name=%FF%FE&text=%C3%28".to_vec()),
        (form, vec![b'x', b'=', 0xFF, 0xFE, 0xFD]),
        ("application/json", br#"{"id": "abc", "x": [1, {"y": null}]}"#.to_vec()),
        ("application/json", b"{not json".to_vec()),
        ("multipart/form-data", b"--x\r\n".to_vec()),
        ("multipart/form-data; boundary=", b"--\r\n".to_vec()),
        (
            "multipart/form-data; boundary=zz",
            b"--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--zz--\r\n".to_vec(),
        ),
        ("text/plain", b"hello".to_vec()),
        (form, format!("description={}", "长".repeat(30_000)).into_bytes()),
    ]
}

/// The path with each parameter filled with each of [`IDS`].
fn filled(path: &str) -> Vec<String> {
    if !path.contains('{') && !path.contains(':') {
        return vec![path.to_string()];
    }
    IDS.iter()
        .map(|id| {
            path.split('/')
                .map(|seg| {
                    if seg.contains("{id}") {
                        seg.replace("{id}", id)
                    } else if seg.starts_with('{') || seg.starts_with(':') {
                        (*id).to_string()
                    } else {
                        seg.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

fn internals(body: &str) -> Option<&'static str> {
    ["panicked", "sqlx", "error returned from database", "SELECT ", "INSERT ", "stack backtrace", "RUST_BACKTRACE"]
        .into_iter()
        .find(|w| body.contains(w))
}

#[tokio::test]
async fn malformed_requests_answer_4xx_as_every_role() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start_logged(&db, &[("LOGIN_MAX_FAILURES_PER_IP", "100000")]);
    let listed = cli(&db, &["routes"]);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let mut routes: Vec<String> = String::from_utf8_lossy(&listed.stdout).lines().map(str::to_string).collect();
    let functions = routes.iter().filter(|r| r.contains(" /api/")).count();
    assert!(functions > 80, "the server's own list of server functions: {functions}");
    routes.extend(OTHER_ROUTES.iter().map(|r| r.to_string()));
    // Logging out, or ending a session some other way, would leave later requests as a
    // visitor: those go last for each role.
    routes.sort_by_key(|r| r.contains("logout"));

    let mut roles = vec![("visitor", client())];
    for phone in [RESIDENT, SOCIAL_WORKER, STATIONMASTER, DEPARTMENT, SUBDISTRICT_ADMIN, DISTRICT_ADMIN] {
        roles.push((phone, logged_in(&server, phone).await));
    }
    let bodies = bodies();
    // The roles side by side, each going through every route.
    let runs = roles.iter().map(|(role, c)| {
        let (routes, bodies, server) = (&routes, &bodies, &server);
        async move {
            let mut sent = 0;
            let mut failures = Vec::new();
            for route in routes {
                let (method, path) = route.split_once(' ').unwrap();
                for p in filled(path) {
                    let requests: Vec<reqwest::RequestBuilder> = if method == "GET" {
                        ["", "?id=abc&id=1&[]=x", "?next=%2F%09%2Fevil.example&back=%01", "?q=%FF%00"]
                            .iter()
                            .map(|q| c.get(server.url(&format!("{p}{q}"))))
                            .collect()
                    } else {
                        bodies
                            .iter()
                            .map(|(ct, b)| {
                                c.post(server.url(&p))
                                    .header("Content-Type", *ct)
                                    .header("Accept", "application/json")
                                    .body(b.clone())
                            })
                            .collect()
                    };
                    for r in requests {
                        sent += 1;
                        match r.timeout(std::time::Duration::from_secs(20)).send().await {
                            Ok(res) => {
                                let status = res.status().as_u16();
                                // A live stream that opened stays open: its status says enough.
                                let stream = res
                                    .headers()
                                    .get("content-type")
                                    .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
                                let text = if stream { String::new() } else { res.text().await.unwrap_or_default() };
                                if status >= 500 {
                                    let start: String = text.chars().take(120).collect();
                                    failures.push(format!("{role} {method} {p}: {status} {start}"));
                                } else if let Some(word) = internals(&text) {
                                    failures.push(format!("{role} {method} {p}: shows {word:?}"));
                                }
                            }
                            Err(e) => failures.push(format!("{role} {method} {p}: connection: {e}")),
                        }
                    }
                }
            }
            (sent, failures)
        }
    });
    let mut sent = 0;
    let mut failures = Vec::new();
    for (n, f) in futures_util::future::join_all(runs).await {
        sent += n;
        failures.extend(f);
    }
    let panics: Vec<String> = server.log().into_iter().filter(|l| l.contains("panicked")).collect();
    println!("[{:?}] {sent} malformed requests over {} routes as {} roles", backend(), routes.len(), roles.len());
    assert!(failures.is_empty(), "{} of {sent} failed:\n{}", failures.len(), failures.join("\n"));
    assert!(panics.is_empty(), "panics in the log:\n{}", panics.join("\n"));
    assert!(sent > 5_000, "{sent}");
}
