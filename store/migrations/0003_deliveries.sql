-- Deliveries: every digest, alert, thread reply and summary the bot posts,
-- recorded as pending before it is sent and as sent after, so a restart
-- resumes what was in flight and never posts a delivery twice (the key is
-- the delivery's identity). Times are Unix milliseconds (UTC).
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    channel      TEXT NOT NULL,
    kind         TEXT NOT NULL,              -- digest | alert | reply | summary
    status       TEXT NOT NULL,              -- pending | sent | failed | rolled
    -- reply: the alert it threads under; rolled alert: the summary that carried it.
    parent_id    INTEGER REFERENCES deliveries (id),
    item_id      INTEGER NOT NULL DEFAULT 0, -- alert, reply: the item
    payload      TEXT NOT NULL DEFAULT '',   -- JSON the bot renders from (alerts, digest filter)
    scheduled_at INTEGER NOT NULL,           -- digest: its slot; others: when it was queued
    window_since INTEGER NOT NULL DEFAULT 0, -- digest window
    window_until INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0, -- attempts started (a crash mid-send leaves it > 0)
    next_attempt INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    ref          TEXT NOT NULL DEFAULT '',   -- the platform's id of the (first) message
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt);
CREATE INDEX deliveries_channel ON deliveries (channel, kind, created_at);
CREATE INDEX deliveries_sent ON deliveries (channel, sent_at);

-- How far alert matching has read the items table: items with a greater id
-- are still to be matched against subscriptions. Written in the same
-- transaction as the alerts it produced, so each item is matched once.
CREATE TABLE alert_cursor (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    item_id INTEGER NOT NULL
);
INSERT INTO alert_cursor (id, item_id) VALUES (1, (SELECT coalesce(max(id), 0) FROM items));

-- A subscription alerts on items stored after it (id > after_item); a
-- backfill is matched when it is made. Existing subscriptions start now.
ALTER TABLE subscriptions ADD COLUMN after_item INTEGER NOT NULL DEFAULT 0;
UPDATE subscriptions SET after_item = (SELECT coalesce(max(id), 0) FROM items);

-- Where a schedule came from: '' (/sahel digest) or 'config' (the config
-- file's digests:, which it owns: restarts rewrite them).
ALTER TABLE digest_schedules ADD COLUMN origin TEXT NOT NULL DEFAULT '';
