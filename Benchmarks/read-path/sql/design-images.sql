-- Part of a statement, not one: the images of each design `t`, one row per
-- image (SetDesignsRepository.imagesJoin).
LEFT JOIN LATERAL (
    SELECT 0 AS kind, c.id, c.created_at, c.updated_at, c.subject_id, c.shot_type_id, NULL::text AS label,
           c.image_url, c.image_media_id, c.position
    FROM set_base_images c WHERE c.set_design_id = t.id
    UNION ALL
    SELECT 1, c.id, c.created_at, c.updated_at, NULL, c.shot_type_id, c.label, c.image_url, c.image_media_id, c.position
    FROM set_reference_images c WHERE c.set_design_id = t.id
    UNION ALL
    SELECT 2, c.id, c.created_at, c.updated_at, c.subject_id, NULL, NULL, c.image_url, c.image_media_id, c.position
    FROM subject_portraits c WHERE c.set_design_id = t.id
) i ON true
