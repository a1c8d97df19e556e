-- A notice's photos and PDF attachments (issue 16). Photos are the photos feature's, as a
-- demand's or a thread's are; PDFs are the notices feature's own. Both are kept across a
-- failed try of the publish form by its idempotency key, and attached in its transaction.
ALTER TABLE photos ADD COLUMN notice_id INTEGER REFERENCES notices(id);
CREATE INDEX photos_notice ON photos(notice_id);

-- Written only by `notices`.
CREATE TABLE notice_files (
    id         INTEGER PRIMARY KEY,
    notice_id  INTEGER REFERENCES notices(id),
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    upload_key TEXT NOT NULL,
    -- The file's name as uploaded, cleaned (no path, no control characters, ends in .pdf).
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notice_files_notice ON notice_files(notice_id);
CREATE INDEX notice_files_upload ON notice_files(owner_id, upload_key);
CREATE INDEX notice_files_unsent ON notice_files(created_at) WHERE notice_id IS NULL;
