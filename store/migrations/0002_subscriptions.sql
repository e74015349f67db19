-- Subscriptions: a channel's standing keyword queries (alerts).
-- Times are Unix milliseconds (UTC).
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (channel, query)
);
CREATE INDEX subscriptions_channel ON subscriptions (channel);

-- Digest schedules: when (cron in tz) each channel receives its digest.
CREATE TABLE digest_schedules (
    channel    TEXT PRIMARY KEY,
    cron       TEXT NOT NULL,
    tz         TEXT NOT NULL,
    country    TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
