-- A citizen replied and no agent has opened the request since.
ALTER TABLE requests ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
