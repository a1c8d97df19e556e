-- Claiming a station-made record (issue 13): a resident record made at the window (or by
-- the history) has no password; registering with its phone takes it over only with the
-- code station staff handed the resident. One live code per record, stored hashed, single
-- use, with an expiry and a budget of wrong tries.
CREATE TABLE claim_codes (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    issued_by  INTEGER NOT NULL REFERENCES users(id),
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    tries_left INTEGER NOT NULL CHECK (tries_left >= 0)
);
