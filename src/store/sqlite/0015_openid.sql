-- An account's identity at an OpenID Connect provider: the provider's
-- issuer and the subject it gives the citizen. A citizen signs in with it
-- once linked; nothing is ever matched by an e-mail claim.
CREATE TABLE citizen_identities (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id),
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    linked_at   TEXT NOT NULL,
    UNIQUE (tenant_id, issuer, subject),
    UNIQUE (citizen_id, issuer)
);

-- A sign-in begun at the provider and not yet back: the SHA-256 of the
-- browser's flow cookie, the state, nonce and PKCE verifier it was sent
-- with, what it is for (`login`, or `link` for a signed-in citizen), the
-- page to go back to. Used once, within minutes.
CREATE TABLE openid_flows (
    digest      TEXT PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    state       TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('login', 'link')),
    citizen_id  INTEGER REFERENCES citizens(id),
    next        TEXT,
    expires_at  INTEGER NOT NULL
);
