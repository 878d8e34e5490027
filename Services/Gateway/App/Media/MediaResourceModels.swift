import Foundation
import Shared

/// A stored `media_resources` row: what `MediaResourcePublic` shows, and
/// where and as what its bytes are served.
struct MediaResourceRecord: Sendable {
    var id: UUID
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
    var blobKey: String
    var mimeType: String
}

/// `MediaResourcePublic`, field for field; `url` is a signed, expiring content URL.
/// Rendered once when made: a design shows the same media in every slot that links it.
struct MediaResourcePublic: JSONRepresentable {
    let url: String
    let json: JSONValue

    init(record: MediaResourceRecord, url: String) {
        self.url = url
        json = [
            "id": .uuid(record.id),
            "url": .string(url),
            "resource_type": .string(record.resourceType),
            "extension": .string(record.fileExtension),
            "content_hash": .string(record.contentHash),
            "file_size": .int(record.fileSize),
            "width": .int(record.width),
            "height": .int(record.height),
            "aspect_ratio": record.aspectRatio.map(JSONValue.double) ?? .null,
            "orientation": .string(record.orientation),
            "duration": record.duration.map(JSONValue.double) ?? .null,
            "alt_text": .string(record.altText),
            "caption": .string(record.caption),
            "color_profile": .string(record.colorProfile),
            "dominant_color": .string(record.dominantColor),
            "protected": .bool(record.isProtected),
            "created_at": .date(record.createdAt),
        ]
    }
}
