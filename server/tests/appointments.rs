//! Station appointments over HTTP on the real server (`TEST_BACKEND` picks the backend):
//! capacity under 100 concurrent bookings (two server processes on PostgreSQL), cancelling,
//! privacy, the no-show ban, limits, the calendar file, reminders.

mod common;
use common::*;
use serde_json::Value;
use std::time::Instant;

const NEIGHBOUR: &str = "13800000011";
const AFFAIR: &str = "residence-proof";

/// Free slots of the affair as the booking page offers them: (start, places left).
async fn free_slots(c: &reqwest::Client, server: &TestServer, affair: &str) -> Vec<(i64, i64)> {
    let page = json(call(c, server, "appointments", &[("affair", affair)]).await).await;
    page["days"]
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

async fn book(c: &reqwest::Client, server: &TestServer, affair: &str, start: i64) -> reqwest::Response {
    let (s, k) = (start.to_string(), key());
    call(c, server, "appointments/book", &[("affair", affair), ("start", &s), ("idempotency_key", &k)]).await
}

fn booking_id(res: &reqwest::Response) -> i64 {
    let l = res.headers().get("location").expect("location").to_str().unwrap();
    l.strip_prefix("/appointments/").unwrap().parse().unwrap()
}

async fn set_capacity(server: &TestServer, n: &str) {
    let master = logged_in(server, STATIONMASTER).await;
    let res =
        call(&master, server, "station/appointments/settings", &[("capacity", n), ("hours", ""), ("closed", "")]).await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
}

#[tokio::test]
async fn a_hundred_concurrent_bookings_for_the_last_place_make_one() {
    let (db, server) = seeded_or_skip!();
    set_capacity(&server, "2").await;
    let first = logged_in(&server, RESIDENT).await;
    let slots = free_slots(&first, &server, AFFAIR).await;
    let (start, left) = slots[slots.len() / 2];
    assert_eq!(left, 2);
    assert_eq!(book(&first, &server, AFFAIR, start).await.status(), 200);
    assert!(free_slots(&first, &server, AFFAIR).await.contains(&(start, 1)), "one place left");

    // On PostgreSQL, two server processes share the database: half the requests go to each.
    let second = (backend() == Backend::Postgres).then(|| TestServer::start(&db, &[]));
    let people = more_residents(&db, &server, 100).await;
    let began = Instant::now();
    let tasks: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let target = match (&second, i % 2) {
                (Some(s2), 1) => s2.url("/api/appointments/book"),
                _ => server.url("/api/appointments/book"),
            };
            let (c, s, k) = (c.clone(), start.to_string(), key());
            tokio::spawn(async move {
                let r = c
                    .post(target)
                    .header("Accept", "application/json")
                    .form(&[("affair", AFFAIR), ("start", s.as_str()), ("idempotency_key", k.as_str())])
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap())
            })
        })
        .collect();
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            409 => {
                let v: Value = serde_json::from_str(&body).unwrap();
                assert!(!v["SlotFull"]["next"].as_array().unwrap().is_empty(), "next free slots offered");
                full += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let elapsed = began.elapsed();
    println!(
        "[{:?}] 100 concurrent bookings for 1 place ({} server process{}): {ok} booked, {full} told it was full, {:.0} ms",
        backend(),
        if second.is_some() { 2 } else { 1 },
        if second.is_some() { "es" } else { "" },
        elapsed.as_secs_f64() * 1000.0
    );
    assert_eq!((ok, full), (1, 99));
    let taken = sql_i64(&db, &format!("SELECT taken FROM appointment_slots WHERE starts_at = {start}")).await;
    assert_eq!(taken, 2);
    let booked =
        sql_i64(&db, &format!("SELECT COUNT(*) FROM appointments WHERE starts_at = {start} AND status = 'booked'"))
            .await;
    assert_eq!(booked, 2, "capacity never exceeded");
}

#[tokio::test]
async fn cancelling_frees_the_place_and_nobody_else_sees_a_booking() {
    let (db, server) = seeded_or_skip!();
    set_capacity(&server, "1").await;
    let resident = logged_in(&server, RESIDENT).await;
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let (start, _) = free_slots(&resident, &server, AFFAIR).await[3];
    let res = book(&resident, &server, AFFAIR, start).await;
    assert_eq!(res.status(), 200);
    let id = booking_id(&res);
    let ids = id.to_string();
    // Booked again with the same key (a double tap): the same booking.
    assert!(!free_slots(&neighbour, &server, AFFAIR).await.iter().any(|s| s.0 == start), "full for others");
    assert_eq!(book(&neighbour, &server, AFFAIR, start).await.status(), 409);

    // Someone else's booking: not found, not cancellable, no calendar file.
    assert_eq!(call(&neighbour, &server, "appointments/one", &[("id", &ids)]).await.status(), 404);
    assert_eq!(call(&neighbour, &server, "appointments/cancel", &[("id", &ids)]).await.status(), 404);
    assert_eq!(neighbour.get(server.url(&format!("/appointments/{id}/ics"))).send().await.unwrap().status(), 404);
    assert_eq!(neighbour.get(server.url(&format!("/appointments/{id}"))).send().await.unwrap().status(), 404);

    // Staff of the station see it in the day view; a resident cannot open it.
    assert_eq!(call(&resident, &server, "station/appointments", &[("date", "")]).await.status(), 403);

    // Cancelled: the place is free again for the neighbour.
    assert!(call(&resident, &server, "appointments/cancel", &[("id", &ids)]).await.status().is_success());
    assert_eq!(sql_i64(&db, &format!("SELECT taken FROM appointment_slots WHERE starts_at = {start}")).await, 0);
    assert_eq!(call(&resident, &server, "appointments/cancel", &[("id", &ids)]).await.status(), 409);
    assert_eq!(book(&neighbour, &server, AFFAIR, start).await.status(), 200);

    // Too late to cancel within the hour before.
    let res =
        book(&resident, &server, "party-certificate", free_slots(&resident, &server, "party-certificate").await[0].0)
            .await;
    assert_eq!(res.status(), 200);
    {
        let late = booking_id(&res);
        sql(
            &db,
            &format!(
                "UPDATE appointments SET starts_at = {} WHERE id = {late}",
                chrono::Utc::now().timestamp_millis() + 1_800_000
            ),
        )
        .await;
        let res = call(&resident, &server, "appointments/cancel", &[("id", &late.to_string())]).await;
        assert_eq!(res.status(), 422);
        assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrCancelTooLate");
    }
}

#[tokio::test]
async fn limits_and_the_no_show_ban() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let slots = free_slots(&resident, &server, AFFAIR).await;
    // Outside the window, or not a slot of the grid: refused.
    let res = book(&resident, &server, AFFAIR, slots[0].0 + 60_000).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrChooseSlot");
    let far = slots.last().unwrap().0 + 7 * 86_400_000;
    assert_eq!(book(&resident, &server, AFFAIR, far).await.status(), 422);

    // One per affair per day; three upcoming at most. The first slot with another after it
    // the same day (late in the afternoon, today's last free slot has none).
    let later_same_day = |a: i64| slots.iter().find(|s| s.0 > a && s.0 - a < 6 * 3_600_000).map(|s| s.0);
    let first = slots.iter().map(|s| s.0).find(|a| later_same_day(*a).is_some()).unwrap();
    assert_eq!(book(&resident, &server, AFFAIR, first).await.status(), 200);
    let same_day = later_same_day(first).unwrap();
    let res = book(&resident, &server, AFFAIR, same_day).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSameAffairSameDay");
    let other_days: Vec<i64> = slots.iter().map(|s| s.0).filter(|s| s - first > 86_400_000).collect();
    assert_eq!(book(&resident, &server, AFFAIR, other_days[0]).await.status(), 200);
    let third = other_days.iter().find(|s| **s - other_days[0] > 86_400_000).unwrap();
    assert_eq!(book(&resident, &server, AFFAIR, *third).await.status(), 200);
    let fourth = other_days.iter().find(|s| **s - *third > 86_400_000).unwrap();
    let res = book(&resident, &server, AFFAIR, *fourth).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrTooManyBookings");

    // Two no-shows within 30 days: refused with the date it ends.
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let uid = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{NEIGHBOUR}'")).await;
    let now = chrono::Utc::now().timestamp_millis();
    for (n, days) in [(1, 12), (2, 3)] {
        sql(
            &db,
            &format!(
                "INSERT INTO appointments (community_id, resident_id, booked_by, starts_at, ends_at, day, status, idempotency_key, created_at) \
                 SELECT region_id, id, id, {s}, {e}, 'past', 'no_show', 'noshow-{n}', {s} FROM users WHERE id = {uid}",
                s = now - days * 86_400_000,
                e = now - days * 86_400_000 + 1_800_000
            ),
        )
        .await;
    }
    let res = book(&neighbour, &server, AFFAIR, slots[2].0).await;
    assert_eq!(res.status(), 403);
    let until = json(res).await["BookingBanned"]["until"].as_str().unwrap().to_string();
    let expected = chrono::DateTime::from_timestamp_millis(now - 3 * 86_400_000 + 30 * 86_400_000)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    assert!(until.starts_with(&expected), "{until} vs {expected}");
    let page = neighbour.get(server.url("/appointments")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&until), "the page says until when");
}

#[tokio::test]
async fn the_calendar_file_parses_with_the_local_time() {
    use icalendar::Component;
    let (_db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let (start, _) = free_slots(&resident, &server, AFFAIR).await[1];
    let res = book(&resident, &server, AFFAIR, start).await;
    let id = booking_id(&res);
    let ics = resident.get(server.url(&format!("/appointments/{id}/ics"))).send().await.unwrap();
    assert_eq!(ics.status(), 200);
    assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = ics.text().await.unwrap();
    assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("TZID:Asia/Shanghai"), "{text}");
    let calendar: icalendar::Calendar = text.parse().expect("RFC 5545 parses");
    let event = calendar.components.iter().find_map(|c| c.as_event()).expect("one event");
    let local = chrono::DateTime::from_timestamp_millis(start)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    match event.get_start() {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone { date_time, tzid })) => {
            assert_eq!(tzid, "Asia/Shanghai");
            assert_eq!(date_time, local.naive_local(), "the booked local time");
        }
        other => panic!("DTSTART not local with TZID: {other:?}"),
    }
    assert!(event.get_summary().unwrap().contains("居住证明") || event.get_summary().unwrap().contains("预约"));
}

#[tokio::test]
async fn staff_keep_the_day_and_reminders_come_once() {
    let (db, server) = seeded_or_skip!();
    let resident = logged_in(&server, RESIDENT).await;
    let (start, _) = free_slots(&resident, &server, AFFAIR).await[0];
    let id = booking_id(&book(&resident, &server, AFFAIR, start).await);
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let date = chrono::DateTime::from_timestamp_millis(start)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    let day = json(call(&worker, &server, "station/appointments", &[("date", &date)]).await).await;
    let line = day["lines"].as_array().unwrap().iter().find(|l| l["id"] == id).expect("on the day").clone();
    assert_eq!(line["phone"], "138****0001", "masked");
    let ids = id.to_string();
    // No-show only once it started; check-in, then a follow-up work item.
    let res = call(&worker, &server, "station/appointments/mark", &[("id", &ids), ("mark", "no_show")]).await;
    assert_eq!(res.status(), 422);
    assert!(call(&worker, &server, "station/appointments/mark", &[("id", &ids), ("mark", "arrived")])
        .await
        .status()
        .is_success());
    assert!(call(&worker, &server, "station/appointments/mark", &[("id", &ids), ("mark", "follow_up")])
        .await
        .status()
        .is_success());
    assert_eq!(
        sql_i64(&db, &format!("SELECT COUNT(*) FROM appointments WHERE id = {ids} AND work_item_id IS NOT NULL")).await,
        1
    );
    assert_eq!(
        call(&worker, &server, "station/appointments/mark", &[("id", &ids), ("mark", "follow_up")]).await.status(),
        409
    );
    // A walk-in.
    assert!(call(&worker, &server, "station/appointments/walk-in", &[("phone", NEIGHBOUR), ("affair", AFFAIR)])
        .await
        .status()
        .is_success());

    // Reminders: a booking in three hours gets the 24-hour one, once, with the jobs of two
    // instances running every second.
    let jobs = [("JOBS_INTERVAL_SECONDS", "1")];
    let a = TestServer::start(&db, &jobs);
    let b = TestServer::start(&db, &jobs);
    let now = chrono::Utc::now().timestamp_millis();
    sql(
        &db,
        &format!("UPDATE appointments SET starts_at = {}, status = 'booked' WHERE id = {id}", now + 3 * 3_600_000),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_eq!(sql_i64(&db, &format!("SELECT COUNT(*) FROM notifications WHERE kind = 'appointment_reminder' AND link = '/appointments/{id}'")).await, 1);
    drop((a, b));
}

#[tokio::test]
async fn long_affairs_take_two_slots_and_rescheduling_moves_the_place() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let settings = |durations: &'static str| {
        let (m, url) = (master.clone(), server.url("/api/station/appointments/settings"));
        async move {
            m.post(url)
                .header("Accept", "application/json")
                .form(&[("capacity", "1"), ("hours", ""), ("closed", ""), ("durations", durations)])
                .send()
                .await
                .unwrap()
        }
    };
    let res = settings("no-such-affair 60").await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "durations");
    assert!(settings("residence-proof 60").await.status().is_success());

    let resident = logged_in(&server, RESIDENT).await;
    let slots = free_slots(&resident, &server, AFFAIR).await;
    let (s, _) = slots[2];
    let id = booking_id(&book(&resident, &server, AFFAIR, s).await);
    let half = 1_800_000;
    for grid in [s, s + half] {
        assert_eq!(sql_i64(&db, &format!("SELECT taken FROM appointment_slots WHERE starts_at = {grid}")).await, 1);
    }
    // Every hour-long time overlapping it is gone for others.
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let theirs = free_slots(&neighbour, &server, AFFAIR).await;
    assert!(!theirs.iter().any(|t| t.0 == s || t.0 == s - half || t.0 == s + half));

    // Moved to a later time: the new places are taken, the old ones freed, in one go.
    let later = slots.iter().map(|x| x.0).find(|t| *t >= s + 2 * 3_600_000).unwrap();
    let (ids, ls) = (id.to_string(), later.to_string());
    assert_eq!(
        call(&neighbour, &server, "appointments/reschedule", &[("id", &ids), ("start", &ls)]).await.status(),
        404
    );
    let res = call(&resident, &server, "appointments/reschedule", &[("id", &ids), ("start", &ls)]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(sql_i64(&db, &format!("SELECT starts_at FROM appointments WHERE id = {id}")).await, later);
    for grid in [s, s + half] {
        assert_eq!(sql_i64(&db, &format!("SELECT taken FROM appointment_slots WHERE starts_at = {grid}")).await, 0);
    }
    assert_eq!(sql_i64(&db, &format!("SELECT taken FROM appointment_slots WHERE starts_at = {later}")).await, 1);
    // Onto a time someone else holds: refused, nothing moves.
    let other = slots.iter().map(|x| x.0).find(|t| *t >= later + 2 * 3_600_000).unwrap();
    assert_eq!(book(&neighbour, &server, AFFAIR, other).await.status(), 200);
    let os = other.to_string();
    assert_eq!(
        call(&resident, &server, "appointments/reschedule", &[("id", &ids), ("start", &os)]).await.status(),
        409
    );
    assert_eq!(sql_i64(&db, &format!("SELECT starts_at FROM appointments WHERE id = {id}")).await, later);
    assert_eq!(sql_i64(&db, &format!("SELECT taken FROM appointment_slots WHERE starts_at = {later}")).await, 1);
}

#[tokio::test]
async fn one_booking_form_sent_twenty_times_at_once_books_once() {
    let (db, server) = seeded_or_skip!();
    let c = logged_in(&server, NEIGHBOUR).await;
    let slots = free_slots(&c, &server, AFFAIR).await;
    let start = slots[slots.len() / 3].0.to_string();
    let k = key();
    let before = sql_i64(&db, "SELECT COUNT(*) FROM appointments").await;
    let sends = (0..20).map(|_| {
        let (c, server, start, k) = (c.clone(), &server, start.clone(), k.clone());
        async move {
            call(&c, server, "appointments/book", &[("affair", AFFAIR), ("start", &start), ("idempotency_key", &k)])
                .await
        }
    });
    let answers = futures_util::future::join_all(sends).await;
    // Every retry gets the one booking, never "already booked that day".
    let ids: std::collections::BTreeSet<i64> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status(), 200);
            booking_id(r)
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM appointments").await, before + 1);
}
