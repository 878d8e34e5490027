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
