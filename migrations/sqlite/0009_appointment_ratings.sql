-- A served appointment (arrived or walk-in) is rated like a closed case: the resident rates
-- it within 7 days on the five levels; 不满意 or worse opens one callback work item.
CREATE TABLE appointment_ratings (
    appointment_id   INTEGER PRIMARY KEY REFERENCES appointments(id),
    rater_id         INTEGER NOT NULL REFERENCES users(id),
    overall          INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    timeliness       INTEGER NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    attitude         INTEGER NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    outcome          INTEGER NOT NULL CHECK (outcome BETWEEN 1 AND 5),
    comment          TEXT NOT NULL DEFAULT '',
    callback_opened  INTEGER NOT NULL DEFAULT 0 CHECK (callback_opened IN (0, 1)),
    callback_item_id INTEGER REFERENCES work_items(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
