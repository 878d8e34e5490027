-- GET /api/v1/set-designs/upload-tasks/{task_id}: the one statement the gateway
-- sends (UploadTasksController.VisibleTask, prepared). Variables: :user, :superuser, :user_orgs, :task.
SELECT u.id, u.owner_id, u.set_design_id, u.subject_id, u.status::text, u.progress, u.total_items, u.processed_items,
       u.images_processed, u.images_skipped, u.error_message, u.created_at, u.started_at, u.completed_at,
       u.result_data::text, u.updated_at, u.subject_ids, u.rematch_of
FROM upload_tasks u JOIN set_designs t ON t.id = u.set_design_id
WHERE u.id = :task AND catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid);
