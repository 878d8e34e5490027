-- GET /api/v1/set-designs/upload-tasks/{task_id}: the statements the gateway sends for one request.
-- Variables: :user, :superuser, :user_orgs, :task, :task_design (the task's set design).
\ir caller.sql
-- The task (UploadTaskStore.task).
SELECT u.id, u.owner_id, u.set_design_id, u.subject_id, u.status::text, u.progress, u.total_items, u.processed_items,
       u.images_processed, u.images_skipped, u.error_message, u.created_at, u.started_at, u.completed_at,
       u.result_data::text, u.updated_at
FROM upload_tasks u WHERE u.id = :task;
-- Its design is visible to the caller (TenantRows.find of set_designs, id only).
SELECT t.id FROM set_designs t
WHERE t.id = :task_design AND catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid);
