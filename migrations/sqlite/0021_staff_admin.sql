-- Staff accounts are made in the browser (issue 15): the change log names those changes
-- too. SQLite cannot change a CHECK, so the log is rebuilt with the longer list (nothing
-- references it).
ALTER TABLE admin_audit RENAME TO admin_audit_before_0021;
DROP INDEX admin_audit_region;
CREATE TABLE admin_audit (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    region_id  INTEGER NOT NULL REFERENCES regions(id),
    what       TEXT NOT NULL CHECK (what IN ('grid_area', 'building', 'staff', 'duty', 'director',
                   'department', 'partner', 'affair', 'contact')),
    subject    TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT NOT NULL,
    at         INTEGER NOT NULL
);
INSERT INTO admin_audit (id, actor_id, region_id, what, subject, old_value, new_value, at)
    SELECT id, actor_id, region_id, what, subject, old_value, new_value, at FROM admin_audit_before_0021;
DROP TABLE admin_audit_before_0021;
CREATE INDEX admin_audit_region ON admin_audit(region_id, id);
-- A unit's staff list, a page at a time.
CREATE INDEX users_staff ON users(region_id, id) WHERE role <> 'resident';
