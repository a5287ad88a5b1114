-- The answers to the satisfaction questionnaire of closed requests, one
-- per request, with the service and department the request had when
-- answered (what the statistics group them by). A request's anonymisation
-- blanks the comment and keeps the marks.
CREATE TABLE satisfaction_answers (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    request_id   INTEGER NOT NULL UNIQUE REFERENCES requests(id),
    service_code TEXT NOT NULL,
    department   TEXT NOT NULL,
    overall      INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    delay        INTEGER NOT NULL CHECK (delay BETWEEN 1 AND 5),
    clarity      INTEGER NOT NULL CHECK (clarity BETWEEN 1 AND 5),
    comment      TEXT,
    -- Unix seconds
    answered_at  INTEGER NOT NULL
);
CREATE INDEX satisfaction_by_time ON satisfaction_answers(tenant_id, answered_at);
