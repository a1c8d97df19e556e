//! Search over HTTP (`TEST_BACKEND` picks the backend): Chinese words found through their
//! synonyms and pinyin, what each account may see (a neighbour the community's shown
//! demands, the station every case, nobody another community's), the filters, threads,
//! paging by key, and the words of older texts stored by the background job.

mod common;
use common::*;
use serde_json::Value;

const HETAOYUAN_RESIDENT: &str = "13800000021";

async fn find(c: &reqwest::Client, server: &TestServer, q: &str, more: &[(&str, &str)]) -> Value {
    let mut form = vec![("q", q)];
    form.extend_from_slice(more);
    let res = call(c, server, "search/find", &form).await;
    assert_eq!(res.status(), 200, "search {q:?} {more:?}");
    json(res).await
}

fn demand_ids(v: &Value) -> Vec<i64> {
    v["found"]["demands"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect()
}

fn thread_ids(v: &Value) -> Vec<i64> {
    v["found"]["threads"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect()
}

fn shown<'a>(key: &'a str, text: &'a str, building: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("affair", ""),
        ("description", text),
        ("place", "building"),
        ("building", building),
        ("place_detail", ""),
        ("urgency", "normal"),
        ("visibility", "community"),
        ("contact_time", ""),
        ("similar_checked", "1"),
    ]
}

#[tokio::test]
async fn words_find_what_each_account_may_see() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    // On PostgreSQL a window of two rows: every search below reads the newest two rows of
    // its scope, then the word index below them (both steps of the page; the other tests
    // here keep the default window, the first step only).
    let server = TestServer::start(&db, &[("SEARCH_WINDOW", "2")]);
    let resident = logged_in(&server, RESIDENT).await;
    let neighbour = more_residents(&db, &server, 1).await.remove(0);

    // A shown demand in the long official words, one in a typo, and a private one.
    let k = key();
    let res =
        post_demand(&resident, &server, &shown(&k, "家里老人想申请最低生活保障，需要准备哪些材料", "3"), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let allowance = demand_id(&res);
    let k = key();
    let res = post_demand(&neighbour, &server, &shown(&k, "五号楼电悌又坏了，老人下不了楼", "5"), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let lift = demand_id(&res);
    let k = key();
    let res =
        post_demand(&resident, &server, &demand_fields(&k, "", "想咨询一下低保的申请条件，我家收入很低"), vec![]).await;
    let private = demand_id(&res);

    // 低保 (two characters) finds 最低生活保障; pinyin and synonyms find theirs.
    assert_eq!(demand_ids(&find(&neighbour, &server, "低保", &[]).await), vec![allowance], "not the private one");
    assert_eq!(demand_ids(&find(&neighbour, &server, "dibao", &[]).await), vec![allowance]);
    assert_eq!(demand_ids(&find(&neighbour, &server, "升降梯", &[]).await), vec![lift]);
    assert_eq!(demand_ids(&find(&neighbour, &server, "电梯坏了", &[]).await), vec![lift]);
    let v = find(&neighbour, &server, "低保", &[]).await;
    assert!(v["found"]["demands"][0]["for_other"].is_null(), "a result names nobody: {v}");
    // The requester finds their own private demand too.
    assert_eq!(demand_ids(&find(&resident, &server, "低保", &[]).await), vec![private, allowance]);
    // Words that are only a question find nothing rather than everything.
    assert!(demand_ids(&find(&resident, &server, "怎么办理", &[]).await).is_empty());
    // All the words together, or (said so) any of them.
    let v = find(&neighbour, &server, "低保 电梯", &[]).await;
    assert_eq!(demand_ids(&v), vec![lift, allowance]);
    assert_eq!(v["found"]["any"], true);
    assert_eq!(find(&neighbour, &server, "电梯 老人", &[]).await["found"]["any"], false);

    // Another community's resident finds none of it.
    let stranger = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert!(demand_ids(&find(&stranger, &server, "低保", &[]).await).is_empty());
    // The station finds every case of its community, closed ones included.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(demand_ids(&find(&worker, &server, "低保", &[]).await), vec![private, allowance]);
    let now = chrono::Utc::now().timestamp_millis();
    sql(&db, &format!("UPDATE work_items SET state = 'closed', closed_at = {now}, resolved_at = {now}, version = version + 1 WHERE demand_id = {allowance}")).await;
    assert_eq!(demand_ids(&find(&worker, &server, "低保", &[("state", "done")]).await), vec![allowance]);
    assert_eq!(demand_ids(&find(&worker, &server, "低保", &[("state", "open")]).await), vec![private]);
    assert_eq!(demand_ids(&find(&worker, &server, "低保", &[("state", "closed")]).await), vec![allowance]);
    // Overseers: the subdistrict's and the district's cases.
    for phone in [SUBDISTRICT_ADMIN, DISTRICT_ADMIN] {
        let c = logged_in(&server, phone).await;
        assert_eq!(demand_ids(&find(&c, &server, "低保", &[]).await), vec![private, allowance], "{phone}");
    }
    // A department's liaison: only cases whistled to it (none here).
    let liaison = logged_in(&server, DEPARTMENT).await;
    assert!(demand_ids(&find(&liaison, &server, "低保", &[]).await).is_empty());

    // Filters: building, date, affair; a bad value is a 400, not ignored.
    let building = sql_i64(&db, &format!("SELECT building_id FROM demands WHERE id = {lift}")).await.to_string();
    assert_eq!(demand_ids(&find(&worker, &server, "电梯", &[("building", &building)]).await), vec![lift]);
    let elsewhere = sql_i64(&db, &format!("SELECT building_id FROM demands WHERE id = {allowance}")).await.to_string();
    assert!(demand_ids(&find(&worker, &server, "电梯", &[("building", &elsewhere)]).await).is_empty());
    let (today, tomorrow) = (beijing_date_in(0), beijing_date_in(1));
    assert_eq!(demand_ids(&find(&worker, &server, "电梯", &[("from", &today), ("to", &today)]).await), vec![lift]);
    assert!(demand_ids(&find(&worker, &server, "电梯", &[("from", &tomorrow)]).await).is_empty());
    let code = sql_i64(
        &db,
        &format!("SELECT COUNT(*) FROM demands d JOIN affairs a ON a.id = d.affair_id WHERE d.id = {lift}"),
    )
    .await;
    if code == 1 {
        let v = find(&worker, &server, "电梯", &[]).await;
        let affairs = v["options"]["affairs"].as_array().unwrap().len();
        assert!(affairs > 10, "the filter offers the community's affairs");
    }
    for bad in [("state", "lost"), ("kind", "people"), ("building", "x"), ("from", "2026-02-30"), ("affair", "a b")] {
        assert_eq!(call(&worker, &server, "search/find", &[("q", "电梯"), bad]).await.status(), 400, "{bad:?}");
    }
    assert_eq!(call(&client(), &server, "search/find", &[("q", "电梯")]).await.status(), 401);

    // Paging by key: below the newest match, the older one.
    let first = find(&worker, &server, "低保", &[]).await;
    assert!(first["found"]["next"].is_null(), "two lines, one page");
    let below = find(&worker, &server, "低保", &[("before", &private.to_string())]).await;
    assert_eq!(demand_ids(&below), vec![allowance]);

    // A private demand whose text the retention erased is no longer found by its words.
    sql(
        &db,
        &format!("UPDATE demands SET description = '（已过保存期限，内容已删除）', tokens = '' WHERE id = {private}"),
    )
    .await;
    assert_eq!(demand_ids(&find(&worker, &server, "低保", &[]).await), vec![allowance]);

    // The page itself, without JavaScript: the form, the results, no requester's name.
    let page = resident.get(server.url("/search?q=%E4%BD%8E%E4%BF%9D")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/demands/{allowance}\"")), "the result links to the case");
    assert!(html.contains("name=\"q\"") && html.contains("value=\"低保\""), "the form keeps the words");
    let page = resident.get(server.url("/search?q=x&state=lost")).send().await.unwrap();
    assert_eq!(page.status(), 400);
}

#[tokio::test]
async fn threads_are_found_and_hidden_ones_only_by_staff() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let server = TestServer::start(&db, &[]);
    let resident = logged_in(&server, RESIDENT).await;
    let form = reqwest::multipart::Form::new()
        .text("idempotency_key", key())
        .text("title", "小区充电桩太少了")
        .text("body", "电动车只能在楼道里充电，很危险。建议在北门空地加装一排充电桩。")
        .text("topic", "facilities");
    let res = resident
        .post(server.url("/api/threads/open"))
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let id = sql_i64(&db, "SELECT MAX(id) FROM threads").await;

    let threads = [("kind", "threads")];
    assert_eq!(thread_ids(&find(&resident, &server, "充电桩", &threads).await), vec![id]);
    assert!(find(&resident, &server, "充电桩", &[]).await["found"]["demands"].as_array().unwrap().is_empty());
    let stranger = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert!(thread_ids(&find(&stranger, &server, "充电桩", &threads).await).is_empty());
    sql(&db, &format!("UPDATE threads SET hidden = 'moderator' WHERE id = {id}")).await;
    assert!(thread_ids(&find(&resident, &server, "充电桩", &threads).await).is_empty(), "hidden from residents");
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(thread_ids(&find(&worker, &server, "充电桩", &threads).await), vec![id]);
    let liaison = logged_in(&server, DEPARTMENT).await;
    assert_eq!(call(&liaison, &server, "search/find", &[("q", "充电桩"), ("kind", "threads")]).await.status(), 403);
}

#[tokio::test]
async fn texts_written_before_search_get_their_words() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo"]).status.success());
    // As an upgraded district's history: no words stored, not in the index.
    sql(&db, "UPDATE demands SET tokens = ''").await;
    sql(&db, "UPDATE threads SET tokens = ''").await;
    let demands = sql_i64(&db, "SELECT COUNT(*) FROM demands").await;
    let server = TestServer::start(&db, &[("JOBS_INTERVAL_SECONDS", "1")]);
    let mut left = demands;
    for _ in 0..60 {
        left = sql_i64(&db, "SELECT COUNT(*) FROM demands WHERE tokens = ''").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(left, 0, "every one of the {demands} demands got its words");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM threads WHERE tokens = ''").await, 0);
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let (word, n) = {
        let any: String = {
            let text = sql_text(&db, "SELECT tokens FROM demands d JOIN users u ON u.region_id = d.community_id WHERE u.phone = '13800000002' ORDER BY d.id LIMIT 1").await;
            text.split_whitespace().find(|w| !w.is_ascii()).unwrap_or("").to_string()
        };
        let v = find(&worker, &server, &any, &[]).await;
        (any, demand_ids(&v).len())
    };
    assert!(n >= 1, "the history is found again by its words ({word})");
}

#[tokio::test]
async fn a_station_adds_residents_words_and_every_instance_uses_them() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let env = [("JOBS_INTERVAL_SECONDS", "1"), ("INTAKE_INDEX_SECONDS", "0")];
    let (a, b) = (TestServer::start(&db, &env), TestServer::start(&db, &env));
    let resident = logged_in(&a, RESIDENT).await;
    // Written before the station knew the word: 垂梯 was two lone characters then.
    let k = key();
    let res = post_demand(&resident, &a, &shown(&k, "5号楼垂梯又停了，老人下不了楼", "5"), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let lift = demand_id(&res);
    let master = logged_in(&a, STATIONMASTER).await;
    assert!(demand_ids(&find(&master, &a, "电梯", &[]).await).is_empty());

    // Only the stationmaster (and the admins above) add; other staff read; residents neither.
    let worker = logged_in(&a, SOCIAL_WORKER).await;
    assert_eq!(call(&worker, &a, "words/add", &[("words", "电梯 垂梯")]).await.status(), 403);
    assert_eq!(call(&worker, &a, "words/list", &[]).await.status(), 200);
    assert_eq!(call(&resident, &a, "words/list", &[]).await.status(), 403);
    for bad in ["电梯", "电梯 <b>", "电梯 电梯"] {
        assert_eq!(call(&master, &a, "words/add", &[("words", bad)]).await.status(), 422, "{bad}");
    }
    let res = call(&master, &a, "words/add", &[("words", "电梯 垂梯")]).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let again = call(&master, &a, "words/add", &[("words", "电梯  垂梯")]).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("ErrSynonymExists"));
    let list = json(call(&worker, &a, "words/list", &[]).await).await;
    assert_eq!(list["station"][0]["words"], serde_json::json!(["电梯", "垂梯"]));
    assert_eq!(list["may_edit"], false);
    let group = list["station"][0]["id"].as_i64().unwrap().to_string();

    // The stored report is read again by a job round: 电梯 finds it on this instance, and
    // 垂梯 (now one word) on the other one, which loaded the group in its own round.
    let mut found = (false, false);
    for _ in 0..40 {
        found.0 = demand_ids(&find(&master, &a, "电梯", &[]).await) == vec![lift];
        let on_b = logged_in(&b, STATIONMASTER).await;
        found.1 = demand_ids(&find(&on_b, &b, "垂梯", &[]).await) == vec![lift];
        if found == (true, true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(found, (true, true), "found by the group's head here and by the new word on the other instance");
    let tokens = sql_text(&db, &format!("SELECT tokens FROM demands WHERE id = {lift}")).await;
    assert!(tokens.split(' ').any(|w| w == "垂梯") && tokens.split(' ').any(|w| w == "电梯"), "{tokens}");

    // Retired: the list no longer has it; a retired group can be added again.
    assert_eq!(call(&worker, &a, "words/retire", &[("id", &group)]).await.status(), 403);
    let res = call(&master, &a, "words/retire", &[("id", &group)]).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    assert_eq!(call(&master, &a, "words/retire", &[("id", &group)]).await.status(), 404);
    assert!(json(call(&master, &a, "words/list", &[]).await).await["station"].as_array().unwrap().is_empty());
    let res = call(&master, &a, "words/add", &[("words", "电梯 垂梯")]).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
}
