-- Resumable uploads of archives (tus 1.0, CONTRACT §11): an upload is
-- created with its length, filled by PATCH requests at the offset the server
-- holds, and becomes a task like any upload once its last byte is in.

CREATE TABLE resumable_uploads (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    set_design_id uuid NOT NULL REFERENCES set_designs (id) ON DELETE CASCADE,
    subject_id uuid REFERENCES subjects (id) ON DELETE CASCADE,
    upload_length bigint NOT NULL CHECK (upload_length >= 0),
    upload_offset bigint NOT NULL DEFAULT 0 CHECK (upload_offset BETWEEN 0 AND upload_length),
    metadata text,
    filename text,
    blob_key text NOT NULL,
    writer uuid,
    writer_until timestamptz,
    task_id uuid REFERENCES upload_tasks (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    completed_at timestamptz
);
CREATE INDEX resumable_uploads_expires_at_idx ON resumable_uploads (expires_at);
CREATE INDEX resumable_uploads_owner_id_idx ON resumable_uploads (owner_id);
CREATE INDEX resumable_uploads_set_design_id_idx ON resumable_uploads (set_design_id);
CREATE INDEX resumable_uploads_subject_id_idx ON resumable_uploads (subject_id);
CREATE INDEX resumable_uploads_task_id_idx ON resumable_uploads (task_id);
CREATE UNIQUE INDEX resumable_uploads_blob_key_idx ON resumable_uploads (blob_key);

COMMENT ON TABLE resumable_uploads IS 'Archives uploaded with tus 1.0 in several requests: how far each got. Unfinished ones expire at expires_at and are swept with their bytes.';
COMMENT ON COLUMN resumable_uploads.id IS 'Upload id: the last step of its URL.';
COMMENT ON COLUMN resumable_uploads.owner_id IS 'The user who created it; only they may see, continue or end it.';
COMMENT ON COLUMN resumable_uploads.set_design_id IS 'The set design the archive is for.';
COMMENT ON COLUMN resumable_uploads.subject_id IS 'The subject, or NULL when the archive''s folders name them.';
COMMENT ON COLUMN resumable_uploads.upload_length IS 'The archive''s size in bytes, as the client declared it (Upload-Length).';
COMMENT ON COLUMN resumable_uploads.upload_offset IS 'Bytes stored so far (Upload-Offset); equal to upload_length once complete.';
COMMENT ON COLUMN resumable_uploads.metadata IS 'Upload-Metadata as the client sent it, answered back on HEAD.';
COMMENT ON COLUMN resumable_uploads.filename IS 'The filename of Upload-Metadata, decoded, if given.';
COMMENT ON COLUMN resumable_uploads.blob_key IS 'Where the bytes so far are in the blob store (resumable/<id>); renamed to the task''s archive once complete.';
COMMENT ON COLUMN resumable_uploads.writer IS 'The PATCH request writing now, if any; another waits (423) until it ends or writer_until passes.';
COMMENT ON COLUMN resumable_uploads.writer_until IS 'Until when the writer''s claim holds unless it writes again (a gateway that died mid-PATCH).';
COMMENT ON COLUMN resumable_uploads.task_id IS 'The task the complete archive became.';
COMMENT ON COLUMN resumable_uploads.created_at IS 'When it was created.';
COMMENT ON COLUMN resumable_uploads.updated_at IS 'The last bytes stored.';
COMMENT ON COLUMN resumable_uploads.expires_at IS 'An unfinished upload is gone after this (Upload-Expires): RESUMABLE_UPLOAD_TTL_SECONDS after its last bytes.';
COMMENT ON COLUMN resumable_uploads.completed_at IS 'When its last byte came in and its task was queued.';

-- The sweep's path to partial blobs no upload refers to any more.
CREATE INDEX blobs_resumable_touched_at_idx ON blobs (touched_at) WHERE key LIKE 'resumable/%';

COMMENT ON COLUMN blobs.sha256 IS 'Lowercase hex SHA-256 of the bytes; NULL for an archive assembled from a resumable upload''s requests.';

CREATE VIEW resumable_uploads_in_progress AS
SELECT r.id, u.email AS owner_email, r.set_design_id, r.upload_offset, r.upload_length,
       round(100.0 * r.upload_offset / greatest(r.upload_length, 1), 1) AS percent,
       r.filename, r.created_at, r.updated_at, r.expires_at, r.expires_at < now() AS expired,
       r.writer IS NOT NULL AND r.writer_until > now() AS receiving
FROM resumable_uploads r JOIN users u ON u.id = r.owner_id
WHERE r.completed_at IS NULL;
COMMENT ON VIEW resumable_uploads_in_progress IS 'Unfinished resumable uploads: how far each got, and when it expires.';
COMMENT ON COLUMN resumable_uploads_in_progress.id IS 'Upload id.';
COMMENT ON COLUMN resumable_uploads_in_progress.owner_email IS 'Who is uploading.';
COMMENT ON COLUMN resumable_uploads_in_progress.set_design_id IS 'For which set design.';
COMMENT ON COLUMN resumable_uploads_in_progress.upload_offset IS 'Bytes stored so far.';
COMMENT ON COLUMN resumable_uploads_in_progress.upload_length IS 'Bytes in all.';
COMMENT ON COLUMN resumable_uploads_in_progress.percent IS 'upload_offset as a percentage of upload_length.';
COMMENT ON COLUMN resumable_uploads_in_progress.filename IS 'The archive''s name, if the client gave it.';
COMMENT ON COLUMN resumable_uploads_in_progress.created_at IS 'When it was created.';
COMMENT ON COLUMN resumable_uploads_in_progress.updated_at IS 'The last bytes stored.';
COMMENT ON COLUMN resumable_uploads_in_progress.expires_at IS 'When it expires unless more bytes come.';
COMMENT ON COLUMN resumable_uploads_in_progress.expired IS 'Past expires_at: the next sweep removes it.';
COMMENT ON COLUMN resumable_uploads_in_progress.receiving IS 'A PATCH is writing to it now.';
