-- The upload workflow beyond the original API (CONTRACT §11): an archive may
-- name its subjects by folder instead of carrying one subject, and a task may
-- match again the images an earlier task kept but did not place.

-- NULL: the archive's first folders name the subjects (subject_ids lists them).
ALTER TABLE upload_tasks ALTER COLUMN subject_id DROP NOT NULL;
COMMENT ON COLUMN upload_tasks.subject_id IS 'The subject the base images are for; NULL when each entry''s first folder names its subject.';

ALTER TABLE upload_tasks ADD COLUMN subject_ids uuid[] NOT NULL DEFAULT '{}';
UPDATE upload_tasks SET subject_ids = ARRAY[subject_id];
COMMENT ON COLUMN upload_tasks.subject_ids IS 'The subjects the task touched: its subject_id, or those its archive''s folders name (written once a worker has read the names).';

ALTER TABLE upload_tasks ADD COLUMN rematch_of uuid REFERENCES upload_tasks (id) ON DELETE SET NULL;
CREATE INDEX upload_tasks_rematch_of_idx ON upload_tasks (rematch_of) WHERE rematch_of IS NOT NULL;
COMMENT ON COLUMN upload_tasks.rematch_of IS 'For a task without an archive: the COMPLETED task whose kept, unplaced images it matches again.';
COMMENT ON COLUMN upload_tasks.result_data IS 'At the end: {"matched": [{"file", "subject_id", "shot_type_id", ...}], "skipped": [{"file", "reason", "media_resource_id"?, "candidate_shot_type_ids"?}], "unmatched_shot_types": [...]}. A skipped item with media_resource_id was kept.';

-- The latest task of a design, with or without a subject.
CREATE INDEX upload_tasks_set_design_created_idx ON upload_tasks (set_design_id, created_at DESC, id DESC);
DROP INDEX upload_tasks_set_design_subject_idx;
