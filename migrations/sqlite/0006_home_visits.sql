-- Home visits (上门服务): a request from a resident (or a relative for them), the times the
-- station proposes and the resident's answers, and the visit's outcome.
CREATE TABLE home_visits (
    demand_id     INTEGER PRIMARY KEY REFERENCES demands(id),
    preferred     TEXT NOT NULL CHECK (preferred IN ('any', 'weekday_morning', 'weekday_afternoon', 'weekend')),
    preferred_note TEXT NOT NULL DEFAULT '',
    mobility      TEXT NOT NULL CHECK (mobility IN ('none', 'elderly', 'wheelchair', 'bedridden')),
    mobility_note TEXT NOT NULL DEFAULT '',
    outcome       TEXT NOT NULL DEFAULT '',
    outcome_at    INTEGER
);

CREATE TABLE visit_proposals (
    id          INTEGER PRIMARY KEY,
    demand_id   INTEGER NOT NULL REFERENCES demands(id),
    visit_at    INTEGER NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'withdrawn')),
    answer_note TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    answered_at INTEGER
);
CREATE INDEX visit_proposals_demand ON visit_proposals(demand_id, id);
