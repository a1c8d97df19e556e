-- Issue 15: admins add and rename communities and subdistricts in the browser (the change
-- log names those changes too), stations publish their phone and address, and a subdistrict
-- keeps one partner directory for all its communities (a partner's community_id may be the
-- subdistrict's region). SQLite cannot change a CHECK, so the log is rebuilt again.
ALTER TABLE admin_audit RENAME TO admin_audit_before_0023;
DROP INDEX admin_audit_region;
CREATE TABLE admin_audit (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    region_id  INTEGER NOT NULL REFERENCES regions(id),
    what       TEXT NOT NULL CHECK (what IN ('grid_area', 'building', 'staff', 'duty', 'director',
                   'department', 'partner', 'affair', 'contact', 'region')),
    subject    TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT NOT NULL,
    at         INTEGER NOT NULL
);
INSERT INTO admin_audit (id, actor_id, region_id, what, subject, old_value, new_value, at)
    SELECT id, actor_id, region_id, what, subject, old_value, new_value, at FROM admin_audit_before_0023;
DROP TABLE admin_audit_before_0023;
CREATE INDEX admin_audit_region ON admin_audit(region_id, id);
-- The station's public phone and address (office lines, not personal data).
ALTER TABLE community_settings ADD COLUMN station_phone TEXT;
ALTER TABLE community_settings ADD COLUMN station_address TEXT;
