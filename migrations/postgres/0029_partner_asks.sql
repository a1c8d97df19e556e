-- The residents' partner directory (issue 16): a partner's opening hours, and the partner a
-- resident asked for when filing ("向它求助"); the station hands the case to it.
ALTER TABLE partners ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE demands ADD COLUMN asked_partner_id BIGINT REFERENCES partners(id);
