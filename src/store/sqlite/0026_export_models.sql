-- The export models of a town: a named choice of columns per service
-- (service_code '' for every service), shared by its agents.
CREATE TABLE export_models (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    service_code TEXT NOT NULL,
    name         TEXT NOT NULL,
    columns      TEXT NOT NULL,
    saved_by     TEXT NOT NULL,
    saved_at     TEXT NOT NULL,
    UNIQUE (tenant_id, service_code, name)
);
