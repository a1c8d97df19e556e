//! Lists that grow are read a page at a time by key (`TEST_BACKEND` picks the backend):
//! walking a list page by page while new lines keep arriving, every line there at the start
//! is seen exactly once, in order, and nothing is seen twice; pages work without
//! JavaScript (a next link); a forged cursor is a bad request.

mod common;
use common::*;
use std::collections::BTreeSet;

/// Walks a list through its server function: `lines` of each page, `next` for the cursor.
/// Between pages, `arrive` adds lines (newer ones, which belong before the first page).
async fn walk(
    c: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    fields: &[(&str, &str)],
    id: &str,
    mut arrive: impl AsyncFnMut(),
) -> Vec<i64> {
    let (mut seen, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let mut f = fields.to_vec();
        if let Some(c) = &cursor {
            f.push(("before", c.as_str()));
        }
        let page = json(call(c, server, endpoint, &f).await).await;
        let lines = page["lines"].as_array().or(page["threads"].as_array()).unwrap();
        assert!(lines.len() <= 50, "a page is at most 50 lines");
        seen.extend(lines.iter().map(|l| l[id].as_i64().unwrap()));
        pages += 1;
        arrive().await;
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 50, "the pages end");
    }
    assert!(pages >= 3, "{endpoint}: {pages} pages");
    seen
}

/// Seen once each, and every line of the start among them.
fn exactly_once(endpoint: &str, seen: &[i64], at_start: &BTreeSet<i64>) {
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "{endpoint}: a line seen twice");
    let missed: Vec<&i64> = at_start.difference(&unique).collect();
    assert!(missed.is_empty(), "{endpoint}: lines never seen: {missed:?}");
}

async fn ids(db: &TestDb, sql: &str) -> BTreeSet<i64> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap().into_iter().collect()
}

#[tokio::test]
async fn community_demands_and_my_demands_page_by_key() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let out = cli(&db, &["api-key", "add", "pages"]);
    let key =
        String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.strip_prefix("key: ").map(str::to_string)).unwrap();
    let server = TestServer::start(&db, &[("OPEN311_POSTS_PER_MINUTE", "100000")]);
    for n in 0..120 {
        open311_post(&server, &key, &format!("路灯不亮 {n}")).await;
    }
    let resident = logged_in(&server, RESIDENT).await;

    // The community's public demands (Home shows the newest; /neighbourhood pages them).
    let public = ids(
        &db,
        "SELECT d.id FROM demands d JOIN regions r ON r.id = d.community_id JOIN work_items w ON w.demand_id = d.id \
         WHERE r.code = 'qianggen' AND d.visibility IN ('community', 'public') AND w.state <> 'withdrawn'",
    )
    .await;
    assert!(public.len() >= 120);
    let mut extra = 1000;
    let seen = walk(&resident, &server, "demands/community", &[], "id", async || {
        for _ in 0..5 {
            open311_post(&server, &key, &format!("路灯不亮 {extra}")).await;
            extra += 1;
        }
    })
    .await;
    exactly_once("demands/community", &seen, &public);

    // My demands: posted by the resident, newest first.
    for n in 0..110 {
        let k = key_n(n);
        let r = post_demand(&resident, &server, &demand_fields(&k, "other", &format!("第 {n} 件")), vec![]).await;
        assert_eq!(r.status(), 200);
    }
    let mine = ids(&db, &format!("SELECT id FROM demands WHERE requester_id = ({})", user_id(RESIDENT))).await;
    assert!(mine.len() >= 110);
    let mut n = 500;
    let seen = walk(&resident, &server, "demands/mine", &[], "id", async || {
        let k = key_n(n);
        n += 1;
        let r = post_demand(&resident, &server, &demand_fields(&k, "other", "又一件"), vec![]).await;
        assert_eq!(r.status(), 200);
    })
    .await;
    exactly_once("demands/mine", &seen, &mine);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first");

    // Without JavaScript: the page carries a next link with the cursor, which works.
    let page = resident.get(server.url("/demands")).send().await.unwrap().text().await.unwrap();
    let next = page.split("href=\"/demands?before=").nth(1).and_then(|s| s.split('"').next()).expect("a next link");
    let second = resident.get(server.url(&format!("/demands?before={next}"))).send().await.unwrap();
    assert_eq!(second.status(), 200);
    assert!(resident
        .get(server.url("/neighbourhood"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("rel=\"next\""));
    // Each list is the signed-in person's own: without a session, nothing.
    for endpoint in ["demands/mine", "demands/community", "notifications", "surveys/waiting"] {
        assert_eq!(call(&client(), &server, endpoint, &[]).await.status(), 401, "{endpoint}");
    }
    // A forged cursor is a bad request, never a guess; on the page too.
    assert_eq!(call(&resident, &server, "demands/mine", &[("before", "x")]).await.status(), 400);
    assert_eq!(call(&resident, &server, "demands/community", &[("before", "1.x")]).await.status(), 400);
    assert_eq!(resident.get(server.url("/demands?before=-3")).send().await.unwrap().status(), 400);
}

fn key_n(n: usize) -> String {
    format!("{}-{n}", key())
}

fn user_id(phone: &str) -> String {
    format!("SELECT id FROM users WHERE phone = '{phone}'")
}

#[tokio::test]
async fn notifications_and_threads_page_by_key() {
    let Some((db, server)) = seeded_server().await else { return };
    let resident = logged_in(&server, RESIDENT).await;
    let me = user_id(RESIDENT);
    let note = |n: usize| {
        format!(
            "INSERT INTO notifications (user_id, kind, detail, created_at) VALUES (({me}), 'reply', 'n{n}', {})",
            1_700_000_000_000_i64 + n as i64
        )
    };
    for n in 0..130 {
        sql(&db, &note(n)).await;
    }
    let inbox = ids(&db, &format!("SELECT id FROM notifications WHERE user_id = ({me})")).await;
    let mut n = 1000;
    let seen = walk(&resident, &server, "notifications", &[], "id", async || {
        for _ in 0..3 {
            sql(&db, &note(n)).await;
            n += 1;
        }
    })
    .await;
    exactly_once("notifications", &seen, &inbox);
    assert!(resident
        .get(server.url("/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("rel=\"next\""));

    // Threads, newest first and most active first; several share a time (the id decides).
    let thread = |n: usize| {
        format!(
            "INSERT INTO threads (community_id, author_id, title, body, topic, idempotency_key, last_activity_at, created_at) \
             SELECT region_id, id, '议题 {n}', '内容', 'other', 'k{n}', {t}, {t} FROM users WHERE phone = '{RESIDENT}'",
            t = 1_700_000_000_000_i64 + (n as i64 / 3) * 1000
        )
    };
    for n in 0..140 {
        sql(&db, &thread(n)).await;
    }
    let all = ids(
        &db,
        &format!(
            "SELECT id FROM threads WHERE community_id = (SELECT region_id FROM users WHERE phone = '{RESIDENT}')"
        ),
    )
    .await;
    for (i, sort) in ["newest", "active", "supported"].into_iter().enumerate() {
        let mut n = 10_000 + i * 100;
        let seen = walk(&resident, &server, "threads", &[("sort", sort), ("topic", "")], "id", async || {
            sql(&db, &thread(n)).await;
            n += 1;
        })
        .await;
        exactly_once(sort, &seen, &all);
    }
    let page = resident.get(server.url("/threads?sort=active")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/threads?sort=active&amp;before="), "the next link keeps the order");
    assert_eq!(
        call(&resident, &server, "threads", &[("sort", ""), ("topic", ""), ("before", "1.2.3")]).await.status(),
        400
    );
}
