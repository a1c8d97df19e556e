-- District scale (issue 12): what the dashboard, the board and routing read on every request
-- is kept where an index reaches it, instead of being recounted from history.

-- How an item ended, as the rates need it (kept by work::server::change, the only writer):
-- the number of times the resident reopened it, and when it was last withdrawn.
ALTER TABLE work_items ADD COLUMN reopens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE work_items ADD COLUMN withdrawn_at BIGINT;
UPDATE work_items SET
    reopens = (SELECT COUNT(*) FROM work_events e WHERE e.work_item_id = work_items.id AND e.to_state = 'reopened'),
    withdrawn_at = (SELECT MAX(e.created_at) FROM work_events e WHERE e.work_item_id = work_items.id AND e.to_state = 'withdrawn');

-- A completion deadline never comes before the response deadline (the rules make it so;
-- now every change keeps it so): an open item is overdue exactly when its next deadline
-- has passed, a range of the board's index.
UPDATE work_items SET complete_by = respond_by WHERE complete_by < respond_by;

-- Each worker's items still to do (not resolved, closed or withdrawn): routing by least load
-- reads one row per worker instead of counting their items on every post.
CREATE TABLE worker_load (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id),
    open_items BIGINT NOT NULL DEFAULT 0
);
INSERT INTO worker_load (user_id, open_items)
    SELECT assignee_id, COUNT(*) FROM work_items
    WHERE assignee_id IS NOT NULL AND state NOT IN ('resolved', 'closed', 'withdrawn') GROUP BY assignee_id;

-- Items per community and state: the board's counters, kept instead of counted.
CREATE TABLE board_counts (
    community_id BIGINT NOT NULL REFERENCES regions(id),
    state        TEXT NOT NULL,
    items        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, state)
);
INSERT INTO board_counts (community_id, state, items)
    SELECT community_id, state, COUNT(*) FROM work_items GROUP BY community_id, state;

-- The dashboard's ranges: posted, due, touched in a period, per community.
CREATE INDEX work_items_posted ON work_items(community_id, created_at);
CREATE INDEX work_items_due ON work_items(community_id, respond_by);
CREATE INDEX work_items_touched ON work_items(community_id, updated_at);
-- The board: open items by their next deadline (answer, else completion), a page at a time.
CREATE INDEX work_items_next_due ON work_items(community_id, (CASE WHEN first_response_at IS NULL THEN respond_by ELSE complete_by END), id)
    WHERE state NOT IN ('resolved', 'closed', 'withdrawn');
-- The board's per-line lookups.
CREATE INDEX whistles_item ON whistles(work_item_id);
CREATE INDEX threads_item ON threads(work_item_id);
-- Ratings given in a period.
CREATE INDEX ratings_given ON ratings(created_at);
CREATE INDEX appointment_ratings_given ON appointment_ratings(created_at);
CREATE INDEX work_items_unflagged ON work_items(complete_by, respond_by, first_response_at)
    WHERE overdue_flagged_at IS NULL AND state NOT IN ('resolved', 'closed', 'withdrawn');
CREATE INDEX work_items_resolved ON work_items(state, resolved_at);
CREATE INDEX whistles_unchecked ON whistles(checkin_by) WHERE checked_in_at IS NULL AND late_flagged_at IS NULL;
CREATE INDEX appointments_booked ON appointments(status, starts_at);
CREATE INDEX photos_unsent ON photos(created_at) WHERE demand_id IS NULL AND thread_id IS NULL;
CREATE INDEX handoffs_partner ON handoffs(partner_id);
-- Residents' lists, newest first, a page at a time.
CREATE INDEX notifications_latest ON notifications(user_id, id);
CREATE INDEX demands_filed_by ON demands(filed_by_id, id);
CREATE INDEX demands_mine ON demands(requester_id, id);
CREATE INDEX threads_newest ON threads(community_id, created_at);
-- The board's other views, newest first.
CREATE INDEX work_items_community ON work_items(community_id, id);
