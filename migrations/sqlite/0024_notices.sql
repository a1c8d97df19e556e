-- Notices (社区公告 / 居务公开, issue 16): a station publishes to its community (or a grid
-- area, or a building), a subdistrict to all its communities; residents' reads are kept so
-- the station sees who has not seen an emergency notice. Written only by `notices`.
CREATE TABLE notices (
    id              INTEGER PRIMARY KEY,
    region_id       INTEGER NOT NULL REFERENCES regions(id),
    category        TEXT NOT NULL CHECK (category IN ('announcement', 'disclosure', 'emergency', 'event')),
    audience        TEXT NOT NULL CHECK (audience IN ('everyone', 'grid_area', 'building')),
    grid_area_id    INTEGER REFERENCES grid_areas(id),
    building_id     INTEGER REFERENCES buildings(id),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    pinned_until    INTEGER,
    published_by    INTEGER NOT NULL REFERENCES users(id),
    published_at    INTEGER NOT NULL,
    withdrawn_at    INTEGER,
    idempotency_key TEXT NOT NULL UNIQUE,
    CHECK ((audience = 'grid_area') = (grid_area_id IS NOT NULL)),
    CHECK ((audience = 'building') = (building_id IS NOT NULL))
);
-- A community's (and its subdistrict's) notices, newest first, a page at a time.
CREATE INDEX notices_region ON notices(region_id, id);
CREATE TABLE notice_reads (
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    read_at   INTEGER NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);
-- Read counts building by building: a building's residents.
CREATE INDEX users_building ON users(building_id) WHERE building_id IS NOT NULL;
