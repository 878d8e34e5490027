-- Uploads that stop half-way, and failed logins (CONTRACT §3, §6).

-- An upload streams into the postgres store chunk by chunk, each in its own
-- short statement, so no connection waits on the client. A write that stops
-- (a crashed gateway) leaves its staging blob; `touched_at` says when it was
-- last written, so the worker's sweep removes only what has stopped.
ALTER TABLE blobs ADD COLUMN touched_at timestamptz NOT NULL DEFAULT now();
COMMENT ON COLUMN blobs.touched_at IS 'Last write to the blob. Staging writes and uploaded archives no task refers to are swept once untouched for UPLOAD_SWEEP_GRACE_SECONDS.';
CREATE INDEX blobs_transient_touched_at_idx ON blobs (touched_at) WHERE key LIKE 'staging/%' OR key LIKE 'uploads/%';
CREATE INDEX upload_tasks_archive_blob_key_idx ON upload_tasks (archive_blob_key) WHERE archive_blob_key IS NOT NULL;

-- Failed logins, counted per account and per client address in fixed windows
-- shared by every gateway.
CREATE TABLE login_failures (
    subject text PRIMARY KEY,
    window_started_at timestamptz NOT NULL,
    failures integer NOT NULL CHECK (failures > 0)
);
CREATE INDEX login_failures_window_started_at_idx ON login_failures (window_started_at);
COMMENT ON TABLE login_failures IS 'Failed logins in the current window, per account (account:<md5 of the email>) and per client address (address:<ip>). A subject at its limit answers 429 until its window passes.';
COMMENT ON COLUMN login_failures.subject IS 'account:<md5 of the lowercased email as typed> or address:<client IP>.';
COMMENT ON COLUMN login_failures.window_started_at IS 'The first failure of the window; it lasts LOGIN_FAILURE_WINDOW_SECONDS.';
COMMENT ON COLUMN login_failures.failures IS 'Failures since window_started_at.';
