-- GET /api/v1/set-designs/?limit=100: the statements the gateway sends for one request.
-- Variables: :user, :superuser, :user_orgs, and :designs, :media (the page's) for design-lists.sql.
\ir caller.sql
-- The count and the page (TenantRows.list; no owner_id filter: NULL).
SELECT count(*) FROM set_designs t
WHERE catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid) AND (NULL::uuid IS NULL OR t.owner_id = NULL);
SELECT t.id, t.created_at, t.updated_at, t.name, t.description, t.owner_id, t.organization_id, t.background_preset_id
FROM set_designs t
WHERE catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid) AND (NULL::uuid IS NULL OR t.owner_id = NULL)
ORDER BY t.created_at DESC, t.id DESC
OFFSET 0 LIMIT 100;
\ir design-lists.sql
