//! Volunteer activities over HTTP (`TEST_BACKEND` picks the backend): publishing, sign-ups
//! with a waitlist and promotion, attendance crediting hours, community scope.

mod common;
use common::*;

const NEIGHBOUR: &str = "13800000011";
const RESIDENT_3: &str = "13800000012";
const HETAOYUAN_RESIDENT: &str = "13800000021";

async fn signup(c: &reqwest::Client, server: &TestServer, id: i64, join: bool) -> reqwest::Response {
    call(c, server, "activities/signup", &[("id", &id.to_string()), ("join", if join { "1" } else { "0" })]).await
}

#[tokio::test]
async fn sign_ups_wait_move_up_and_attendance_credits_hours() {
    let (db, server) = seeded_or_skip!();
    let worker = logged_in(&server, SOCIAL_WORKER).await;
    let tomorrow = beijing_date_in(1);
    let publish = |c: reqwest::Client, capacity: &'static str| {
        let (url, d) = (server.url("/api/activities/publish"), tomorrow.clone());
        async move {
            c.post(url)
                .header("Accept", "application/json")
                .form(&[
                    ("title", "垃圾分类桶前值守"),
                    ("category", "garbage_sorting"),
                    ("description", "早高峰指导居民分类投放。"),
                    ("place", "3号楼垃圾站"),
                    ("date", d.as_str()),
                    ("start", "07:00"),
                    ("end", "09:00"),
                    ("capacity", capacity),
                    ("hours", "2"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(publish(resident.clone(), "2").await.status(), 403);
    let res = publish(worker.clone(), "0").await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["field"], "capacity");
    assert!(publish(worker.clone(), "2").await.status().is_success());
    let id = sql_i64(&db, "SELECT MAX(id) FROM activities").await;

    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let third = logged_in(&server, RESIDENT_3).await;
    for c in [&resident, &neighbour, &third] {
        assert!(signup(c, &server, id, true).await.status().is_success());
    }
    // Signing up twice changes nothing.
    assert!(signup(&third, &server, id, true).await.status().is_success());
    let page = json(call(&third, &server, "activities", &[]).await).await;
    let a = page["upcoming"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!((a["taken"].as_i64(), a["waiting"].as_i64()), (Some(2), Some(1)));
    assert_eq!(a["mine"], "Waitlisted");
    assert_eq!(a["waitlist_position"], 1);
    assert!(a["attendees"].as_array().unwrap().is_empty(), "residents do not see the list");

    // A confirmed volunteer cancels: the waiting one moves up and is told.
    assert!(signup(&resident, &server, id, false).await.status().is_success());
    let page = json(call(&third, &server, "activities", &[]).await).await;
    let a = page["upcoming"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(a["mine"], "Confirmed");
    assert_eq!(a["taken"], 2);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notifications WHERE kind = 'activity_promoted'").await, 1);

    // Another community neither sees nor joins it.
    let stranger = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(signup(&stranger, &server, id, true).await.status(), 404);
    let theirs = json(call(&stranger, &server, "activities", &[]).await).await;
    assert!(!theirs["upcoming"].as_array().unwrap().iter().any(|a| a["id"] == id));

    // Attendance only once it started; it credits the hours, once.
    let uid = sql_i64(&db, &format!("SELECT id FROM users WHERE phone = '{NEIGHBOUR}'")).await.to_string();
    let ids = id.to_string();
    let mark = [("id", ids.as_str()), ("user_id", uid.as_str())];
    assert_eq!(call(&worker, &server, "activities/attended", &mark).await.status(), 422);
    sql(&db, &format!("UPDATE activities SET starts_at = starts_at - 2 * 86400000, ends_at = ends_at - 2 * 86400000 WHERE id = {id}")).await;
    assert_eq!(call(&resident, &server, "activities/attended", &mark).await.status(), 403);
    assert!(call(&worker, &server, "activities/attended", &mark).await.status().is_success());
    assert_eq!(call(&worker, &server, "activities/attended", &mark).await.status(), 409);
    let me = json(call(&neighbour, &server, "me", &[]).await).await;
    assert_eq!(me["volunteer_hours"], "2");
    let page = json(call(&neighbour, &server, "activities", &[]).await).await;
    assert_eq!(page["my_hours"], "2");
    assert_eq!(page["community_hours"], "2");
    // Too late to sign up now.
    assert_eq!(signup(&resident, &server, id, true).await.status(), 422);
}
