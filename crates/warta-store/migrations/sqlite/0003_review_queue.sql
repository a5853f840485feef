-- The review queue walks the unresolved flags only: not the ever-growing
-- history of resolved ones. Keyed like the queue's grouping (per segment).
CREATE INDEX qa_flags_unresolved ON qa_flags (article_id, lang, segment_idx)
    WHERE resolved_at IS NULL;
