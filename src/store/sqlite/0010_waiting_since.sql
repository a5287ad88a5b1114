-- When the request was put on hold for the requester (missing documents):
-- a legal deadline's clock stops meanwhile, and the due date moves by the
-- days waited when it resumes.
ALTER TABLE requests ADD COLUMN waiting_since TEXT;
