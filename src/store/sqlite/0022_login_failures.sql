-- Failed logins counted per tenant, login and client address, in the
-- store so that every node throttles alike; forgotten once older than the
-- longest wait.
CREATE TABLE login_failures (
    key         TEXT PRIMARY KEY,
    count       INTEGER NOT NULL,
    -- Unix seconds of the last failure.
    last        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_failures_last ON login_failures (last);
