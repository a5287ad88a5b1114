-- A fourth role: `stats`, the department's statistics without its requests
-- (a manager, an elected official). SQLite cannot change a CHECK in place:
-- the table is made again and its rows copied.
CREATE TABLE agent_roles_new (
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    department  TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('reader', 'handler', 'validator', 'stats')),
    PRIMARY KEY (agent_id, department, role)
) WITHOUT ROWID;
INSERT INTO agent_roles_new SELECT agent_id, department, role FROM agent_roles;
DROP TABLE agent_roles;
ALTER TABLE agent_roles_new RENAME TO agent_roles;
