//! The CSV exports of the dashboard: the work items that count in a period (streamed from
//! the database) and the rates table.

use super::rates::{self, Period};
use super::server::{dashboard, items_sql, period, scope, ItemRow, Scope};
use super::*;
use crate::store::Store;

/// UTF-8 with a byte-order mark: Excel in Chinese then opens it as UTF-8.
const BOM: &str = "\u{FEFF}";

fn when(t: Option<i64>) -> String {
    t.map(crate::time::format_local).unwrap_or_default()
}

fn pct(r: &rates::Rate) -> String {
    r.percent().map(|p| format!("{p:.1}")).unwrap_or_default()
}

fn hours(ms: Option<i64>) -> String {
    ms.map(|m| format!("{:.1}", m as f64 / 3_600_000.0)).unwrap_or_default()
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String, AppError> {
    let bytes = w.into_inner().map_err(|_| AppError::Internal)?;
    Ok(format!("{BOM}{}", String::from_utf8(bytes).map_err(|_| AppError::Internal)?))
}

/// The CSV's first line (after the byte-order mark).
fn items_header() -> Vec<u8> {
    let header = [
        "编号",
        "社区",
        "类型",
        "事项",
        "服务类别",
        "分类",
        "网格",
        "紧急",
        "分流",
        "状态",
        "承办人",
        "受理时间",
        "响应时限",
        "首次响应",
        "按时响应",
        "办结时间",
        "重办次数",
        "评价",
    ];
    let mut w = csv::Writer::from_writer(BOM.as_bytes().to_vec());
    let _ = w.write_record(header);
    w.into_inner().unwrap_or_default()
}

/// One work item's line, if it counts in the period (no resident's name or phone).
fn item_record(r: &ItemRow, period: Period) -> Option<[String; 18]> {
    let f = &r.f;
    let relevant = period.contains(f.created_at)
        || period.contains(f.respond_by)
        || f.closed_at.is_some_and(|t| period.contains(t))
        || f.withdrawn_at.is_some_and(|t| period.contains(t))
        || f.facts().open_now;
    if !relevant {
        return None;
    }
    let in_time = match f.first_response_at {
        Some(t) if t <= f.respond_by => "是",
        Some(_) => "否",
        None => "",
    };
    let text = |s: Option<&String>| crate::export::cell(s.map_or("", |s| s.as_str()));
    Some([
        r.id.to_string(),
        text(Some(&r.community_zh)),
        r.kind.clone(),
        text(r.affair_zh.as_ref()),
        text(r.family.as_ref()),
        text(r.category.as_ref()),
        text(r.area_zh.as_ref()),
        if r.urgency.as_deref() == Some("emergency") { "是" } else { "否" }.to_string(),
        r.triage.clone(),
        f.state.clone(),
        text(r.assignee.as_ref()),
        when(Some(f.created_at)),
        when(Some(f.respond_by)),
        when(f.first_response_at),
        in_time.to_string(),
        when(f.closed_at),
        f.reopens.to_string(),
        r.overall.map(|o| o.to_string()).unwrap_or_default(),
    ])
}

/// The items CSV as a stream of chunks: rows go out as the database yields them, so a
/// district's year never sits in memory.
fn items_csv_body(store: Store, scope: &Scope, period: Period) -> axum::body::Body {
    let sql = items_sql(scope);
    let region = scope.region;
    axum::body::Body::from_stream(async_stream::stream! {
        yield Ok::<Vec<u8>, std::io::Error>(items_header());
        let mut w = csv::Writer::from_writer(Vec::new());
        let rows = sqlx::query_as::<_, ItemRow>(&sql).bind(region).bind(period.end).bind(period.start).fetch(store.pool());
        for await row in rows {
            match row {
                Ok(r) => {
                    if let Some(record) = item_record(&r, period) {
                        if w.write_record(&record).is_err() {
                            break;
                        }
                    }
                }
                Err(e) => {
                    // The client sees a cut-off file; the log says why.
                    tracing::error!(error = %e, "items CSV: query failed mid-stream");
                    break;
                }
            }
            if w.flush().is_ok() && w.get_ref().len() >= 64 * 1024 {
                let full = std::mem::replace(&mut w, csv::Writer::from_writer(Vec::new()));
                yield Ok(full.into_inner().unwrap_or_default());
            }
        }
        yield Ok(w.into_inner().unwrap_or_default());
    })
}

/// The rates table: the whole scope, then each community (admins) or each worker.
pub fn rates_csv(d: &Dashboard) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "范围",
        "起始日期",
        "结束日期",
        "诉求量",
        "响应率(%)",
        "按时响应",
        "应响应",
        "解决率(%)",
        "已解决",
        "已办结",
        "满意率(%)",
        "满意",
        "评价数",
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
        "响应中位数(小时)",
        "解决中位数(小时)",
        "当前超时",
        "当前在办",
    ])
    .map_err(|_| AppError::Internal)?;
    let line = |name: &str, r: &Rates| -> Vec<String> {
        let mut v = vec![
            crate::export::cell(name),
            d.from.clone(),
            d.to.clone(),
            r.posted.to_string(),
            pct(&r.response),
            r.response.num.to_string(),
            r.response.den.to_string(),
            pct(&r.resolution),
            r.resolution.num.to_string(),
            r.resolution.den.to_string(),
            pct(&r.satisfaction),
            r.satisfaction.num.to_string(),
            r.satisfaction.den.to_string(),
        ];
        v.extend(r.distribution.iter().map(|n| n.to_string()));
        v.extend([
            hours(r.median_response_ms),
            hours(r.median_resolution_ms),
            r.overdue_now.to_string(),
            r.open_now.to_string(),
        ]);
        v
    };
    w.write_record(line(&d.scope_name.zh, &d.rates)).map_err(|_| AppError::Internal)?;
    for c in &d.ranking {
        w.write_record(line(&c.name.zh, &c.rates)).map_err(|_| AppError::Internal)?;
    }
    for x in &d.workers {
        w.write_record(line(&x.name, &x.rates)).map_err(|_| AppError::Internal)?;
    }
    finish(w)
}

fn csv_response(name: &str, body: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

fn refuse(e: AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::from_u16(e.status()).unwrap_or(axum::http::StatusCode::FORBIDDEN);
    (status, e.message(crate::i18n::Lang::Zh)).into_response()
}

/// `GET /station/dashboard/items.csv?…`: the same query as the page, streamed.
pub async fn items_csv_route(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Query(q): axum::extract::Query<DashboardQuery>,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return refuse(AppError::Unauthenticated) };
    let now = crate::store::Millis::now().0;
    let prepared = async {
        if !user.role.is_staff() {
            return Err(AppError::Forbidden);
        }
        let scope = scope(&store, &user, q.community.as_deref()).await?;
        let (_, p, first, last) = period(&q, now)?;
        let name = format!("work-items-{}-{first}-{last}.csv", scope.chosen);
        Ok((scope, p, name))
    }
    .await;
    let (scope, p, name) = match prepared {
        Ok(x) => x,
        Err(e) => return refuse(e),
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        items_csv_body(store, &scope, p),
    )
        .into_response()
}

/// `GET /station/dashboard/rates.csv?…`.
pub async fn rates_csv_route(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Query(q): axum::extract::Query<DashboardQuery>,
) -> axum::response::Response {
    let Some(user) = viewer.0 else { return refuse(AppError::Unauthenticated) };
    let result = async {
        if !user.role.is_staff() {
            return Err(AppError::Forbidden);
        }
        let d = dashboard(&store, &user, &q, crate::store::Millis::now().0).await?;
        Ok((rates_csv(&d)?, format!("rates-{}-{}-{}.csv", d.chosen, d.from, d.to)))
    }
    .await;
    match result {
        Ok((body, name)) => csv_response(&name, body),
        Err(e) => refuse(e),
    }
}
