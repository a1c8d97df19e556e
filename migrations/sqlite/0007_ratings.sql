-- Satisfaction after closure (满意度评价): the requester rates a closed case on the five
-- government levels (5 = 非常满意 … 1 = 非常不满意); a rating of 不满意 or worse opens a
-- callback (回访) work item. The worker who closed it assesses the case too (staff only).
CREATE TABLE ratings (
    work_item_id     INTEGER PRIMARY KEY REFERENCES work_items(id),
    rater_id         INTEGER NOT NULL REFERENCES users(id),
    overall          INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    timeliness       INTEGER NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    attitude         INTEGER NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    outcome          INTEGER NOT NULL CHECK (outcome BETWEEN 1 AND 5),
    comment          TEXT NOT NULL DEFAULT '',
    -- Set once by the first bad rating (an edit never opens a second callback).
    callback_opened  INTEGER NOT NULL DEFAULT 0 CHECK (callback_opened IN (0, 1)),
    callback_item_id INTEGER REFERENCES work_items(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE worker_assessments (
    work_item_id INTEGER PRIMARY KEY REFERENCES work_items(id),
    author_id    INTEGER NOT NULL REFERENCES users(id),
    difficulty   INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
    cooperation  INTEGER NOT NULL CHECK (cooperation BETWEEN 1 AND 5),
    helped       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
