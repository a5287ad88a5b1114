-- A document of the town's (a letter made from a step's template, a file an
-- agent added) sent to the requester: the message and its e-mail delivery
-- carry it, read from the blob store when the e-mail is sent.
ALTER TABLE outbox ADD COLUMN attachment_id INTEGER REFERENCES attachments(id);
ALTER TABLE deliveries ADD COLUMN attachment_id INTEGER REFERENCES attachments(id);
