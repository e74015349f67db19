-- What digests and searches read changes with every write of items, their
-- tags or their stories: each such transaction adds one to n, so that an
-- answer built earlier (bot's answer cache) can tell it is stale, in this
-- process or any other reading the same file. One row.
CREATE TABLE content_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO content_version (id) VALUES (1);
