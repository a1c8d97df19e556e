-- Staff accounts are made in the browser (issue 15): the change log names those changes too.
ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_what_check;
ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_what_check CHECK (what IN ('grid_area', 'building', 'staff',
    'duty', 'director', 'department', 'partner', 'affair', 'contact'));
-- A unit's staff list, a page at a time.
CREATE INDEX users_staff ON users(region_id, id) WHERE role <> 'resident';
