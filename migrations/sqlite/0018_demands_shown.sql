-- The community's demands shown to its residents ('community' and 'public'), newest first,
-- a page at a time (issue 13 split 'public' in two): one range of one index, in order.
CREATE INDEX demands_shown ON demands(community_id, created_at, id) WHERE visibility <> 'private';
