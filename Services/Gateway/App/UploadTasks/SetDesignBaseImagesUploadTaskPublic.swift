import Shared

/// `SetDesignBaseImagesUploadTaskPublic`, field for field, with the
/// additions of CONTRACT §11 (`subject_ids`, `rematch_of`; `subject_id` is
/// null when the archive's folders name the subjects): an upload task as
/// clients see it (its `updated_at` is not in the document: it is the id of
/// the task's progress events).
struct SetDesignBaseImagesUploadTaskPublic: JSONRepresentable {
    var task: UploadTask

    init(_ task: UploadTask) {
        self.task = task
    }

    var json: JSONValue {
        .object([
            "id": .uuid(task.id),
            "owner_id": .uuid(task.ownerID),
            "set_design_id": .uuid(task.setDesignID),
            "subject_id": .uuid(task.subjectID),
            "status": .string(task.status.rawValue),
            "progress": .int(task.progress),
            "total_items": .int(task.totalItems),
            "processed_items": .int(task.processedItems),
            "images_processed": .int(task.imagesProcessed),
            "images_skipped": .int(task.imagesSkipped),
            "error_message": .string(task.errorMessage),
            "created_at": .date(task.createdAt),
            "started_at": .date(task.startedAt),
            "completed_at": .date(task.completedAt),
            "result_data": task.resultData,
            "subject_ids": .array(task.subjectIDs.map(JSONValue.uuid)),
            "rematch_of": .uuid(task.rematchOf),
        ])
    }
}
