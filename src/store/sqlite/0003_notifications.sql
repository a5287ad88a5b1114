-- Notifications and deadlines: agents' e-mail addresses, the deliveries an
-- outbox message expands to (one per channel and address, each sent once),
-- and the deadline marks that keep reminders and escalations from firing twice.

ALTER TABLE agents ADD COLUMN email TEXT;

-- The tracking code of an acknowledgement, kept only until the message is
-- expanded into deliveries (the request itself keeps only its digest).
ALTER TABLE outbox ADD COLUMN secret TEXT;

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    request_id      INTEGER REFERENCES requests(id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address         TEXT NOT NULL,
    subject         TEXT,
    body            TEXT,
    html            TEXT,
    -- The body holds a tracking code: blanked once sent.
    has_secret      INTEGER NOT NULL DEFAULT 0,
    -- SMS: how many concatenated parts the text takes.
    parts           INTEGER,
    -- pending, sent, failed (gave up)
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         TEXT,
    UNIQUE (outbox_id, channel, address)
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX deliveries_by_request ON deliveries(request_id);

-- 0: none yet; 1: the department was reminded (past the reminder point).
ALTER TABLE requests ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
-- 0: none; 1: the department head was told it is late; 2: the administrators.
ALTER TABLE requests ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;
