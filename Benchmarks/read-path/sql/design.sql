-- GET /api/v1/set-designs/{id}: the one statement the gateway sends
-- (SetDesignsRepository.FindDesign, prepared). Variables: :user, :superuser, :user_orgs, :design.
SELECT t.id, t.created_at, t.updated_at, t.name, t.description, t.owner_id, t.organization_id, t.background_preset_id,
       i.kind, i.id, i.created_at, i.updated_at, i.subject_id, i.shot_type_id, i.label, i.image_url, i.image_media_id, m.*
FROM set_designs t
\ir design-images.sql
LEFT JOIN LATERAL (SELECT t.id, t.resource_type, t.extension, t.content_hash, t.file_size, t.width, t.height, t.aspect_ratio,
       t.orientation, t.duration, t.alt_text, t.caption, t.color_profile, t.dominant_color, t.protected,
       t.created_at, t.blob_key, t.mime_type FROM media_resources t WHERE t.id = i.image_media_id) m ON true
WHERE t.id = :design AND catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid)
ORDER BY i.kind, i.position, i.id;
