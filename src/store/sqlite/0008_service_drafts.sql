-- A town's draft of a service: a definition imported or being edited, not
-- yet published. Publishing makes it the service's next version.
CREATE TABLE service_drafts (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    code        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
