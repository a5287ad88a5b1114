-- Citizens' accounts: an e-mail address (lower case, one account per address
-- and tenant), an Argon2id password hash, confirmed once the link sent to
-- the address is followed; the profile forms are filled with.
CREATE TABLE citizens (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    email         TEXT NOT NULL,
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    civility      TEXT,
    first_name    TEXT,
    last_name     TEXT,
    phone         TEXT,
    street        TEXT,
    postal_code   TEXT,
    town          TEXT,
    UNIQUE (tenant_id, email)
);

-- A signed-in citizen: the SHA-256 of the cookie's token.
CREATE TABLE citizen_sessions (
    digest      TEXT PRIMARY KEY,
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- Single-use links sent by e-mail (the SHA-256 of their token): confirm the
-- address, reset the password, confirm a new address (`email`).
CREATE TABLE citizen_tokens (
    digest      TEXT PRIMARY KEY,
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset', 'email')),
    email       TEXT,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- The account a request belongs to (submitted signed in, or attached by its
-- tracking code).
ALTER TABLE requests ADD COLUMN citizen_id INTEGER REFERENCES citizens(id);
CREATE INDEX requests_by_citizen ON requests(citizen_id);
