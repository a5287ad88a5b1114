-- Workflow and back office: departments, agents and their roles, sessions,
-- where each request stands, citizen-visible history, the hash-chained audit
-- journal, and the outbox of messages to send.

CREATE TABLE departments (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE agents (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    login           TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- PHC string ($argon2id$v=19$…): never the password itself.
    password_hash   TEXT NOT NULL,
    admin           INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    UNIQUE (tenant_id, login)
);

CREATE TABLE agent_roles (
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    department  TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('reader', 'handler', 'validator')),
    PRIMARY KEY (agent_id, department, role)
) WITHOUT ROWID;

-- Back-office sessions: only the SHA-256 of the cookie's value is kept.
CREATE TABLE sessions (
    digest      TEXT PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    -- Unix seconds.
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Standard answers agents pick from, per department.
CREATE TABLE standard_answers (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    department  TEXT NOT NULL,
    title       TEXT NOT NULL,
    text        TEXT NOT NULL
);

-- Where a request stands in its workflow. `revision` grows at every change:
-- an agent's action names the revision it was decided on, and is refused if
-- somebody changed the request in between.
ALTER TABLE requests ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN entered_at TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN finished INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN validation_from TEXT;
ALTER TABLE requests ADD COLUMN validation_to TEXT;
ALTER TABLE requests ADD COLUMN validation_answer TEXT;
ALTER TABLE requests ADD COLUMN export_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET entered_at = submitted_at;
CREATE INDEX requests_by_department ON requests(tenant_id, department, finished, due_date);

ALTER TABLE events ADD COLUMN citizen_visible INTEGER NOT NULL DEFAULT 0;
-- Where a transfer or a validation request went.
ALTER TABLE events ADD COLUMN department TEXT;
UPDATE events SET citizen_visible = 1 WHERE action = 'submitted';

-- The tenant's audit journal: append-only, each entry carrying the SHA-256
-- of the previous one (`guichet audit verify` walks the chain). `seq` counts
-- a tenant's entries from 1 without gaps.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (tenant_id, seq)
);
-- The last entry of each tenant's chain, kept with the chain so that cutting
-- entries off its end is noticed too.
CREATE TABLE audit_heads (
    tenant_id   INTEGER PRIMARY KEY REFERENCES tenants(id),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL
);

-- Messages to send, written in the transaction of the event that causes
-- them; a background worker sends them (issue 5).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    request_id      INTEGER REFERENCES requests(id),
    -- 'citizen' or 'department'
    recipient_kind  TEXT NOT NULL,
    -- department code for 'department'
    recipient       TEXT,
    -- template id (step message, 'new-request', 'transferred'…)
    template        TEXT,
    text            TEXT,
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox(state, id);
