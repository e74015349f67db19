-- A window's stories come from the stories by date: those active in the
-- window (last report at or after its start, first before its end), the
-- items of the few that straddle an edge counted through their story and
-- date, and the items stored without a story found through their own
-- small index. Grouping every report of a week's window by story cost
-- more than reading a row per story.
CREATE INDEX stories_last_published ON stories (last_published);
DROP INDEX items_story;
CREATE INDEX items_story_published ON items (story, published);
CREATE INDEX items_unassigned ON items (published) WHERE story = 0;
