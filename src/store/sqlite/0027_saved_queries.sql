-- The statistics' saved queries: the page's query string kept under a
-- name by its owner, private or shared with one department's readers.
CREATE TABLE stat_queries (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    owner       TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- department code; NULL: its owner only
    shared_with TEXT,
    query       TEXT NOT NULL,
    saved_at    TEXT NOT NULL,
    UNIQUE (tenant_id, owner, name)
);
-- Who gets a query's figures every month, and the last month sent
-- ('YYYY-MM'): a report goes once per subscriber and month.
CREATE TABLE stat_subscriptions (
    query_id   INTEGER NOT NULL REFERENCES stat_queries(id),
    agent      TEXT NOT NULL,
    last_month TEXT NOT NULL,
    PRIMARY KEY (query_id, agent)
);
