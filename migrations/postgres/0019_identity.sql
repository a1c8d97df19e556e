-- Identity and personal-data rights (issue 14).

-- SMS verification codes: one row per phone and purpose, replaced on resend (not sooner
-- than a minute after the last), stored hashed, with a budget of tries and an expiry.
CREATE TABLE sms_codes (
    id         BIGSERIAL PRIMARY KEY,
    phone      TEXT NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'reset', 'delete', 'staff_login', 'phone_change')),
    code_hash  TEXT NOT NULL,
    -- Only on demo sites with the log sender, for the "demo" badge; NULL everywhere else.
    demo_code  TEXT,
    sent_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    tries_left BIGINT NOT NULL CHECK (tries_left >= 0),
    used_at    BIGINT,
    UNIQUE (phone, purpose)
);
CREATE INDEX sms_codes_expiry ON sms_codes(expires_at);

-- Consent to the privacy notice, by version: a new version asks again.
CREATE TABLE consents (
    id             BIGSERIAL PRIMARY KEY,
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notice_version TEXT NOT NULL,
    given_at       BIGINT NOT NULL
);
CREATE INDEX consents_user ON consents(user_id, id);

-- Staff devices that passed the second factor, remembered 30 days (the cookie's hash).
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX trusted_devices_user ON trusted_devices(user_id);

-- A deleted account keeps its row (cases and statistics point at it) without a person.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
-- A registered address is unverified until station staff confirm it.
ALTER TABLE users ADD COLUMN address_verified_at BIGINT;
ALTER TABLE users ADD COLUMN address_verified_by BIGINT REFERENCES users(id);

-- The resident's access log shows case-page views of their private demands too, not only
-- contacts shown with a reason; only the latter unmask a contact.
ALTER TABLE personal_data_reads ADD COLUMN what TEXT NOT NULL DEFAULT 'contact' CHECK (what IN ('contact', 'case'));

-- A staff login on a device not yet trusted waits for the SMS code: the session exists
-- but counts for nothing until then.
ALTER TABLE sessions ADD COLUMN pending_second_factor BIGINT NOT NULL DEFAULT 0 CHECK (pending_second_factor IN (0, 1));

-- Retention: a closed case's personal fields are anonymised after a configured period
-- (three years by default); this marks the ones done, and the index finds the next.
ALTER TABLE demands ADD COLUMN anonymised_at BIGINT;
CREATE INDEX work_items_closed ON work_items(closed_at) WHERE closed_at IS NOT NULL;
