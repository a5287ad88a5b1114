-- Files kept with a request: those sent with it (`field` names the form's
-- field) and those an agent added (`field` NULL). The bytes are in the blob
-- store under `sha256`, written before this row's transaction commits.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    field       TEXT,
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL
);
CREATE INDEX attachments_by_request ON attachments(request_id, id);
CREATE INDEX attachments_by_blob ON attachments(sha256);
