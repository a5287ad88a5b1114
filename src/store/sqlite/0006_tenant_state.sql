-- Towns on one install: a tenant may be disabled (every public URL answers
-- 404, its data kept), and running servers notice any change of tenants
-- (a new town, one disabled or enabled, a service changed) by a counter
-- that every such change increments, so that they reload within seconds.
ALTER TABLE tenants ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;

CREATE TABLE tenant_changes (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
);
INSERT INTO tenant_changes (id, generation) VALUES (1, 0);
