-- GET /api/v1/shot-types/?limit=100: the statements the gateway sends for one request.
-- Variables: :user, :superuser, :user_orgs.
\ir caller.sql
-- The count and the page (TenantRows.list with ShotTypesRepository.reader; no owner_id filter: NULL).
SELECT count(*) FROM shot_types t
WHERE catalog_row_visible(t.public, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid) AND t.deleted_at IS NULL AND (NULL::uuid IS NULL OR t.owner_id = NULL);
SELECT t.id, t.name, t.view_angle, t.framing, t.shot_type_ref_image_url, t.shot_type_prompt_instruction,
       t.file_naming_convention, t.reference_image_url, t.prompt, t.prompt_builder_section, t.core_focus,
       t.default_shot_type, t.margins, t.owner_id, t.public, t.organization_id, t.created_at, t.updated_at, t.deleted_at
FROM shot_types t
WHERE catalog_row_visible(t.public, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid) AND t.deleted_at IS NULL AND (NULL::uuid IS NULL OR t.owner_id = NULL)
ORDER BY t.created_at DESC, t.id DESC
OFFSET 0 LIMIT 100;
