-- Department heads: the agent told first when a request of the department is
-- late (escalation), chosen by an administrator. None: the department's
-- validators are told instead.
ALTER TABLE departments ADD COLUMN head_agent_id INTEGER REFERENCES agents(id);
