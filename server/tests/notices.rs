//! Notices (社区公告) over HTTP: who publishes where, who sees what, reads counted once, an
//! emergency notice in every concerned inbox once, and the station's follow-up list
//! (`TEST_BACKEND` picks the backend).

mod common;
use common::*;
use serde_json::Value;

const NEIGHBOUR: &str = "13800000011";
const HETAOYUAN_RESIDENT: &str = "13800000021";
const DISPATCHER: &str = "13800000003";

fn notice<'a>(
    key: &'a str,
    title: &'a str,
    category: &'a str,
    audience: &'a str,
    target: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("title", title),
        ("body", "今天 14:00–18:00 停水检修，详见 https://www.bjxch.gov.cn/tz.html 。"),
        ("category", category),
        ("audience", audience),
        ("target", target),
        ("pinned_until", ""),
    ]
}

/// Publishes the way the enhancing script does (multipart, JSON answer), no attachments.
async fn publish(c: &reqwest::Client, server: &TestServer, form: &[(&str, &str)]) -> reqwest::Response {
    post_multipart(c, server, "notices/publish", form, vec![], None).await
}

/// The notice id a successful publish redirects to.
fn notice_id(res: &reqwest::Response) -> String {
    let to = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
    to.strip_prefix("/notices/").unwrap_or_else(|| panic!("no notice location: {to:?}")).to_string()
}

async fn titles(c: &reqwest::Client, server: &TestServer) -> Vec<String> {
    let list = json(call(c, server, "notices/list", &[]).await).await;
    let mut all: Vec<Value> = list["pinned"].as_array().unwrap().clone();
    all.extend(list["page"]["lines"].as_array().unwrap().iter().cloned());
    all.iter().map(|l| l["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_emergency_notice_reaches_its_building_once_and_the_station_sees_who_has_not_read_it() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    // Residents and social workers do not publish; bad input is refused whole.
    for phone in [RESIDENT, SOCIAL_WORKER] {
        let c = logged_in(&server, phone).await;
        let k = key();
        assert_eq!(publish(&c, &server, &notice(&k, "t", "announcement", "everyone", "")).await.status(), 403);
    }
    let k = key();
    let res = publish(&master, &server, &notice(&k, "", "gossip", "building", "b99")).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("title") && body.contains("category"), "{body}");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notices").await, 0);
    let inbox_before = sql_i64(&db, "SELECT COUNT(*) FROM notifications WHERE kind = 'emergency_notice'").await;
    // 3号楼 (the resident's building) only; a retry of the same form is the same notice.
    let k = key();
    let form = notice(&k, "3号楼停水", "emergency", "building", "b3");
    let res = publish(&master, &server, &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let id = notice_id(&res);
    let again = publish(&master, &server, &form).await;
    assert_eq!(notice_id(&again), id);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notices").await, 1);
    let in_b3 = sql_i64(
        &db,
        "SELECT COUNT(*) FROM users u JOIN buildings b ON b.id = u.building_id JOIN regions r ON r.id = b.community_id \
         WHERE b.code = 'b3' AND r.code = 'qianggen' AND u.role = 'resident'",
    )
    .await;
    assert!(in_b3 >= 1);
    let sent = sql_i64(&db, "SELECT COUNT(*) FROM notifications WHERE kind = 'emergency_notice'").await - inbox_before;
    assert_eq!(sent, in_b3, "every resident of 3号楼, once");
    // The resident of 3号楼 sees it unread; a neighbour in another building does not see it at all.
    let resident = logged_in(&server, RESIDENT).await;
    let home = json(call(&resident, &server, "notices/home", &[]).await).await;
    assert_eq!(home["unread"], 1, "{home}");
    assert_eq!(home["lines"][0]["unread"], true);
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    assert!(!titles(&neighbour, &server).await.contains(&"3号楼停水".to_string()));
    assert_eq!(call(&neighbour, &server, "notices/one", &[("id", &id)]).await.status(), 404);
    // Before anyone reads it, the station's follow-up list names the resident, with the number to call.
    let view = json(call(&master, &server, "notices/one", &[("id", &id)]).await).await;
    assert_eq!(view["reads"].as_array().unwrap().len(), 1, "one building: {view}");
    assert_eq!(view["reads"][0]["read"], 0);
    assert!(view["unreached"].as_array().unwrap().iter().any(|u| u["phone"] == RESIDENT), "{view}");
    // Opening it reads it, once however often.
    for _ in 0..2 {
        let seen = json(call(&resident, &server, "notices/one", &[("id", &id)]).await).await;
        assert_eq!(seen["title"], "3号楼停水");
        assert!(seen["reads"].as_array().unwrap().is_empty(), "a resident sees no counts");
        assert!(seen["unreached"].as_array().unwrap().is_empty());
    }
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notice_reads").await, 1);
    let view = json(call(&master, &server, "notices/one", &[("id", &id)]).await).await;
    assert_eq!(view["reads"][0]["read"], 1);
    assert!(!view["unreached"].to_string().contains(RESIDENT));
    let home = json(call(&resident, &server, "notices/home", &[]).await).await;
    assert_eq!(home["unread"], 0);
    // Another community's resident never sees it.
    let other = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(call(&other, &server, "notices/one", &[("id", &id)]).await.status(), 404);
}

#[tokio::test]
async fn a_subdistrict_notice_reaches_all_its_communities_until_withdrawn() {
    let (db, server) = seeded_or_skip!();
    let sub = logged_in(&server, SUBDISTRICT_ADMIN).await;
    // A subdistrict publishes to everyone, not to a building.
    let k = key();
    let res = publish(&sub, &server, &notice(&k, "t", "announcement", "building", "b3")).await;
    assert_eq!(res.status(), 422);
    let k = key();
    let mut form = notice(&k, "街道居务公开：2026年第四季度经费", "disclosure", "everyone", "");
    let today = beijing_date_in(7);
    form.retain(|(f, _)| *f != "pinned_until");
    form.push(("pinned_until", &today));
    let res = publish(&sub, &server, &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let id = notice_id(&res);
    // Both communities' residents see it, pinned on top.
    for phone in [RESIDENT, HETAOYUAN_RESIDENT] {
        let c = logged_in(&server, phone).await;
        let list = json(call(&c, &server, "notices/list", &[]).await).await;
        assert_eq!(list["pinned"][0]["title"], "街道居务公开：2026年第四季度经费", "{phone}: {list}");
        assert_eq!(list["may_publish"], false);
    }
    // Read counts by community for the subdistrict; the station may not withdraw it.
    let view = json(call(&sub, &server, "notices/one", &[("id", &id)]).await).await;
    assert_eq!(view["may_manage"], true);
    assert!(view["reads"].as_array().unwrap().len() >= 2, "{view}");
    assert!(view["pinned_until"].as_str().is_some_and(|d| d == today), "{view}");
    let master = logged_in(&server, STATIONMASTER).await;
    assert_eq!(call(&master, &server, "notices/withdraw", &[("id", &id)]).await.status(), 403);
    assert_eq!(call(&sub, &server, "notices/withdraw", &[("id", &id)]).await.status(), 200);
    let resident = logged_in(&server, RESIDENT).await;
    assert_eq!(call(&resident, &server, "notices/one", &[("id", &id)]).await.status(), 404);
    assert!(titles(&resident, &server).await.is_empty());
    let view = json(call(&sub, &server, "notices/one", &[("id", &id)]).await).await;
    assert_eq!(view["withdrawn"], true);
    // A deputy publishes for the station; the list pages by id, newest first.
    let deputy = logged_in(&server, DISPATCHER).await;
    for i in 0..52 {
        let k = key();
        let title = format!("通知 {i}");
        let res = publish(&deputy, &server, &notice(&k, &title, "event", "everyone", "")).await;
        assert_eq!(res.status(), 200);
    }
    let first = json(call(&resident, &server, "notices/list", &[]).await).await;
    assert_eq!(first["page"]["lines"].as_array().unwrap().len(), 50);
    assert_eq!(first["page"]["lines"][0]["title"], "通知 51");
    let next = first["page"]["next"].as_str().unwrap().to_string();
    let second = json(call(&resident, &server, "notices/list", &[("before", &next)]).await).await;
    let rest: Vec<&str> =
        second["page"]["lines"].as_array().unwrap().iter().map(|l| l["title"].as_str().unwrap()).collect();
    assert_eq!(rest, ["通知 1", "通知 0"]);
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notifications WHERE kind = 'emergency_notice'").await, 0);
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

async fn get(c: &reqwest::Client, server: &TestServer, path: &str) -> reqwest::Response {
    c.get(server.url(path)).send().await.unwrap()
}

#[tokio::test]
async fn a_notice_carries_photos_and_pdfs_to_its_readers_only() {
    let (db, server) = seeded_or_skip!();
    let master = logged_in(&server, STATIONMASTER).await;
    let unsent = |k: &str| {
        format!(
            "SELECT (SELECT COUNT(*) FROM photos WHERE upload_key = '{k}' AND notice_id IS NULL) * 10 \
             + (SELECT COUNT(*) FROM notice_files WHERE upload_key = '{k}' AND notice_id IS NULL)"
        )
    };
    // Wrong files are refused by content, each beside its field, and nothing is stored.
    let k = key();
    let form = notice(&k, "三季度财务公开", "disclosure", "everyone", "");
    let bad = vec![("files", "账目.pdf", jpeg(20, 20)), ("photos", "x.jpg", PDF.to_vec())];
    let res = post_multipart(&master, &server, "notices/publish", &form, bad, None).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("ErrNoticeFileType") && body.contains("ErrPhotoType"), "{body}");
    let four = (0..4).map(|i| ("files", if i < 2 { "a.pdf" } else { "b.pdf" }, PDF.to_vec())).collect();
    let res = post_multipart(&master, &server, "notices/publish", &form, four, None).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("ErrNoticeFileCount"));
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM notices").await, 0);
    assert_eq!(sql_i64(&db, &unsent(&k)).await, 0);
    // With JavaScript a failed try keeps nothing: the page still holds the files.
    let k = key();
    let mut form = notice(&k, "", "disclosure", "everyone", "");
    let files = || vec![("photos", "board.jpg", jpeg(64, 48)), ("files", "../../2026年三季度收支.PDF", PDF.to_vec())];
    let res = post_multipart(&master, &server, "notices/publish", &form, files(), None).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sql_i64(&db, &unsent(&k)).await, 0);
    // Without JavaScript it keeps them for the next try, shown on the form to their uploader only.
    let res = post_multipart(&master, &server, "notices/publish", &form, files(), Some("/notices/new")).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(sql_i64(&db, &unsent(&k)).await, 11);
    let kept = json(call(&master, &server, "notices/choices", &[("upload_key", &k)]).await).await;
    assert_eq!(kept["kept_photos"].as_array().unwrap().len(), 1, "{kept}");
    assert_eq!(kept["kept_files"][0]["name"], "2026年三季度收支.pdf");
    let kept_file = kept["kept_files"][0]["id"].as_i64().unwrap();
    let deputy = logged_in(&server, DISPATCHER).await;
    let theirs = json(call(&deputy, &server, "notices/choices", &[("upload_key", &k)]).await).await;
    assert!(theirs["kept_files"].as_array().unwrap().is_empty());
    assert_eq!(get(&master, &server, &format!("/notices/0/files/{kept_file}")).await.status(), 200);
    assert_eq!(get(&deputy, &server, &format!("/notices/0/files/{kept_file}")).await.status(), 404);
    // The fixed form publishes them, however often it is sent.
    form.retain(|(f, _)| *f != "title");
    form.push(("title", "三季度财务公开"));
    let res = publish(&master, &server, &form).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let id = notice_id(&res);
    let again = post_multipart(&master, &server, "notices/publish", &form, files(), None).await;
    assert_eq!(notice_id(&again), id);
    let view = json(call(&master, &server, "notices/one", &[("id", &id)]).await).await;
    assert_eq!(view["photos"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(view["files"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(sql_i64(&db, &unsent(&k)).await, 0);
    let photo = view["photos"][0].as_i64().unwrap();
    let file = view["files"][0]["id"].as_i64().unwrap();
    // Its readers download them: the PDF as a download under its real name.
    let resident = logged_in(&server, RESIDENT).await;
    let res = get(&resident, &server, &format!("/notices/{id}/files/{file}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''2026%E5%B9%B4"), "{disposition}");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(get(&resident, &server, &format!("/photos/{photo}")).await.status(), 200);
    // Nobody else: another community, the signed-out, a file under another notice's address.
    let other = logged_in(&server, HETAOYUAN_RESIDENT).await;
    assert_eq!(get(&other, &server, &format!("/notices/{id}/files/{file}")).await.status(), 404);
    assert_eq!(get(&other, &server, &format!("/photos/{photo}")).await.status(), 404);
    assert_eq!(get(&client(), &server, &format!("/notices/{id}/files/{file}")).await.status(), 404);
    assert_eq!(get(&resident, &server, &format!("/notices/0/files/{file}")).await.status(), 404);
    // Withdrawn, they go with it.
    assert_eq!(call(&master, &server, "notices/withdraw", &[("id", &id)]).await.status(), 200);
    assert_eq!(get(&resident, &server, &format!("/notices/{id}/files/{file}")).await.status(), 404);
    assert_eq!(get(&resident, &server, &format!("/photos/{photo}")).await.status(), 404);
    assert_eq!(get(&master, &server, &format!("/notices/{id}/files/{file}")).await.status(), 200);
}
