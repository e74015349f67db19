-- Sources: conditional-GET validators, schedule and health of each feed.
-- Times are Unix milliseconds (UTC); 0 means never.
CREATE TABLE sources (
    name                 TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    etag                 TEXT NOT NULL DEFAULT '',
    last_modified        TEXT NOT NULL DEFAULT '',
    last_attempt         INTEGER NOT NULL DEFAULT 0,
    last_success         INTEGER NOT NULL DEFAULT 0,
    last_status          TEXT NOT NULL DEFAULT '',
    last_error           TEXT NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_last_time      INTEGER NOT NULL DEFAULT 0,
    last_new_item        INTEGER NOT NULL DEFAULT 0,
    next_check           INTEGER NOT NULL DEFAULT 0
);

-- Items: one row per article. (source, key) is the feed's identity for it;
-- url finds the same article when a publisher rewrites its GUID.
CREATE TABLE items (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL,
    key            TEXT NOT NULL,
    url            TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    outlet         TEXT NOT NULL DEFAULT '',
    lang           TEXT NOT NULL DEFAULT '',
    published      INTEGER NOT NULL,
    updated        INTEGER NOT NULL DEFAULT 0,
    first_seen     INTEGER NOT NULL,
    date_from_feed INTEGER NOT NULL DEFAULT 1,
    -- Tags computed once when the item is stored: canonical ids separated
    -- by spaces ("mali niger"). Columns, not a table: a row per tag made
    -- tag writes the costliest part of ingest, and every reader (digests,
    -- alerts, search filters) wants an item's tags with the item.
    countries      TEXT NOT NULL DEFAULT '',
    actors         TEXT NOT NULL DEFAULT '',
    UNIQUE (source, key)
);
CREATE INDEX items_url ON items (url);
CREATE INDEX items_published ON items (published);

-- Full-text index over title and summary; remove_diacritics 2 makes
-- "Goïta" match "goita" and "Ménaka" match "menaka".
CREATE VIRTUAL TABLE items_fts USING fts5 (
    title, summary,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- The index is written by the store in one statement per transaction, not
-- by per-row triggers: FTS5 flushes its pending terms at every statement
-- savepoint, so a trigger per row made ingest 5x slower.
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
END;
-- Buffer up to 8 MiB of new terms before writing an index segment (the
-- default is 1 MiB): a poll of many feeds then writes a few large segments
-- instead of many small ones that must be merged again and again.
INSERT INTO items_fts (items_fts, rank) VALUES ('hashsize', 8388608);
