-- Questionnaires (问卷): staff build them for their community; residents answer once.
-- Secrets the server keeps in the database, so that every instance shares them.
CREATE TABLE app_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY,
    community_id    INTEGER NOT NULL REFERENCES regions(id),
    title           TEXT NOT NULL,
    intro           TEXT NOT NULL DEFAULT '',
    -- Anonymous: no account id is stored with the answers, only the keyed hash below.
    anonymous       INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    opens_at        INTEGER NOT NULL,
    closes_at       INTEGER NOT NULL,
    closed_early_at INTEGER,
    created_by      INTEGER NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (created_by, idempotency_key),
    CHECK (closes_at > opens_at)
);
CREATE INDEX surveys_community ON surveys(community_id, closes_at);

CREATE TABLE survey_questions (
    id        INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'scale', 'text')),
    prompt    TEXT NOT NULL,
    required  INTEGER NOT NULL CHECK (required IN (0, 1)),
    -- One option per line (single and multiple choice).
    options   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_questions_survey ON survey_questions(survey_id, position);

CREATE TABLE survey_responses (
    id             INTEGER PRIMARY KEY,
    survey_id      INTEGER NOT NULL REFERENCES surveys(id),
    -- NULL for an anonymous survey.
    respondent_id  INTEGER REFERENCES users(id),
    -- HMAC-SHA256(server secret, survey, account): one answer per resident, even anonymous.
    respondent_key TEXT NOT NULL,
    -- Anonymous: the day only, so the time cannot single anyone out.
    created_at     INTEGER NOT NULL,
    UNIQUE (survey_id, respondent_key)
);

CREATE TABLE survey_answers (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES survey_responses(id),
    question_id INTEGER NOT NULL REFERENCES survey_questions(id),
    -- The option's index (one row per ticked option), or 1–5 on a scale.
    choice      INTEGER,
    text        TEXT
);
CREATE INDEX survey_answers_response ON survey_answers(response_id);
CREATE INDEX survey_answers_question ON survey_answers(question_id);
