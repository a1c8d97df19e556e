-- Reaching residents outside the app (issue 18): Web Push and SMS beside the in-app inbox.

-- The site's VAPID key pair (RFC 8292): made once by whichever instance needs it first,
-- so that every instance signs with the same key and subscriptions keep working.
CREATE TABLE push_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    -- Base64url: the P-256 private scalar, and the public point the browsers subscribe with.
    private_key TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- One browser on one device that agreed to receive pushes for an account.
CREATE TABLE push_subscriptions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    endpoint    TEXT NOT NULL UNIQUE,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    -- What the person sees in the list of their devices ("Android · Chrome").
    device      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    last_ok_at  INTEGER
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);

-- An account's choices that differ from the defaults: one row per topic and channel.
CREATE TABLE reach_choices (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    topic       TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('push', 'sms')),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (user_id, topic, channel)
);

-- SMS only (elderly residents, chosen by them or a confirmed family member).
CREATE TABLE reach_settings (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    sms_only    INTEGER NOT NULL CHECK (sms_only IN (0, 1)),
    set_by      INTEGER NOT NULL REFERENCES users(id),
    updated_at  INTEGER NOT NULL
);

-- The delivery queue: one row per notification and outside channel. Any instance may take
-- a due row by setting its lease; only the lease's holder records the outcome.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    work_item_id  INTEGER REFERENCES work_items(id),
    channel       TEXT NOT NULL CHECK (channel IN ('push', 'sms')),
    kind          TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    link          TEXT,
    -- Emergencies: no quiet hours, no daily cap.
    urgent        INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    state         TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'dropped', 'skipped')),
    -- Why it was deferred, dropped or skipped, or the last error (never personal data).
    reason        TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    due_at        INTEGER NOT NULL,
    lease_until   INTEGER,
    lease_token   TEXT,
    sent_at       INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(due_at) WHERE state = 'queued';
CREATE INDEX deliveries_item ON deliveries(work_item_id, id) WHERE work_item_id IS NOT NULL;
CREATE INDEX deliveries_user ON deliveries(user_id, id);
-- The log is kept as long as cases keep their personal fields (RETENTION_DAYS), then purged
-- oldest first by this index.
CREATE INDEX deliveries_created ON deliveries(created_at);

-- Notice SMS sent to an account on a Beijing day: the daily cap is a conditional update
-- here, so two instances cannot both send the last one allowed.
CREATE TABLE sms_quota (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    day      INTEGER NOT NULL,
    sent     INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);
