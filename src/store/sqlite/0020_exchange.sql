-- Business software: accounts of the exchange API, the WS-Security nonces
-- already used, and which requests each account has acknowledged.

CREATE TABLE api_accounts (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    login       TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- The password sealed under the server's key (ChaCha20-Poly1305): a
    -- UsernameToken's PasswordDigest can only be checked with the password.
    secret      TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, login)
);

CREATE TABLE api_account_roles (
    account_id  INTEGER NOT NULL REFERENCES api_accounts(id),
    department  TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('reader', 'handler', 'validator')),
    PRIMARY KEY (account_id, department, role)
) WITHOUT ROWID;

-- Each UsernameToken nonce is accepted once: its SHA-256 (with the login)
-- is kept past the token's window, then swept.
CREATE TABLE wss_nonces (
    tenant_id   INTEGER NOT NULL,
    digest      TEXT NOT NULL,
    -- Unix seconds.
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, digest)
) WITHOUT ROWID;
CREATE INDEX wss_nonces_seen ON wss_nonces (seen_at);

CREATE TABLE exchange_acks (
    account_id  INTEGER NOT NULL REFERENCES api_accounts(id),
    request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    PRIMARY KEY (account_id, request_id)
) WITHOUT ROWID;
CREATE INDEX exchange_acks_request ON exchange_acks (request_id);
