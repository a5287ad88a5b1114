-- Requests made while their service was in its test phase: open to the
-- town's agents only, left out of public tracking, purgeable.
ALTER TABLE requests ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
CREATE INDEX requests_tests ON requests(tenant_id, service_code) WHERE test = 1;
