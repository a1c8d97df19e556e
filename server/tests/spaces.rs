//! The station's rooms and things over HTTP on the real server (`TEST_BACKEND` picks the
//! backend): twenty residents at once for one room make one booking (two server processes
//! on PostgreSQL); the station decides once; refusing or cancelling gives the place back;
//! things are booked at once within the limits; bad input keeps nothing; only the station
//! sees who booked, and only masked.

mod common;
use common::*;
use serde_json::Value;

/// Free starts of a space for a booking of `hours`: (start, places left).
async fn free(c: &reqwest::Client, server: &TestServer, space: &str, hours: &str) -> Vec<(i64, i64)> {
    let t = json(call(c, server, "spaces/times", &[("code", space), ("hours", hours)]).await).await;
    t["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["slots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["start"].as_i64().unwrap(), s["places_left"].as_i64().unwrap()))
        })
        .collect()
}

async fn book(
    c: &reqwest::Client,
    server: &TestServer,
    space: &str,
    start: i64,
    hours: &str,
    key: &str,
) -> reqwest::Response {
    let s = start.to_string();
    let fields = [
        ("space", space),
        ("start", s.as_str()),
        ("hours", hours),
        ("purpose", "书法小组每周练习"),
        ("people", "12"),
        ("idempotency_key", key),
    ];
    call(c, server, "spaces/book", &fields).await
}

fn booking_id(res: &reqwest::Response) -> i64 {
    let l = res.headers().get("location").expect("location").to_str().unwrap();
    l.strip_prefix("/spaces/bookings/").unwrap().parse().unwrap()
}

#[tokio::test]
async fn twenty_at_once_for_one_room_make_one_booking_and_the_station_decides_once() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let page = json(call(&resident, &server, "spaces", &[]).await).await;
    let codes: Vec<&str> = page["spaces"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["activity-room", "meeting-room", "tool-cabinet", "emergency-kit"]);
    let slots = free(&resident, &server, "activity-room", "2").await;
    let (start, left) = slots[slots.len() / 2];
    assert_eq!(left, 1);

    // On PostgreSQL, two server processes share the database: half the requests go to each.
    let second = (backend() == Backend::Postgres).then(|| TestServer::start(&db, &[]));
    let people = more_residents(&db, &server, 20).await;
    let tasks: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let target = match (&second, i % 2) {
                (Some(s2), 1) => s2.url("/api/spaces/book"),
                _ => server.url("/api/spaces/book"),
            };
            let (c, s, k) = (c.clone(), start.to_string(), key());
            tokio::spawn(async move {
                let fields = [
                    ("space", "activity-room"),
                    ("start", s.as_str()),
                    ("hours", "2"),
                    ("purpose", "楼门长例会"),
                    ("people", "20"),
                    ("idempotency_key", k.as_str()),
                ];
                let r = c.post(target).header("Accept", "application/json").form(&fields).send().await.unwrap();
                let status = r.status().as_u16();
                let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
                (status, location, r.text().await.unwrap())
            })
        })
        .collect();
    let (mut ok, mut full, mut booked) = (0, 0, None);
    for (i, t) in tasks.into_iter().enumerate() {
        let (status, location, body) = t.await.unwrap();
        match status {
            200 => {
                ok += 1;
                booked = Some((i, location.unwrap()));
            }
            409 => {
                let v: Value = serde_json::from_str(&body).unwrap();
                assert!(v.get("SlotFull").is_some(), "{body}");
                full += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, full), (1, 19), "one room, one booking");
    let grid = sql_i64(
        &db,
        &format!(
            "SELECT COUNT(*) FROM space_slots WHERE starts_at >= {start} AND starts_at < {} AND taken = 1",
            start + 7_200_000
        ),
    )
    .await;
    assert_eq!(grid, 4, "the four half hours of the two hours are taken once each");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM space_bookings WHERE status = 'pending'").await, 1);
    assert_eq!(sql_i64(&db, "SELECT MAX(taken) FROM space_slots").await, 1, "capacity never exceeded");
    let (winner, location) = booked.unwrap();
    let winner = &people[winner];
    let id: i64 = location.strip_prefix("/spaces/bookings/").unwrap().parse().unwrap();
    let ids = id.to_string();

    // An overlapping hour later that afternoon is full too; the room is free for others elsewhere.
    assert_eq!(book(&resident, &server, "activity-room", start + 3_600_000, "1", &key()).await.status(), 409);
    assert!(!free(&resident, &server, "activity-room", "1").await.iter().any(|s| s.0 == start + 3_600_000));

    // The booker sees it waiting; a neighbour and the liaison get 404; a resident gets 403 on the desk.
    let mine = json(call(winner, &server, "spaces/booking", &[("id", &ids)]).await).await;
    assert_eq!(mine["status"], "Pending");
    assert!(mine["booker"].is_null(), "the resident's own view does not repeat their phone");
    assert_eq!(call(&resident, &server, "spaces/booking", &[("id", &ids)]).await.status(), 404);
    assert_eq!(
        call(&logged_in(&server, DEPARTMENT).await, &server, "spaces/booking", &[("id", &ids)]).await.status(),
        404
    );
    assert_eq!(call(&resident, &server, "spaces/desk", &[]).await.status(), 403);
    assert_eq!(call(&resident, &server, "spaces/decide", &[("id", &ids), ("decision", "approve")]).await.status(), 403);

    // The deciders were told; the desk shows who booked, phone masked.
    let master = logged_in(&server, STATIONMASTER).await;
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let told = sql_i64(&db, "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'space_waiting' AND u.phone = '13800000004'").await;
    assert_eq!(told, 1);
    let desk = call(&master, &server, "spaces/desk", &[]).await;
    let text = desk.text().await.unwrap();
    let desk: Value = serde_json::from_str(&text).unwrap();
    let line = desk["waiting"].as_array().unwrap().iter().find(|l| l["id"] == id).unwrap().clone();
    assert!(line["booker"].as_str().unwrap().contains("137****"), "{line}");
    assert!(!text.contains("13700000"), "no full phone on the desk");

    // A refusal needs a reason; the bad form changes nothing.
    let res = call(&master, &server, "spaces/decide", &[("id", &ids), ("decision", "refuse"), ("note", " ")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSpaceRefusalReason");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM space_bookings WHERE status = 'pending'").await, 1);

    // Two decide at once: one decision stands, the other is a conflict.
    let first = [("id", ids.as_str()), ("decision", "approve"), ("note", "")];
    let second_form = [("id", ids.as_str()), ("decision", "approve"), ("note", "钥匙在前台")];
    let (a, b) = tokio::join!(
        call(&master, &server, "spaces/decide", &first),
        call(&worker, &server, "spaces/decide", &second_form),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let mine = json(call(winner, &server, "spaces/booking", &[("id", &ids)]).await).await;
    assert_eq!(mine["status"], "Approved");
    let notified = sql_i64(
        &db,
        &format!("SELECT COUNT(*) FROM notifications WHERE kind = 'space_approved' AND link = '/spaces/bookings/{id}'"),
    )
    .await;
    assert_eq!(notified, 1);

    // Cancelled by the resident: the place is free again; a second cancel is refused.
    assert!(call(winner, &server, "spaces/cancel", &[("id", &ids)]).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT MAX(taken) FROM space_slots").await, 0);
    assert_eq!(call(winner, &server, "spaces/cancel", &[("id", &ids)]).await.status(), 409);
    assert!(free(&resident, &server, "activity-room", "2").await.contains(&(start, 1)));

    // Refused with a reason: the resident reads it, and the place is given back.
    let res = book(&resident, &server, "activity-room", start, "2", &key()).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let again = booking_id(&res).to_string();
    let res =
        call(&worker, &server, "spaces/decide", &[("id", &again), ("decision", "refuse"), ("note", "当天有消防检查")])
            .await;
    assert_eq!(res.status(), 200);
    let mine = json(call(&resident, &server, "spaces/booking", &[("id", &again)]).await).await;
    assert_eq!((mine["status"].as_str(), mine["decision_note"].as_str()), (Some("Refused"), Some("当天有消防检查")));
    assert_eq!(sql_i64(&db, "SELECT MAX(taken) FROM space_slots").await, 0);
    if let Some(s2) = second {
        s2.terminate();
    }
}

#[tokio::test]
async fn things_are_booked_at_once_within_limits_and_bad_input_keeps_nothing() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let slots = free(&resident, &server, "tool-cabinet", "1").await;
    assert_eq!(slots[0].1, 3, "three sets in the cabinet");
    let (start, _) = slots[2];

    // Bad input is refused whole, naming its fields; nothing is kept.
    let fields = [
        ("space", "tool-cabinet"),
        ("start", "12"),
        ("hours", "9"),
        ("purpose", " "),
        ("idempotency_key", "k-0000000000000000"),
    ];
    let res = call(&resident, &server, "spaces/book", &fields).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("hours") && body.contains("purpose"), "{body}");
    assert_eq!(call(&resident, &server, "spaces/times", &[("code", "no-such-room")]).await.status(), 404);
    // No time chosen (the radio left empty): told so on the times, not a broken form.
    let fields =
        [("space", "tool-cabinet"), ("hours", "1"), ("purpose", "借电钻"), ("idempotency_key", "k-0000000000000001")];
    let res = call(&resident, &server, "spaces/book", &fields).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "start");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM space_bookings").await, 0);

    // A thing needs no approval: confirmed at once. The same form again is the same booking.
    let k = key();
    let res = book(&resident, &server, "tool-cabinet", start, "1", &k).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let id = booking_id(&res);
    assert_eq!(booking_id(&book(&resident, &server, "tool-cabinet", start, "1", &k).await), id);
    let b = json(call(&resident, &server, "spaces/booking", &[("id", &id.to_string())]).await).await;
    assert_eq!((b["status"].as_str(), b["people"].as_i64()), (Some("Approved"), Some(1)));
    assert!(free(&resident, &server, "tool-cabinet", "1").await.contains(&(start, 2)), "two sets left");

    // Once a day per space; three upcoming bookings at most.
    let res = book(&resident, &server, "tool-cabinet", start + 3_600_000, "1", &key()).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSpaceSameDay");
    let kit = free(&resident, &server, "emergency-kit", "1").await[0].0;
    assert_eq!(book(&resident, &server, "emergency-kit", kit, "1", &key()).await.status(), 200);
    let room = free(&resident, &server, "meeting-room", "1").await[0].0;
    assert_eq!(book(&resident, &server, "meeting-room", room, "1", &key()).await.status(), 200);
    let res = book(&resident, &server, "activity-room", room, "1", &key()).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrTooManyBookings");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM space_bookings").await, 3);

    // The station keeps its spaces: a social worker may not; the stationmaster adds and retires.
    let space = |code: &'static str, retired: bool| {
        let mut f = vec![
            ("code", code),
            ("kind", "thing"),
            ("name_zh", "缝纫机"),
            ("name_en", "Sewing machine"),
            ("about", "周末可借"),
            ("capacity", "1"),
            ("max_hours", "3"),
        ];
        if retired {
            f.push(("retired", "1"));
        }
        f
    };
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    assert_eq!(call(&worker, &server, "spaces/save", &space("sewing", false)).await.status(), 403);
    assert_eq!(call(&resident, &server, "spaces/save", &space("sewing", false)).await.status(), 403);
    let master = logged_in(&server, STATIONMASTER).await;
    let res = call(&master, &server, "spaces/save", &space("Bad Code!", false)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "code");
    assert_eq!(call(&master, &server, "spaces/save", &space("sewing", false)).await.status(), 200);
    assert_eq!(free(&resident, &server, "sewing", "3").await.is_empty(), false);
    assert_eq!(call(&master, &server, "spaces/save", &space("sewing", true)).await.status(), 200);
    assert_eq!(call(&resident, &server, "spaces/times", &[("code", "sewing")]).await.status(), 404);
    // Another community's resident never sees Qianggen's spaces.
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM spaces WHERE code = 'sewing'").await, 1);
}
