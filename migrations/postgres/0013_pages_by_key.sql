-- Pages by key (issue 12): every list that grows is read a page at a time below the last
-- line's (key, id), newest first; each index ends with the id so the page is one range.
DROP INDEX demands_public;
CREATE INDEX demands_public ON demands(community_id, visibility, created_at, id);

-- Threads in each of the list's orders: newest, most active, most supported.
DROP INDEX threads_newest;
DROP INDEX threads_community;
CREATE INDEX threads_newest ON threads(community_id, created_at, id);
CREATE INDEX threads_active ON threads(community_id, last_activity_at, id);
CREATE INDEX threads_supported ON threads(community_id, supports, id);
-- The moderation desk's threads in review, and merge targets.
CREATE INDEX threads_state ON threads(community_id, state, id);

-- The latest public word on each item (Open311 lists, up to 1,000 items a request): found
-- in the index alone, without reading every event of every item.
CREATE INDEX work_events_public_notes ON work_events(work_item_id, id) WHERE public = 1 AND note <> '';

-- An Open311 retry is found by its fingerprint, the newest first: the index answers both,
-- so no plan can prefer walking every request backwards (a cached plan made while the table
-- was empty did exactly that on PostgreSQL, and each post then read all earlier ones).
DROP INDEX open311_requests_fingerprint;
CREATE INDEX open311_requests_fingerprint ON open311_requests(fingerprint, demand_id);
