-- Tenants, the versioned definitions of their services, and requests with
-- their field values and history.
CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL DEFAULT 'Europe/Paris',
    created_at  TEXT NOT NULL
);

-- One row per version of a service definition (the XML text itself).
CREATE TABLE service_versions (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, code, version)
);

-- Which version of each service a tenant offers, and whether it is online.
CREATE TABLE services (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'test', 'online')),
    position    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

-- Last reference number given per tenant and year: gapless because it is
-- only ever incremented inside the transaction that stores the request.
CREATE TABLE reference_counters (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    year        INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    year            INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    service_code    TEXT NOT NULL,
    service_version INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    tracking_digest TEXT NOT NULL UNIQUE,
    step            TEXT NOT NULL,
    submitted_at    TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    requester_name  TEXT NOT NULL,
    requester_email TEXT,
    UNIQUE (tenant_id, year, number)
);

-- Field values in canonical lexical form, one row per scalar, choice or
-- address part; `path` as in fault details (`requester/email`, `location/town`).
CREATE TABLE request_values (
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    position    INTEGER NOT NULL,
    path        TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (request_id, position)
) WITHOUT ROWID;

-- A request's history: who did what, from which step to which.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_step   TEXT,
    to_step     TEXT,
    comment     TEXT
);
CREATE INDEX events_by_request ON events(request_id, id);
