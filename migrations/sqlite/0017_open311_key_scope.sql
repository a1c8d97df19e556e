-- Each Open311 key files into one region (issue 13): a community, or every community of a
-- subdistrict or of the district. NULL: the whole deployment (keys made before scopes, and
-- by the command line without --scope). Admins manage the keys of their own region.
ALTER TABLE api_keys ADD COLUMN region_id INTEGER REFERENCES regions(id);
