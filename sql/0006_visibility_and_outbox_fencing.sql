-- Tenancy and the operators' outbox, tightened (CONTRACT §3 "Visibility",
-- §5 request-completion, §10.16).

-- A row of an organization is visible through membership (or to a
-- superuser) only: its owner_id grants nothing to an owner who has left the
-- organization. A row without an organization is visible to its owner.
-- NULLs (an owner deleted, so owner_id is NULL) yield false, never NULL, so
-- a caller decoding the result as a boolean never fails. Each arm is kept a
-- plain comparison on a column, so the planner still uses the owner_id and
-- organization_id indexes once the function is inlined; the viewer's
-- parameters are constants of the query and fold away.
CREATE OR REPLACE FUNCTION row_visible(
    row_owner_id uuid,
    row_organization_id uuid,
    viewer_id uuid,
    viewer_is_superuser boolean,
    viewer_organization_ids uuid[],
    filter_organization_id uuid
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (viewer_is_superuser IS TRUE
            OR (row_organization_id IS NULL AND row_owner_id IS NOT NULL AND viewer_id IS NOT NULL
                AND row_owner_id = viewer_id)
            OR (row_organization_id IS NOT NULL
                AND row_organization_id = ANY (coalesce(array_remove(viewer_organization_ids, NULL), '{}'))))
       AND (filter_organization_id IS NULL
            OR (row_organization_id IS NOT NULL AND row_organization_id = filter_organization_id))
$$;
COMMENT ON FUNCTION row_visible(uuid, uuid, uuid, boolean, uuid[], uuid) IS
    'True when the viewer may see (and so change) the row, inside the optional organization filter: a superuser always; a row of an organization through membership only; a row without one, its owner. Never NULL.';

-- Public rows are seen by everyone unless the request narrows to an
-- organization; changing one still needs row_visible.
CREATE OR REPLACE FUNCTION catalog_row_visible(
    row_public boolean,
    row_owner_id uuid,
    row_organization_id uuid,
    viewer_id uuid,
    viewer_is_superuser boolean,
    viewer_organization_ids uuid[],
    filter_organization_id uuid
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT row_visible(row_owner_id, row_organization_id, viewer_id, viewer_is_superuser,
                       viewer_organization_ids, filter_organization_id)
        OR (row_public IS TRUE AND filter_organization_id IS NULL)
$$;
COMMENT ON FUNCTION catalog_row_visible(boolean, uuid, uuid, uuid, boolean, uuid[], uuid) IS
    'row_visible, or a public row when no organization filter is given. Never NULL.';

COMMENT ON COLUMN shot_types.owner_id IS 'Creator; null for system shot types or once the creator''s account is deleted. Grants nothing for a shot type of an organization.';
COMMENT ON COLUMN shot_types.public IS 'Visible to everyone (and a candidate in every tenant''s matching); set only by superusers, changed only by those who see it without this flag.';
COMMENT ON COLUMN background_presets.public IS 'Visible to everyone; set only by superusers, changed only by those who see it without this flag.';

-- The outbox claim is fenced like a task claim: a sender holds a delivery
-- under a lease (claimed_by, locked_until) that it renews while the webhook
-- call runs, and its every later write names claimed_by and attempts, so a
-- sender that lost the lease writes nothing. After the configured number of
-- attempts a delivery stops being retried and stays, failed, for admins.
ALTER TABLE operator_notifications
    ADD COLUMN claimed_by text,
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN failed_at timestamptz,
    ADD CONSTRAINT operator_notifications_one_outcome CHECK (delivered_at IS NULL OR failed_at IS NULL);

COMMENT ON COLUMN operator_notifications.attempts IS 'Claims so far (each one sending attempt); the fencing token of the current claim together with claimed_by.';
COMMENT ON COLUMN operator_notifications.next_attempt_at IS 'Not sent before this time (backoff after a failed attempt).';
COMMENT ON COLUMN operator_notifications.claimed_by IS 'The worker (host:pid) that claimed it last: the one sending it while locked_until is ahead, else the last one that tried.';
COMMENT ON COLUMN operator_notifications.locked_until IS 'While in the future, claimed_by is sending it and no other worker may; renewed during the webhook call, cleared when the attempt ends. A worker that died leaves it to run out.';
COMMENT ON COLUMN operator_notifications.failed_at IS 'When it was given up after WEBHOOK_MAX_ATTEMPTS attempts; last_error says why. Null while pending or once delivered.';

DROP INDEX operator_notifications_due_idx;
CREATE INDEX operator_notifications_due_idx ON operator_notifications (next_attempt_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- For admins: every delivery with what became of it.
CREATE VIEW operator_notification_deliveries AS
SELECT id, completion_request_id,
       CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
            WHEN failed_at IS NOT NULL THEN 'failed'
            WHEN locked_until > now() THEN 'sending'
            ELSE 'pending' END AS status,
       attempts, last_error, claimed_by, next_attempt_at, locked_until, created_at, delivered_at, failed_at,
       payload->>'text' AS text
FROM operator_notifications;
COMMENT ON VIEW operator_notification_deliveries IS 'Webhook messages to operators and their state: pending, sending, delivered, or failed (given up after WEBHOOK_MAX_ATTEMPTS).';
COMMENT ON COLUMN operator_notification_deliveries.id IS 'Outbox row id.';
COMMENT ON COLUMN operator_notification_deliveries.completion_request_id IS 'The request it announces.';
COMMENT ON COLUMN operator_notification_deliveries.status IS 'pending (waiting for its next attempt), sending (a worker holds it), delivered, or failed (given up).';
COMMENT ON COLUMN operator_notification_deliveries.attempts IS 'Attempts so far.';
COMMENT ON COLUMN operator_notification_deliveries.last_error IS 'Why the last attempt failed.';
COMMENT ON COLUMN operator_notification_deliveries.claimed_by IS 'The worker sending it, or the last one that tried.';
COMMENT ON COLUMN operator_notification_deliveries.next_attempt_at IS 'Not sent before this time.';
COMMENT ON COLUMN operator_notification_deliveries.locked_until IS 'End of the current sender''s lease.';
COMMENT ON COLUMN operator_notification_deliveries.created_at IS 'When it was queued.';
COMMENT ON COLUMN operator_notification_deliveries.delivered_at IS 'When the webhook accepted it.';
COMMENT ON COLUMN operator_notification_deliveries.failed_at IS 'When it was given up.';
COMMENT ON COLUMN operator_notification_deliveries.text IS 'The message text.';
