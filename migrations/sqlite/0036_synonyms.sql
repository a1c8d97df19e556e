-- Residents' words for the station's words, added by stations (issue 17): one group a row,
-- its words space-separated, the first the group's head. Shared by the district (the
-- segmenter is one, and a lift is a lift in the next community too); who added and who
-- retired each is kept beside it. A retired group stops counting; its row stays.
CREATE TABLE synonym_groups (
    id           INTEGER PRIMARY KEY,
    words        TEXT NOT NULL,
    region_id    INTEGER NOT NULL REFERENCES regions(id),
    added_by     INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    retired_by   INTEGER REFERENCES users(id),
    retired_at   INTEGER
);
-- The same group twice is one group (a retired one may be added again).
CREATE UNIQUE INDEX synonym_groups_words ON synonym_groups(words) WHERE retired_at IS NULL;
