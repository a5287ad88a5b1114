-- The slots bookings and appointments hold, one row per request: requests
-- on one agenda (`service/CODE[/RESOURCE]` for a booking, `agenda/NAME[/RESOURCE]`
-- for an appointment) compete for its times. A request releases its slot
-- at the steps listed in `released_at` (its service's refused and closed
-- ones, space-separated), checked against its current step.
CREATE TABLE slots (
    request_id  INTEGER PRIMARY KEY REFERENCES requests(id),
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    agenda      TEXT NOT NULL,
    test        INTEGER NOT NULL,
    day         TEXT NOT NULL,
    start       TEXT NOT NULL,
    "end"       TEXT NOT NULL,
    released_at TEXT NOT NULL
);
CREATE INDEX slots_by_day ON slots(tenant_id, agenda, test, day);

-- Room bookings stored before: the only booking service shipped then.
INSERT INTO slots (request_id, tenant_id, agenda, test, day, start, "end", released_at)
SELECT r.id, r.tenant_id, 'service/room-booking/' || x.value, r.test, d.value, s.value, e.value, 'refused'
FROM requests r
JOIN request_values x ON x.request_id = r.id AND x.path = 'room'
JOIN request_values d ON d.request_id = r.id AND d.path = 'eventDate'
JOIN request_values s ON s.request_id = r.id AND s.path = 'startTime'
JOIN request_values e ON e.request_id = r.id AND e.path = 'endTime'
WHERE r.service_code = 'room-booking';
