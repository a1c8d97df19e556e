-- Deliberation threads (议事): discussion with stances, supports and a threshold, station
-- review as an autonomy-project work item, milestones, consultation meetings, moderation.

-- Per-community settings. NULL threshold: the default rule, max(10, 5% of households).
CREATE TABLE community_settings (
    community_id      INTEGER PRIMARY KEY REFERENCES regions(id),
    support_threshold INTEGER CHECK (support_threshold IS NULL OR support_threshold > 0),
    updated_by        INTEGER REFERENCES users(id),
    updated_at        INTEGER NOT NULL
);

-- A blocked resident can read but not post until this time.
ALTER TABLE users ADD COLUMN posting_blocked_until INTEGER;
ALTER TABLE users ADD COLUMN posting_block_reason TEXT;

-- Where a notification leads when it is not about a demand (a thread, a meeting).
ALTER TABLE notifications ADD COLUMN link TEXT;

CREATE TABLE threads (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES regions(id),
    author_id        INTEGER NOT NULL REFERENCES users(id),
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    topic            TEXT NOT NULL CHECK (topic IN ('environment', 'safety', 'facilities', 'elderly_care', 'culture', 'other')),
    state            TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'review', 'adopted', 'merged', 'declined')),
    -- Counters kept in step with their tables inside the same transactions.
    supports         INTEGER NOT NULL DEFAULT 0,
    comments         INTEGER NOT NULL DEFAULT 0,
    -- The threshold in force when it was reached.
    reached_threshold INTEGER,
    work_item_id     INTEGER REFERENCES work_items(id),
    merged_into      INTEGER REFERENCES threads(id),
    answer           TEXT NOT NULL DEFAULT '',
    answered_at      INTEGER,
    answered_by      INTEGER REFERENCES users(id),
    -- Unreviewed flags; at the limit the thread is hidden pending review.
    flags            INTEGER NOT NULL DEFAULT 0,
    hidden           TEXT CHECK (hidden IN ('flags', 'moderator')),
    idempotency_key  TEXT NOT NULL,
    last_activity_at INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (author_id, idempotency_key)
);
CREATE INDEX threads_community ON threads(community_id, last_activity_at);
CREATE INDEX threads_author ON threads(author_id, created_at);

ALTER TABLE photos ADD COLUMN thread_id INTEGER REFERENCES threads(id);
CREATE INDEX photos_thread ON photos(thread_id);

CREATE TABLE thread_comments (
    id              INTEGER PRIMARY KEY,
    thread_id       INTEGER NOT NULL REFERENCES threads(id),
    parent_id       INTEGER REFERENCES thread_comments(id),
    depth           INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 3),
    author_id       INTEGER NOT NULL REFERENCES users(id),
    stance          TEXT NOT NULL CHECK (stance IN ('support', 'oppose', 'neutral')),
    body            TEXT NOT NULL,
    flags           INTEGER NOT NULL DEFAULT 0,
    hidden          TEXT CHECK (hidden IN ('flags', 'moderator')),
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    edited_at       INTEGER,
    deleted_at      INTEGER,
    UNIQUE (author_id, idempotency_key)
);
CREATE INDEX thread_comments_thread ON thread_comments(thread_id, id);
CREATE INDEX thread_comments_author ON thread_comments(author_id, created_at);

CREATE TABLE thread_supports (
    thread_id  INTEGER NOT NULL REFERENCES threads(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

CREATE TABLE flags (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('thread', 'comment')),
    target_id    INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    reason       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    reviewed_at  INTEGER,
    UNIQUE (target_kind, target_id, user_id)
);
CREATE INDEX flags_queue ON flags(community_id, reviewed_at);

-- The station's plan for an adopted project.
CREATE TABLE thread_milestones (
    id         INTEGER PRIMARY KEY,
    thread_id  INTEGER NOT NULL REFERENCES threads(id),
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    done_at    INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
CREATE INDEX thread_milestones_thread ON thread_milestones(thread_id, position);

-- Consultation meetings (居民议事会): offline continuation of a thread.
CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES threads(id),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    place       TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    -- Confirmed places taken; raised only by a conditional update (never past capacity).
    taken       INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    minutes     TEXT NOT NULL DEFAULT '',
    decision    TEXT NOT NULL DEFAULT '',
    minutes_at  INTEGER,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    CHECK (taken <= capacity),
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_thread ON meetings(thread_id);

CREATE TABLE meeting_signups (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    status     TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlist', 'cancelled')),
    -- Waitlist order: when they (last) asked for a place.
    queued_at  INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);
