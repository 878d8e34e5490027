-- GET /api/v1/set-designs/?limit=100: the one statement the gateway sends
-- (SetDesignsRepository.DesignPage, prepared; no owner_id filter: NULL).
-- Variables: :user, :superuser, :user_orgs.
SELECT t.id, t.created_at, t.updated_at, t.name, t.description, t.owner_id, t.organization_id, t.background_preset_id, t.total,
       i.kind, i.id, i.created_at, i.updated_at, i.subject_id, i.shot_type_id, i.label, i.image_url, i.image_media_id, m.*
FROM (SELECT t.*, count(*) OVER () AS total FROM set_designs t
      WHERE catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid)
        AND (NULL::uuid IS NULL OR t.owner_id = NULL)
      ORDER BY t.created_at DESC, t.id DESC OFFSET 0 LIMIT 100) t
\ir design-images.sql
ORDER BY t.created_at DESC, t.id DESC, i.kind, i.position, i.id;
