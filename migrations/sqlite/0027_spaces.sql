-- The station's rooms and things residents may book (场地和物品预约, issue 16): the activity
-- room, the meeting room, the shared tool cabinet, the emergency kit. Capacity is taken by
-- conditional updates of a per-space grid slot, as appointments' are, so it holds across
-- server instances. Written only by `spaces`.
CREATE TABLE spaces (
    id          INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    code        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('room', 'thing')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    about       TEXT NOT NULL DEFAULT '',
    -- Bookings at one time (a room: 1; the tool cabinet: its sets).
    capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 20),
    max_hours   INTEGER NOT NULL CHECK (max_hours BETWEEN 1 AND 8),
    -- 1: a booking waits for the station's approval (and holds its place meanwhile).
    approval    INTEGER NOT NULL CHECK (approval IN (0, 1)),
    retired_at  INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (community_id, code)
);

-- A 30-minute grid slot of a space, made when first booked. `taken` rises only by a
-- conditional update.
CREATE TABLE space_slots (
    space_id  INTEGER NOT NULL REFERENCES spaces(id),
    starts_at INTEGER NOT NULL,
    capacity  INTEGER NOT NULL CHECK (capacity > 0),
    taken     INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (space_id, starts_at),
    CHECK (taken <= capacity)
);

CREATE TABLE space_bookings (
    id              INTEGER PRIMARY KEY,
    space_id        INTEGER NOT NULL REFERENCES spaces(id),
    community_id    INTEGER NOT NULL REFERENCES regions(id),
    resident_id     INTEGER NOT NULL REFERENCES users(id),
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    -- The Beijing date, for the one-per-space-per-day rule.
    day             TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    people          INTEGER NOT NULL CHECK (people BETWEEN 1 AND 200),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'cancelled')),
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      INTEGER REFERENCES users(id),
    decision_note   TEXT NOT NULL DEFAULT '',
    cancelled_at    INTEGER,
    UNIQUE (resident_id, idempotency_key)
);
CREATE INDEX space_bookings_resident ON space_bookings(resident_id, starts_at);
-- The station's desk: what waits for approval, and what is coming, by start.
CREATE INDEX space_bookings_community ON space_bookings(community_id, starts_at);
-- Two tabs cannot hold the same space twice on one day.
CREATE UNIQUE INDEX space_bookings_one_a_day ON space_bookings(resident_id, space_id, day)
    WHERE status IN ('pending', 'approved');
