-- The catalog the set designs lean on: shot types, subjects, background
-- presets, shooting guidelines and their shot-type rules (CONTRACT §4).

CREATE TYPE view_angle AS ENUM (
    'front', 'back', 'side', 'left', 'right', 'three_quarter_left', 'three_quarter_right', 'top', 'bottom', 'detail'
);
COMMENT ON TYPE view_angle IS 'Where the camera stands relative to the subject.';

CREATE TYPE shot_type_framing AS ENUM (
    'full_body', 'three_quarter_body', 'upper_body', 'lower_body', 'close_up', 'detail'
);
COMMENT ON TYPE shot_type_framing IS 'How much of the subject a shot shows.';

CREATE TABLE shot_types (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    view_angle view_angle NOT NULL,
    framing shot_type_framing NOT NULL,
    shot_type_ref_image_url text,
    shot_type_prompt_instruction text,
    file_naming_convention text,
    reference_image_url text,
    prompt text,
    prompt_builder_section text,
    core_focus boolean NOT NULL DEFAULT false,
    default_shot_type text,
    margins jsonb CHECK (margins IS NULL OR jsonb_typeof(margins) = 'object'),
    owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
    public boolean NOT NULL DEFAULT false,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX shot_types_owner_id_idx ON shot_types (owner_id);
CREATE INDEX shot_types_organization_id_idx ON shot_types (organization_id);
CREATE INDEX shot_types_public_idx ON shot_types (created_at DESC, id DESC) WHERE public AND deleted_at IS NULL;
CREATE INDEX shot_types_created_at_idx ON shot_types (created_at DESC, id DESC) WHERE deleted_at IS NULL;

COMMENT ON TABLE shot_types IS 'Kinds of photo (front full body, back close-up, ...). Deleting one sets deleted_at; deleted ones are hidden everywhere.';
COMMENT ON COLUMN shot_types.id IS 'Shot type id.';
COMMENT ON COLUMN shot_types.name IS 'Display name; also a matching key for uploaded file names.';
COMMENT ON COLUMN shot_types.view_angle IS 'Camera position; view_angle_framing is a matching key.';
COMMENT ON COLUMN shot_types.framing IS 'How much of the subject is in frame.';
COMMENT ON COLUMN shot_types.shot_type_ref_image_url IS 'URL of an example image for this shot type.';
COMMENT ON COLUMN shot_types.shot_type_prompt_instruction IS 'Instruction text for image generation.';
COMMENT ON COLUMN shot_types.file_naming_convention IS 'The strongest matching key for uploaded file names, when set.';
COMMENT ON COLUMN shot_types.reference_image_url IS 'URL of the reference image.';
COMMENT ON COLUMN shot_types.prompt IS 'Prompt text.';
COMMENT ON COLUMN shot_types.prompt_builder_section IS 'Section of the prompt builder this shot type belongs to.';
COMMENT ON COLUMN shot_types.core_focus IS 'Whether this is one of the core shots of a production.';
COMMENT ON COLUMN shot_types.default_shot_type IS 'Name of the default shot type this one derives from.';
COMMENT ON COLUMN shot_types.margins IS 'Free-form JSON object of framing margins.';
COMMENT ON COLUMN shot_types.owner_id IS 'Creator; null for system shot types.';
COMMENT ON COLUMN shot_types.public IS 'Visible to everyone, but changed only by those who see it without this flag.';
COMMENT ON COLUMN shot_types.organization_id IS 'Owning organization; null for personal or system shot types.';
COMMENT ON COLUMN shot_types.created_at IS 'When it was created.';
COMMENT ON COLUMN shot_types.updated_at IS 'When it last changed.';
COMMENT ON COLUMN shot_types.deleted_at IS 'When it was deleted (soft delete); null while live.';

CREATE TABLE subjects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description text,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subjects_owner_id_idx ON subjects (owner_id);
CREATE INDEX subjects_organization_id_idx ON subjects (organization_id);
CREATE INDEX subjects_created_at_idx ON subjects (created_at DESC, id DESC);

COMMENT ON TABLE subjects IS 'Who or what is photographed (a model, a mannequin, a product).';
COMMENT ON COLUMN subjects.id IS 'Subject id.';
COMMENT ON COLUMN subjects.name IS 'Display name (1..255 characters).';
COMMENT ON COLUMN subjects.description IS 'Free text, optional.';
COMMENT ON COLUMN subjects.owner_id IS 'Creator.';
COMMENT ON COLUMN subjects.organization_id IS 'Owning organization; null for personal subjects.';
COMMENT ON COLUMN subjects.created_at IS 'When it was created.';
COMMENT ON COLUMN subjects.updated_at IS 'When it last changed.';

CREATE TABLE background_presets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description text,
    public boolean NOT NULL DEFAULT false,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX background_presets_owner_id_idx ON background_presets (owner_id);
CREATE INDEX background_presets_organization_id_idx ON background_presets (organization_id);
CREATE INDEX background_presets_created_at_idx ON background_presets (created_at DESC, id DESC);

COMMENT ON TABLE background_presets IS 'Reusable backgrounds for set designs.';
COMMENT ON COLUMN background_presets.id IS 'Preset id.';
COMMENT ON COLUMN background_presets.name IS 'Display name (1..255 characters).';
COMMENT ON COLUMN background_presets.description IS 'Free text, optional.';
COMMENT ON COLUMN background_presets.public IS 'Visible to everyone, but changed only by those who see it without this flag.';
COMMENT ON COLUMN background_presets.owner_id IS 'Creator.';
COMMENT ON COLUMN background_presets.organization_id IS 'Owning organization; null for personal presets.';
COMMENT ON COLUMN background_presets.created_at IS 'When it was created.';
COMMENT ON COLUMN background_presets.updated_at IS 'When it last changed.';

CREATE TABLE shooting_guidelines (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description text,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shooting_guidelines_owner_id_idx ON shooting_guidelines (owner_id);
CREATE INDEX shooting_guidelines_organization_id_idx ON shooting_guidelines (organization_id);
CREATE INDEX shooting_guidelines_created_at_idx ON shooting_guidelines (created_at DESC, id DESC);

COMMENT ON TABLE shooting_guidelines IS 'A client''s shooting rules; its shot-type rules map placements and categories to shot types.';
COMMENT ON COLUMN shooting_guidelines.id IS 'Guidelines id.';
COMMENT ON COLUMN shooting_guidelines.name IS 'Display name (1..255 characters).';
COMMENT ON COLUMN shooting_guidelines.description IS 'Free text, optional.';
COMMENT ON COLUMN shooting_guidelines.owner_id IS 'Creator.';
COMMENT ON COLUMN shooting_guidelines.organization_id IS 'Owning organization; null for personal guidelines.';
COMMENT ON COLUMN shooting_guidelines.created_at IS 'When it was created.';
COMMENT ON COLUMN shooting_guidelines.updated_at IS 'When it last changed.';

CREATE TYPE guidelines_shot_type_rule_kind AS ENUM ('PLACEMENT', 'CATEGORY');
COMMENT ON TYPE guidelines_shot_type_rule_kind IS 'What a rule''s value names: a placement (upper_body, ...) or a product category.';

CREATE TABLE guidelines_shot_type_rules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    guidelines_id uuid NOT NULL REFERENCES shooting_guidelines (id) ON DELETE CASCADE,
    rule_kind guidelines_shot_type_rule_kind NOT NULL,
    rule_value text NOT NULL CHECK (length(rule_value) BETWEEN 1 AND 100),
    shot_type_id uuid NOT NULL REFERENCES shot_types (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT guidelines_shot_type_rules_unique UNIQUE (guidelines_id, rule_kind, rule_value, shot_type_id)
);
CREATE INDEX guidelines_shot_type_rules_shot_type_id_idx ON guidelines_shot_type_rules (shot_type_id);

COMMENT ON TABLE guidelines_shot_type_rules IS 'One row per (guidelines, kind, value, shot type): "PLACEMENT upper_body -> these shot types".';
COMMENT ON COLUMN guidelines_shot_type_rules.id IS 'Rule row id.';
COMMENT ON COLUMN guidelines_shot_type_rules.guidelines_id IS 'The guidelines the rule belongs to.';
COMMENT ON COLUMN guidelines_shot_type_rules.rule_kind IS 'PLACEMENT or CATEGORY.';
COMMENT ON COLUMN guidelines_shot_type_rules.rule_value IS 'The placement or category (1..100 characters).';
COMMENT ON COLUMN guidelines_shot_type_rules.shot_type_id IS 'A shot type the key maps to.';
COMMENT ON COLUMN guidelines_shot_type_rules.created_at IS 'When the row was created.';
COMMENT ON COLUMN guidelines_shot_type_rules.updated_at IS 'When the row last changed.';

-- row_visible (0001) plus CONTRACT §3's public rows: visible to everyone
-- unless the request narrows to an organization.
CREATE FUNCTION catalog_row_visible(
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
        OR (row_public AND filter_organization_id IS NULL)
$$;
COMMENT ON FUNCTION catalog_row_visible(boolean, uuid, uuid, uuid, boolean, uuid[], uuid) IS
    'row_visible, or a public row when no organization filter is given.';
