-- Stories: each item is assigned to a story once, when it is stored, by
-- the story engine (briefing/story). story is the smallest item id of the
-- story (0: not assigned yet, such as items stored before this migration,
-- assigned at the next start); place the country where the event happens;
-- events the kinds of event the item reports ("attack coup").
ALTER TABLE items ADD COLUMN story INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN events TEXT NOT NULL DEFAULT '';
CREATE INDEX items_story ON items (story);

-- A report that links two stories merges them; the merge is recorded so
-- that what referred to the old story (an alert thread) can follow it.
CREATE TABLE story_merges (
    from_story INTEGER PRIMARY KEY,
    into_story INTEGER NOT NULL,
    by_item    INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
