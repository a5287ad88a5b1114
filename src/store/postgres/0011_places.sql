-- Where a request is: the district of the town it is in (`''`: none, or
-- the town has no places.toml), decided at submit from its address, and
-- the point its address gave (longitude, latitude: the back office's map).
-- The point is taken back from the values already stored (the first
-- address part `…/longitude`, `…/latitude` of each request); districts
-- are given by `guichet places` once a town writes its places. The
-- statistics index is made again with the district.
ALTER TABLE requests ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN longitude DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN latitude DOUBLE PRECISION;
UPDATE requests SET
    longitude = (SELECT CAST(v.value AS DOUBLE PRECISION) FROM request_values v
                 WHERE v.request_id = requests.id AND v.path LIKE '%/longitude'
                   AND v.value ~ '^[+-]?[0-9]+(\.[0-9]+)?$'
                 ORDER BY v.position LIMIT 1),
    latitude = (SELECT CAST(v.value AS DOUBLE PRECISION) FROM request_values v
                WHERE v.request_id = requests.id AND v.path LIKE '%/latitude'
                  AND v.value ~ '^[+-]?[0-9]+(\.[0-9]+)?$'
                ORDER BY v.position LIMIT 1)
WHERE id IN (SELECT request_id FROM request_values WHERE path LIKE '%/latitude');
UPDATE requests SET longitude = NULL, latitude = NULL
WHERE longitude IS NULL OR latitude IS NULL;
DROP INDEX requests_stats;
CREATE INDEX requests_stats ON requests(tenant_id, test, department, service_code, channel, step, finished, waiting, submitted_at, entered_at, due_date, requester_kind, district);
-- The map: the open requests with a point, newest first.
CREATE INDEX requests_located ON requests(tenant_id, finished, id) WHERE latitude IS NOT NULL;
