-- Who asks — a person, an association, a business — as the statistics
-- group requests by it: kept on the request (from its `requester/kind`,
-- a person when the form does not ask) and in the statistics index, which
-- is made again with it.
ALTER TABLE requests ADD COLUMN requester_kind TEXT NOT NULL DEFAULT 'citizen';
UPDATE requests SET requester_kind = (
    SELECT v.value FROM request_values v
    WHERE v.request_id = requests.id AND v.path = 'requester/kind'
      AND v.value IN ('association', 'business')
)
WHERE id IN (
    SELECT request_id FROM request_values
    WHERE path = 'requester/kind' AND value IN ('association', 'business')
);
DROP INDEX requests_stats;
CREATE INDEX requests_stats ON requests(tenant_id, test, department, service_code, channel, step, finished, waiting, submitted_at, entered_at, due_date, requester_kind);
