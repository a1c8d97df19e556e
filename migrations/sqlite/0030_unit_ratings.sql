-- Two-way assessment reaching the units (双向考核, issue 16): with the case, the resident
-- rates the part of each department whistled to and each partner handed the case. Written
-- only by `ratings`; read by the dashboard.
CREATE TABLE unit_ratings (
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    unit_kind    TEXT NOT NULL CHECK (unit_kind IN ('department', 'partner')),
    unit_id      INTEGER NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    rater_id     INTEGER NOT NULL REFERENCES users(id),
    rated_at     INTEGER NOT NULL,
    PRIMARY KEY (work_item_id, unit_kind, unit_id)
);
-- The dashboard: the period's unit ratings, and the period's hand-offs.
CREATE INDEX unit_ratings_rated ON unit_ratings(rated_at);
CREATE INDEX handoffs_handed ON handoffs(handed_at);
