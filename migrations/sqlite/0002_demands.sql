-- Demands become station work items: the affairs menu, partners, demands with photos,
-- work items with their events, case notes, whistles, hand-offs, notifications, family links.

ALTER TABLE users ADD COLUMN on_duty INTEGER NOT NULL DEFAULT 1 CHECK (on_duty IN (0, 1));

CREATE TABLE affairs (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES regions(id),
    code             TEXT NOT NULL,
    family           TEXT NOT NULL CHECK (family IN ('party', 'government', 'life', 'public')),
    category         TEXT NOT NULL CHECK (category IN ('party_building', 'social_security', 'assistance',
                         'elderly_disability', 'certificates', 'daily_life', 'volunteering')),
    mode             TEXT NOT NULL CHECK (mode IN ('on_the_spot', 'submit_upward', 'referral')),
    response_hours   INTEGER NOT NULL CHECK (response_hours > 0),
    completion_hours INTEGER NOT NULL CHECK (completion_hours > 0),
    served_by_zh     TEXT NOT NULL,
    served_by_en     TEXT NOT NULL,
    name_zh          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    description_zh   TEXT NOT NULL,
    description_en   TEXT NOT NULL,
    documents_zh     TEXT NOT NULL,
    documents_en     TEXT NOT NULL,
    keywords         TEXT NOT NULL DEFAULT '',
    -- Lower-cased names, descriptions and keywords in both languages: substring search.
    search_text      TEXT NOT NULL,
    retired_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (community_id, code)
);
CREATE INDEX affairs_family ON affairs(community_id, family);

CREATE TABLE partners (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    kind         TEXT NOT NULL CHECK (kind IN ('agency', 'handy_help', 'institute', 'voluntary')),
    code         TEXT NOT NULL,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    serves_zh    TEXT NOT NULL,
    serves_en    TEXT NOT NULL,
    phone        TEXT NOT NULL,
    address      TEXT NOT NULL,
    UNIQUE (community_id, code)
);

CREATE TABLE demands (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES regions(id),
    -- The resident it is for, and who filed it (the same, a family member, or staff).
    requester_id    INTEGER NOT NULL REFERENCES users(id),
    filed_by_id     INTEGER NOT NULL REFERENCES users(id),
    channel         TEXT NOT NULL CHECK (channel IN ('app', 'walk_in', 'phone', 'open311')),
    affair_id       INTEGER REFERENCES affairs(id),
    description     TEXT NOT NULL,
    place           TEXT NOT NULL CHECK (place IN ('home', 'building', 'public_area')),
    building_id     INTEGER REFERENCES buildings(id),
    place_detail    TEXT NOT NULL DEFAULT '',
    urgency         TEXT NOT NULL CHECK (urgency IN ('normal', 'emergency')),
    visibility      TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
    contact_time    TEXT NOT NULL DEFAULT '',
    -- A double tap, a retry or a back-and-resubmit carries the same key: one demand.
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (filed_by_id, idempotency_key)
);
CREATE INDEX demands_requester ON demands(requester_id, created_at);
CREATE INDEX demands_public ON demands(community_id, visibility, created_at);

-- Photos live in the database so that every server instance sees them.
CREATE TABLE photos (
    id         INTEGER PRIMARY KEY,
    demand_id  INTEGER REFERENCES demands(id) ON DELETE CASCADE,
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    -- Until the demand exists: the form's idempotency key (a form sent back with errors
    -- keeps its photos).
    upload_key TEXT NOT NULL,
    mime       TEXT NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    bytes      BLOB NOT NULL,
    thumb      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX photos_demand ON photos(demand_id);
CREATE INDEX photos_upload ON photos(owner_id, upload_key);

CREATE TABLE work_items (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('demand', 'autonomy_project', 'home_visit', 'callback')),
    demand_id          INTEGER UNIQUE REFERENCES demands(id),
    community_id       INTEGER NOT NULL REFERENCES regions(id),
    state              TEXT NOT NULL,
    triage             TEXT NOT NULL CHECK (triage IN ('immediate', 'transfer')),
    triage_reason      TEXT NOT NULL,
    route_reason       TEXT NOT NULL,
    grid_area_id       INTEGER REFERENCES grid_areas(id),
    assignee_id        INTEGER REFERENCES users(id),
    respond_by         INTEGER NOT NULL,
    complete_by        INTEGER NOT NULL,
    first_response_at  INTEGER,
    resolved_at        INTEGER,
    closed_at          INTEGER,
    -- Set once by whichever instance's job flags it first: one urge, never two.
    overdue_flagged_at INTEGER,
    urged_at           INTEGER,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX work_items_board ON work_items(community_id, state);
CREATE INDEX work_items_assignee ON work_items(assignee_id, state);

-- Append-only: every change to a work item.
CREATE TABLE work_events (
    id           INTEGER PRIMARY KEY,
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    actor_id     INTEGER REFERENCES users(id),
    kind         TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT,
    note         TEXT NOT NULL DEFAULT '',
    -- Shown on the resident's timeline (replies, state changes) or staff-only.
    public       INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    created_at   INTEGER NOT NULL
);
CREATE INDEX work_events_item ON work_events(work_item_id, id);

-- Six-step case management: staff-only and confidential.
CREATE TABLE case_notes (
    id           INTEGER PRIMARY KEY,
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    author_id    INTEGER NOT NULL REFERENCES users(id),
    step         TEXT NOT NULL CHECK (step IN ('intake', 'assessment', 'plan', 'execution', 'coordination', 'closure')),
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX case_notes_item ON case_notes(work_item_id, id);

-- 吹哨报到: a department summoned on a work item must check in, then report back.
CREATE TABLE whistles (
    id              INTEGER PRIMARY KEY,
    work_item_id    INTEGER NOT NULL REFERENCES work_items(id),
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    summoned_by     INTEGER NOT NULL REFERENCES users(id),
    summoned_at     INTEGER NOT NULL,
    checkin_by      INTEGER NOT NULL,
    report_by       INTEGER NOT NULL,
    checked_in_at   INTEGER,
    checked_in_by   INTEGER REFERENCES users(id),
    reported_at     INTEGER,
    reported_by     INTEGER REFERENCES users(id),
    report          TEXT,
    late_flagged_at INTEGER,
    UNIQUE (work_item_id, department_id)
);
CREATE INDEX whistles_department ON whistles(department_id, reported_at);

CREATE TABLE handoffs (
    id           INTEGER PRIMARY KEY,
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    partner_id   INTEGER NOT NULL REFERENCES partners(id),
    handed_by    INTEGER NOT NULL REFERENCES users(id),
    handed_at    INTEGER NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    outcome      TEXT,
    outcome_at   INTEGER,
    outcome_by   INTEGER REFERENCES users(id)
);
CREATE INDEX handoffs_item ON handoffs(work_item_id);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    work_item_id INTEGER REFERENCES work_items(id),
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    -- A background job's notification carries a key: several instances, one notification.
    dedupe_key   TEXT UNIQUE,
    created_at   INTEGER NOT NULL,
    read_at      INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);

-- 代办: a resident acts for a family member once the member confirms.
CREATE TABLE family_links (
    id         INTEGER PRIMARY KEY,
    proxy_id   INTEGER NOT NULL REFERENCES users(id),
    member_id  INTEGER NOT NULL REFERENCES users(id),
    state      TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'declined')),
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    UNIQUE (proxy_id, member_id),
    CHECK (proxy_id <> member_id)
);
CREATE INDEX family_links_member ON family_links(member_id, state);
