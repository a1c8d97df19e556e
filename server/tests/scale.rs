//! District scale (`TEST_BACKEND` picks the backend): the scale seed, and the dashboard's
//! fast path (narrow facts found by index ranges, counts grouped by the database, how an
//! item ended kept on the item) giving exactly the figures the one rates module computes
//! from the raw tables (every item, its events, every rating) — after the seed and after
//! cases moved through the real server. Also: routing's load counters match a recount.

mod common;
use app::dashboard::rates::{self, RatingFacts};
use app::dashboard::server::FactRow;
use app::dashboard::DashboardQuery;
use common::*;
use sqlx::Connection;
use std::collections::BTreeMap;

/// Every item from the raw tables: (community code, assignee, kind, facts).
type Raw = Vec<(String, Option<i64>, String, rates::ItemFacts)>;

async fn raw(db: &TestDb) -> (Raw, Vec<(String, Option<i64>, RatingFacts)>) {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    // How each item ended, from its events (not from the columns the fast path keeps).
    let rows: Vec<(
        String,
        String,
        i64,
        Option<i64>,
        String,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        i64,
        i64,
        Option<i64>,
        Option<String>,
    )> = sqlx::query_as(
        "SELECT r.code, w.kind, w.community_id, w.assignee_id, w.state, w.respond_by, w.complete_by, \
             w.first_response_at, w.resolved_at, w.closed_at, w.created_at, \
             (SELECT COUNT(*) FROM work_events e WHERE e.work_item_id = w.id AND e.to_state = 'reopened'), \
             (SELECT MAX(e.created_at) FROM work_events e WHERE e.work_item_id = w.id AND e.to_state = 'withdrawn'), \
             w.found_via FROM work_items w JOIN regions r ON r.id = w.community_id",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let items = rows
        .into_iter()
        .map(
            |(
                code,
                kind,
                community_id,
                assignee_id,
                state,
                respond_by,
                complete_by,
                first,
                resolved,
                closed,
                created,
                reopens,
                withdrawn,
                found_via,
            )| {
                let f = FactRow {
                    community_id,
                    assignee_id,
                    state,
                    respond_by,
                    complete_by,
                    first_response_at: first,
                    resolved_at: resolved,
                    closed_at: closed,
                    created_at: created,
                    reopens,
                    withdrawn_at: withdrawn,
                    found_via,
                    merged_into: None,
                };
                (code, assignee_id, kind, f.facts())
            },
        )
        .collect();
    let ratings: Vec<(String, Option<i64>, i64, i64)> = sqlx::query_as(
        "SELECT r.code, w.assignee_id, g.overall, g.created_at FROM ratings g JOIN work_items w ON w.id = g.work_item_id \
         JOIN regions r ON r.id = w.community_id \
         UNION ALL SELECT r.code, p.marked_by, a.overall, a.created_at FROM appointment_ratings a \
         JOIN appointments p ON p.id = a.appointment_id JOIN regions r ON r.id = p.community_id",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let ratings = ratings
        .into_iter()
        .map(|(code, who, overall, at)| (code, who, RatingFacts { overall: overall.clamp(0, 5) as u8, rated_at: at }))
        .collect();
    (items, ratings)
}

fn recompute(
    raw: &(Raw, Vec<(String, Option<i64>, RatingFacts)>),
    codes: &[String],
    q: &DashboardQuery,
    now: i64,
) -> rates::Rates {
    let (_, period, _, _) = app::dashboard::server::period(q, now).unwrap();
    let items: Vec<rates::ItemFacts> = raw.0.iter().filter(|i| codes.contains(&i.0)).map(|i| i.3).collect();
    let ratings: Vec<RatingFacts> = raw.1.iter().filter(|g| codes.contains(&g.0)).map(|g| g.2).collect();
    rates::rates(&items, &ratings, period, now)
}

fn query(fields: &[(&str, &str)]) -> DashboardQuery {
    let get = |k: &str| fields.iter().find(|f| f.0 == k).map(|f| f.1.to_string());
    DashboardQuery { period: get("period"), from: get("from"), to: get("to"), community: get("community") }
}

/// The dashboard as the server answers it, and the recomputation at the same instant (the
/// figures depend on "now": if a deadline passed between the two readings, read again).
async fn compare(db: &TestDb, server: &TestServer, admin: &reqwest::Client, fields: &[(&str, &str)], codes: &[String]) {
    let q = query(fields);
    let form: Vec<(String, &str)> = fields.iter().map(|(k, v)| (format!("query[{k}]"), *v)).collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    for _attempt in 0..3 {
        let raw = raw(db).await;
        let before = chrono::Utc::now().timestamp_millis();
        let d = json(call(admin, server, "station/dashboard", &form).await).await;
        let after = chrono::Utc::now().timestamp_millis();
        let (a, b) = (recompute(&raw, codes, &q, before), recompute(&raw, codes, &q, after));
        if a != b {
            continue;
        }
        assert_eq!(d["rates"], serde_json::to_value(a).unwrap(), "{fields:?}: fast path vs recomputation");
        // A custom period reaches back into the seeded year: there is something to measure.
        if fields.iter().any(|f| f.0 == "period" && f.1 == "custom") {
            assert!(a.posted > 0 && a.resolution.den > 0, "{fields:?}: something to measure");
        }
        // Each community of the ranking, too.
        for line in d["ranking"].as_array().unwrap() {
            let code = line["code"].as_str().unwrap().to_string();
            let r = recompute(&raw, &[code.clone()], &q, before);
            assert_eq!(line["rates"], serde_json::to_value(r).unwrap(), "{fields:?}: ranking line {code}");
        }
        // Volumes by kind add up to the items posted.
        let (_, period, _, _) = app::dashboard::server::period(&q, before).unwrap();
        let mut kinds = BTreeMap::<String, i64>::new();
        for i in raw.0.iter().filter(|i| codes.contains(&i.0) && period.contains(i.3.created_at)) {
            *kinds.entry(i.2.clone()).or_default() += 1;
        }
        let served: BTreeMap<String, i64> = d["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k[0].as_str().unwrap().to_string(), k[1].as_i64().unwrap()))
            .collect();
        assert_eq!(served, kinds, "{fields:?}: posted by kind");
        return;
    }
    panic!("deadlines kept passing between readings");
}

async fn codes(db: &TestDb, sql: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
}

/// Every worker's kept load equals a recount of their items still to do; the board's
/// counters a recount of each community's items by state.
async fn loads_match(db: &TestDb) {
    let wrong = sql_i64(
        db,
        "SELECT COUNT(*) FROM (SELECT u.id, COALESCE(l.open_items, 0) AS kept, \
           (SELECT COUNT(*) FROM work_items w WHERE w.assignee_id = u.id AND w.state NOT IN ('resolved', 'closed', 'withdrawn')) AS counted \
         FROM users u LEFT JOIN worker_load l ON l.user_id = u.id) x WHERE x.kept <> x.counted",
    )
    .await;
    assert_eq!(wrong, 0, "workers whose kept load differs from a recount");
    let wrong = sql_i64(
        db,
        "SELECT COUNT(*) FROM (SELECT community_id, state, COUNT(*) AS n FROM work_items GROUP BY community_id, state) x \
         LEFT JOIN board_counts b ON b.community_id = x.community_id AND b.state = x.state \
         WHERE b.items IS NULL OR b.items <> x.n",
    )
    .await;
    assert_eq!(wrong, 0, "board counters that differ from a recount");
}

#[tokio::test]
async fn fast_dashboard_equals_recomputation_at_scale() {
    let Some(db) = TestDb::create().await else { return };
    let out = cli(&db, &["seed-scale", "--communities", "5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let items = sql_i64(&db, "SELECT COUNT(*) FROM work_items").await;
    let made = sql_i64(&db, "SELECT COUNT(*) FROM regions WHERE code LIKE '%-0_' AND level = 'community'").await;
    assert_eq!(made, 3, "5 communities: the two pilots and three made");
    assert!(items > 1_500, "a year of cases in five communities: {items}");
    // Departments whistled up (吹哨报到) in every made community's subdistrict: a waiting
    // whistle exactly on the items still transferred, reports before resolution.
    let whistles = sql_i64(&db, "SELECT COUNT(*) FROM whistles").await;
    assert!(whistles > 100, "whistles at scale: {whistles}");
    assert!(sql_i64(&db, "SELECT COUNT(DISTINCT subdistrict_id) FROM departments").await >= 4);
    let mismatched = "SELECT COUNT(*) FROM work_items w WHERE (w.state = 'transferred') <> EXISTS \
         (SELECT 1 FROM whistles h WHERE h.work_item_id = w.id AND h.reported_at IS NULL)";
    assert_eq!(sql_i64(&db, mismatched).await, 0, "waiting whistles and transferred items agree");
    let late_report = "SELECT COUNT(*) FROM whistles h JOIN work_items w ON w.id = h.work_item_id \
         WHERE h.reported_at > w.resolved_at OR h.checked_in_at > h.reported_at OR h.summoned_at > h.checked_in_at";
    assert_eq!(sql_i64(&db, late_report).await, 0, "summoned, checked in, reported, resolved: in that order");
    // Deliberation and bookings of a year: counters agree with their rows, no booked place
    // is over a slot's capacity, and each community has bookings still ahead.
    let threads = sql_i64(&db, "SELECT COUNT(*) FROM threads").await;
    assert!(threads > 5 * 12, "about three threads a month a community: {threads}");
    let miscounted = "SELECT COUNT(*) FROM threads t WHERE t.comments <> (SELECT COUNT(*) FROM thread_comments c \
         WHERE c.thread_id = t.id) OR t.supports <> (SELECT COUNT(*) FROM thread_supports s WHERE s.thread_id = t.id)";
    assert_eq!(sql_i64(&db, miscounted).await, 0, "thread counters agree with their rows");
    let bookings = sql_i64(&db, "SELECT COUNT(*) FROM appointments").await;
    assert!(bookings > 5 * 150, "about one booking a weekday a community: {bookings}");
    let over = "SELECT COUNT(*) FROM appointment_slots s WHERE s.taken <> (SELECT COUNT(*) FROM appointments p \
         WHERE p.community_id = s.community_id AND p.starts_at = s.starts_at AND p.status <> 'cancelled')";
    assert_eq!(sql_i64(&db, over).await, 0, "places taken agree with the bookings");
    let ahead = "SELECT COUNT(DISTINCT community_id) FROM appointments WHERE status = 'booked' AND starts_at > \
         (SELECT MAX(created_at) FROM work_items)";
    assert!(sql_i64(&db, ahead).await >= 4, "bookings ahead in (almost) every community");
    // Idempotent: a second run writes nothing.
    let again = cli(&db, &["seed-scale", "--communities", "5"]);
    assert!(again.status.success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM work_items").await, items);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM threads").await, threads);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM appointments").await, bookings);
    loads_match(&db).await;

    // Live figures (the harness turns the admins' cache off): the comparison reads the
    // dashboard again after cases moved.
    let server = TestServer::start(&db, &[]);
    let admin = logged_in(&server, DISTRICT_ADMIN).await;
    let all = codes(&db, "SELECT code FROM regions WHERE level = 'community' ORDER BY code").await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let from = (today - chrono::Duration::days(119)).format("%Y-%m-%d").to_string();
    let year = (today - chrono::Duration::days(366)).format("%Y-%m-%d").to_string();
    let to = today.format("%Y-%m-%d").to_string();
    for (fields, scope) in [
        (vec![("period", "month")], all.clone()),
        (vec![("period", "custom"), ("from", from.as_str()), ("to", to.as_str())], all.clone()),
        (
            vec![("period", "custom"), ("from", year.as_str()), ("to", to.as_str()), ("community", "hetaoyuan")],
            vec!["hetaoyuan".to_string()],
        ),
        (vec![("period", "month"), ("community", "qianggen")], vec!["qianggen".to_string()]),
    ] {
        compare(&db, &server, &admin, &fields, &scope).await;
    }

    // Cases move through the real server: posted, answered, resolved, confirmed, reopened
    // and withdrawn, reassigned; then the same comparison.
    let resident = logged_in(&server, RESIDENT).await;
    let master = logged_in(&server, STATIONMASTER).await;
    let mut posted = Vec::new();
    for k in 0..6 {
        let key = key();
        let text = format!("楼道灯不亮第{k}次");
        posted.push(demand_id(
            &post_demand(&resident, &server, &demand_fields(&key, "residence-proof", &text), vec![]).await,
        ));
    }
    let item_of = |demand: i64| format!("SELECT id FROM work_items WHERE demand_id = {demand}");
    let version_of = |demand: i64| format!("SELECT version FROM work_items WHERE demand_id = {demand}");
    let act = |who: &reqwest::Client, item: i64, version: i64, action: &'static str| {
        let (who, server) = (who.clone(), &server);
        async move {
            let res = call(
                &who,
                server,
                "work/act",
                &[("item", &item.to_string()), ("version", &version.to_string()), ("action", action)],
            )
            .await;
            assert!(res.status().is_success() || res.status().is_redirection(), "{action}: {}", res.status());
        }
    };
    for (n, &d) in posted.iter().enumerate() {
        let item = sql_i64(&db, &item_of(d)).await;
        act(&master, item, sql_i64(&db, &version_of(d)).await, "accept").await;
        if n >= 2 {
            act(&master, item, sql_i64(&db, &version_of(d)).await, "resolve").await;
        }
    }
    // The resident confirms one, reopens one and then withdraws it.
    for (d, actions) in [(posted[2], &["confirm"][..]), (posted[3], &["reopen", "withdraw"][..])] {
        for action in actions {
            let ds = d.to_string();
            let v = json(call(&resident, &server, "demands/one", &[("id", &ds)]).await).await["live"]["version"]
                .as_i64()
                .unwrap()
                .to_string();
            let fields = [("id", ds.as_str()), ("version", v.as_str()), ("action", action), ("note", "还是不亮")];
            let res = call(&resident, &server, "demands/act", &fields).await;
            assert!(res.status().is_success() || res.status().is_redirection(), "{action}: {}", res.status());
        }
    }
    assert_eq!(sql_i64(&db, &format!("SELECT reopens FROM work_items WHERE demand_id = {}", posted[3])).await, 1);
    loads_match(&db).await;
    for (fields, scope) in [
        (vec![("period", "month")], all.clone()),
        (vec![("period", "week"), ("community", "qianggen")], vec!["qianggen".to_string()]),
        (
            vec![("period", "custom"), ("from", from.as_str()), ("to", to.as_str()), ("community", "qianggen")],
            vec!["qianggen".to_string()],
        ),
    ] {
        compare(&db, &server, &admin, &fields, &scope).await;
    }
}

/// An admin's view over many communities is computed once a minute and says when; the
/// station's own view is always live; a view the admin may not see stays forbidden.
#[tokio::test]
async fn admins_views_are_computed_once_a_minute_and_stations_live() {
    let (db, _) = seeded_or_skip!();
    let server = TestServer::start(&db, &[("DASHBOARD_CACHE_SECONDS", "60")]);
    let district = logged_in(&server, DISTRICT_ADMIN).await;
    let master = logged_in(&server, STATIONMASTER).await;
    let month = [("query[period]", "month")];
    let first = json(call(&district, &server, "station/dashboard", &month).await).await;
    let station = json(call(&master, &server, "station/dashboard", &month).await).await;
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    post_demand(&resident, &server, &demand_fields(&k, "residence-proof", "缓存测试"), vec![]).await;
    let again = json(call(&district, &server, "station/dashboard", &month).await).await;
    assert_eq!(again, first, "the admin's view is the one computed a moment ago");
    assert!(first["as_of"].as_str().unwrap().len() == 5, "HH:MM: {}", first["as_of"]);
    let live = json(call(&master, &server, "station/dashboard", &month).await).await;
    let posted = |d: &serde_json::Value| d["rates"]["posted"].as_i64().unwrap();
    assert_eq!(posted(&live), posted(&station) + 1, "the station's view is live");
    // The cache answers only after the scope is checked.
    assert_eq!(call(&master, &server, "station/dashboard", &[("query[community]", "all")]).await.status(), 403);
}

/// The board pages by key: walking it page by page while new items keep arriving, every
/// item open at the start is seen exactly once, and nothing is seen twice.
#[tokio::test]
async fn board_pages_lose_and_repeat_nothing_while_items_arrive() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let out = cli(&db, &["api-key", "add", "pages"]);
    let key =
        String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.strip_prefix("key: ").map(str::to_string)).unwrap();
    let server = TestServer::start(&db, &[("OPEN311_POSTS_PER_MINUTE", "100000")]);
    for n in 0..130 {
        open311_post(&server, &key, &format!("井盖松动 {n}")).await;
    }
    let open_at_start: std::collections::BTreeSet<i64> = {
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query_scalar(
            "SELECT w.id FROM work_items w JOIN regions r ON r.id = w.community_id \
             WHERE r.code = 'qianggen' AND w.state NOT IN ('resolved', 'closed', 'withdrawn')",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
        .into_iter()
        .collect()
    };
    assert!(open_at_start.len() >= 130);
    let master = logged_in(&server, STATIONMASTER).await;
    let (mut seen, mut cursor, mut pages, mut extra) = (Vec::<i64>::new(), None::<String>, 0, 1000);
    loop {
        let mut fields: Vec<(&str, &str)> = Vec::new();
        if let Some(c) = &cursor {
            fields.push(("after", c.as_str()));
        }
        let board = json(call(&master, &server, "station/board", &fields).await).await;
        let lines = board["lines"].as_array().unwrap();
        assert!(lines.len() <= 50, "a page is at most 50 lines");
        seen.extend(lines.iter().map(|l| l["item_id"].as_i64().unwrap()));
        pages += 1;
        // New items arrive between pages.
        for _ in 0..7 {
            open311_post(&server, &key, &format!("井盖松动 {extra}")).await;
            extra += 1;
        }
        match board["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 20, "the pages end");
    }
    let unique: std::collections::BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an item seen twice");
    let missed: Vec<&i64> = open_at_start.difference(&unique).collect();
    assert!(missed.is_empty(), "open items never seen: {missed:?}");
    assert!(pages >= 3, "{pages} pages");
    // The page works without JavaScript too: a next link carrying the cursor.
    let page = master.get(server.url("/station")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("rel=\"next\"") && page.contains("after="), "the next-page link");
    // A forged cursor is a bad request, not a guess.
    assert_eq!(call(&master, &server, "station/board", &[("after", "x.y")]).await.status(), 400);
}
