-- A town's files written from the admin pages, where every node reads them
-- (on one node, a copy of DATA/tenants/SLUG/SETTINGS.toml…).
CREATE TABLE tenant_files (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    path        TEXT NOT NULL,
    content     BLOB NOT NULL,
    -- Grows at every file written, across tenants.
    version     INTEGER NOT NULL UNIQUE,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, path)
) WITHOUT ROWID;
