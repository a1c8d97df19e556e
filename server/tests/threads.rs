//! Deliberation threads over HTTP, on the real server (`TEST_BACKEND` picks the backend):
//! community scope, supports and the threshold under concurrency, blocks, flags and
//! moderation, rate limits, the station's answer, meetings with capacity and a waitlist.

mod common;
use common::*;

const NEIGHBOUR: &str = "13800000011";
const RESIDENT_3: &str = "13800000012";
const HETAOYUAN_RESIDENT: &str = "13800000021";

/// Opens a thread the way the enhancing script does (multipart); returns its id.
async fn open_thread(c: &reqwest::Client, server: &TestServer, title: &str, body: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("idempotency_key", key())
        .text("title", title.to_string())
        .text("body", body.to_string())
        .text("topic", "facilities");
    c.post(server.url("/api/threads/open")).header("Accept", "application/json").multipart(form).send().await.unwrap()
}

fn thread_id(res: &reqwest::Response) -> i64 {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/threads/"))
        .and_then(|id| id.split('#').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no thread location in {:?}", res.headers()))
}

async fn new_thread(c: &reqwest::Client, server: &TestServer) -> i64 {
    let res = open_thread(c, server, "东门加装无障碍坡道", "老人推轮椅进出不方便，建议加装坡道。").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    thread_id(&res)
}

async fn view(c: &reqwest::Client, server: &TestServer, id: i64) -> reqwest::Response {
    call(c, server, "threads/one", &[("id", &id.to_string())]).await
}

async fn comment(
    c: &reqwest::Client,
    server: &TestServer,
    thread: i64,
    parent: Option<i64>,
    body: &str,
) -> reqwest::Response {
    let t = thread.to_string();
    let p = parent.map(|p| p.to_string()).unwrap_or_default();
    let k = key();
    call(
        c,
        server,
        "threads/comment",
        &[("thread_id", &t), ("parent_id", &p), ("stance", "support"), ("body", body), ("idempotency_key", &k)],
    )
    .await
}

fn comment_id(res: &reqwest::Response) -> i64 {
    let l = res.headers().get("location").unwrap().to_str().unwrap();
    l.rsplit("#c").next().unwrap().parse().unwrap()
}

/// Registers `n` more residents of Qianggen and returns their signed-in clients.
async fn residents(server: &TestServer, n: usize, prefix: &str) -> Vec<reqwest::Client> {
    let c = client();
    let buildings = json(call(&c, server, "communities/buildings", &[("community", "qianggen")]).await).await;
    let building = buildings[0]["id"].as_i64().unwrap().to_string();
    let mut out = Vec::new();
    for i in 0..n {
        let c = client();
        let phone = format!("{prefix}{i:04}");
        let room = format!("{}", 100 + i);
        let res = common::register(&c, server, &phone, &building, &room).await;
        assert_eq!(res.status(), 200, "register {phone}: {:?}", res.text().await);
        out.push(c);
    }
    // The station confirms their addresses (only verified households count).
    confirm_all_addresses(server).await;
    out
}

/// A station worker confirms every address waiting in Qianggen.
async fn confirm_all_addresses(server: &TestServer) {
    let worker = logged_in(server, SOCIAL_WORKER).await;
    let list = json(call(&worker, server, "station/households", &[]).await).await;
    let ids: Vec<String> =
        list["lines"].as_array().unwrap().iter().map(|l| l["id"].as_i64().unwrap().to_string()).collect();
    if ids.is_empty() {
        return;
    }
    let names: Vec<String> = (0..ids.len()).map(|i| format!("ids[{i}]")).collect();
    let form: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(ids.iter().map(String::as_str)).collect();
    let res = call(&worker, server, "station/households/confirm", &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
}

#[tokio::test]
async fn threads_belong_to_their_community() {
    let (_db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let t = json(view(&author, &server, id).await).await;
    assert_eq!(t["state"], "Open");
    assert_eq!(t["author"], "王秀兰", "the author sees their own name");

    // A neighbour reads it with the author's name masked.
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let t = json(view(&neighbour, &server, id).await).await;
    assert_eq!(t["author"], "王**");
    // So do a department liaison and an overseer; the station team knows its residents.
    for (who, shown) in [(DEPARTMENT, "王**"), (SUBDISTRICT_ADMIN, "王**"), (SOCIAL_WORKER, "王秀兰")] {
        let staff = logged_in(&server, who).await;
        assert_eq!(json(view(&staff, &server, id).await).await["author"], shown, "{who}");
    }
    let list = json(call(&neighbour, &server, "threads", &[("sort", "newest"), ("topic", "")]).await).await;
    assert!(list["threads"].as_array().unwrap().iter().any(|l| l["id"] == id));

    // Another community's resident: not found, cannot post, not listed.
    let stranger = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(view(&stranger, &server, id).await.status(), 404);
    assert_eq!(comment(&stranger, &server, id, None, "路过").await.status(), 404);
    let t = id.to_string();
    assert_eq!(call(&stranger, &server, "threads/support", &[("thread_id", &t), ("support", "1")]).await.status(), 404);
    let list = json(call(&stranger, &server, "threads", &[("sort", ""), ("topic", "")]).await).await;
    assert!(!list["threads"].as_array().unwrap().iter().any(|l| l["id"] == id));
    let page = stranger.get(server.url(&format!("/threads/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), 404);

    // A thread with a photo: readers of the thread see it, nobody else.
    let form = reqwest::multipart::Form::new()
        .text("idempotency_key", key())
        .text("title", "健身器材损坏")
        .text("body", "小广场的漫步机坏了。")
        .text("topic", "facilities")
        .part("photos", reqwest::multipart::Part::bytes(jpeg(80, 60)).file_name("a.jpg"));
    let res = author
        .post(server.url("/api/threads/open"))
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let with_photo = thread_id(&res);
    let v = json(view(&neighbour, &server, with_photo).await).await;
    let photo = v["photos"][0].as_i64().expect("a photo");
    assert_eq!(neighbour.get(server.url(&format!("/photos/{photo}/thumb"))).send().await.unwrap().status(), 200);
    assert_eq!(stranger.get(server.url(&format!("/photos/{photo}"))).send().await.unwrap().status(), 404);

    // Subdistrict staff read, but do not take part.
    let admin = logged_in(&server, SUBDISTRICT_ADMIN).await;
    assert_eq!(view(&admin, &server, id).await.status(), 200);
    assert_eq!(comment(&admin, &server, id, None, "街道看看").await.status(), 403);
    assert_eq!(call(&admin, &server, "threads/support", &[("thread_id", &t), ("support", "1")]).await.status(), 403);
    // Staff cannot open threads in residents' names.
    assert_eq!(open_thread(&admin, &server, "x", "y").await.status(), 403);
}

#[tokio::test]
async fn a_support_counts_once_even_when_sent_ten_times_at_once() {
    let (db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let t = id.to_string();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (c, url) = (neighbour.clone(), server.url("/api/threads/support"));
            let t = t.clone();
            tokio::spawn(async move {
                c.post(url)
                    .header("Accept", "application/json")
                    .form(&[("thread_id", t.as_str()), ("support", "1")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_success());
    }
    let v = json(view(&neighbour, &server, id).await).await;
    assert_eq!(v["supports"], 1);
    assert_eq!(v["i_support"], true);
    assert_eq!(sql_i64(&db, &format!("SELECT COUNT(*) FROM thread_supports WHERE thread_id = {id}")).await, 1);
    // Withdraw, twice: zero, never negative.
    for _ in 0..2 {
        assert!(call(&neighbour, &server, "threads/support", &[("thread_id", &t), ("support", "0")])
            .await
            .status()
            .is_success());
    }
    assert_eq!(json(view(&neighbour, &server, id).await).await["supports"], 0);
}

#[tokio::test]
async fn reaching_the_threshold_makes_exactly_one_work_item_and_the_station_answers() {
    let (db, server) = seeded_or_skip!();
    let stationmaster = logged_in(&server, STATIONMASTER).await;
    assert!(call(&stationmaster, &server, "station/threshold", &[("threshold", "6")]).await.status().is_success());
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    assert_eq!(json(view(&author, &server, id).await).await["threshold"], 6);
    let c = comment(&author, &server, id, None, "我先说两句").await;
    assert_eq!(c.status(), 200);

    // Eight residents support at the same moment; the sixth crosses the threshold.
    let supporters = residents(&server, 8, "1390000").await;
    let t = id.to_string();
    let tasks: Vec<_> = supporters
        .iter()
        .map(|c| {
            let (c, url, t) = (c.clone(), server.url("/api/threads/support"), t.clone());
            tokio::spawn(async move {
                c.post(url)
                    .header("Accept", "application/json")
                    .form(&[("thread_id", t.as_str()), ("support", "1")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_success());
    }
    assert_eq!(
        sql_i64(&db, "SELECT COUNT(*) FROM work_items WHERE kind = 'autonomy_project'").await,
        1,
        "exactly one work item"
    );
    let v = json(view(&author, &server, id).await).await;
    assert_eq!(v["supports"], 8);
    assert_eq!(v["state"], "Review");
    let demand = v["work"][0].as_i64().unwrap();
    assert_eq!(v["work"][1], "Received");
    // Everyone who took part heard about it.
    assert_eq!(
        sql_i64(
            &db,
            &format!("SELECT COUNT(*) FROM notifications WHERE kind = 'thread_review' AND link = '/threads/{id}'")
        )
        .await,
        7
    );

    // It is on the station's board, triaged and explained, in the demands pipeline.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let d = json(call(&worker, &server, "demands/one", &[("id", &demand.to_string())]).await).await;
    assert_eq!(d["triage_reason"], "AutonomyProject");
    let board = json(call(&worker, &server, "station/board", &[]).await).await;
    assert!(board["lines"].as_array().unwrap().iter().any(|l| l["demand_id"] == demand));

    // Residents cannot answer; adopting needs milestones.
    let answer = |c: reqwest::Client, decision: &'static str, milestones: &'static str| {
        let (url, t) = (server.url("/api/threads/answer"), t.clone());
        async move {
            c.post(url)
                .header("Accept", "application/json")
                .form(&[
                    ("thread_id", t.as_str()),
                    ("decision", decision),
                    ("text", "同意，分两步实施。"),
                    ("milestones", milestones),
                    ("merge_into", ""),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(answer(author.clone(), "adopt", "2099-01-01 征求意见").await.status(), 403);
    let res = answer(worker.clone(), "adopt", "下周开始").await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "milestones");
    let res = answer(worker.clone(), "adopt", "2099-02-01 施工\n2099-01-10 征求意见").await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let v = json(view(&author, &server, id).await).await;
    assert_eq!(v["state"], "Adopted");
    assert_eq!(v["work"][1], "InProgress");
    let ms = v["milestones"].as_array().unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0]["title"], "征求意见", "in date order");
    assert_eq!(
        sql_i64(
            &db,
            &format!("SELECT COUNT(*) FROM notifications WHERE kind = 'thread_answer' AND link = '/threads/{id}'")
        )
        .await,
        9
    );
    // Answered once: a second answer is refused.
    assert_eq!(answer(worker.clone(), "decline", "").await.status(), 409);

    // A milestone done appears on the thread and on the item's timeline.
    let m = ms[0]["id"].as_i64().unwrap().to_string();
    assert!(call(&worker, &server, "threads/milestone", &[("id", &m), ("note", "收到 40 份意见")])
        .await
        .status()
        .is_success());
    let v = json(view(&author, &server, id).await).await;
    assert!(v["milestones"][0]["done"].is_string());
    assert_eq!(call(&worker, &server, "threads/milestone", &[("id", &m), ("note", "")]).await.status(), 409);
}

#[tokio::test]
async fn blocked_residents_read_but_cannot_post() {
    let (db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let cid = comment_id(&comment(&neighbour, &server, id, None, "第一条").await);
    assert!(cid > 0);
    let uid = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{NEIGHBOUR}'")).await;
    let stationmaster = logged_in(&server, STATIONMASTER).await;
    // Residents cannot block; the station can.
    let u = uid.to_string();
    let block = [("user_id", u.as_str()), ("days", "3"), ("reason", "人身攻击")];
    assert_eq!(call(&author, &server, "station/moderation/block", &block).await.status(), 403);
    assert!(call(&stationmaster, &server, "station/moderation/block", &block).await.status().is_success());

    assert_eq!(view(&neighbour, &server, id).await.status(), 200, "still reads");
    let res = comment(&neighbour, &server, id, None, "我还想说").await;
    assert_eq!(res.status(), 403);
    assert!(json(res).await["Blocked"]["until"].is_string());
    assert_eq!(open_thread(&neighbour, &server, "新话题", "内容").await.status(), 403);
    let v = json(view(&neighbour, &server, id).await).await;
    assert_eq!(v["powers"]["can_comment"], false);

    // Lifted: posting works again (once the comment interval has passed).
    sql(&db, "UPDATE thread_comments SET created_at = created_at - 60000").await;
    let lift = [("user_id", u.as_str()), ("days", "0"), ("reason", "")];
    assert!(call(&stationmaster, &server, "station/moderation/block", &lift).await.status().is_success());
    assert_eq!(comment(&neighbour, &server, id, None, "谢谢").await.status(), 200);
}

#[tokio::test]
async fn three_flags_hide_a_comment_until_a_moderator_decides() {
    let (db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let cid = comment_id(&comment(&neighbour, &server, id, None, "广告：低价装修").await);
    let c = cid.to_string();
    let mut flaggers = vec![author.clone(), logged_in(&server, RESIDENT_3).await];
    flaggers.extend(residents(&server, 1, "1390001").await);
    // Own comments cannot be flagged; the same resident flagging twice counts once.
    assert_eq!(
        call(&neighbour, &server, "threads/flag", &[("kind", "comment"), ("id", &c), ("reason", "x")]).await.status(),
        400
    );
    for (i, f) in flaggers.iter().enumerate() {
        for _ in 0..2 {
            let res = call(f, &server, "threads/flag", &[("kind", "comment"), ("id", &c), ("reason", "广告")]).await;
            assert!(res.status().is_success(), "{:?}", res.text().await);
        }
        let v = json(view(&author, &server, id).await).await;
        let shown = &v["comments"][0];
        if i < 2 {
            assert_eq!(shown["body"], "广告：低价装修");
        } else {
            assert!(shown["body"].is_null(), "hidden at three flags");
            assert_eq!(shown["hidden"], "PendingReview");
        }
    }
    assert_eq!(sql_i64(&db, &format!("SELECT flags FROM thread_comments WHERE id = {cid}")).await, 3);
    // Staff still see it, in the queue.
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let v = json(view(&worker, &server, id).await).await;
    assert_eq!(v["comments"][0]["body"], "广告：低价装修");
    let desk = json(call(&worker, &server, "station/moderation", &[]).await).await;
    assert_eq!(desk["queue"][0]["id"], cid);
    assert_eq!(desk["queue"][0]["reasons"].as_array().unwrap().len(), 3);
    // Residents cannot moderate.
    let decide = |d: &'static str| [("kind", "comment"), ("id", c.as_str()), ("decision", d)];
    assert_eq!(call(&author, &server, "station/moderation/decide", &decide("restore")).await.status(), 403);
    // Restored: visible again, queue empty. Hidden by the moderator: a placeholder for residents.
    assert!(call(&worker, &server, "station/moderation/decide", &decide("restore")).await.status().is_success());
    assert_eq!(json(view(&author, &server, id).await).await["comments"][0]["body"], "广告：低价装修");
    assert!(json(call(&worker, &server, "station/moderation", &[]).await).await["queue"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(call(&worker, &server, "station/moderation/decide", &decide("hide")).await.status().is_success());
    let v = json(view(&author, &server, id).await).await;
    assert_eq!(v["comments"][0]["hidden"], "ByModerator");
    assert!(v["comments"][0]["body"].is_null());
}

#[tokio::test]
async fn comments_nest_three_deep_are_rate_limited_and_edited_within_fifteen_minutes() {
    let (db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let talkers = residents(&server, 4, "1390002").await;
    let c1 = comment_id(&comment(&talkers[0], &server, id, None, "一").await);
    let c2 = comment_id(&comment(&talkers[1], &server, id, Some(c1), "二").await);
    let c3 = comment_id(&comment(&talkers[2], &server, id, Some(c2), "三").await);
    let c4 = comment_id(&comment(&talkers[3], &server, id, Some(c3), "四").await);
    let v = json(view(&author, &server, id).await).await;
    let by_id = |cid: i64| v["comments"].as_array().unwrap().iter().find(|c| c["id"] == cid).unwrap().clone();
    assert_eq!(by_id(c3)["depth"], 3);
    assert_eq!(by_id(c4)["depth"], 3, "never deeper than three");
    assert_eq!(by_id(c4)["parent_id"], c2);

    // A second comment within 10 s: a clear 429 saying when.
    let res = comment(&talkers[0], &server, id, None, "再说一句").await;
    assert_eq!(res.status(), 429);
    let err = json(res).await;
    assert_eq!(err["RateLimited"]["what"], "ErrCommentTooSoon");
    assert!(err["RateLimited"]["retry_after_secs"].as_i64().unwrap() <= 10);

    // Editing: within 15 minutes, own comments only; then the window closes.
    let c = c1.to_string();
    assert_eq!(call(&talkers[1], &server, "threads/comment/edit", &[("id", &c), ("body", "改")]).await.status(), 403);
    assert!(call(&talkers[0], &server, "threads/comment/edit", &[("id", &c), ("body", "一（补充）")])
        .await
        .status()
        .is_success());
    let v = json(view(&author, &server, id).await).await;
    assert_eq!(v["comments"][0]["edited"], true);
    sql(&db, &format!("UPDATE thread_comments SET created_at = created_at - 16 * 60000 WHERE id = {c1}")).await;
    let res = call(&talkers[0], &server, "threads/comment/edit", &[("id", &c), ("body", "再改")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrEditWindowOver");
    // Deleting a comment with replies leaves a placeholder; without replies it is gone.
    assert!(call(&talkers[0], &server, "threads/comment/delete", &[("id", &c)]).await.status().is_success());
    let c4s = c4.to_string();
    assert!(call(&talkers[3], &server, "threads/comment/delete", &[("id", &c4s)]).await.status().is_success());
    let v = json(view(&author, &server, id).await).await;
    assert_eq!(v["comments"][0]["deleted"], true);
    assert!(v["comments"][0]["body"].is_null());
    assert!(!v["comments"].as_array().unwrap().iter().any(|c| c["id"] == c4));

    // Five threads a day.
    for i in 0..4 {
        let res = open_thread(&author, &server, &format!("话题 {i}"), "内容").await;
        assert_eq!(res.status(), 200);
    }
    let res = open_thread(&author, &server, "第六个", "内容").await;
    assert_eq!(res.status(), 429);
    assert_eq!(json(res).await["RateLimited"]["what"], "ErrThreadsPerDay");
}

#[tokio::test]
async fn meeting_places_never_exceed_capacity_and_the_waitlist_moves_up() {
    let (db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let t = id.to_string();
    let tomorrow = beijing_date_in(1);
    let meeting = |c: reqwest::Client, cap: &'static str| {
        let (url, t, d) = (server.url("/api/threads/meeting"), t.clone(), tomorrow.clone());
        async move {
            c.post(url)
                .header("Accept", "application/json")
                .form(&[
                    ("thread_id", t.as_str()),
                    ("date", d.as_str()),
                    ("start", "19:00"),
                    ("end", "20:30"),
                    ("place", "邻里园议事厅"),
                    ("capacity", cap),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(meeting(author.clone(), "3").await.status(), 403);
    assert_eq!(meeting(worker.clone(), "0").await.status(), 422);
    assert!(meeting(worker.clone(), "3").await.status().is_success());
    let m = sql_i64(&db, &format!("SELECT id FROM meetings WHERE thread_id = {id}")).await;
    let ms = m.to_string();

    // Ten residents sign up at once for three places.
    let people = residents(&server, 10, "1390003").await;
    let tasks: Vec<_> = people
        .iter()
        .map(|c| {
            let (c, url, ms) = (c.clone(), server.url("/api/threads/meeting/signup"), ms.clone());
            tokio::spawn(async move {
                c.post(url)
                    .header("Accept", "application/json")
                    .form(&[("meeting_id", ms.as_str()), ("join", "1")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_success());
    }
    let count = |status: &'static str| {
        let db = &db;
        async move {
            sql_i64(db, &format!("SELECT COUNT(*) FROM meeting_signups WHERE meeting_id = {m} AND status = '{status}'"))
                .await
        }
    };
    assert_eq!(count("confirmed").await, 3);
    assert_eq!(count("waitlist").await, 7);
    assert_eq!(sql_i64(&db, &format!("SELECT taken FROM meetings WHERE id = {m}")).await, 3);

    // A confirmed resident cancels: the first on the waitlist moves up and hears about it.
    let confirmed: i64 = sql_i64(
        &db,
        &format!("SELECT MIN(user_id) FROM meeting_signups WHERE meeting_id = {m} AND status = 'confirmed'"),
    )
    .await;
    let first_waiting = sql_i64(
        &db,
        &format!("SELECT user_id FROM meeting_signups WHERE meeting_id = {m} AND status = 'waitlist' ORDER BY queued_at, user_id LIMIT 1"),
    )
    .await;
    let phone = sql_i64(&db, &format!("SELECT CAST(phone AS BIGINT) FROM users WHERE id = {confirmed}")).await;
    let canceller = people.get((phone - 13900030000) as usize).cloned();
    let canceller = canceller.expect("the confirmed resident");
    assert!(call(&canceller, &server, "threads/meeting/signup", &[("meeting_id", &ms), ("join", "0")])
        .await
        .status()
        .is_success());
    assert_eq!(count("confirmed").await, 3);
    assert_eq!(count("waitlist").await, 6);
    assert_eq!(sql_i64(&db, &format!("SELECT taken FROM meetings WHERE id = {m}")).await, 3);
    assert_eq!(
        sql_i64(&db, &format!("SELECT CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END FROM meeting_signups WHERE meeting_id = {m} AND user_id = {first_waiting}")).await,
        1
    );
    assert_eq!(
        sql_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE user_id = {first_waiting} AND kind = 'meeting_promoted'"
            )
        )
        .await,
        1
    );

    // The calendar file, for readers only.
    let ics = author.get(server.url(&format!("/meetings/{m}/ics"))).send().await.unwrap();
    assert_eq!(ics.status(), 200);
    assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = ics.text().await.unwrap();
    assert!(text.contains("BEGIN:VCALENDAR") && text.contains("BEGIN:VEVENT") && text.contains("DTSTART:"), "{text}");
    assert!(text.contains("LOCATION:邻里园议事厅"));
    let stranger = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(stranger.get(server.url(&format!("/meetings/{m}/ics"))).send().await.unwrap().status(), 404);

    // Minutes only after the meeting started.
    let minutes = [("meeting_id", ms.as_str()), ("minutes", "到会 3 人，一致同意。"), ("decision", "加装坡道")];
    assert_eq!(call(&worker, &server, "threads/meeting/minutes", &minutes).await.status(), 422);
    sql(
        &db,
        &format!(
            "UPDATE meetings SET starts_at = starts_at - 2 * 86400000, ends_at = ends_at - 2 * 86400000 WHERE id = {m}"
        ),
    )
    .await;
    assert!(call(&worker, &server, "threads/meeting/minutes", &minutes).await.status().is_success());
    let v = json(view(&author, &server, id).await).await;
    assert_eq!(v["meetings"][0]["decision"], "加装坡道");
}

#[tokio::test]
async fn user_text_is_never_markup() {
    let (_db, server) = seeded_or_skip!();
    let author = logged_in(&server, RESIDENT).await;
    let payload = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\"> javascript:alert(1) https://example.org/ok";
    let res =
        open_thread(&author, &server, "</title><script>window.__t=1</script><b onmouseover=alert(1)>标题</b>", payload)
            .await;
    assert_eq!(res.status(), 200);
    let id = thread_id(&res);
    let html = author.get(server.url(&format!("/threads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>window.__xss"), "script escaped");
    assert!(!html.contains("<img src=x"), "img escaped");
    assert!(html.contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"));
    assert!(!html.contains("<b onmouseover"), "title escaped, in <title> too");
    assert!(!html.contains("<script>window.__t"), "no way out of <title>");
    assert!(html.contains("<title>&lt;/title&gt;&lt;script&gt;window.__t=1"));
    assert!(!html.contains("href=\"javascript:"), "no javascript: links");
    assert!(html.contains("href=\"https://example.org/ok\""), "web links are clickable");
}

#[tokio::test]
async fn only_verified_households_count_toward_the_threshold() {
    let (_db, server) = seeded_or_skip!();
    let stationmaster = logged_in(&server, STATIONMASTER).await;
    assert!(call(&stationmaster, &server, "station/threshold", &[("threshold", "2")]).await.status().is_success());
    let author = logged_in(&server, RESIDENT).await;
    let id = new_thread(&author, &server).await;
    let t = id.to_string();
    let buildings = json(call(&client(), &server, "communities/buildings", &[("community", "qianggen")]).await).await;
    let building = buildings[0]["id"].as_i64().unwrap().to_string();
    // Two residents of one flat and one of another, registered, not yet confirmed.
    let mut people = Vec::new();
    for (phone, room) in [("13900070001", "701"), ("13900070002", "701"), ("13900070003", "702")] {
        let c = client();
        assert_eq!(common::register(&c, &server, phone, &building, room).await.status(), 200);
        people.push((c, phone));
    }
    let support = |c: reqwest::Client| {
        let (server, t) = (&server, t.clone());
        async move {
            let r = call(&c, server, "threads/support", &[("thread_id", &t), ("support", "1")]).await;
            assert!(r.status().is_success());
        }
    };
    // An unverified address: the support shows, and counts for nothing.
    support(people[0].0.clone()).await;
    let v = json(view(&author, &server, id).await).await;
    assert_eq!((v["supports"].as_i64(), v["verified_supports"].as_i64()), (Some(1), Some(0)));
    // Only the station team confirms addresses.
    assert_eq!(call(&author, &server, "station/households", &[]).await.status(), 403);
    assert_eq!(call(&author, &server, "station/households/confirm", &[("ids[0]", "1")]).await.status(), 403);
    // The worker confirms the three at the window (the card says which are unverified).
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let list = json(call(&worker, &server, "station/households", &[]).await).await;
    assert_eq!(list["lines"].as_array().unwrap().len(), 3, "{list}");
    for (_, phone) in &people {
        let card = json(call(&worker, &server, "station/intake/find", &[("phone", phone)]).await).await;
        assert_eq!(card["address_verified"], false);
        let rid = card["id"].as_i64().unwrap().to_string();
        let res =
            call(&worker, &server, "station/households/confirm", &[("ids[0]", &rid), ("back", "/station/intake")])
                .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["location"], "/station/intake?confirmed=1");
        let card = json(call(&worker, &server, "station/intake/find", &[("phone", phone)]).await).await;
        assert_eq!(card["address_verified"], true);
    }
    assert!(json(call(&worker, &server, "station/households", &[]).await).await["lines"]
        .as_array()
        .unwrap()
        .is_empty());
    // Two residents of one flat are one household.
    support(people[1].0.clone()).await;
    let v = json(view(&author, &server, id).await).await;
    assert_eq!((v["supports"].as_i64(), v["verified_supports"].as_i64()), (Some(2), Some(1)));
    assert_eq!(v["state"], "Open");
    // A second household reaches the threshold.
    support(people[2].0.clone()).await;
    let v = json(view(&author, &server, id).await).await;
    assert_eq!((v["supports"].as_i64(), v["verified_supports"].as_i64()), (Some(3), Some(2)));
    assert_eq!(v["state"], "Review");
}
