-- Story summaries: what a digest needs of each whole story to select,
-- filter, rank and place it (briefing.StorySummary), one row per story,
-- brought up to date by every save that adds to the story. A digest of a busy
-- window then reads a row per story and the reports of the few stories it
-- shows, not every report. Filled from the items by the store when this
-- migration is applied. Times are Unix milliseconds (UTC).
CREATE TABLE stories (
    id              INTEGER PRIMARY KEY, -- items.story
    first_published INTEGER NOT NULL,
    last_published  INTEGER NOT NULL,
    items           INTEGER NOT NULL,
    outlets         INTEGER NOT NULL,    -- how many distinct outlets
    countries       TEXT NOT NULL,       -- space-separated ids, as in items
    actors          TEXT NOT NULL,
    events          TEXT NOT NULL,
    place           TEXT NOT NULL,
    -- What keeps the row exact as reports join and stories merge, without
    -- reading the story again (JSON): the outlets' names, and the places
    -- its items give with their counts and first item.
    outlet_names    TEXT NOT NULL,
    place_votes     TEXT NOT NULL
);

-- The stories of a window, and how many of their items it holds, come
-- from this index alone; it also serves every read by publication date.
DROP INDEX items_published;
CREATE INDEX items_published_story ON items (published, story);
