-- Issue 15: admins add and rename communities and subdistricts in the browser (the change
-- log names those changes too), stations publish their phone and address, and a subdistrict
-- keeps one partner directory for all its communities (a partner's community_id may be the
-- subdistrict's region).
ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_what_check;
ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_what_check CHECK (what IN ('grid_area', 'building', 'staff',
    'duty', 'director', 'department', 'partner', 'affair', 'contact', 'region'));
-- The station's public phone and address (office lines, not personal data).
ALTER TABLE community_settings ADD COLUMN station_phone TEXT;
ALTER TABLE community_settings ADD COLUMN station_address TEXT;
