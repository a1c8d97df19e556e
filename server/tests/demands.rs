//! Demands and work items over HTTP, on the real server (`TEST_BACKEND` picks the backend).

mod common;
use common::*;
use serde_json::Value;

const NEIGHBOUR: &str = "13800000011";
const RESIDENT_3: &str = "13800000012";
const DISPATCHER: &str = "13800000003";
const HETAOYUAN_RESIDENT: &str = "13800000021";

async fn view(c: &reqwest::Client, server: &TestServer, id: i64) -> reqwest::Response {
    call(c, server, "demands/one", &[("id", &id.to_string())]).await
}

async fn post(c: &reqwest::Client, server: &TestServer, affair: &str, description: &str) -> i64 {
    let k = key();
    let res = post_demand(c, server, &demand_fields(&k, affair, description), vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    demand_id(&res)
}

async fn act(c: &reqwest::Client, server: &TestServer, item: i64, version: i64, action: &str) -> reqwest::Response {
    call(c, server, "work/act", &[("item", &item.to_string()), ("version", &version.to_string()), ("action", action)])
        .await
}

#[tokio::test]
async fn a_demand_becomes_a_triaged_routed_work_item() {
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    // A referral affair at home: transfer, routed to the area director of building 3 (grid area 1).
    let k = key();
    let res = post_demand(
        &resident,
        &server,
        &demand_fields(&k, "electrical-repair", "厨房开关坏了"),
        vec![("s.jpg", jpeg(64, 48))],
    )
    .await;
    assert_eq!(res.status(), 200);
    let id = demand_id(&res);
    let d = json(view(&resident, &server, id).await).await;
    assert_eq!(d["triage"], "Transfer");
    assert_eq!(d["triage_reason"], "AffairReferral");
    assert_eq!(d["assignee"], "刘社工");
    assert_eq!(d["live"]["state"], "Received");
    assert_eq!(d["photos"].as_array().unwrap().len(), 1);
    assert!(d["staff"].is_null(), "no staff panel for a resident");
    // The referral affair answers within 4 h: response due 4 h after posting.
    let posted = d["live"]["timeline"][0]["at"].as_i64().unwrap();
    let item = d["item_id"].as_i64().unwrap();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let board = json(call(&worker, &server, "station/board", &[]).await).await;
    let line = board["lines"].as_array().unwrap().iter().find(|l| l["item_id"] == item).expect("on the board").clone();
    assert!(line["mine"].as_bool().unwrap());
    assert!(line["due_is_response"].as_bool().unwrap());
    let due = line["due_in_ms"].as_i64().unwrap();
    let response_limit = due + (chrono_now() - posted);
    assert!((4 * 3_600_000 - 60_000..=4 * 3_600_000 + 60_000).contains(&response_limit), "due {due}");

    // An on-the-spot affair: handle at once.
    let id2 = post(&resident, &server, "residence-proof", "需要开居住证明").await;
    let d2 = json(view(&resident, &server, id2).await).await;
    assert_eq!(d2["triage"], "Immediate");
    assert_eq!(d2["triage_reason"], "AffairOnTheSpot");

    // An emergency in a public area: transfer, contact within 2 h.
    let k = key();
    let mut f = demand_fields(&k, "drain-manhole", "东门井盖堵塞冒水");
    f[3] = ("place", "public_area");
    f[4] = ("urgency", "emergency");
    f.push(("place_detail", "东门停车场"));
    let res = post_demand(&resident, &server, &f, vec![]).await;
    assert_eq!(res.status(), 200);
    let d3 = json(view(&resident, &server, demand_id(&res)).await).await;
    assert_eq!(d3["triage_reason"], "EmergencyOnSite");
    assert_eq!(d3["urgency"], "Emergency");
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[tokio::test]
async fn posting_is_idempotent_even_under_concurrency() {
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let fields = demand_fields(&k, "plumbing-repair", "卫生间漏水");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, f, s) = (
            resident.clone(),
            fields.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>(),
            server.url(""),
        );
        tasks.push(tokio::spawn(async move {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in f {
                form = form.text(k, v);
            }
            let res = c
                .post(format!("{s}/api/demands/post"))
                .header("Accept", "application/json")
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            demand_id(&res)
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one demand for one form: {ids:?}");
    // A retry later (back and resubmit) too.
    assert_eq!(demand_id(&post_demand(&resident, &server, &fields, vec![]).await), ids[0]);
    let mine = json(call(&resident, &server, "demands/mine", &[]).await).await;
    assert_eq!(mine["lines"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_photos_are_refused_and_nothing_is_stored() {
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let field_problem = |v: &Value, field: &str| -> String {
        v["Invalid"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == field)
            .map(|f| f["problem"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    // Wrong type, whatever the name says.
    let k = key();
    let res = post_demand(
        &resident,
        &server,
        &demand_fields(&k, "other", "有问题"),
        vec![("photo.jpg", b"%PDF-1.7 fake".to_vec())],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(field_problem(&json(res).await, "photos"), "ErrPhotoType");
    // Over 5 MB.
    let k = key();
    let mut big = jpeg(16, 16);
    big.resize(5 * 1024 * 1024 + 10, 0);
    let res = post_demand(&resident, &server, &demand_fields(&k, "other", "有问题"), vec![("big.jpg", big)]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(field_problem(&json(res).await, "photos"), "ErrPhotoSize");
    // A fourth photo.
    let k = key();
    let four = (0..4).map(|i| ("p.jpg", jpeg(10 + i, 10))).collect();
    let res = post_demand(&resident, &server, &demand_fields(&k, "other", "有问题"), four).await;
    assert_eq!(res.status(), 422);
    assert_eq!(field_problem(&json(res).await, "photos"), "ErrPhotoCount");
    // Missing description and an unknown affair, reported together.
    let k = key();
    let res = post_demand(&resident, &server, &demand_fields(&k, "no-such-affair", ""), vec![]).await;
    let e = json(res).await;
    assert_eq!(field_problem(&e, "description"), "ErrRequired");
    assert_eq!(field_problem(&e, "affair"), "ErrUnknownAffair");
    let mine = json(call(&resident, &server, "demands/mine", &[]).await).await;
    assert!(mine["lines"].as_array().unwrap().is_empty(), "nothing half-written");
}

#[tokio::test]
async fn residents_cannot_see_or_touch_each_others_private_demands() {
    let (_db, server) = seeded_or_skip!();
    let a = logged_in(&server, RESIDENT).await;
    let b = logged_in(&server, NEIGHBOUR).await;
    let k = key();
    let res = post_demand(
        &a,
        &server,
        &demand_fields(&k, "counselling", "家里有矛盾，想咨询"),
        vec![("p.jpg", jpeg(20, 20))],
    )
    .await;
    let id = demand_id(&res);
    let d = json(view(&a, &server, id).await).await;
    let item = d["item_id"].as_i64().unwrap();
    let version = d["live"]["version"].as_i64().unwrap();
    let photo = d["photos"][0].as_i64().unwrap();

    assert_eq!(view(&b, &server, id).await.status(), 404);
    assert_eq!(call(&b, &server, "demands/live", &[("id", &id.to_string())]).await.status(), 404);
    let res = call(
        &b,
        &server,
        "demands/act",
        &[("id", &id.to_string()), ("version", &version.to_string()), ("action", "withdraw")],
    )
    .await;
    assert_eq!(res.status(), 404);
    assert_eq!(b.get(server.url(&format!("/photos/{photo}"))).send().await.unwrap().status(), 404);
    assert_eq!(b.get(server.url(&format!("/demands/{id}"))).send().await.unwrap().status(), 404);
    assert_eq!(b.get(server.url(&format!("/live/items/{item}"))).send().await.unwrap().status(), 404);
    // Staff actions are staff-only, for B and for A alike.
    for c in [&a, &b] {
        assert_eq!(act(c, &server, item, version, "accept").await.status(), 403);
        assert_eq!(call(c, &server, "work/reply", &[("item", &item.to_string()), ("text", "x")]).await.status(), 403);
        assert_eq!(
            call(c, &server, "work/case-note", &[("item", &item.to_string()), ("step", "intake"), ("body", "x")])
                .await
                .status(),
            403
        );
        assert_eq!(call(c, &server, "station/board", &[]).await.status(), 403);
    }
    // The owner sees the photo.
    assert_eq!(a.get(server.url(&format!("/photos/{photo}/thumb"))).send().await.unwrap().status(), 200);
    // Staff of another community cannot see it either.
    let other = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(view(&other, &server, id).await.status(), 404);
}

#[tokio::test]
async fn public_demands_show_to_neighbours_without_personal_details() {
    let (_db, server) = seeded_or_skip!();
    let a = logged_in(&server, RESIDENT).await;
    let k = key();
    let mut f = demand_fields(&k, "shared-facilities-repair", "3号楼2单元楼道灯坏了");
    f[3] = ("place", "building");
    f[5] = ("visibility", "community");
    f.push(("building", "3"));
    let res = post_demand(&a, &server, &f, vec![]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let id = demand_id(&res);
    let b = logged_in(&server, NEIGHBOUR).await;
    let body = view(&b, &server, id).await.text().await.unwrap();
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["viewing"], "Neighbour");
    assert!(d["requester"].is_null());
    // The requester's room (302) never shows; as a bare "302" it could be part of a timestamp.
    let room = ["\"302\"", "302室", "单元302", " 302"].iter().any(|r| body.contains(r));
    assert!(!body.contains("王秀兰") && !body.contains(RESIDENT) && !room, "{body}");
    let home = json(call(&b, &server, "demands/community", &[]).await).await;
    assert!(home["lines"].as_array().unwrap().iter().any(|l| l["id"] == id));
    // Another community does not see it.
    let other = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(view(&other, &server, id).await.status(), 404);
}

#[tokio::test]
async fn the_closed_loop_with_whistle_and_case_notes() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let liaison = logged_in(&server, DEPARTMENT).await;
    let id = post(&resident, &server, "drain-manhole", "楼下井盖堵了，污水外溢").await;
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(d["viewing"], "Station");
    assert_eq!(d["staff"]["requester_phone"], RESIDENT, "authorised staff see the full number");
    let item = d["item_id"].as_i64().unwrap();
    let v = |d: &Value| d["live"]["version"].as_i64().unwrap();

    // The department liaison sees nothing before the whistle.
    assert_eq!(view(&liaison, &server, id).await.status(), 404);
    assert!(json(call(&liaison, &server, "station/department", &[]).await).await.as_array().unwrap().is_empty());

    // Illegal: confirming an unresolved case; the resident accepting.
    let r = call(
        &resident,
        &server,
        "demands/act",
        &[("id", &id.to_string()), ("version", &v(&d).to_string()), ("action", "confirm")],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert_eq!(json(r).await, Value::String("WrongState".into()));

    assert_eq!(act(&worker, &server, item, v(&d), "accept").await.status(), 200);
    // A stale version loses.
    assert_eq!(act(&worker, &server, item, v(&d), "start").await.status(), 409);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(d["live"]["state"], "Accepted");

    // Case note: staff only, never in anything a resident receives.
    let secret = "SECRET-NOTE-家庭困难-7781";
    let r = call(
        &worker,
        &server,
        "work/case-note",
        &[("item", &item.to_string()), ("step", "assessment"), ("body", secret)],
    )
    .await;
    assert_eq!(r.status(), 200);

    // Whistle the Urban Management Office.
    let urban = d["staff"]["departments"].as_array().unwrap().iter().find(|x| x[1]["zh"] == "城市管理办公室").unwrap()
        [0]
    .as_i64()
    .unwrap();
    let r = call(
        &worker,
        &server,
        "work/whistle",
        &[
            ("item", &item.to_string()),
            ("version", &v(&d).to_string()),
            ("departments[0]", &urban.to_string()),
            ("note", "请速派人疏通"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let board = json(call(&worker, &server, "station/board", &[]).await).await;
    let line = board["lines"].as_array().unwrap().iter().find(|l| l["item_id"] == item).unwrap().clone();
    assert_eq!((line["whistles_waiting"].as_i64(), line["whistles_checked_in"].as_i64()), (Some(1), Some(0)));
    let lines = json(call(&liaison, &server, "station/department", &[]).await).await;
    let whistle = lines[0]["whistle_id"].as_i64().unwrap();
    let dv = json(view(&liaison, &server, id).await).await;
    assert_eq!(dv["viewing"], "Department");
    assert!(dv["staff"]["case_notes"].as_array().unwrap().is_empty(), "departments do not read case notes");
    // The liaison needs the place, not the person: name and number masked, no flat…
    let masked = format!("{}****{}", &RESIDENT[..3], &RESIDENT[7..]);
    assert_eq!(dv["staff"]["requester_phone"], masked.as_str());
    assert_ne!(dv["requester"], d["requester"]);
    assert!(!dv.to_string().contains(RESIDENT));
    // …and so does an overseer.
    let admin = logged_in(&server, SUBDISTRICT_ADMIN).await;
    let seen = json(view(&admin, &server, id).await).await;
    assert_eq!(seen["staff"]["requester_phone"], masked.as_str());
    // Showing it takes a reason, is recorded, and then shows it (to that reader only).
    let ids = id.to_string();
    assert_eq!(call(&liaison, &server, "demands/contact", &[("id", &ids), ("reason", "")]).await.status(), 422);
    let resident_again = logged_in(&server, NEIGHBOUR).await;
    assert_eq!(
        call(&resident_again, &server, "demands/contact", &[("id", &ids), ("reason", "想看看")]).await.status(),
        403
    );
    let r = call(&liaison, &server, "demands/contact", &[("id", &ids), ("reason", "需要电话约上门时间")]).await;
    assert_eq!(r.status(), 200);
    let shown = json(view(&liaison, &server, id).await).await;
    assert_eq!(shown["staff"]["requester_phone"], RESIDENT);
    assert_eq!(shown["requester"], d["requester"]);
    assert_eq!(json(view(&admin, &server, id).await).await["staff"]["requester_phone"], masked.as_str());
    let recorded = sql_i64(
        &db,
        &format!(
            "SELECT COUNT(*) FROM personal_data_reads WHERE work_item_id = {item} AND reason = '需要电话约上门时间'"
        ),
    )
    .await;
    assert_eq!(recorded, 1);
    // The liaison cannot end the transfer with a bare action (before the others report),
    // nor the station whistle or hand off without the records those keep.
    let version = v(&dv).to_string();
    for (who, action) in [(&liaison, "departments_reported"), (&worker, "whistle"), (&worker, "hand_off")] {
        let form = [("item", item.to_string()), ("version", version.clone()), ("action", action.to_string())];
        let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
        assert_eq!(call(who, &server, "work/act", &form).await.status(), 403, "{action}");
        let form = [("id", id.to_string()), ("version", version.clone()), ("action", action.to_string())];
        let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
        assert_eq!(call(who, &server, "demands/act", &form).await.status(), 403, "{action}");
    }
    let still = json(view(&worker, &server, id).await).await;
    assert_eq!(still["live"]["state"], "Transferred");
    // Another department's liaison cannot act on it.
    assert!(cli(
        &db,
        &[
            "user",
            "add",
            "--role",
            "department",
            "--phone",
            "13700000009",
            "--password",
            DEMO_PASSWORD,
            "--name",
            "平安联络",
            "--community",
            "guanganmenwai",
            "--department",
            "safety"
        ]
    )
    .status
    .success());
    let safety = logged_in(&server, "13700000009").await;
    assert_eq!(view(&safety, &server, id).await.status(), 404);
    assert_eq!(call(&safety, &server, "work/check-in", &[("whistle", &whistle.to_string())]).await.status(), 404);

    assert_eq!(call(&liaison, &server, "work/check-in", &[("whistle", &whistle.to_string())]).await.status(), 200);
    assert_eq!(
        call(&liaison, &server, "work/check-in", &[("whistle", &whistle.to_string())]).await.status(),
        409,
        "once"
    );
    let r =
        call(&liaison, &server, "work/report", &[("whistle", &whistle.to_string()), ("report", "已派养护队疏通完毕")])
            .await;
    assert_eq!(r.status(), 200);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(d["live"]["state"], "InProgress", "back to the station when every department reported");
    assert!(d["staff"]["whistles"][0]["report"].as_str().unwrap().contains("疏通"));

    let r = call(&worker, &server, "work/reply", &[("item", &item.to_string()), ("text", "已疏通，请查看")]).await;
    assert_eq!(r.status(), 200);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(act(&worker, &server, item, v(&d), "resolve").await.status(), 200);
    let d = json(view(&resident, &server, id).await).await;
    assert_eq!(d["live"]["state"], "Resolved");
    let r = call(
        &resident,
        &server,
        "demands/act",
        &[("id", &id.to_string()), ("version", &v(&d).to_string()), ("action", "confirm")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let d = json(view(&resident, &server, id).await).await;
    assert_eq!(d["live"]["state"], "Closed");
    let kinds: Vec<&str> =
        d["live"]["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for k in ["Posted", "Transition", "Whistled", "CheckedIn", "Reported", "Reply"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    // The secret never reaches the resident: not in JSON, pages, lists or notifications.
    for body in [
        view(&resident, &server, id).await.text().await.unwrap(),
        call(&resident, &server, "demands/live", &[("id", &id.to_string())]).await.text().await.unwrap(),
        call(&resident, &server, "demands/mine", &[]).await.text().await.unwrap(),
        call(&resident, &server, "notifications", &[]).await.text().await.unwrap(),
        resident.get(server.url(&format!("/demands/{id}"))).send().await.unwrap().text().await.unwrap(),
    ] {
        assert!(!body.contains("SECRET-NOTE"), "case note leaked: {body}");
    }
    let staff_page = worker.get(server.url(&format!("/demands/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(staff_page.contains("SECRET-NOTE"), "staff do see it");
    // Notifications reached the resident.
    let notes = json(call(&resident, &server, "notifications", &[]).await).await;
    assert!(notes["lines"].as_array().unwrap().iter().any(|n| n["kind"] == "reply"));
}

#[tokio::test]
async fn two_workers_accepting_at_once_one_wins() {
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let first = logged_in(&server, SOCIAL_WORKER).await;
    let second = logged_in(&server, DISPATCHER).await;
    for round in 0..3 {
        let id = post(&resident, &server, "other", &format!("第{round}件事")).await;
        let d = json(view(&first, &server, id).await).await;
        let (item, version) = (d["item_id"].as_i64().unwrap(), d["live"]["version"].as_i64().unwrap());
        let mut tasks = Vec::new();
        for c in [first.clone(), second.clone(), first.clone(), second.clone()] {
            let base = server.url("");
            tasks.push(tokio::spawn(async move {
                c.post(format!("{base}/api/work/act"))
                    .header("Accept", "application/json")
                    .form(&[("item", item.to_string()), ("version", version.to_string()), ("action", "accept".into())])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        statuses.sort();
        assert_eq!(statuses, vec![200, 409, 409, 409], "round {round}");
    }
}

#[tokio::test]
async fn reopen_withdraw_and_reassign() {
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let dispatcher = logged_in(&server, DISPATCHER).await;
    let id = post(&resident, &server, "plumbing-repair", "水管滴水").await;
    let d = json(view(&worker, &server, id).await).await;
    let item = d["item_id"].as_i64().unwrap();
    let v = |d: &Value| d["live"]["version"].as_i64().unwrap().to_string();
    // Only the dispatcher (or stationmaster) reassigns.
    let yang = d["staff"]["workers"].as_array().unwrap().iter().find(|w| w[1] == "杨社工").unwrap()[0]
        .as_i64()
        .unwrap()
        .to_string();
    let r = call(
        &worker,
        &server,
        "work/reassign",
        &[("item", &item.to_string()), ("version", &v(&d)), ("assignee", &yang)],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = call(
        &dispatcher,
        &server,
        "work/reassign",
        &[("item", &item.to_string()), ("version", &v(&d)), ("assignee", &yang)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(d["assignee"], "杨社工");
    // Resolving what was never accepted is not a legal move.
    assert_eq!(act(&worker, &server, item, d["live"]["version"].as_i64().unwrap(), "resolve").await.status(), 409);
    assert_eq!(act(&worker, &server, item, d["live"]["version"].as_i64().unwrap(), "accept").await.status(), 200);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(act(&worker, &server, item, d["live"]["version"].as_i64().unwrap(), "resolve").await.status(), 200);
    let d = json(view(&resident, &server, id).await).await;
    // Reopen needs a reason.
    let r = call(
        &resident,
        &server,
        "demands/act",
        &[("id", &id.to_string()), ("version", &v(&d)), ("action", "reopen"), ("note", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = call(
        &resident,
        &server,
        "demands/act",
        &[("id", &id.to_string()), ("version", &v(&d)), ("action", "reopen"), ("note", "还在滴水")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let d = json(view(&resident, &server, id).await).await;
    assert_eq!(d["live"]["state"], "Reopened");
    let r = call(
        &resident,
        &server,
        "demands/act",
        &[("id", &id.to_string()), ("version", &v(&d)), ("action", "withdraw"), ("note", "自己修好了")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let d = json(view(&resident, &server, id).await).await;
    assert_eq!(d["live"]["state"], "Withdrawn");
    // Nothing moves a withdrawn case.
    assert_eq!(act(&worker, &server, item, d["live"]["version"].as_i64().unwrap(), "start").await.status(), 409);
}

#[tokio::test]
async fn background_jobs_flag_overdue_once_and_close_stale_resolutions() {
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo"]).status.success());
    // Two instances run the jobs every second against the same database.
    let first = TestServer::start(&db, &[("JOBS_INTERVAL_SECONDS", "1")]);
    let multi = backend() == Backend::Postgres;
    let second = multi.then(|| TestServer::start(&db, &[("JOBS_INTERVAL_SECONDS", "1")]));
    let resident = logged_in(&first, RESIDENT).await;
    let worker = logged_in(&first, SOCIAL_WORKER).await;
    let overdue = post(&resident, &first, "other", "一直没人管").await;
    let stale = post(&resident, &first, "other", "办好了但没确认").await;
    let d = json(view(&worker, &first, stale).await).await;
    let stale_item = d["item_id"].as_i64().unwrap();
    assert_eq!(act(&worker, &first, stale_item, d["live"]["version"].as_i64().unwrap(), "accept").await.status(), 200);
    let d = json(view(&worker, &first, stale).await).await;
    assert_eq!(act(&worker, &first, stale_item, d["live"]["version"].as_i64().unwrap(), "resolve").await.status(), 200);
    let day = 24 * 3_600_000_i64;
    let (month, week_and_a_day) = (30 * day, 8 * day);
    sql(&db, &format!("UPDATE work_items SET respond_by = respond_by - {day}, complete_by = complete_by - {month} WHERE demand_id = {overdue}")).await;
    sql(&db, &format!("UPDATE work_items SET resolved_at = resolved_at - {week_and_a_day} WHERE id = {stale_item}"))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;

    let d = json(view(&resident, &first, stale).await).await;
    assert_eq!(d["live"]["state"], "Closed", "closed by itself after 7 days");
    let d = json(view(&worker, &first, overdue).await).await;
    assert!(d["overdue"].as_bool().unwrap());
    let item = d["item_id"].as_i64().unwrap();
    // One notification per person, however many instances ran the job.
    let n =
        sql_i64(&db, &format!("SELECT COUNT(*) FROM notifications WHERE kind = 'overdue' AND work_item_id = {item}"))
            .await;
    assert_eq!(n, 2, "the assignee and the stationmaster, once each");
    let events =
        sql_i64(&db, &format!("SELECT COUNT(*) FROM work_events WHERE kind = 'overdue' AND work_item_id = {item}"))
            .await;
    assert_eq!(events, 1);
    // The board counts it.
    let board = json(call(&worker, &first, "station/board", &[]).await).await;
    assert!(board["overdue"].as_i64().unwrap() >= 1);
    drop(second);
}

#[tokio::test]
async fn window_intake_and_claiming_the_record() {
    let (db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let phone = "13912340077";
    let found = json(call(&worker, &server, "station/intake/find", &[("phone", phone)]).await).await;
    assert!(found.is_null());
    let r = call(
        &worker,
        &server,
        "station/intake/create",
        &[("name", "赵大爷"), ("phone", phone), ("building", "8"), ("unit_no", "1"), ("room", "202")],
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let card = json(call(&worker, &server, "station/intake/find", &[("phone", phone)]).await).await;
    assert_eq!(card["registered"], false);
    let resident_id = card["id"].as_i64().unwrap().to_string();
    let k = key();
    let mut f = demand_fields(&k, "disabled-elderly-care-subsidy", "老人失能，想申请护理补贴");
    f.push(("requester", &resident_id));
    f.push(("channel", "walk_in"));
    let mut form = reqwest::multipart::Form::new();
    for (a, b) in &f {
        form = form.text(a.to_string(), b.to_string());
    }
    let r = worker
        .post(server.url("/api/station/intake/post"))
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let id = demand_id(&r);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(d["channel"], "walk_in");
    assert_eq!(d["live"]["state"], "Accepted", "recorded at the window: accepted at once");
    // The record cannot log in before it is claimed.
    assert_eq!(login(&client(), &server, phone, "anything1").await.status(), 401);
    // Knowing the phone is not enough: registering with it alone is refused, nothing changes.
    let c = client();
    let b: Value = json(call(&c, &server, "communities/buildings", &[("community", "qianggen")]).await).await;
    let building = b[0]["id"].as_i64().unwrap().to_string();
    let register = |code: &'static str| {
        let (c, server, building, db) = (c.clone(), &server, building.clone(), &db);
        async move {
            // Each try here is made with a fresh SMS code (the minute between two codes
            // passes as a clock would): this test is about the claim code.
            sql(db, "UPDATE sms_codes SET sent_at = sent_at - 60000").await;
            let sms = code_for(&c, server, "register", phone).await;
            call(
                &c,
                server,
                "register",
                &[
                    ("phone", phone),
                    ("password", "zhaodaye2026"),
                    ("password_confirm", "zhaodaye2026"),
                    ("display_name", "赵大爷"),
                    ("community", "qianggen"),
                    ("building", &building),
                    ("unit_no", "1"),
                    ("room", "202"),
                    ("claim_code", code),
                    ("sms_code", &sms),
                    ("consent", "yes"),
                ],
            )
            .await
        }
    };
    let r = register("").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("ErrPhoneUnavailable"), "the same answer as for a taken number: {body}");
    assert_eq!(call(&c, &server, "demands/mine", &[]).await.status(), 401, "no session came of it");
    assert_eq!(login(&client(), &server, phone, "zhaodaye2026").await.status(), 401, "no password was set");
    // Only the station team of the record's community issues a code, for a record not yet claimed.
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(
        call(&resident, &server, "station/intake/claim-code", &[("resident", &resident_id)]).await.status(),
        403
    );
    let registered = sql_id(&server, &resident).await;
    assert_eq!(call(&worker, &server, "station/intake/claim-code", &[("resident", &registered)]).await.status(), 404);
    let issue = || async {
        let r = call(&worker, &server, "station/intake/claim-code", &[("resident", &resident_id)]).await;
        assert_eq!(r.status(), 200);
        let header = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("claim_flash="));
        let header = header.expect("the code goes to the worker's browser in a cookie").to_string();
        assert!(header.contains("HttpOnly"), "{header}");
        let flash = header.strip_prefix("claim_flash=").unwrap().split(';').next().unwrap();
        flash.split_once('.').unwrap().1.to_string()
    };
    // A code survives five wrong tries, then stops working even when right.
    let code = issue().await;
    assert_eq!(code.len(), 8);
    let wrong: &'static str = if code == "00000000" { "11111111" } else { "00000000" };
    for _ in 0..5 {
        assert_eq!(register(wrong).await.status(), 422);
    }
    let spent: &'static str = Box::leak(code.into_boxed_str());
    assert_eq!(register(spent).await.status(), 422, "the tries are spent");
    // A new code works once.
    let code: &'static str = Box::leak(issue().await.into_boxed_str());
    let r = register(code).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    assert_eq!(login(&client(), &server, phone, "zhaodaye2026").await.status(), 200, "the record is theirs now");
    // A claimed record is an account: no SMS code goes to it for registering again.
    let sent = sms_codes(&server, phone).len();
    assert_eq!(call(&c, &server, "verify/send", &[("purpose", "register"), ("phone", phone)]).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sms_codes(&server, phone).len(), sent, "no code for a number with an account");
    let mine = json(call(&c, &server, "demands/mine", &[]).await).await;
    assert_eq!(mine["lines"][0]["id"], id);
    // Residents cannot use the window.
    assert_eq!(call(&resident, &server, "station/intake/find", &[("phone", phone)]).await.status(), 403);
}

#[tokio::test]
async fn family_members_post_and_follow_for_each_other() {
    let (_db, server) = seeded_or_skip!();
    let son = logged_in(&server, RESIDENT).await;
    let mother = logged_in(&server, RESIDENT_3).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(call(&son, &server, "family/request", &[("phone", RESIDENT_3)]).await.status(), 200);
    // Before she confirms, he cannot post for her.
    let mother_id = sql_id(&server, &mother).await;
    let k = key();
    let mut f = demand_fields(&k, "home-elderly-care", "母亲需要助浴服务");
    f.push(("for_whom", &mother_id));
    let r = post_demand(&son, &server, &f, vec![]).await;
    assert_eq!(r.status(), 422);
    let links = json(call(&mother, &server, "family", &[]).await).await;
    let link = links[0]["id"].as_i64().unwrap().to_string();
    // Only she can confirm.
    assert_eq!(call(&son, &server, "family/answer", &[("id", &link), ("accept", "1")]).await.status(), 404);
    assert_eq!(call(&mother, &server, "family/answer", &[("id", &link), ("accept", "1")]).await.status(), 200);
    let r = post_demand(&son, &server, &f, vec![]).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let id = demand_id(&r);
    let hers = json(call(&mother, &server, "demands/mine", &[]).await).await;
    assert_eq!(hers["lines"][0]["id"], id);
    let d = json(view(&worker, &server, id).await).await;
    assert_eq!(d["requester"], "张桂芬");
    assert_eq!(d["filed_by"], "王秀兰");
    // A stranger's number cannot be linked, and says nothing about whether it exists: the
    // same answer as a neighbour's or a number nobody has, and nothing shows until confirmed.
    let before = json(call(&son, &server, "family", &[]).await).await;
    for phone in [HETAOYUAN_RESIDENT, "13912348888", "13800000012"] {
        let r = call(&son, &server, "family/request", &[("phone", phone)]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["location"], "/me?family=asked#family");
    }
    assert_eq!(json(call(&son, &server, "family", &[]).await).await, before, "a pending request shows nothing");
}

async fn sql_id(server: &TestServer, c: &reqwest::Client) -> String {
    let _ = server;
    let me = json(call(c, server, "me", &[]).await).await;
    let phone = me["phone"].as_str().unwrap().to_string();
    let c2 = logged_in(server, SOCIAL_WORKER).await;
    let card = json(call(&c2, server, "station/intake/find", &[("phone", &phone)]).await).await;
    card["id"].as_i64().unwrap().to_string()
}

#[tokio::test]
async fn affairs_menu_search_and_editing() {
    let (_db, server) = seeded_or_skip!();
    let guest = client();
    let names = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_string()).collect()
    };
    let all = json(call(&guest, &server, "affairs", &[]).await).await;
    assert!(all.as_array().unwrap().len() >= 60);
    let dibao = json(call(&guest, &server, "affairs", &[("q", "低保")]).await).await;
    assert_eq!(names(&dibao), vec!["minimum-living-allowance", "heating-subsidy"], "the same two on both backends");
    let two = json(call(&guest, &server, "affairs", &[("q", "报修 燃气")]).await).await;
    assert_eq!(names(&two), vec!["gas-repair"]);
    let en = json(call(&guest, &server, "affairs", &[("q", "Dibao")]).await).await;
    assert_eq!(names(&en), vec!["minimum-living-allowance", "heating-subsidy"], "English text is searched too");
    let wild = json(call(&guest, &server, "affairs", &[("q", "%")]).await).await;
    assert!(wild.as_array().unwrap().is_empty(), "wildcards are literal");
    let life = json(call(&guest, &server, "affairs", &[("family", "life")]).await).await;
    assert!(life.as_array().unwrap().iter().all(|a| a["family"] == "Life"));
    // The page finds it too, without JavaScript.
    let html = guest.get(server.url("/services?q=%E4%BD%8E%E4%BF%9D")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("最低生活保障（低保）申请"));

    let form = |code: &'static str, existing: &'static str| {
        vec![
            ("code", code),
            ("family", "life"),
            ("category", "daily_life"),
            ("mode", "referral"),
            ("response_hours", "8"),
            ("completion_hours", "72"),
            ("name_zh", "开锁换锁"),
            ("name_en", "Locks"),
            ("description_zh", "上门开锁换锁"),
            ("description_en", "Locks at home"),
            ("documents_zh", "身份证"),
            ("documents_en", "ID card"),
            ("served_by_zh", "老街坊修锁"),
            ("served_by_en", "Locksmith"),
            ("keywords", "钥匙"),
            ("existing", existing),
        ]
    };
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(call(&worker, &server, "affairs/save", &form("locks", "")).await.status(), 403);
    let master = logged_in(&server, STATIONMASTER).await;
    let r = call(&master, &server, "affairs/save", &form("Bad Code!", "")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(call(&master, &server, "affairs/save", &form("locks", "")).await.status(), 200);
    let found = json(call(&guest, &server, "affairs", &[("q", "钥匙")]).await).await;
    assert!(names(&found).contains(&"locks".to_string()));
    assert_eq!(call(&master, &server, "affairs/retire", &[("code", "locks"), ("retire", "1")]).await.status(), 200);
    let found = json(call(&guest, &server, "affairs", &[("q", "钥匙")]).await).await;
    assert!(!names(&found).contains(&"locks".to_string()), "retired affairs leave the menu");
    // And cannot be chosen for new demands.
    let resident = logged_in(&server, RESIDENT).await;
    let k = key();
    let r = post_demand(&resident, &server, &demand_fields(&k, "locks", "锁坏了"), vec![]).await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn open_pages_hear_about_changes() {
    use futures_util::StreamExt;
    let (db, server) = seeded_or_skip!();
    // On PostgreSQL the change is made through a second instance: LISTEN/NOTIFY carries it.
    let other = (backend() == Backend::Postgres).then(|| TestServer::start(&db, &[]));
    let actor_server = other.as_ref().unwrap_or(&server);
    let resident = logged_in(&server, RESIDENT).await;
    let id = post(&resident, &server, "other", "看看实时更新").await;
    let d = json(view(&resident, &server, id).await).await;
    let item = d["item_id"].as_i64().unwrap();
    let res = resident.get(server.url(&format!("/live/items/{item}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut stream = res.bytes_stream();
    let mut seen = String::new();
    // The opening event.
    while !seen.contains("event: ready") {
        seen.push_str(&String::from_utf8_lossy(&stream.next().await.unwrap().unwrap()));
    }
    let worker = logged_in(actor_server, SOCIAL_WORKER).await;
    let r = call(&worker, actor_server, "work/reply", &[("item", &item.to_string()), ("text", "马上到")]).await;
    assert_eq!(r.status(), 200);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("event: changed") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("a change event within 10 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let live = json(call(&resident, &server, "demands/live", &[("id", &id.to_string())]).await).await;
    assert!(live["timeline"].as_array().unwrap().iter().any(|e| e["note"] == "马上到"));
}

#[tokio::test]
async fn a_stream_ends_when_its_reader_loses_access_and_streams_are_capped() {
    use futures_util::StreamExt;
    let (_db, server) = seeded_or_skip!();
    let son = logged_in(&server, RESIDENT).await;
    let mother = logged_in(&server, RESIDENT_3).await;
    assert_eq!(call(&son, &server, "family/request", &[("phone", RESIDENT_3)]).await.status(), 200);
    let links = json(call(&mother, &server, "family", &[]).await).await;
    let link = links[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(call(&mother, &server, "family/answer", &[("id", &link), ("accept", "1")]).await.status(), 200);
    let id = post(&mother, &server, "other", "实时更新的权限").await;
    let item = json(view(&mother, &server, id).await).await["item_id"].as_i64().unwrap();
    let url = server.url(&format!("/live/items/{item}"));
    let res = son.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200, "the family member follows it");
    let mut stream = res.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        seen.push_str(&String::from_utf8_lossy(&stream.next().await.unwrap().unwrap()));
    }
    // She ends the link; at the next change, his stream says so and closes.
    assert_eq!(call(&mother, &server, "family/remove", &[("id", &link)]).await.status(), 200);
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(
        call(&worker, &server, "work/reply", &[("item", &item.to_string()), ("text", "收到")]).await.status(),
        200
    );
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: ended") && !seen.contains("event: changed"), "{seen}");
    assert_eq!(son.get(&url).send().await.unwrap().status(), 404);
    // Six open streams at most per account on an instance.
    let mut open = Vec::new();
    for _ in 0..6 {
        let res = mother.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        open.push(res);
    }
    let res = mother.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    drop(open);
}
