-- Duplicates and "me too" (issue 17). Neighbours who report the same incident join the
-- first report instead of filing another work item; a demand the station merges into
-- another brings its requester along. Each is told of every change and may rate it.
CREATE TABLE co_requesters (
    demand_id  INTEGER NOT NULL REFERENCES demands(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    via        TEXT NOT NULL CHECK (via IN ('me_too', 'merge')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (demand_id, user_id)
);
-- "My demands" lists the ones a resident joined, newest first, a page at a time.
CREATE INDEX co_requesters_user ON co_requesters(user_id, demand_id);
-- A co-requester's own rating of the closed case (the requester's is in ratings).
CREATE TABLE co_ratings (
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    rater_id     INTEGER NOT NULL REFERENCES users(id),
    overall      INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    timeliness   INTEGER NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    attitude     INTEGER NOT NULL CHECK (attitude BETWEEN 1 AND 5),
    outcome      INTEGER NOT NULL CHECK (outcome BETWEEN 1 AND 5),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (work_item_id, rater_id)
);
CREATE INDEX co_ratings_created ON co_ratings(created_at);
-- The words of a demand as the segmenter reads them (keys, space-separated): similar
-- reports are compared without segmenting history again.
ALTER TABLE demands ADD COLUMN tokens TEXT NOT NULL DEFAULT '';
-- A case the station merged into another: withdrawn, pointing to the one worked, and
-- counted once (in the one worked).
ALTER TABLE work_items ADD COLUMN merged_into INTEGER REFERENCES work_items(id);
