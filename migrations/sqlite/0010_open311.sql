-- Open311 GeoReport v2: client systems (hotlines, district platforms, apps) hold API keys,
-- stored as SHA-256; revoked keys stay for the record.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- POSTs per key per minute, shared by every server instance (the rate limit).
CREATE TABLE api_key_usage (
    key_id INTEGER NOT NULL REFERENCES api_keys(id),
    minute INTEGER NOT NULL,
    posts  INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute)
);

-- What an Open311 client sent with a request beyond the demand itself. The contact fields
-- are kept for the station and never appear in any GET.
CREATE TABLE open311_requests (
    demand_id      INTEGER PRIMARY KEY REFERENCES demands(id),
    key_id         INTEGER NOT NULL REFERENCES api_keys(id),
    token          TEXT NOT NULL UNIQUE,
    -- Same key, same content within ten minutes: a retry, answered with the same request.
    fingerprint    TEXT NOT NULL,
    lat            REAL,
    long           REAL,
    address_string TEXT NOT NULL DEFAULT '',
    address_id     TEXT NOT NULL DEFAULT '',
    media_url      TEXT,
    email          TEXT NOT NULL DEFAULT '',
    device_id      TEXT NOT NULL DEFAULT '',
    account_id     TEXT NOT NULL DEFAULT '',
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL
);
CREATE INDEX open311_requests_fingerprint ON open311_requests(fingerprint);
