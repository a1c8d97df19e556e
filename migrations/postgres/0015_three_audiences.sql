-- Who may see a demand (issue 13): 'private' (the resident and the station), 'community'
-- (residents of its community: what "public" promised in the app), 'public' (anyone,
-- other systems through Open311 included). A demand posted as "public" in the app was
-- promised to the community only: it becomes 'community'; requests that came in through
-- Open311 were public from the start and stay so.
ALTER TABLE demands DROP CONSTRAINT demands_visibility_check;
UPDATE demands SET visibility = 'community' WHERE visibility = 'public' AND channel <> 'open311';
ALTER TABLE demands ADD CONSTRAINT demands_visibility_check CHECK (visibility IN ('private', 'community', 'public'));
