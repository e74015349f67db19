-- One bot per database: the process that runs the delivery loop and the
-- scheduler (`run`, `serve`) holds the lease named 'bot' for its life,
-- renewing it well before it expires; a crashed holder's lease expires and
-- the next start takes it over. A lease is an owner and an expiry, no file
-- lock, so it carries over to a shared server database with replicas.
-- Times are Unix milliseconds (UTC).
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,   -- host:pid:random, unique to one process
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    renewed_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- Each delivery is claimed before it is attempted: a conditional update
-- sets the claim only when it is free or expired, so two dispatchers
-- never attempt one delivery at once. The holder's heartbeat renews its
-- claims with its lease; a crashed holder's claims expire and are retried.
ALTER TABLE deliveries ADD COLUMN claim_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_claim ON deliveries (claim_owner) WHERE claim_owner != '';
