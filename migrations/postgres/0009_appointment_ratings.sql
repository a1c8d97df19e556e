-- (PostgreSQL) A served appointment (arrived or walk-in) is rated like a closed case: the resident rates
-- it within 7 days on the five levels; 不满意 or worse opens one callback work item.
CREATE TABLE appointment_ratings (
    appointment_id   BIGINT PRIMARY KEY REFERENCES appointments(id),
    rater_id         BIGINT NOT NULL REFERENCES users(id),
    overall          BIGINT NOT NULL CHECK (overall BETWEEN 1 AND 5),
    timeliness       BIGINT NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    attitude         BIGINT NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    outcome          BIGINT NOT NULL CHECK (outcome BETWEEN 1 AND 5),
    comment          TEXT NOT NULL DEFAULT '',
    callback_opened  BIGINT NOT NULL DEFAULT 0 CHECK (callback_opened IN (0, 1)),
    callback_item_id BIGINT REFERENCES work_items(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
