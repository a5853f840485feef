-- Review queue support: the English pivot of each segment (shown beside
-- source and target), per-segment confidence, and flags an editor resolved.
ALTER TABLE segments ADD COLUMN pivot_text TEXT;
ALTER TABLE segments ADD COLUMN confidence REAL;
ALTER TABLE segments ADD COLUMN origin TEXT NOT NULL DEFAULT 'machine' CHECK (origin IN ('machine', 'human'));
ALTER TABLE qa_flags ADD COLUMN resolved_at INTEGER;
ALTER TABLE qa_flags ADD COLUMN resolved_by TEXT;
