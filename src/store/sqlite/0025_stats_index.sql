-- The statistics read every request of a town's year: this index holds
-- the columns they read (`crate::store::stats::STAT_COLUMNS`), so a million
-- requests are read from it without touching the table (a third of the
-- pages). Department first: an agent's departments are ranges of it.
CREATE INDEX requests_stats ON requests(tenant_id, test, department, service_code, channel, step, finished, waiting, submitted_at, entered_at, due_date);
