import Foundation
import PostgresNIO
import Shared

/// `MediaResourcePublic`, field for field; `url` is a signed, expiring content URL.
struct MediaResourcePublic: JSONRepresentable {
    static let table = TenantTable(name: "media_resources", noun: "Media resource", labelColumn: "t.content_hash")

    var id: UUID
    var url: String
    var resourceType: String
    var fileExtension: String
    var contentHash: String
    var fileSize: Int
    var width: Int?
    var height: Int?
    var aspectRatio: Double?
    var orientation: String?
    var duration: Double?
    var altText: String?
    var caption: String?
    var colorProfile: String?
    var dominantColor: String?
    var isProtected: Bool
    var createdAt: Date

    /// `columnPrefix` reads the columns of a joined media row (`m_id`, ...).
    init(row: PostgresRandomAccessRow, url: String, columnPrefix: String = "") throws {
        func column<Value: PostgresDecodable>(_ name: String) throws -> Value { try row.value(columnPrefix + name) }
        id = try column("id")
        self.url = url
        resourceType = try column("resource_type")
        fileExtension = try column("extension")
        contentHash = try column("content_hash")
        fileSize = Int(try column("file_size") as Int64)
        width = (try column("width") as Int32?).map(Int.init)
        height = (try column("height") as Int32?).map(Int.init)
        aspectRatio = try column("aspect_ratio")
        orientation = try column("orientation")
        duration = try column("duration")
        altText = try column("alt_text")
        caption = try column("caption")
        colorProfile = try column("color_profile")
        dominantColor = try column("dominant_color")
        isProtected = try column("protected")
        createdAt = try column("created_at")
    }

    var json: JSONValue {
        .object([
            "id": .uuid(id),
            "url": .string(url),
            "resource_type": .string(resourceType),
            "extension": .string(fileExtension),
            "content_hash": .string(contentHash),
            "file_size": .int(fileSize),
            "width": .int(width),
            "height": .int(height),
            "aspect_ratio": aspectRatio.map(JSONValue.double) ?? .null,
            "orientation": .string(orientation),
            "duration": duration.map(JSONValue.double) ?? .null,
            "alt_text": .string(altText),
            "caption": .string(caption),
            "color_profile": .string(colorProfile),
            "dominant_color": .string(dominantColor),
            "protected": .bool(isProtected),
            "created_at": .date(createdAt),
        ])
    }
}
