-- Smart intake (issue 17): the demands lately filed under each affair teach its
-- suggestions, one index range per affair.
CREATE INDEX demands_affair ON demands(community_id, affair_id, id);
-- A post that chose no affair is filed under the best match for its text: marked, so the
-- requester can change it in one tap and the suggestions never learn from their own guess.
ALTER TABLE demands ADD COLUMN affair_matched INTEGER NOT NULL DEFAULT 0 CHECK (affair_matched IN (0, 1));
