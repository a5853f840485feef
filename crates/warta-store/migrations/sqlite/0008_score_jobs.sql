-- Model confidence is computed by the translation job itself, as a second
-- phase: once a version is published, its job goes back to the queue (at a
-- lower priority than any translation) with phase 'score', so unscored
-- versions survive a restart as queued work.
ALTER TABLE jobs ADD COLUMN phase TEXT NOT NULL DEFAULT 'translate' CHECK (phase IN ('translate', 'score'));
