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
            "INSERT INTO threads (community_id, author_id, title, body, topic, idempotency_key, last_activity_at, created_at, \
             tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
        )
        .bind(community)
        .bind(author)
        .bind(title)
        .bind(body)
        .bind(topic)
        .bind(format!("demo-thread-{i}"))
        .bind(at)
        .bind(super::words_of(title, body))
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

/// Titles and bodies of the scale seed's threads, by topic.
const PAST: [(&str, &str, &str); 12] = [
    (
        "environment",
        "垃圾分类桶站搬到北门外",
        "现在的桶站挨着 2 号楼窗户，夏天味道很大。建议搬到北门外空地，大家怎么看？",
    ),
    ("environment", "小区绿地补种几棵树", "南侧绿地去年死了几棵树，一直空着，建议春天补种。"),
    ("safety", "东门晚上太暗，加装路灯", "东门到 5 号楼这段路晚上没有灯，老人走路不安全。"),
    ("safety", "电动车进楼充电怎么管", "有人把电动车推进楼道充电，很危险。建议增加集中充电桩。"),
    ("facilities", "单元门禁经常坏", "3 单元门禁一个月坏了三次，能不能换个牌子？"),
    ("facilities", "增设快递柜", "快递经常堆在门口丢件，建议在物业旁增设一组快递柜。"),
    ("elderly_care", "老年餐桌增加送餐", "腿脚不便的老人去不了餐桌，能否每周送两次餐？"),
    ("elderly_care", "楼里装扶手", "老楼楼梯没有扶手，希望每层加装。"),
    ("culture", "周末亲子读书会", "想在活动室办周末读书会，有没有家长一起？"),
    ("culture", "广场舞时间和音量", "希望广场舞晚上八点半前结束，音量小一点，大家商量个办法。"),
    ("other", "小区微信群太多了", "各种群太多，通知看不过来，能否统一在这个平台发布？"),
    ("other", "共享工具角", "建议在活动室放一些共享工具（梯子、电钻），登记借用。"),
];
const REPLIES: [(&str, &str); 6] = [
    ("support", "支持，早该这样了。"),
    ("support", "同意，我可以帮忙联系。"),
    ("neutral", "想法不错，但费用谁出？"),
    ("neutral", "要不先在楼门口征求一下意见？"),
    ("oppose", "我觉得现在这样也行，别折腾了。"),
    ("support", "我家老人也一直在说这个问题。"),
];

/// A community's past deliberation for the scale seed: about three threads a month between
/// `first_day` and `last_day`, each with replies and supports from its residents. None
/// reaches the threshold (a scale community's 30 residents are under it), so all stay open.
pub async fn seed_past_threads(
    tx: &mut Tx,
    rng: &mut rand::rngs::StdRng,
    community: i64,
    residents: &[i64],
    first_day: i64,
    last_day: i64,
) -> Result<usize, AppError> {
    use rand::Rng;
    const DAY: i64 = 24 * 3_600_000;
    if residents.is_empty() {
        return Ok(0);
    }
    let mut written = 0;
    let mut day = first_day;
    while day <= last_day {
        day += rng.gen_range(3..18) * DAY;
        if day > last_day {
            break;
        }
        let created = day + rng.gen_range(7..22) * 3_600_000;
        let (topic, title, body) = PAST[rng.gen_range(0..PAST.len())];
        let author = residents[rng.gen_range(0..residents.len())];
        let replies = rng.gen_range(0..10_usize);
        let backers: Vec<i64> = residents.iter().copied().filter(|r| *r != author && rng.gen_bool(0.3)).collect();
        let mut last = created;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO threads (community_id, author_id, title, body, topic, supports, comments, idempotency_key, \
             last_activity_at, created_at, tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
        )
        .bind(community)
        .bind(author)
        .bind(title)
        .bind(body)
        .bind(topic)
        .bind(backers.len() as i64)
        .bind(replies as i64)
        .bind(format!("scale-thread-{created}"))
        .bind(created)
        .bind(super::words_of(title, body))
        .fetch_one(&mut **tx)
        .await?;
        let mut parent: Option<(i64, i64)> = None;
        for n in 0..replies {
            let (stance, text) = REPLIES[rng.gen_range(0..REPLIES.len())];
            let at = created + (n as i64 + 1) * rng.gen_range(1..20) * 3_600_000;
            last = last.max(at);
            let depth = parent.map_or(1, |p| (p.1 + 1).min(rules::MAX_DEPTH));
            let c: i64 = sqlx::query_scalar(
                "INSERT INTO thread_comments (thread_id, parent_id, depth, author_id, stance, body, idempotency_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(id)
            .bind(parent.map(|p| p.0))
            .bind(depth)
            .bind(residents[rng.gen_range(0..residents.len())])
            .bind(stance)
            .bind(text)
            .bind(format!("scale-comment-{id}-{n}"))
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
            // Every third reply answers the one before.
            parent = if rng.gen_bool(0.33) { Some((c, depth)) } else { None };
        }
        for (n, backer) in backers.iter().enumerate() {
            sqlx::query("INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(backer)
                .bind(created + (n as i64 + 1) * 1_800_000)
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("UPDATE threads SET last_activity_at = $1 WHERE id = $2")
            .bind(last)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        written += 1;
    }
    Ok(written)
}
