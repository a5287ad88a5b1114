-- Retention and erasure (GDPR): a request's personal data is removed some
-- months after it closed, or as soon as it closes once its citizen closed
-- their account; what is left keeps the statistics.
ALTER TABLE requests ADD COLUMN anonymised_at TEXT;
-- 1: the requester closed their account; anonymise once finished.
ALTER TABLE requests ADD COLUMN erase_when_finished INTEGER NOT NULL DEFAULT 0;
CREATE INDEX requests_to_anonymise ON requests(tenant_id, service_code, entered_at)
    WHERE finished = 1 AND anonymised_at IS NULL;
CREATE INDEX outbox_by_request ON outbox(request_id);

-- Audit entries written from now on hash the SHA-256 of their detail, not
-- the detail itself: a detail holding personal data (a comment) can then be
-- blanked (`redacted_at`) and the chain still verifies. NULL: an entry of
-- the first scheme, hashed over its detail, which stays as it is.
ALTER TABLE audit ADD COLUMN detail_sha256 TEXT;
ALTER TABLE audit ADD COLUMN redacted_at TEXT;
CREATE INDEX audit_by_subject ON audit(tenant_id, subject);
