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
-- One open rematch of a task at a time: a second while the first waits or runs is refused (409).
CREATE UNIQUE INDEX upload_tasks_open_rematch_idx ON upload_tasks (rematch_of)
    WHERE rematch_of IS NOT NULL AND status IN ('PENDING', 'PROCESSING');
COMMENT ON COLUMN upload_tasks.rematch_of IS 'For a task without an archive: the COMPLETED task whose kept, unplaced images it matches again.';
COMMENT ON COLUMN upload_tasks.result_data IS 'At the end: {"matched": [{"file", "subject_id", "shot_type_id", ...}], "skipped": [{"file", "reason", "media_resource_id"?, "candidate_shot_type_ids"?}], "unmatched_shot_types": [...]}. A skipped item with media_resource_id was kept.';

-- The latest task of a design, with or without a subject.
CREATE INDEX upload_tasks_set_design_created_idx ON upload_tasks (set_design_id, created_at DESC, id DESC);
DROP INDEX upload_tasks_set_design_subject_idx;

-- What tasks kept but did not place, for admins: the leftovers a person may
-- still assign, or a rematch may place.
CREATE VIEW upload_kept_images AS
SELECT u.id AS task_id, u.set_design_id, item->>'file' AS file, item->>'reason' AS reason,
       (item->>'media_resource_id')::uuid AS media_resource_id, u.completed_at
FROM upload_tasks u, jsonb_array_elements(u.result_data->'skipped') item
WHERE u.status = 'COMPLETED' AND item ? 'media_resource_id';
COMMENT ON VIEW upload_kept_images IS 'Images COMPLETED tasks kept but did not place (skipped for their names alone), one row per entry.';
COMMENT ON COLUMN upload_kept_images.task_id IS 'The task that kept the image.';
COMMENT ON COLUMN upload_kept_images.set_design_id IS 'Its set design.';
COMMENT ON COLUMN upload_kept_images.file IS 'The archive entry''s name.';
COMMENT ON COLUMN upload_kept_images.reason IS 'Why it was not placed: no_matching_shot_type, ambiguous_shot_type, duplicate_shot_type or no_matching_subject.';
COMMENT ON COLUMN upload_kept_images.media_resource_id IS 'The stored image, as media of the design''s owner and organization.';
COMMENT ON COLUMN upload_kept_images.completed_at IS 'When the task completed.';
