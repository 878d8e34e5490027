-- The image lists of some designs and the media they link, as SetDesignsRepository.assemble
-- reads them for GET /set-designs/{id} and for a page of GET /set-designs/.
-- Variables: :designs (their ids, a uuid[] literal), :media (the distinct linked media ids).
SELECT c.set_design_id, c.id, c.created_at, c.updated_at, c.subject_id, c.shot_type_id, c.image_url, c.image_media_id
FROM set_base_images c WHERE c.set_design_id = ANY (:designs) ORDER BY c.position, c.id;
SELECT c.set_design_id, c.id, c.created_at, c.updated_at, c.shot_type_id, c.label, c.image_url, c.image_media_id
FROM set_reference_images c WHERE c.set_design_id = ANY (:designs) ORDER BY c.position, c.id;
SELECT c.set_design_id, c.id, c.created_at, c.updated_at, c.subject_id, c.image_url, c.image_media_id
FROM subject_portraits c WHERE c.set_design_id = ANY (:designs) ORDER BY c.position, c.id;
-- The media (MediaRepository.records).
SELECT t.id, t.resource_type, t.extension, t.content_hash, t.file_size, t.width, t.height, t.aspect_ratio,
       t.orientation, t.duration, t.alt_text, t.caption, t.color_profile, t.dominant_color, t.protected,
       t.created_at, t.blob_key, t.mime_type
FROM media_resources t WHERE t.id = ANY (:media);
