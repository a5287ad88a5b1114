-- Lists and campaigns. A subscriber is one address (an e-mail, lower case,
-- or a phone in national digits) on one list of the town (`[[lists]]` of
-- its settings) by one channel: `pending` until an e-mail address confirms
-- by its link (the web page), `active`, `stopped` when it left (STOP, the
-- link of each e-mail, an agent). Its `token` is in its links (confirm,
-- leave): they need no account.
CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    list_code    TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address      TEXT NOT NULL,
    source       TEXT NOT NULL,
    state        TEXT NOT NULL,
    token        TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    stopped_at   TEXT,
    UNIQUE (tenant_id, list_code, channel, address)
);
CREATE INDEX subscribers_by_address ON subscribers(tenant_id, channel, address);

-- A campaign: one text sent to one list's active subscribers of one channel
-- when it was written (`recipients` of them), `sending` until each of its
-- sends is done, then `sent`.
CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    list_code    TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    subject      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    parts        INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'sending',
    finished_at  TEXT,
    recipients   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX campaigns_by_tenant ON campaigns(tenant_id, id);

-- One recipient of a campaign: `queued` (taken by a sender until
-- `next_attempt_at`, Unix seconds, then due again), `sent` (the provider or
-- the mail server took it; `provider_id` its id), `delivered` or `failed`
-- (a receipt, or given up), `cancelled` (left the list before its turn).
CREATE TABLE campaign_sends (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns(id),
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers(id),
    address         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    provider_id     TEXT,
    error           TEXT,
    sent_at         TEXT,
    receipt_at      TEXT
);
CREATE INDEX campaign_sends_due ON campaign_sends(next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX campaign_sends_by_campaign ON campaign_sends(campaign_id, state);
CREATE INDEX campaign_sends_by_provider ON campaign_sends(tenant_id, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX campaign_sends_by_subscriber ON campaign_sends(subscriber_id) WHERE state = 'queued';
