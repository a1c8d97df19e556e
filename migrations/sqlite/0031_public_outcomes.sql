-- Outcomes the station chooses to show the public (办理结果公开, issue 16): one line per
-- resolved case, written by the station without anything personal, listed on /transparency.
-- Written only by `transparency`.
CREATE TABLE public_outcomes (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES regions(id),
    work_item_id INTEGER NOT NULL UNIQUE REFERENCES work_items(id),
    summary      TEXT NOT NULL,
    chosen_by    INTEGER NOT NULL REFERENCES users(id),
    chosen_at    INTEGER NOT NULL
);
CREATE INDEX public_outcomes_community ON public_outcomes(community_id, chosen_at);
