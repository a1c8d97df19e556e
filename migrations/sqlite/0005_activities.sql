-- Volunteer activities (志愿活动) of the public-service family: sign-ups with a waitlist,
-- attendance, and the volunteer hours it credits.
CREATE TABLE activities (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES regions(id),
    title           TEXT NOT NULL,
    category        TEXT NOT NULL CHECK (category IN ('garbage_sorting', 'safety_patrol', 'culture_sports', 'welfare', 'other')),
    description     TEXT NOT NULL DEFAULT '',
    place           TEXT NOT NULL,
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    signup_deadline INTEGER NOT NULL,
    capacity        INTEGER NOT NULL CHECK (capacity > 0),
    taken           INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    -- Volunteer time credited for attending, in minutes.
    credit_minutes  INTEGER NOT NULL CHECK (credit_minutes >= 0),
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    CHECK (taken <= capacity),
    CHECK (ends_at > starts_at)
);
CREATE INDEX activities_community ON activities(community_id, starts_at);

CREATE TABLE activity_signups (
    activity_id      INTEGER NOT NULL REFERENCES activities(id),
    user_id          INTEGER NOT NULL REFERENCES users(id),
    status           TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlist', 'cancelled')),
    queued_at        INTEGER NOT NULL,
    attended_at      INTEGER,
    credited_minutes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX activity_signups_user ON activity_signups(user_id, attended_at);
