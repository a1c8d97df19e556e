-- The affairs catalogue template of a district or subdistrict (issue 15), pushed to the
-- communities below it: each community's affair with the code follows its template
-- (template_id); a subdistrict's template wins over the district's. Written only by the
-- `affairs` feature.
CREATE TABLE affair_templates (
    id               INTEGER PRIMARY KEY,
    region_id        INTEGER NOT NULL REFERENCES regions(id),
    code             TEXT NOT NULL,
    family           TEXT NOT NULL CHECK (family IN ('party', 'government', 'life', 'public')),
    category         TEXT NOT NULL CHECK (category IN ('party_building', 'social_security', 'assistance',
                         'elderly_disability', 'certificates', 'daily_life', 'volunteering')),
    mode             TEXT NOT NULL CHECK (mode IN ('on_the_spot', 'submit_upward', 'referral')),
    response_hours   INTEGER NOT NULL CHECK (response_hours > 0),
    completion_hours INTEGER NOT NULL CHECK (completion_hours > 0),
    served_by_zh     TEXT NOT NULL,
    served_by_en     TEXT NOT NULL,
    name_zh          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    description_zh   TEXT NOT NULL,
    description_en   TEXT NOT NULL,
    documents_zh     TEXT NOT NULL,
    documents_en     TEXT NOT NULL,
    keywords         TEXT NOT NULL DEFAULT '',
    updated_by       INTEGER NOT NULL REFERENCES users(id),
    updated_at       INTEGER NOT NULL,
    UNIQUE (region_id, code)
);
ALTER TABLE affairs ADD COLUMN template_id INTEGER REFERENCES affair_templates(id);
-- How many communities follow (and hide) a template affair.
CREATE INDEX affairs_template ON affairs(template_id) WHERE template_id IS NOT NULL;
