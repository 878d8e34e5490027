-- The ZIP upload task queue (CONTRACT §6): one row per uploaded archive,
-- claimed by workers with FOR UPDATE SKIP LOCKED under a lease.

CREATE TYPE upload_task_status AS ENUM ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED');

CREATE TABLE upload_tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    set_design_id uuid NOT NULL REFERENCES set_designs (id) ON DELETE CASCADE,
    subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    archive_blob_key text,
    archive_size bigint NOT NULL CHECK (archive_size >= 0),
    status upload_task_status NOT NULL DEFAULT 'PENDING',
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    total_items integer NOT NULL DEFAULT 0 CHECK (total_items >= 0),
    processed_items integer NOT NULL DEFAULT 0 CHECK (processed_items >= 0),
    images_processed integer NOT NULL DEFAULT 0 CHECK (images_processed >= 0),
    images_skipped integer NOT NULL DEFAULT 0 CHECK (images_skipped >= 0),
    error_message text,
    result_data jsonb,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    worker_id text,
    lease_expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    completed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
) WITH (
    -- Progress writes update rows in place many times: leave room on each page
    -- for HOT updates and vacuum the queue eagerly so dead tuples do not pile up.
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 500,
    autovacuum_analyze_scale_factor = 0.05,
    autovacuum_vacuum_cost_delay = 0
);
-- The claim's path: the oldest open task. Small, since ended tasks leave it.
CREATE INDEX upload_tasks_open_idx ON upload_tasks (created_at) WHERE status IN ('PENDING', 'PROCESSING');
-- The latest task of a design and subject.
CREATE INDEX upload_tasks_set_design_subject_idx ON upload_tasks (set_design_id, subject_id, created_at DESC);
CREATE INDEX upload_tasks_subject_id_idx ON upload_tasks (subject_id);
CREATE INDEX upload_tasks_owner_id_idx ON upload_tasks (owner_id);
-- Ended tasks whose archive still has to be deleted.
CREATE INDEX upload_tasks_archive_cleanup_idx ON upload_tasks (completed_at)
    WHERE archive_blob_key IS NOT NULL AND status IN ('COMPLETED', 'FAILED');

COMMENT ON TYPE upload_task_status IS 'PENDING (queued), PROCESSING (claimed by a worker), COMPLETED or FAILED (ended).';
COMMENT ON TABLE upload_tasks IS 'ZIP uploads of base images and their processing: the task queue workers claim from.';
COMMENT ON COLUMN upload_tasks.id IS 'Task id; also the payload of NOTIFY upload_tasks and upload_task_progress.';
COMMENT ON COLUMN upload_tasks.owner_id IS 'The user who uploaded the archive.';
COMMENT ON COLUMN upload_tasks.set_design_id IS 'The set design the base images go to; deleting it deletes its tasks.';
COMMENT ON COLUMN upload_tasks.subject_id IS 'The subject the base images are for.';
COMMENT ON COLUMN upload_tasks.archive_blob_key IS 'Blob store key of the uploaded archive; NULL once deleted after the task ended.';
COMMENT ON COLUMN upload_tasks.archive_size IS 'Size of the uploaded archive in bytes.';
COMMENT ON COLUMN upload_tasks.status IS 'Where the task is: PENDING, PROCESSING, COMPLETED or FAILED.';
COMMENT ON COLUMN upload_tasks.progress IS 'floor(100 * processed_items / total_items); 100 when COMPLETED.';
COMMENT ON COLUMN upload_tasks.total_items IS 'File entries in the archive (directories not counted).';
COMMENT ON COLUMN upload_tasks.processed_items IS 'Entries handled so far.';
COMMENT ON COLUMN upload_tasks.images_processed IS 'Entries that became base images.';
COMMENT ON COLUMN upload_tasks.images_skipped IS 'Entries skipped (see result_data.skipped for the reasons).';
COMMENT ON COLUMN upload_tasks.error_message IS 'Why the task FAILED, as a sentence; NULL otherwise.';
COMMENT ON COLUMN upload_tasks.result_data IS 'At the end: {"matched": [...], "skipped": [{"file", "reason"}], "unmatched_shot_types": [...]}.';
COMMENT ON COLUMN upload_tasks.attempts IS 'How many times a worker claimed the task; TASK_MAX_ATTEMPTS claims without finishing fail it.';
COMMENT ON COLUMN upload_tasks.worker_id IS 'The worker holding the lease (host:pid:slot); with attempts, the fencing token of every worker write.';
COMMENT ON COLUMN upload_tasks.lease_expires_at IS 'Until when the worker''s claim holds; an expired lease lets another worker take the task.';
COMMENT ON COLUMN upload_tasks.created_at IS 'When the upload was accepted.';
COMMENT ON COLUMN upload_tasks.started_at IS 'The first claim.';
COMMENT ON COLUMN upload_tasks.completed_at IS 'When the task became COMPLETED or FAILED.';
COMMENT ON COLUMN upload_tasks.updated_at IS 'The last change; also the id of its server-sent progress event.';

CREATE VIEW upload_task_overview AS
SELECT status, count(*) AS tasks,
       min(created_at) AS oldest_created_at,
       now() - min(created_at) AS oldest_age,
       sum(images_processed) AS images_processed,
       sum(images_skipped) AS images_skipped
FROM upload_tasks
GROUP BY status;
COMMENT ON VIEW upload_task_overview IS 'Tasks by status: how many, how old the oldest is, images processed and skipped.';
COMMENT ON COLUMN upload_task_overview.status IS 'Task status.';
COMMENT ON COLUMN upload_task_overview.tasks IS 'Tasks in that status.';
COMMENT ON COLUMN upload_task_overview.oldest_created_at IS 'Creation time of the oldest of them.';
COMMENT ON COLUMN upload_task_overview.oldest_age IS 'How long ago that was.';
COMMENT ON COLUMN upload_task_overview.images_processed IS 'Base images made by them.';
COMMENT ON COLUMN upload_task_overview.images_skipped IS 'Entries they skipped.';

CREATE VIEW stuck_upload_tasks AS
SELECT id, set_design_id, subject_id, worker_id, attempts, lease_expires_at,
       now() - lease_expires_at AS lease_expired_for, processed_items, total_items, started_at
FROM upload_tasks
WHERE status = 'PROCESSING' AND lease_expires_at < now();
COMMENT ON VIEW stuck_upload_tasks IS 'PROCESSING tasks whose lease ran out: their worker died or hangs; the next claim retries them.';
COMMENT ON COLUMN stuck_upload_tasks.id IS 'Task id.';
COMMENT ON COLUMN stuck_upload_tasks.set_design_id IS 'Its set design.';
COMMENT ON COLUMN stuck_upload_tasks.subject_id IS 'Its subject.';
COMMENT ON COLUMN stuck_upload_tasks.worker_id IS 'The worker that held it.';
COMMENT ON COLUMN stuck_upload_tasks.attempts IS 'Claims so far.';
COMMENT ON COLUMN stuck_upload_tasks.lease_expires_at IS 'When the lease ran out.';
COMMENT ON COLUMN stuck_upload_tasks.lease_expired_for IS 'How long ago that was.';
COMMENT ON COLUMN stuck_upload_tasks.processed_items IS 'Entries handled before it stopped.';
COMMENT ON COLUMN stuck_upload_tasks.total_items IS 'Entries in the archive.';
COMMENT ON COLUMN stuck_upload_tasks.started_at IS 'The first claim.';
