-- Household visits (入户走访, issue 16): the station's register of households with care
-- flags (staff only; every change logged), the visits area directors record, and a planned
-- day per household. Written only by `rounds`.
CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    building_id  INTEGER NOT NULL REFERENCES buildings(id),
    unit_no      TEXT NOT NULL,
    room         TEXT NOT NULL,
    -- Care flags, comma-joined codes (alone_elderly, empty_nest, disabled, hardship, child_care).
    care         TEXT NOT NULL DEFAULT '',
    -- The Beijing day the next visit is planned for.
    plan_on      TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (building_id, unit_no, room)
);
CREATE INDEX households_community ON households(community_id);

CREATE TABLE household_visits (
    id              INTEGER PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    community_id    INTEGER NOT NULL REFERENCES regions(id),
    visitor_id      INTEGER NOT NULL REFERENCES users(id),
    visited_on      TEXT NOT NULL,
    topics          TEXT NOT NULL,
    note            TEXT NOT NULL,
    -- The follow-up case filed after the visit, if any.
    demand_id       INTEGER REFERENCES demands(id),
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (visitor_id, idempotency_key)
);
CREATE INDEX household_visits_household ON household_visits(household_id, visited_on);
-- Coverage: the community's visits this quarter.
CREATE INDEX household_visits_community ON household_visits(community_id, visited_on);

-- Who changed a household's care flags, when, from what to what.
CREATE TABLE household_care_log (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    actor_id     INTEGER NOT NULL REFERENCES users(id),
    old_value    TEXT NOT NULL,
    new_value    TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX household_care_log_household ON household_care_log(household_id, id);
