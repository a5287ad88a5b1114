-- The fields an agent opened for the citizen to correct (space-separated
-- names), until the correction is made.
ALTER TABLE requests ADD COLUMN correction TEXT;
