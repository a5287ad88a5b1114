-- Calls to the town's software from a workflow step (onEnter <call>):
-- written with the event that causes them, sent signed, retried, answered.
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    request_id      INTEGER NOT NULL REFERENCES requests(id),
    -- [calls.TARGET] of the town's settings.toml
    target          TEXT NOT NULL,
    body_kind       TEXT NOT NULL CHECK (body_kind IN ('json', 'file')),
    -- The step the request entered (what the call announces).
    step            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- pending, answered, failed (given up)
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    -- The answer's HTTP status and when it came.
    status          INTEGER,
    answered_at     TEXT
);
CREATE INDEX calls_due ON calls (state, next_attempt_at);
CREATE INDEX calls_by_request ON calls (request_id);
