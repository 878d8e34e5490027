import Foundation
import PostgresNIO
import Shared

/// `SetDesignBaseImagesUploadTaskPublic`, field for field.
struct UploadTaskPublic: JSONRepresentable {
    /// The task's columns, over alias `u`; `result_data` as text for our own parser.
    static let columns = """
        u.id, u.owner_id, u.set_design_id, u.subject_id, u.status::text AS status, u.progress, u.total_items,
        u.processed_items, u.images_processed, u.images_skipped, u.error_message, u.created_at, u.started_at,
        u.completed_at, u.result_data::text AS result_data, u.updated_at
        """

    var id: UUID
    var ownerID: UUID
    var setDesignID: UUID
    var subjectID: UUID
    var status: UploadTaskStatus
    var progress: Int
    var totalItems: Int
    var processedItems: Int
    var imagesProcessed: Int
    var imagesSkipped: Int
    var errorMessage: String?
    var createdAt: Date
    var startedAt: Date?
    var completedAt: Date?
    var resultData: JSONValue
    /// Not in the document: the version of the row, the id of its progress event.
    var updatedAt: Date

    /// The first task `rows` holds, if any.
    static func first(of rows: PostgresRowSequence) async throws -> UploadTaskPublic? {
        for try await row in rows { return try UploadTaskPublic(row: row.makeRandomAccess()) }
        return nil
    }

    init(row: PostgresRandomAccessRow) throws {
        id = try row.value("id")
        ownerID = try row.value("owner_id")
        setDesignID = try row.value("set_design_id")
        subjectID = try row.value("subject_id")
        status = UploadTaskStatus(rawValue: try row.value("status")) ?? .pending
        progress = Int(try row.value("progress", as: Int32.self))
        totalItems = Int(try row.value("total_items", as: Int32.self))
        processedItems = Int(try row.value("processed_items", as: Int32.self))
        imagesProcessed = Int(try row.value("images_processed", as: Int32.self))
        imagesSkipped = Int(try row.value("images_skipped", as: Int32.self))
        errorMessage = try row.value("error_message")
        createdAt = try row.value("created_at")
        startedAt = try row.value("started_at")
        completedAt = try row.value("completed_at")
        resultData = try (row.value("result_data", as: String?.self)).map { try JSONParser.parse(Array($0.utf8)) } ?? .null
        updatedAt = try row.value("updated_at")
    }

    var json: JSONValue {
        .object([
            "id": .uuid(id),
            "owner_id": .uuid(ownerID),
            "set_design_id": .uuid(setDesignID),
            "subject_id": .uuid(subjectID),
            "status": .string(status.rawValue),
            "progress": .int(progress),
            "total_items": .int(totalItems),
            "processed_items": .int(processedItems),
            "images_processed": .int(imagesProcessed),
            "images_skipped": .int(imagesSkipped),
            "error_message": .string(errorMessage),
            "created_at": .date(createdAt),
            "started_at": .date(startedAt),
            "completed_at": .date(completedAt),
            "result_data": resultData,
        ])
    }
}
