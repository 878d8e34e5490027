-- GET /api/v1/shot-types/?limit=100: the one statement the gateway sends
-- (CatalogPage<ShotTypesRepository>, prepared; no owner_id filter: NULL).
-- Variables: :user, :superuser, :user_orgs.
SELECT t.id, t.name, t.view_angle, t.framing, t.shot_type_ref_image_url, t.shot_type_prompt_instruction,
       t.file_naming_convention, t.reference_image_url, t.prompt, t.prompt_builder_section, t.core_focus,
       t.default_shot_type, t.margins, t.owner_id, t.public, t.organization_id, t.created_at, t.updated_at, t.deleted_at, t.total
FROM (SELECT t.*, count(*) OVER () AS total FROM shot_types t
      WHERE catalog_row_visible(t.public, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid) AND t.deleted_at IS NULL
        AND (NULL::uuid IS NULL OR t.owner_id = NULL)
      ORDER BY t.created_at DESC, t.id DESC OFFSET 0 LIMIT 100) t
ORDER BY t.created_at DESC, t.id DESC;
