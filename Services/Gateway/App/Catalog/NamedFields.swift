import Foundation

/// The `name` (1..255 characters) and `description` (up to 1024) that
/// subjects, background presets and guidelines share, plus the optional
/// `owner_id` / `organization_id` of a create body.
struct NamedFields {
    var name: String?
    var description: String?

    /// Reads both fields; `name` is required when `requireName`.
    static func read(_ reader: ObjectReader, requireName: Bool) -> NamedFields {
        let readName = { (value: ValueReader) in value.string(minLength: 1, maxLength: 255) }
        return NamedFields(
            name: requireName ? reader.required("name", readName) : reader.optional("name", readName),
            description: reader.optional("description") { $0.string(maxLength: 1024) }
        )
    }
}

struct OwnerFields {
    var ownerID: UUID?
    var organizationID: UUID?

    static func read(_ reader: ObjectReader) -> OwnerFields {
        OwnerFields(
            ownerID: reader.optional("owner_id") { $0.uuid() },
            organizationID: reader.optional("organization_id") { $0.uuid() }
        )
    }
}
