-- Exports of requests too large to write while the agent waits: asked
-- from the export page, written by whichever node claims them, their file
-- kept in the blob store until it expires (then the blob sweep takes it).
CREATE TABLE export_jobs (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    agent       TEXT NOT NULL,
    -- the console's filters, as its query string
    filters     TEXT NOT NULL,
    columns     TEXT NOT NULL,
    format      TEXT NOT NULL,
    lang        TEXT NOT NULL,
    -- how many requests the filters selected when asked
    expected    INTEGER NOT NULL,
    -- queued, running, ready, failed, expired
    state       TEXT NOT NULL,
    queued_at   TEXT NOT NULL,
    claimed_at  TEXT,
    finished_at TEXT,
    expires_at  TEXT,
    rows        INTEGER,
    sha256      TEXT,
    size        INTEGER,
    file_name   TEXT,
    error       TEXT
);
CREATE INDEX export_jobs_by_agent ON export_jobs (tenant_id, agent, id);
CREATE INDEX export_jobs_by_state ON export_jobs (state, id);
