-- GET /api/v1/set-designs/{id}: the statements the gateway sends for one request.
-- Variables: :user, :superuser, :user_orgs, :design, and :designs, :media for design-lists.sql.
\ir caller.sql
-- The design (TenantRows.find with SetDesignsRepository.reader).
SELECT t.id, t.created_at, t.updated_at, t.name, t.description, t.owner_id, t.organization_id, t.background_preset_id
FROM set_designs t
WHERE t.id = :design AND catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid);
\ir design-lists.sql
