-- Foundation: hierarchy, accounts, sessions, throttling, form drafts.
-- Timestamps are UTC milliseconds since the epoch (BIGINT on PostgreSQL): identical
-- arithmetic and ordering on both backends. Flags are 0/1 integers for the same reason.

CREATE TABLE regions (
    id        INTEGER PRIMARY KEY,
    level     TEXT NOT NULL CHECK (level IN ('district', 'subdistrict', 'community')),
    code      TEXT NOT NULL UNIQUE,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    parent_id INTEGER REFERENCES regions(id),
    CHECK ((level = 'district') = (parent_id IS NULL))
);
CREATE INDEX regions_parent ON regions(parent_id);

CREATE TABLE grid_areas (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    code         TEXT NOT NULL,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    director_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (community_id, code)
);

CREATE TABLE buildings (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    grid_area_id INTEGER NOT NULL REFERENCES grid_areas(id),
    code         TEXT NOT NULL,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    households   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (community_id, code)
);
CREATE INDEX buildings_area ON buildings(grid_area_id);

CREATE TABLE departments (
    id             INTEGER PRIMARY KEY,
    subdistrict_id INTEGER NOT NULL REFERENCES regions(id),
    code           TEXT NOT NULL,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    UNIQUE (subdistrict_id, code)
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    phone               TEXT NOT NULL UNIQUE,
    -- NULL for a record staff created for a walk-in resident who has not registered yet.
    password_hash       TEXT,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('resident', 'social_worker', 'dispatcher',
                            'stationmaster', 'department', 'subdistrict_admin', 'district_admin')),
    region_id           INTEGER NOT NULL REFERENCES regions(id),
    department_id       INTEGER REFERENCES departments(id),
    building_id         INTEGER REFERENCES buildings(id),
    unit_no             TEXT,
    room                TEXT,
    lang                TEXT,
    elder               INTEGER NOT NULL DEFAULT 0 CHECK (elder IN (0, 1)),
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER,
    disabled_at         INTEGER
);
CREATE INDEX users_region ON users(region_id, role);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a copy of this table does not let anyone log in.
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    user_agent   TEXT,
    ip           TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins, per phone and per client address, for throttling across instances.
CREATE TABLE auth_failures (
    id   INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX auth_failures_key ON auth_failures(kind, key, at);

-- What a person typed into a form that came back with errors without JavaScript: kept
-- server-side (not in the URL) under a random id held in the browser's cookie.
CREATE TABLE form_drafts (
    draft_hash TEXT NOT NULL,
    form       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (draft_hash, form)
);
