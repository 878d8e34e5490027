-- Accounts, organizations and who belongs to which: the basis of tenancy.

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    hashed_password text NOT NULL,
    full_name text CHECK (length(full_name) <= 255),
    is_active boolean NOT NULL DEFAULT true,
    is_superuser boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

COMMENT ON TABLE users IS 'People who log in. Passwords are bcrypt hashes, never stored in clear.';
COMMENT ON COLUMN users.id IS 'User id; the "sub" claim of access tokens.';
COMMENT ON COLUMN users.email IS 'Login name; unique regardless of case.';
COMMENT ON COLUMN users.hashed_password IS 'bcrypt hash of the password.';
COMMENT ON COLUMN users.full_name IS 'Display name, optional.';
COMMENT ON COLUMN users.is_active IS 'Inactive users cannot log in and their tokens are refused.';
COMMENT ON COLUMN users.is_superuser IS 'Superusers see and change every tenant''s rows.';
COMMENT ON COLUMN users.created_at IS 'When the account was created.';
COMMENT ON COLUMN users.updated_at IS 'When the account last changed.';

CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_created_at_idx ON organizations (created_at DESC, id DESC);

COMMENT ON TABLE organizations IS 'Tenants: rows with an organization_id are shared by its members.';
COMMENT ON COLUMN organizations.id IS 'Organization id.';
COMMENT ON COLUMN organizations.name IS 'Display name (1..255 characters).';
COMMENT ON COLUMN organizations.created_at IS 'When the organization was created.';
COMMENT ON COLUMN organizations.updated_at IS 'When the organization last changed.';

CREATE TYPE membership_role AS ENUM ('admin', 'member');
COMMENT ON TYPE membership_role IS 'admin: may add and remove members; member: sees and changes the organization''s rows.';

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role membership_role NOT NULL DEFAULT 'member',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id, organization_id);

COMMENT ON TABLE memberships IS 'Which users belong to which organizations, and with what role.';
COMMENT ON COLUMN memberships.organization_id IS 'The organization.';
COMMENT ON COLUMN memberships.user_id IS 'The member.';
COMMENT ON COLUMN memberships.role IS 'admin or member.';
COMMENT ON COLUMN memberships.created_at IS 'When the user joined.';

-- The visibility rule of CONTRACT §3 in one place. Every tenant-owned table's
-- queries call it with the viewer's id, superuser flag, organization ids and
-- the optional organization_id filter; being a plain SQL expression it is
-- inlined by the planner, so indexes on owner_id / organization_id still apply.
CREATE FUNCTION row_visible(
    row_owner_id uuid,
    row_organization_id uuid,
    viewer_id uuid,
    viewer_is_superuser boolean,
    viewer_organization_ids uuid[],
    filter_organization_id uuid
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    -- Written so that NULLs yield false, never NULL.
    SELECT (viewer_is_superuser
            OR row_owner_id = viewer_id
            OR (row_organization_id IS NOT NULL AND row_organization_id = ANY (viewer_organization_ids)))
       AND (filter_organization_id IS NULL
            OR (row_organization_id IS NOT NULL AND row_organization_id = filter_organization_id))
$$;
COMMENT ON FUNCTION row_visible(uuid, uuid, uuid, boolean, uuid[], uuid) IS
    'True when a row owned by row_owner_id in row_organization_id is visible to the viewer and inside the optional organization filter.';
