-- Station appointments (预约): opening hours, closed days, a grid of slots with capacity,
-- bookings with their no-shows; volunteer activities (志愿活动) with sign-ups and hours.

-- How long an appointment for the affair takes (whole 30-minute grid slots).
ALTER TABLE affairs ADD COLUMN slot_minutes INTEGER NOT NULL DEFAULT 30 CHECK (slot_minutes IN (30, 60, 90, 120));
-- Places per grid slot: the general social workers on duty. NULL: count them.
ALTER TABLE community_settings ADD COLUMN slot_capacity INTEGER CHECK (slot_capacity IS NULL OR slot_capacity > 0);

-- Opening hours (Beijing time), one or more periods per weekday (0 = Monday). A community
-- without rows uses the default hours.
CREATE TABLE station_hours (
    community_id INTEGER NOT NULL REFERENCES regions(id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens        TEXT NOT NULL,
    closes       TEXT NOT NULL,
    PRIMARY KEY (community_id, weekday, opens)
);

CREATE TABLE closed_days (
    community_id INTEGER NOT NULL REFERENCES regions(id),
    day          TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, day)
);

-- A grid slot, made when first booked. `taken` rises only by a conditional update.
CREATE TABLE appointment_slots (
    community_id INTEGER NOT NULL REFERENCES regions(id),
    starts_at    INTEGER NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    taken        INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (community_id, starts_at),
    CHECK (taken <= capacity)
);

CREATE TABLE appointments (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES regions(id),
    resident_id     INTEGER NOT NULL REFERENCES users(id),
    booked_by       INTEGER NOT NULL REFERENCES users(id),
    affair_id       INTEGER REFERENCES affairs(id),
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    -- The Beijing date, for the one-per-affair-per-day rule.
    day             TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'arrived', 'no_show')),
    walk_in         INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1)),
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    cancelled_at    INTEGER,
    marked_at       INTEGER,
    marked_by       INTEGER REFERENCES users(id),
    work_item_id    INTEGER REFERENCES work_items(id),
    UNIQUE (booked_by, idempotency_key)
);
CREATE INDEX appointments_resident ON appointments(resident_id, starts_at);
CREATE INDEX appointments_day ON appointments(community_id, starts_at);
-- Two tabs cannot book the same affair twice on one day.
CREATE UNIQUE INDEX appointments_one_per_affair_day ON appointments(resident_id, affair_id, day) WHERE status = 'booked';
