-- Files sent with requests, kept once each under the SHA-256 of their
-- content: in the database, so that every node reads what any node stored
-- (on SQLite they are files in DATA/blobs/). Written before the
-- transaction that refers to them; those nothing refers to are swept.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    bytes       BYTEA NOT NULL,
    -- Unix seconds.
    created_at  BIGINT NOT NULL
);
CREATE INDEX blobs_by_age ON blobs (created_at);
