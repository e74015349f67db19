-- Scheduled digests read what was stored in their window (first_seen),
-- not what was published in it.
CREATE INDEX items_first_seen ON items (first_seen);
