-- A fourth role: `stats`, the department's statistics without its requests
-- (a manager, an elected official).
ALTER TABLE agent_roles DROP CONSTRAINT agent_roles_role_check;
ALTER TABLE agent_roles ADD CONSTRAINT agent_roles_role_check
    CHECK (role IN ('reader', 'handler', 'validator', 'stats'));
