-- Supervision from above (督办, issue 16): a subdistrict's or the district's admin urges a
-- station on a case, with a date by which the station must answer. Written only by
-- `supervision`; the case's timeline gets the events through `work`.
CREATE TABLE urges (
    id           INTEGER PRIMARY KEY,
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    -- The subdistrict or district that urged.
    unit_id      INTEGER NOT NULL REFERENCES regions(id),
    urged_by     INTEGER NOT NULL REFERENCES users(id),
    note         TEXT NOT NULL,
    answer_by    INTEGER NOT NULL,
    answered_at  INTEGER,
    answered_by  INTEGER REFERENCES users(id),
    answer       TEXT,
    created_at   INTEGER NOT NULL,
    CHECK ((answered_at IS NULL) = (answer IS NULL))
);
CREATE INDEX urges_item ON urges(work_item_id, id);
-- One waiting urge per case: two admins urging at once, or a retried form, make one.
CREATE UNIQUE INDEX urges_waiting ON urges(work_item_id) WHERE answered_at IS NULL;
-- The dashboard's department assessment: the period's whistles.
CREATE INDEX whistles_summoned ON whistles(summoned_at);
-- The supervision list's badly rated cases, newest first.
CREATE INDEX ratings_bad ON ratings(work_item_id) WHERE overall <= 2;
