-- A session opened by signing in with the town's identity provider keeps
-- the ID token it came with: the hint of the logout at the provider when
-- the citizen signs out.
ALTER TABLE citizen_sessions ADD COLUMN id_token TEXT;
