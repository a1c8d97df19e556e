-- Who looked at whose personal data, when and why (issue 13). Overseers and department
-- liaisons see a requester's contact masked; showing it in full is an explicit act with a
-- reason, recorded here, which the resident will be shown (the identity issue).
CREATE TABLE personal_data_reads (
    id           BIGSERIAL PRIMARY KEY,
    reader_id    BIGINT NOT NULL REFERENCES users(id),
    subject_id   BIGINT NOT NULL REFERENCES users(id),
    work_item_id BIGINT NOT NULL REFERENCES work_items(id),
    reason       TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX personal_data_reads_subject ON personal_data_reads(subject_id, id);
CREATE INDEX personal_data_reads_reader ON personal_data_reads(reader_id, work_item_id, created_at);
