-- A service a town withdraws is `offline`: gone from its catalogue and WSDL,
-- its requests carrying on to their end. SQLite cannot change a CHECK, so
-- the table is made again with the fourth status.
CREATE TABLE services_new (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'test', 'online', 'offline')),
    position    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
INSERT INTO services_new (tenant_id, code, version, status, position)
    SELECT tenant_id, code, version, status, position FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
