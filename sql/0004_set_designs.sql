-- Set designs with their base images, reference images and subject
-- portraits; completion requests and the outbox that tells operators.

CREATE TABLE set_designs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) <= 255),
    description text,
    background_preset_id uuid REFERENCES background_presets (id) ON DELETE SET NULL,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX set_designs_owner_id_idx ON set_designs (owner_id);
CREATE INDEX set_designs_organization_id_idx ON set_designs (organization_id);
CREATE INDEX set_designs_background_preset_id_idx ON set_designs (background_preset_id);
CREATE INDEX set_designs_created_at_idx ON set_designs (created_at DESC, id DESC);

COMMENT ON TABLE set_designs IS 'A photo set: which base image to use for each subject and shot type, plus references and portraits.';
COMMENT ON COLUMN set_designs.id IS 'Set design id.';
COMMENT ON COLUMN set_designs.name IS 'Display name (up to 255 characters).';
COMMENT ON COLUMN set_designs.description IS 'Free text, optional.';
COMMENT ON COLUMN set_designs.background_preset_id IS 'The background used, optional.';
COMMENT ON COLUMN set_designs.owner_id IS 'Creator.';
COMMENT ON COLUMN set_designs.organization_id IS 'Owning organization; null for personal designs.';
COMMENT ON COLUMN set_designs.created_at IS 'When it was created.';
COMMENT ON COLUMN set_designs.updated_at IS 'When it or any of its images last changed.';

CREATE TABLE set_base_images (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    set_design_id uuid NOT NULL REFERENCES set_designs (id) ON DELETE CASCADE,
    subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    shot_type_id uuid NOT NULL REFERENCES shot_types (id) ON DELETE CASCADE,
    image_url text,
    image_media_id uuid REFERENCES media_resources (id) ON DELETE SET NULL,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT set_base_images_slot_key UNIQUE (set_design_id, subject_id, shot_type_id)
);
CREATE INDEX set_base_images_subject_id_idx ON set_base_images (subject_id);
CREATE INDEX set_base_images_shot_type_id_idx ON set_base_images (shot_type_id);
CREATE INDEX set_base_images_image_media_id_idx ON set_base_images (image_media_id);

COMMENT ON TABLE set_base_images IS 'The base image of one subject in one shot type of a set design (at most one per slot).';
COMMENT ON COLUMN set_base_images.id IS 'Base image id.';
COMMENT ON COLUMN set_base_images.set_design_id IS 'The set design.';
COMMENT ON COLUMN set_base_images.subject_id IS 'The subject photographed.';
COMMENT ON COLUMN set_base_images.shot_type_id IS 'The shot type.';
COMMENT ON COLUMN set_base_images.image_url IS 'An external image URL, when not linked to stored media.';
COMMENT ON COLUMN set_base_images.image_media_id IS 'The stored image, when linked.';
COMMENT ON COLUMN set_base_images.position IS 'Order within the design, as given.';
COMMENT ON COLUMN set_base_images.created_at IS 'When it was created.';
COMMENT ON COLUMN set_base_images.updated_at IS 'When it last changed.';

CREATE TABLE set_reference_images (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    set_design_id uuid NOT NULL REFERENCES set_designs (id) ON DELETE CASCADE,
    shot_type_id uuid NOT NULL REFERENCES shot_types (id) ON DELETE CASCADE,
    label text,
    image_url text,
    image_media_id uuid REFERENCES media_resources (id) ON DELETE SET NULL,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX set_reference_images_set_design_id_idx ON set_reference_images (set_design_id, position);
CREATE INDEX set_reference_images_shot_type_id_idx ON set_reference_images (shot_type_id);
CREATE INDEX set_reference_images_image_media_id_idx ON set_reference_images (image_media_id);

COMMENT ON TABLE set_reference_images IS 'Example images for a shot type of a set design.';
COMMENT ON COLUMN set_reference_images.id IS 'Reference image id.';
COMMENT ON COLUMN set_reference_images.set_design_id IS 'The set design.';
COMMENT ON COLUMN set_reference_images.shot_type_id IS 'The shot type it illustrates.';
COMMENT ON COLUMN set_reference_images.label IS 'Label, optional.';
COMMENT ON COLUMN set_reference_images.image_url IS 'An external image URL, when not linked to stored media.';
COMMENT ON COLUMN set_reference_images.image_media_id IS 'The stored image, when linked.';
COMMENT ON COLUMN set_reference_images.position IS 'Order within the design, as given.';
COMMENT ON COLUMN set_reference_images.created_at IS 'When it was created.';
COMMENT ON COLUMN set_reference_images.updated_at IS 'When it last changed.';

CREATE TABLE subject_portraits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    set_design_id uuid NOT NULL REFERENCES set_designs (id) ON DELETE CASCADE,
    subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    image_url text,
    image_media_id uuid REFERENCES media_resources (id) ON DELETE SET NULL,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subject_portraits_subject_key UNIQUE (set_design_id, subject_id)
);
CREATE INDEX subject_portraits_subject_id_idx ON subject_portraits (subject_id);
CREATE INDEX subject_portraits_image_media_id_idx ON subject_portraits (image_media_id);

COMMENT ON TABLE subject_portraits IS 'A portrait of a subject for a set design (at most one per subject).';
COMMENT ON COLUMN subject_portraits.id IS 'Portrait id.';
COMMENT ON COLUMN subject_portraits.set_design_id IS 'The set design.';
COMMENT ON COLUMN subject_portraits.subject_id IS 'The subject.';
COMMENT ON COLUMN subject_portraits.image_url IS 'An external image URL, when not linked to stored media.';
COMMENT ON COLUMN subject_portraits.image_media_id IS 'The stored image, when linked.';
COMMENT ON COLUMN subject_portraits.position IS 'Order within the design, as given.';
COMMENT ON COLUMN subject_portraits.created_at IS 'When it was created.';
COMMENT ON COLUMN subject_portraits.updated_at IS 'When it last changed.';

CREATE TABLE completion_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    set_design_id uuid NOT NULL REFERENCES set_designs (id) ON DELETE CASCADE,
    requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
    subject_ids uuid[] NOT NULL,
    shot_type_ids uuid[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX completion_requests_set_design_id_idx ON completion_requests (set_design_id, created_at DESC);
CREATE INDEX completion_requests_requested_by_idx ON completion_requests (requested_by);

COMMENT ON TABLE completion_requests IS 'Requests to operators to add base images for subjects or shot types a set design lacks.';
COMMENT ON COLUMN completion_requests.id IS 'Request id.';
COMMENT ON COLUMN completion_requests.set_design_id IS 'The set design to complete.';
COMMENT ON COLUMN completion_requests.requested_by IS 'Who asked.';
COMMENT ON COLUMN completion_requests.subject_ids IS 'Subjects to add.';
COMMENT ON COLUMN completion_requests.shot_type_ids IS 'Shot types to add.';
COMMENT ON COLUMN completion_requests.created_at IS 'When it was asked.';

CREATE TABLE operator_notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    completion_request_id uuid REFERENCES completion_requests (id) ON DELETE SET NULL,
    payload jsonb NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    delivered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_notifications_due_idx ON operator_notifications (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX operator_notifications_completion_request_id_idx ON operator_notifications (completion_request_id);

COMMENT ON TABLE operator_notifications IS 'Outbox of webhook messages to operators: written with the request, sent by workers with retries until delivered.';
COMMENT ON COLUMN operator_notifications.id IS 'Outbox row id.';
COMMENT ON COLUMN operator_notifications.completion_request_id IS 'The request it announces.';
COMMENT ON COLUMN operator_notifications.payload IS 'The Slack-compatible JSON body, {"text": ...}.';
COMMENT ON COLUMN operator_notifications.attempts IS 'Delivery attempts so far.';
COMMENT ON COLUMN operator_notifications.next_attempt_at IS 'Not sent before this time (backoff, or the claim of a worker sending it).';
COMMENT ON COLUMN operator_notifications.last_error IS 'Why the last attempt failed.';
COMMENT ON COLUMN operator_notifications.delivered_at IS 'When the webhook accepted it; null while pending.';
COMMENT ON COLUMN operator_notifications.created_at IS 'When it was queued.';

-- For admins: each set design's subjects (those in its base images or
-- portraits) against the shot types in its scope, and whether a base image
-- fills the slot.
CREATE VIEW set_design_coverage AS
WITH design_subjects AS (
    SELECT set_design_id, subject_id FROM set_base_images
    UNION
    SELECT set_design_id, subject_id FROM subject_portraits
)
SELECT d.id AS set_design_id, d.name AS set_design_name, s.id AS subject_id, s.name AS subject_name,
       st.id AS shot_type_id, st.name AS shot_type_name, b.id IS NOT NULL AS has_base_image
FROM set_designs d
JOIN design_subjects ds ON ds.set_design_id = d.id
JOIN subjects s ON s.id = ds.subject_id
JOIN shot_types st ON st.deleted_at IS NULL
     AND (st.public
          OR (d.organization_id IS NOT NULL AND st.organization_id = d.organization_id)
          OR (d.organization_id IS NULL AND st.organization_id IS NULL AND st.owner_id = d.owner_id))
LEFT JOIN set_base_images b ON b.set_design_id = d.id AND b.subject_id = s.id AND b.shot_type_id = st.id;
COMMENT ON VIEW set_design_coverage IS 'One row per set design, subject and shot type in scope: has_base_image tells whether the slot is filled.';
COMMENT ON COLUMN set_design_coverage.set_design_id IS 'The set design.';
COMMENT ON COLUMN set_design_coverage.set_design_name IS 'Its name.';
COMMENT ON COLUMN set_design_coverage.subject_id IS 'A subject of the design.';
COMMENT ON COLUMN set_design_coverage.subject_name IS 'Its name.';
COMMENT ON COLUMN set_design_coverage.shot_type_id IS 'A shot type in the design''s scope.';
COMMENT ON COLUMN set_design_coverage.shot_type_name IS 'Its name.';
COMMENT ON COLUMN set_design_coverage.has_base_image IS 'Whether the design has a base image for this subject and shot type.';
