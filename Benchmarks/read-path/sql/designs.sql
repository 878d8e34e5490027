-- GET /api/v1/set-designs/?limit=100: the two statements the gateway sends
-- (SetDesignsRepository.DesignPage, then MediaRepository.ByIDs; both prepared;
-- no owner_id filter: NULL). Variables: :user, :superuser, :user_orgs, :page_media
-- (the distinct media the page's images link, a uuid[] literal).
SELECT t.id, t.created_at, t.updated_at, t.name, t.description, t.owner_id, t.organization_id, t.background_preset_id, t.total,
       i.kind, i.id, i.created_at, i.updated_at, i.subject_id, i.shot_type_id, i.label, i.image_url, i.image_media_id
FROM (SELECT t.*, count(*) OVER () AS total FROM set_designs t
      WHERE catalog_row_visible(false, t.owner_id, t.organization_id, :user, :superuser, :user_orgs, NULL::uuid)
        AND (NULL::uuid IS NULL OR t.owner_id = NULL)
      ORDER BY t.created_at DESC, t.id DESC OFFSET 0 LIMIT 100) t
\ir design-images.sql
ORDER BY t.created_at DESC, t.id DESC, i.kind, i.position, i.id;
SELECT t.id, t.resource_type, t.extension, t.content_hash, t.file_size, t.width, t.height, t.aspect_ratio,
       t.orientation, t.duration, t.alt_text, t.caption, t.color_profile, t.dominant_color, t.protected,
       t.created_at, t.blob_key, t.mime_type
FROM media_resources t WHERE t.id = ANY (:page_media);
