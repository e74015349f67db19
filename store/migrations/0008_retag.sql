-- Retagging: which gazetteer the stored tags were made with, and the
-- cursor of a retag in progress, so that an interrupted one (a crash,
-- Ctrl-C, a stopped bot) continues where it stopped. One row.
--   tagged_with  fingerprint of the gazetteer every stored item's tags
--                follow ('' unknown: a database from before this table)
--   target       fingerprint of the retag in progress ('' none)
--   last_id      items with an id up to it are retagged for target
CREATE TABLE retag_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    tagged_with TEXT NOT NULL DEFAULT '',
    target      TEXT NOT NULL DEFAULT '',
    last_id     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO retag_state (id) VALUES (1);
