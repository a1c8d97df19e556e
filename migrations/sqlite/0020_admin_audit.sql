-- Every administrative change (who, what, before and after), shown to the community's
-- stationmaster and the admins above it. Written only by the `setup` feature.
CREATE TABLE admin_audit (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    region_id  INTEGER NOT NULL REFERENCES regions(id),
    what       TEXT NOT NULL CHECK (what IN ('grid_area', 'building')),
    subject    TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT NOT NULL,
    at         INTEGER NOT NULL
);
-- A community's change log, newest first, a page at a time.
CREATE INDEX admin_audit_region ON admin_audit(region_id, id);
