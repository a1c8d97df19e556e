//! Demo threads for Qianggen.

use super::*;

/// Demo threads for Qianggen (once): a proposal with a discussion and supports, and a call
/// to tidy the stairwells. Dated in the past so they never count against today's limits.
pub async fn seed_demo_threads(store: &Store) -> Result<(), AppError> {
    let community: Option<i64> =
        sqlx::query_scalar("SELECT id FROM regions WHERE code = 'qianggen'").fetch_optional(store.pool()).await?;
    let Some(community) = community else { return Ok(()) };
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM threads WHERE community_id = $1")
        .bind(community)
        .fetch_one(store.pool())
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let user = |phone: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE phone = $1")
            .bind(phone)
            .fetch_optional(store.pool())
            .await
    };
    let (Some(wang), Some(li), Some(zhang)) =
        (user("13800000001").await?, user("13800000011").await?, user("13800000012").await?)
    else {
        return Ok(());
    };
    const DAY: i64 = 24 * 3_600_000;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let threads: [(i64, &str, &str, &str, i64); 2] = [
        (
            wang,
            "东门加装无障碍坡道",
            "东门只有台阶，推轮椅、婴儿车进出很不方便，下雨天更危险。\n建议在台阶旁加装一条坡道和扶手，大家看看是否支持？\n参考：https://www.gov.cn/zhengce/ （无障碍环境建设法）",
            "facilities",
            3,
        ),
        (li, "楼道堆物清理，大家一起行动", "3 号楼楼道堆了不少纸箱和旧家具，有消防隐患。提议本周末组织一次集中清理，志愿者报名。", "environment", 1),
    ];
    let mut ids = Vec::new();
    for (i, (author, title, body, topic, days)) in threads.iter().enumerate() {
        let at = now - days * DAY;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO threads (community_id, author_id, title, body, topic, idempotency_key, last_activity_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(community)
        .bind(author)
        .bind(title)
        .bind(body)
        .bind(topic)
        .bind(format!("demo-thread-{i}"))
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        ids.push((id, at));
    }
    let comments: [(usize, i64, Option<usize>, &str, &str); 4] = [
        (0, li, None, "support", "非常支持！我母亲每次出门都要绕到南门。"),
        (0, zhang, Some(0), "neutral", "坡道会不会占用自行车停放的位置？希望方案里考虑一下。"),
        (0, wang, Some(1), "support", "可以把车棚往北挪一点，我去量过，空间够。"),
        (1, wang, None, "support", "我报名，周六上午有空。"),
    ];
    let mut comment_ids: Vec<i64> = Vec::new();
    for (n, (thread, author, parent, stance, body)) in comments.iter().enumerate() {
        let (thread_id, at) = ids[*thread];
        let parent_id = parent.map(|p| comment_ids[p]);
        let depth = parent.map(|p| (p + 2) as i64).unwrap_or(1).min(rules::MAX_DEPTH);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO thread_comments (thread_id, parent_id, depth, author_id, stance, body, idempotency_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(thread_id)
        .bind(parent_id)
        .bind(depth)
        .bind(author)
        .bind(stance)
        .bind(body)
        .bind(format!("demo-comment-{n}"))
        .bind(at + (n as i64 + 1) * 3_600_000)
        .fetch_one(&mut *tx)
        .await?;
        comment_ids.push(id);
        sqlx::query("UPDATE threads SET comments = comments + 1 WHERE id = $1")
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;
    }
    for (thread, supporter) in [(0, li), (0, zhang), (1, wang)] {
        let (thread_id, at) = ids[thread];
        sqlx::query("INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(thread_id)
            .bind(supporter)
            .bind(at + 7_200_000)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE threads SET supports = supports + 1 WHERE id = $1")
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
