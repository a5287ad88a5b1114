-- The town's file of who asks (`core::people`): one row per person or
-- organisation, found again at each request by the same e-mail address or
-- phone number (lower case, national digits), with its name and address
-- keys for the suggestions of files that may be one; `citizen_id` the
-- account it is linked to (no foreign key: closing an account clears it);
-- `merged_into` the file it was merged into, by an agent.
CREATE TABLE persons (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    kind         TEXT NOT NULL DEFAULT 'citizen',
    first_name   TEXT NOT NULL DEFAULT '',
    last_name    TEXT NOT NULL DEFAULT '',
    organisation TEXT,
    email        TEXT,
    phone        TEXT,
    street       TEXT,
    postal_code  TEXT,
    town         TEXT,
    name_key     TEXT NOT NULL DEFAULT '',
    place_key    TEXT NOT NULL DEFAULT '',
    citizen_id   INTEGER,
    created_at   TEXT NOT NULL,
    merged_into  INTEGER
);
CREATE INDEX persons_by_email ON persons(tenant_id, email) WHERE merged_into IS NULL;
CREATE INDEX persons_by_phone ON persons(tenant_id, phone) WHERE merged_into IS NULL;
CREATE INDEX persons_by_name ON persons(tenant_id, name_key, place_key) WHERE merged_into IS NULL;
CREATE INDEX persons_by_citizen ON persons(citizen_id);

-- Files that may be one person's, for an agent to merge or keep apart:
-- the pair (lower id first) once.
CREATE TABLE person_merges (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    other_id    INTEGER NOT NULL REFERENCES persons(id),
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    decided_at  TEXT,
    decision    TEXT,
    decided_by  TEXT,
    UNIQUE (person_id, other_id)
);

ALTER TABLE requests ADD COLUMN person_id INTEGER REFERENCES persons(id);
CREATE INDEX requests_by_person ON requests(person_id);
