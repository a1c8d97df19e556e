-- (PostgreSQL) Satisfaction after closure (满意度评价): the requester rates a closed case on the five
-- government levels (5 = 非常满意 … 1 = 非常不满意); a rating of 不满意 or worse opens a
-- callback (回访) work item. The worker who closed it assesses the case too (staff only).
CREATE TABLE ratings (
    work_item_id     BIGINT PRIMARY KEY REFERENCES work_items(id),
    rater_id         BIGINT NOT NULL REFERENCES users(id),
    overall          BIGINT NOT NULL CHECK (overall BETWEEN 1 AND 5),
    timeliness       BIGINT NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    attitude         BIGINT NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    outcome          BIGINT NOT NULL CHECK (outcome BETWEEN 1 AND 5),
    comment          TEXT NOT NULL DEFAULT '',
    -- Set once by the first bad rating (an edit never opens a second callback).
    callback_opened  BIGINT NOT NULL DEFAULT 0 CHECK (callback_opened IN (0, 1)),
    callback_item_id BIGINT REFERENCES work_items(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE worker_assessments (
    work_item_id BIGINT PRIMARY KEY REFERENCES work_items(id),
    author_id    BIGINT NOT NULL REFERENCES users(id),
    difficulty   BIGINT NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
    cooperation  BIGINT NOT NULL CHECK (cooperation BETWEEN 1 AND 5),
    helped       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
