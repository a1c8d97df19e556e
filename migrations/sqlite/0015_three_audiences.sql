-- Who may see a demand (issue 13): 'private' (the resident and the station), 'community'
-- (residents of its community: what "public" promised in the app), 'public' (anyone,
-- other systems through Open311 included). A demand posted as "public" in the app was
-- promised to the community only: it becomes 'community'; requests that came in through
-- Open311 were public from the start and stay so. SQLite cannot change a CHECK in place: a
-- new column with the new rule replaces the old one under the same name.
DROP INDEX demands_public;
ALTER TABLE demands ADD COLUMN audience TEXT NOT NULL DEFAULT 'private'
    CHECK (audience IN ('private', 'community', 'public'));
UPDATE demands SET audience = CASE
    WHEN visibility = 'private' THEN 'private'
    WHEN channel = 'open311' THEN 'public'
    ELSE 'community' END;
ALTER TABLE demands DROP COLUMN visibility;
ALTER TABLE demands RENAME COLUMN audience TO visibility;
CREATE INDEX demands_public ON demands(community_id, visibility, created_at, id);
