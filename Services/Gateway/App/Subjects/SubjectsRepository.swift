import Foundation
import Shared

/// `/api/v1/subjects/`: who or what is photographed. SQL for `subjects` (its
/// insert and update are those of every named row, in `NamedFields.swift`).
struct SubjectsRepository: CatalogRepository {
    static let table = TenantTable(name: "subjects", noun: "Subject")
    static let reader = RowReader(columns: NamedRowColumns.columns) { SubjectPublic(columns: try NamedRowColumns.read(&$0)) }

    let database: Database

    func insert(_ body: SubjectCreate, owner: Ownership, in write: CatalogWrite) async throws -> UUID {
        try await insertNamedRow(name: body.named.name ?? "", description: body.named.description, owner: owner, in: write)
    }

    func update(_ id: UUID, with body: SubjectUpdate, in write: CatalogWrite) async throws {
        try await updateNamedRow(id, with: body.named, in: write)
    }
}
