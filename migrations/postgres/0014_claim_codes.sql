-- Claiming a station-made record (issue 13): a resident record made at the window (or by
-- the history) has no password; registering with its phone takes it over only with the
-- code station staff handed the resident. One live code per record, stored hashed, single
-- use, with an expiry and a budget of wrong tries.
CREATE TABLE claim_codes (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    issued_by  BIGINT NOT NULL REFERENCES users(id),
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    tries_left BIGINT NOT NULL CHECK (tries_left >= 0)
);
