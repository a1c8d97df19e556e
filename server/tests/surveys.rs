//! Questionnaires over HTTP (`TEST_BACKEND` picks the backend): the station builds one,
//! residents of the community answer once (anonymously: no account stored), the results
//! and the CSV are for staff only.

mod common;
use common::*;

const NEIGHBOUR: &str = "13800000011";
const OTHER_COMMUNITY: &str = "13800000021";

fn dates() -> (String, String) {
    let today = chrono::Utc::now() + chrono::Duration::hours(8);
    (today.format("%Y-%m-%d").to_string(), (today + chrono::Duration::days(7)).format("%Y-%m-%d").to_string())
}

#[tokio::test]
async fn residents_answer_once_and_staff_read_the_results() {
    let (db, server) = seeded_or_skip!();
    let (opens, closes) = dates();
    let k = key();
    let form: Vec<(&str, &str)> = vec![
        ("title", "冬季服务需求调查"),
        ("intro", "匿名填写"),
        ("opens", &opens),
        ("closes", &closes),
        ("anonymous", "1"),
        ("idempotency_key", &k),
        ("q[s0_prompt]", "家中是否有 80 岁以上老人？"),
        ("q[s0_kind]", "single"),
        ("q[s0_options]", "有\n没有"),
        ("q[s0_required]", "1"),
        ("q[s1_prompt]", "希望增加的服务"),
        ("q[s1_kind]", "multiple"),
        ("q[s1_options]", "助餐\n理发\n讲座"),
        ("q[s2_prompt]", "总体评价"),
        ("q[s2_kind]", "scale"),
        ("q[s2_required]", "1"),
        ("q[s3_prompt]", "其他建议"),
        ("q[s3_kind]", "text"),
    ];
    let surveys_before = sql_i64(&db, "SELECT COUNT(*) FROM surveys").await;

    // Residents do not build surveys; bad input stores nothing and names the field.
    let resident = logged_in(&server, RESIDENT).await;
    let res = call(&resident, &server, "surveys/create", &form).await;
    assert_eq!(res.status(), 403, "{:?}", res.text().await);
    let master = logged_in(&server, STATIONMASTER).await;
    let mut bad = form.clone();
    bad.retain(|(n, _)| *n != "q[s1_options]");
    bad.push(("q[s1_options]", "只有一个"));
    let res = call(&master, &server, "surveys/create", &bad).await;
    assert_eq!(res.status(), 422);
    let body = json(res).await;
    assert_eq!(body["Invalid"][0]["field"], "q[s1_options]");
    assert_eq!(body["Invalid"][0]["problem"], "ErrQuestionOptions");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM surveys").await, surveys_before);

    // Built, and a retried post builds nothing more.
    assert!(call(&master, &server, "surveys/create", &form).await.status().is_success());
    assert!(call(&master, &server, "surveys/create", &form).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM surveys").await, surveys_before + 1);
    let id = sql_i64(&db, &format!("SELECT id FROM surveys WHERE idempotency_key = '{k}'")).await;
    let ids = id.to_string();
    let qs: Vec<i64> = {
        let mut v = Vec::new();
        for p in 0..4 {
            v.push(
                sql_i64(&db, &format!("SELECT id FROM survey_questions WHERE survey_id = {id} AND position = {p}"))
                    .await,
            );
        }
        v
    };
    let f = |q: i64, suffix: &str| format!("a[q{q}{suffix}]");

    // A required question left out: a clear error, nothing stored.
    let res = call(&resident, &server, "surveys/answer", &[("survey_id", &ids), (&f(qs[0], ""), "0")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrAnswerRequired");
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM survey_responses").await, 0);

    // Two residents answer; the first cannot answer twice.
    let (a0, a1, a1b, a2, a3) = (f(qs[0], ""), f(qs[1], "_0"), f(qs[1], "_2"), f(qs[2], ""), f(qs[3], ""));
    let first = [("survey_id", ids.as_str()), (&a0, "0"), (&a1, "1"), (&a1b, "1"), (&a2, "5"), (&a3, "希望多办讲座")];
    assert!(call(&resident, &server, "surveys/answer", &first).await.status().is_success());
    let again = call(&resident, &server, "surveys/answer", &first).await;
    assert_eq!(again.status(), 422);
    assert_eq!(json(again).await["Invalid"][0]["problem"], "ErrAlreadyAnswered");
    let neighbour = logged_in(&server, NEIGHBOUR).await;
    let second = [("survey_id", ids.as_str()), (&a0, "1"), (&a1, "1"), (&a2, "3")];
    assert!(call(&neighbour, &server, "surveys/answer", &second).await.status().is_success());
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM survey_responses").await, 2);
    // Anonymous: no account stored, and the key is not the account id.
    assert_eq!(sql_i64(&db, "SELECT COUNT(*) FROM survey_responses WHERE respondent_id IS NOT NULL").await, 0);
    let sheet = json(call(&resident, &server, "surveys/one", &[("id", &ids)]).await).await;
    assert_eq!(sheet["answered"], true, "the resident sees they answered");

    // Another community's resident neither sees nor answers it; residents read no results.
    let outsider = logged_in(&server, OTHER_COMMUNITY).await;
    assert_eq!(call(&outsider, &server, "surveys/one", &[("id", &ids)]).await.status(), 404);
    assert_eq!(call(&outsider, &server, "surveys/answer", &second).await.status(), 404);
    assert_eq!(call(&resident, &server, "surveys/results", &[("id", &ids)]).await.status(), 403);
    let csv_url = server.url(&format!("/station/surveys/{id}/responses.csv"));
    assert_eq!(resident.get(&csv_url).send().await.unwrap().status(), 404);
    assert_eq!(client().get(&csv_url).send().await.unwrap().status(), 401);

    // The results: counts per option, the scale's mean, the texts.
    let r = json(call(&master, &server, "surveys/results", &[("id", &ids)]).await).await;
    assert_eq!(r["responses"], 2);
    assert_eq!(r["tallies"][0]["counts"], serde_json::json!([1, 1]));
    assert_eq!(r["tallies"][1]["counts"], serde_json::json!([2, 0, 1]));
    assert_eq!(r["tallies"][1]["answered"], 2);
    assert_eq!(r["tallies"][2]["mean"], 4.0);
    assert_eq!(r["tallies"][3]["texts"], serde_json::json!(["希望多办讲座"]));
    let page = master.get(server.url(&format!("/station/surveys/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("class=\"bars\"") && page.contains("助餐"), "the chart is on the page");

    // The CSV: BOM, the questions as columns, one line per response, no names.
    let res = master.get(&csv_url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("序号,提交时间,家中是否有 80 岁以上老人？,希望增加的服务"), "{}", lines[0]);
    assert!(lines[1].contains("有,助餐；讲座,5,希望多办讲座"), "{}", lines[1]);
    assert!(!text.contains("王秀兰") && !text.contains(RESIDENT));

    // Only its station closes it early.
    assert_eq!(call(&resident, &server, "surveys/close", &[("id", &ids)]).await.status(), 403);
    assert_eq!(call(&client(), &server, "surveys/close", &[("id", &ids)]).await.status(), 401);
    // Closed early: no more answers.
    assert!(call(&master, &server, "surveys/close", &[("id", &ids)]).await.status().is_success());
    let late = logged_in(&server, "13800000012").await;
    let res = call(&late, &server, "surveys/answer", &second).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["Invalid"][0]["problem"], "ErrSurveyClosed");
}

#[tokio::test]
async fn answers_that_look_like_formulas_reach_the_csv_as_text() {
    let (db, server) = seeded_or_skip!();
    let (opens, closes) = dates();
    let k = key();
    let starts = ["=1+1", "+86", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd"];
    let mut form: Vec<(String, String)> = vec![
        ("title".into(), "建议征集".into()),
        ("intro".into(), "".into()),
        ("opens".into(), opens),
        ("closes".into(), closes),
        ("anonymous".into(), "1".into()),
        ("idempotency_key".into(), k.clone()),
    ];
    for n in 0..starts.len() {
        form.push((format!("q[s{n}_prompt]"), if n == 0 { "=危险的标题".into() } else { format!("建议 {n}") }));
        form.push((format!("q[s{n}_kind]"), "text".into()));
    }
    let master = logged_in(&server, STATIONMASTER).await;
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert!(call(&master, &server, "surveys/create", &pairs).await.status().is_success());
    let id = sql_i64(&db, &format!("SELECT id FROM surveys WHERE idempotency_key = '{k}'")).await;
    let ids = id.to_string();
    let mut answer = vec![("survey_id".to_string(), ids.clone())];
    for (n, start) in starts.iter().enumerate() {
        let q =
            sql_i64(&db, &format!("SELECT id FROM survey_questions WHERE survey_id = {id} AND position = {n}")).await;
        answer.push((format!("a[q{q}]"), format!("{start} 建议")));
    }
    let resident = logged_in(&server, RESIDENT).await;
    let pairs: Vec<(&str, &str)> = answer.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = call(&resident, &server, "surveys/answer", &pairs).await;
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let bytes = master
        .get(server.url(&format!("/station/surveys/{id}/responses.csv")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut rows = csv::Reader::from_reader(&bytes[3..]);
    let header = rows.headers().unwrap().clone();
    assert_eq!(&header[2], "'=危险的标题", "a question's text too");
    let line = rows.records().next().unwrap().unwrap();
    let cells: Vec<&str> = line.iter().skip(2).collect();
    assert_eq!(cells.len(), starts.len());
    for cell in cells {
        assert!(cell.starts_with('\''), "a formula cell: {cell:?}");
    }
}
