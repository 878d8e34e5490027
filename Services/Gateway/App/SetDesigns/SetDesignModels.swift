import Foundation
import Shared

/// The `image` of a create item: a URL string, a `MediaInput`, or null
/// (CONTRACT §5). A `MediaInput` with `media_resource_id` links stored media;
/// one with only `url` is a URL.
enum ImageInput: Sendable, Equatable {
    case none
    case url(String)
    case media(UUID)

    static func read(_ value: ValueReader) -> ImageInput? {
        switch value.value {
        case .string: return value.string(maxLength: 2048).map(ImageInput.url)
        case .object:
            return value.object { media in
                let id = media.optional("media_resource_id") { $0.uuid() }
                let url = media.optional("url") { $0.string(maxLength: 2048) }
                if let id { return .media(id) }
                return url.map(ImageInput.url) ?? ImageInput.none
            }
        default:
            value.issues.add(
                ValidationIssue(type: "url_or_media_type", loc: value.loc, msg: "Input should be a URL string, a MediaInput object or null", input: value.value)
            )
            return nil
        }
    }

    var url: String? { if case .url(let url) = self { url } else { nil } }
    var mediaID: UUID? { if case .media(let id) = self { id } else { nil } }
}


/// `SetBaseImageCreate`
struct SetBaseImageCreate: RequestBody {
    var subjectID: UUID
    var shotTypeID: UUID
    var image: ImageInput

    static func read(_ reader: ObjectReader) -> SetBaseImageCreate? {
        let subjectID = reader.required("subject_id") { $0.uuid() }
        let shotTypeID = reader.required("shot_type_id") { $0.uuid() }
        let image = reader.optional("image", ImageInput.read)
        guard let subjectID, let shotTypeID else { return nil }
        return SetBaseImageCreate(subjectID: subjectID, shotTypeID: shotTypeID, image: image ?? .none)
    }
}

/// `SetReferenceImageCreate`
struct SetReferenceImageCreate: RequestBody {
    var shotTypeID: UUID
    var label: String?
    var image: ImageInput

    static func read(_ reader: ObjectReader) -> SetReferenceImageCreate? {
        let shotTypeID = reader.required("shot_type_id") { $0.uuid() }
        let label = reader.optional("label") { $0.string(maxLength: 255) }
        let image = reader.optional("image", ImageInput.read)
        guard let shotTypeID else { return nil }
        return SetReferenceImageCreate(shotTypeID: shotTypeID, label: label, image: image ?? .none)
    }
}

/// `SubjectPortraitCreate`
struct SubjectPortraitCreate: RequestBody {
    var subjectID: UUID
    var image: ImageInput

    static func read(_ reader: ObjectReader) -> SubjectPortraitCreate? {
        let subjectID = reader.required("subject_id") { $0.uuid() }
        let image = reader.optional("image", ImageInput.read)
        guard let subjectID else { return nil }
        return SubjectPortraitCreate(subjectID: subjectID, image: image ?? .none)
    }
}

/// The three image lists of a create or update; in an update, nil = unchanged.
struct SetDesignImages: Sendable {
    var baseImages: [SetBaseImageCreate]?
    var referenceImages: [SetReferenceImageCreate]?
    var subjectPortraits: [SubjectPortraitCreate]?

    static func read(_ reader: ObjectReader) -> SetDesignImages {
        SetDesignImages(
            baseImages: reader.optional("base_images") { $0.list { $0.object(SetBaseImageCreate.read) } },
            referenceImages: reader.optional("reference_images") { $0.list { $0.object(SetReferenceImageCreate.read) } },
            subjectPortraits: reader.optional("subject_portraits") { $0.list { $0.object(SubjectPortraitCreate.read) } }
        )
    }

    /// Repeats within the request: a (subject, shot type) slot or a portrait's subject given twice.
    func repeats() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        var slots = Set<[UUID]>()
        for (index, image) in (baseImages ?? []).enumerated() where !slots.insert([image.subjectID, image.shotTypeID]).inserted {
            issues.append(
                .valueError(["body", "base_images", .index(index)], message: "Value error, a base image for this subject and shot type is already listed", input: .null)
            )
        }
        var subjects = Set<UUID>()
        for (index, portrait) in (subjectPortraits ?? []).enumerated() where !subjects.insert(portrait.subjectID).inserted {
            issues.append(
                .valueError(["body", "subject_portraits", .index(index), "subject_id"], message: "Value error, a portrait of this subject is already listed", input: .uuid(portrait.subjectID))
            )
        }
        return issues
    }
}

/// `SetDesignCreate`
struct SetDesignCreate: RequestBody, WholeBodyChecked {
    var name: String
    var description: String?
    var backgroundPresetID: UUID?
    var ownerID: UUID?
    var organizationID: UUID?
    var images: SetDesignImages

    static func read(_ reader: ObjectReader) -> SetDesignCreate? {
        let name = reader.required("name") { $0.string(maxLength: 255) }
        let description = reader.optional("description") { $0.string(maxLength: 1024) }
        let preset = reader.optional("background_preset_id") { $0.uuid() }
        let owner = OwnerFields.read(reader)
        let images = SetDesignImages.read(reader)
        guard let name else { return nil }
        return SetDesignCreate(
            name: name, description: description, backgroundPresetID: preset, ownerID: owner.ownerID,
            organizationID: owner.organizationID, images: images
        )
    }

    func wholeBodyIssues() -> [ValidationIssue] { images.repeats() }
}

/// `SetDesignUpdate`: null = no change, a list = full replace.
struct SetDesignUpdate: RequestBody, WholeBodyChecked {
    var name: String?
    var description: String?
    var backgroundPresetID: UUID?
    var ownerID: UUID?
    var organizationID: UUID?
    var images: SetDesignImages

    static func read(_ reader: ObjectReader) -> SetDesignUpdate? {
        let owner = OwnerFields.read(reader)
        return SetDesignUpdate(
            name: reader.optional("name") { $0.string(maxLength: 255) },
            description: reader.optional("description") { $0.string(maxLength: 1024) },
            backgroundPresetID: reader.optional("background_preset_id") { $0.uuid() },
            ownerID: owner.ownerID, organizationID: owner.organizationID,
            images: SetDesignImages.read(reader)
        )
    }

    func wholeBodyIssues() -> [ValidationIssue] { images.repeats() }
}

/// `SetDesignCompletionRequest`
struct SetDesignCompletionRequest: RequestBody {
    var subjectIDs: [UUID]
    var shotTypeIDs: [UUID]

    static func read(_ reader: ObjectReader) -> SetDesignCompletionRequest? {
        let subjects = reader.required("subject_ids") { $0.list { $0.uuid() } }
        let shotTypes = reader.required("shot_type_ids") { $0.list { $0.uuid() } }
        guard let subjects, let shotTypes else { return nil }
        if subjects.isEmpty && shotTypes.isEmpty {
            reader.issues.add(
                .valueError(["body"], message: "Value error, subject_ids and shot_type_ids cannot both be empty", input: .object(reader.object))
            )
            return nil
        }
        return SetDesignCompletionRequest(subjectIDs: subjects, shotTypeIDs: shotTypes)
    }
}

// MARK: Responses

/// The image columns every child row has, rendered as `image_url` / `image_media`.
struct LinkedImage: Sendable {
    var url: String?
    /// The linked media's id; `media` is filled in once the page's media are read.
    var mediaID: UUID?
    var media: MediaResourcePublic?

    /// A linked media resource's (signed) URL wins over a stored URL.
    var imageURL: JSONValue { .string(media?.url ?? url) }
    var imageMedia: JSONValue { .optional(media) }
}

/// `SetBaseImagePublic`
struct SetBaseImagePublic: JSONRepresentable {
    var id: UUID
    var createdAt: Date
    var updatedAt: Date
    var subjectID: UUID
    var shotTypeID: UUID
    var image: LinkedImage

    var json: JSONValue {
        .object([
            "id": .uuid(id), "created_at": .date(createdAt), "updated_at": .date(updatedAt),
            "subject_id": .uuid(subjectID), "shot_type_id": .uuid(shotTypeID),
            "image_url": image.imageURL, "image_media": image.imageMedia,
        ])
    }
}

/// `SetReferenceImagePublic`
struct SetReferenceImagePublic: JSONRepresentable {
    var id: UUID
    var createdAt: Date
    var updatedAt: Date
    var shotTypeID: UUID
    var label: String?
    var image: LinkedImage

    var json: JSONValue {
        .object([
            "id": .uuid(id), "created_at": .date(createdAt), "updated_at": .date(updatedAt),
            "shot_type_id": .uuid(shotTypeID), "label": .string(label),
            "image_url": image.imageURL, "image_media": image.imageMedia,
        ])
    }
}

/// `SubjectPortraitPublic`
struct SubjectPortraitPublic: JSONRepresentable {
    var id: UUID
    var createdAt: Date
    var updatedAt: Date
    var subjectID: UUID
    var image: LinkedImage

    var json: JSONValue {
        .object([
            "id": .uuid(id), "created_at": .date(createdAt), "updated_at": .date(updatedAt),
            "subject_id": .uuid(subjectID), "image_media": image.imageMedia,
        ])
    }
}

/// `SetDesignPublic`
struct SetDesignPublic: JSONRepresentable {
    var id: UUID
    var createdAt: Date
    var updatedAt: Date
    var name: String
    var description: String?
    var ownerID: UUID
    var organizationID: UUID?
    var backgroundPresetID: UUID?
    var baseImages: [SetBaseImagePublic] = []
    var referenceImages: [SetReferenceImagePublic] = []
    var subjectPortraits: [SubjectPortraitPublic] = []

    var json: JSONValue {
        .object([
            "id": .uuid(id), "created_at": .date(createdAt), "updated_at": .date(updatedAt),
            "name": .string(name), "description": .string(description),
            "owner_id": .uuid(ownerID), "organization_id": .uuid(organizationID),
            "background_preset_id": .uuid(backgroundPresetID),
            "base_images": .list(baseImages), "reference_images": .list(referenceImages),
            "subject_portraits": .list(subjectPortraits),
        ])
    }
}

/// `SetDesignsPublic`
typealias SetDesignsPublic = Page<SetDesignPublic>
