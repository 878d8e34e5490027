-- Blob storage (the default `postgres` store) and media resources (CONTRACT §7).

CREATE TABLE blobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text NOT NULL UNIQUE,
    size bigint,
    sha256 text,
    chunk_size integer NOT NULL CHECK (chunk_size > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE blobs IS 'Stored files of the postgres blob store; their bytes are in blob_chunks. Keys under staging/ are writes in progress.';
COMMENT ON COLUMN blobs.id IS 'Internal id, referenced by blob_chunks.';
COMMENT ON COLUMN blobs.key IS 'The blob''s name: sha256/<2 hex>/<hash> for media, uploads/<task id> for archives.';
COMMENT ON COLUMN blobs.size IS 'Size in bytes; null while the write is in progress.';
COMMENT ON COLUMN blobs.sha256 IS 'Lowercase hex SHA-256 of the bytes.';
COMMENT ON COLUMN blobs.chunk_size IS 'Bytes per blob_chunks row (all but the last are full).';
COMMENT ON COLUMN blobs.created_at IS 'When the write started.';

CREATE TABLE blob_chunks (
    blob_id bigint NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
    seq integer NOT NULL CHECK (seq >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (blob_id, seq)
);
-- Images and archives do not compress: skip TOAST's compression attempt (~30% faster writes).
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
COMMENT ON TABLE blob_chunks IS 'The bytes of blobs, in order, chunk_size bytes per row.';
COMMENT ON COLUMN blob_chunks.blob_id IS 'The blob.';
COMMENT ON COLUMN blob_chunks.seq IS 'Position of the chunk, from 0.';
COMMENT ON COLUMN blob_chunks.data IS 'The chunk''s bytes (stored uncompressed).';

CREATE TABLE media_resources (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    blob_key text NOT NULL,
    resource_type text NOT NULL DEFAULT 'image',
    mime_type text NOT NULL,
    extension text NOT NULL,
    file_size bigint NOT NULL CHECK (file_size >= 0),
    width integer,
    height integer,
    orientation text,
    aspect_ratio double precision,
    alt_text text,
    caption text,
    color_profile text,
    dominant_color text,
    duration double precision,
    protected boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT media_resources_tenant_content_key UNIQUE NULLS NOT DISTINCT (owner_id, organization_id, content_hash)
);
CREATE INDEX media_resources_organization_id_idx ON media_resources (organization_id);
CREATE INDEX media_resources_content_hash_idx ON media_resources (content_hash);
CREATE INDEX media_resources_created_at_idx ON media_resources (created_at DESC, id DESC);

COMMENT ON TABLE media_resources IS 'Images a tenant uploaded. The bytes are stored once per content_hash; each tenant has its own row.';
COMMENT ON COLUMN media_resources.id IS 'Media id.';
COMMENT ON COLUMN media_resources.owner_id IS 'Uploader.';
COMMENT ON COLUMN media_resources.organization_id IS 'Owning organization; null for personal media.';
COMMENT ON COLUMN media_resources.content_hash IS 'Lowercase hex SHA-256 of the bytes; also the ETag.';
COMMENT ON COLUMN media_resources.blob_key IS 'Where the bytes are in the blob store.';
COMMENT ON COLUMN media_resources.resource_type IS 'Kind of media: image.';
COMMENT ON COLUMN media_resources.mime_type IS 'Content-Type, from the bytes (not the file name).';
COMMENT ON COLUMN media_resources.extension IS 'File extension for the detected format (jpg, png, webp, ...).';
COMMENT ON COLUMN media_resources.file_size IS 'Size in bytes.';
COMMENT ON COLUMN media_resources.width IS 'Width in pixels as displayed (after EXIF rotation).';
COMMENT ON COLUMN media_resources.height IS 'Height in pixels as displayed.';
COMMENT ON COLUMN media_resources.orientation IS 'portrait, landscape or square.';
COMMENT ON COLUMN media_resources.aspect_ratio IS 'width / height.';
COMMENT ON COLUMN media_resources.alt_text IS 'Alternative text, optional.';
COMMENT ON COLUMN media_resources.caption IS 'Caption, optional.';
COMMENT ON COLUMN media_resources.color_profile IS 'Colour profile name, optional.';
COMMENT ON COLUMN media_resources.dominant_color IS 'Dominant colour, optional.';
COMMENT ON COLUMN media_resources.duration IS 'Duration in seconds for time-based media; null for images.';
COMMENT ON COLUMN media_resources.protected IS 'Protected media are not to be altered by tools.';
COMMENT ON COLUMN media_resources.created_at IS 'When it was first uploaded.';
COMMENT ON COLUMN media_resources.updated_at IS 'When it was last uploaded or changed.';
