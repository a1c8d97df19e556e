-- The station as an Open311 client: a department or partner with its own GeoReport v2
-- endpoint. The key is the unit's, for its system: kept as given (it must be sent).
CREATE TABLE open311_links (
    id              INTEGER PRIMARY KEY,
    department_id   INTEGER UNIQUE REFERENCES departments(id),
    partner_id      INTEGER UNIQUE REFERENCES partners(id),
    base_url        TEXT NOT NULL,
    jurisdiction_id TEXT NOT NULL,
    api_key         TEXT NOT NULL,
    service_code    TEXT NOT NULL,
    CHECK ((department_id IS NULL) <> (partner_id IS NULL))
);

-- One row per hand-off (`source` is unique): queued with the whistle or hand-off, sent by
-- the background jobs with retries, then polled for the unit's status.
CREATE TABLE open311_outbox (
    id              INTEGER PRIMARY KEY,
    link_id         INTEGER NOT NULL REFERENCES open311_links(id),
    work_item_id    INTEGER NOT NULL REFERENCES work_items(id),
    source          TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    remote_id       TEXT,
    remote_status   TEXT,
    remote_notes    TEXT,
    next_poll_at    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX open311_outbox_due ON open311_outbox(state, next_attempt_at);
CREATE INDEX open311_outbox_item ON open311_outbox(work_item_id);
