-- What assigning each item to its story read and did, as the story engine
-- tells it: [[a node of each story it joined], [an item of each story it
-- weighed]] (JSON). After a restart the engine is given the stored items
-- with their traces, so an item delivered late can have the items after it
-- assigned again, as in one run. NULL: stored before traces, or by an
-- assigner that keeps none; such an item keeps its story.
ALTER TABLE items ADD COLUMN story_trace TEXT;
