-- Active discovery (主动发现, issue 16): a case the station found itself on a patrol, a
-- household visit or a call, with no resident reporting it. Counted apart in the rates
-- ("solved before reported"). Written only by `work`.
ALTER TABLE work_items ADD COLUMN found_via TEXT CHECK (found_via IN ('patrol', 'visit', 'call'));
