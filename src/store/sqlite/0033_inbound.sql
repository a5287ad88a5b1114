-- Messages the town received by e-mail (its mailboxes) or SMS (its
-- provider's callback): each kept once (`external_id`, the Message-ID or
-- the provider's id), as a reply written on a request (`state` reply,
-- `request_id`) or an item of the qualification queue (`new`, routed to a
-- `department` by the town's rules, a `service_code` suggested) until an
-- agent makes it a request (`request`), a reply (`reply`) or files it
-- (`filed`); forwarding changes its department.
CREATE TABLE inbound (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    channel      TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    external_id  TEXT,
    sender       TEXT NOT NULL,
    sender_name  TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    received_at  TEXT NOT NULL,
    department   TEXT,
    service_code TEXT,
    state        TEXT NOT NULL DEFAULT 'new',
    request_id   INTEGER REFERENCES requests(id),
    decided_by   TEXT,
    decided_at   TEXT,
    UNIQUE (tenant_id, channel, external_id)
);
CREATE INDEX inbound_queue ON inbound(tenant_id, state, id);
CREATE INDEX inbound_by_request ON inbound(request_id);

-- The files a message brought (the bytes in the blob store): moved to the
-- request's files when it becomes one or a reply on one.
CREATE TABLE inbound_files (
    id          INTEGER PRIMARY KEY,
    inbound_id  INTEGER NOT NULL REFERENCES inbound(id),
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL
);
CREATE INDEX inbound_files_by_item ON inbound_files(inbound_id, id);
CREATE INDEX inbound_files_by_blob ON inbound_files(sha256);
