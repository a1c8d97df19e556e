-- Smart intake (issue 17): the demands lately filed under each affair teach its
-- suggestions, one index range per affair.
CREATE INDEX demands_affair ON demands(community_id, affair_id, id);
