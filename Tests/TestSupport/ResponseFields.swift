/// The keys of response shapes, in the documents' order, for tests that
/// check a shape field for field wherever it appears.
public enum ResponseFields {
    /// `MediaResourcePublic`
    public static let mediaResourcePublic = [
        "id", "url", "resource_type", "extension", "content_hash", "file_size", "width", "height", "aspect_ratio",
        "orientation", "duration", "alt_text", "caption", "color_profile", "dominant_color", "protected", "created_at",
    ]

    /// `ShotTypePublic`
    public static let shotTypePublic = [
        "name", "view_angle", "framing", "shot_type_ref_image_url", "shot_type_prompt_instruction",
        "file_naming_convention", "reference_image_url", "prompt", "prompt_builder_section", "core_focus",
        "default_shot_type", "margins", "owner_id", "public", "organization_id", "id", "created_at", "updated_at",
        "deleted_at", "reference_image",
    ]
}
