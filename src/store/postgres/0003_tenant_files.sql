-- A town's files written from the admin pages, where every node reads them
-- (on one node, a copy of DATA/tenants/SLUG/SETTINGS.toml…).
CREATE TABLE tenant_files (
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    path        TEXT NOT NULL,
    content     BYTEA NOT NULL,
    -- Grows at every file written, across tenants.
    version     BIGINT NOT NULL UNIQUE,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, path)
);
