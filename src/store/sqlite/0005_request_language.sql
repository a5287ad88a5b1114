-- The language the citizen used (fr, en): their messages are written in it.
-- Requests made before, and through SOAP, are French.
ALTER TABLE requests ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';
