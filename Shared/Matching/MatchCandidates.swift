import Foundation
import Logging
import PostgresNIO

/// What a set design's archives may fill, read the one way the worker, the
/// rematch and the match preview all read it.
public enum MatchCandidates {
    /// A matcher over the design's candidates: its shot types in scope and,
    /// without a `subjectID`, its subjects in scope for the folders to name.
    public static func matcher(
        ownerID: UUID, organizationID: UUID?, subjectID: UUID?, taken: Set<Slot> = [], client: PooledClient, logger: Logger
    ) async throws -> ArchiveMatcher {
        let shotTypes = try await shotTypes(ownerID: ownerID, organizationID: organizationID, client: client, logger: logger)
        let subjects: SubjectSource
        if let subjectID {
            subjects = .given(subjectID)
        } else {
            subjects = .byFolder(try await Self.subjects(ownerID: ownerID, organizationID: organizationID, client: client, logger: logger))
        }
        return ArchiveMatcher(shotTypes: shotTypes, subjects: subjects, taken: taken)
    }

    /// Shot types an archive of the design may fill (CONTRACT §10.9), not
    /// deleted: the design's own (its organization's, or for a personal design
    /// the owner's personal ones), and public ones of anyone, which matching
    /// tries only where no own one matches (CONTRACT §6).
    static func shotTypes(ownerID: UUID, organizationID: UUID?, client: PooledClient, logger: Logger) async throws -> [ShotTypeCandidate] {
        let rows = try await client.query(
            """
            SELECT id, name, view_angle::text, framing::text, file_naming_convention, own
            FROM shot_types, LATERAL (
                SELECT coalesce(
                    CASE WHEN \(organizationID)::uuid IS NULL
                        THEN organization_id IS NULL AND owner_id = \(ownerID)
                        ELSE organization_id = \(organizationID)
                    END, false) AS own
            ) scope
            WHERE deleted_at IS NULL AND (own OR public)
            ORDER BY name, id
            """,
            logger: logger
        )
        var candidates: [ShotTypeCandidate] = []
        for try await (id, name, viewAngle, framing, convention, own) in rows.decode((UUID, String, String, String, String?, Bool).self) {
            candidates.append(
                ShotTypeCandidate(id: id, name: name, viewAngle: viewAngle, framing: framing, fileNamingConvention: convention, isOwn: own)
            )
        }
        return candidates
    }

    /// Subjects a folder may name (CONTRACT §11): the design's organization's,
    /// or for a personal design the owner's personal ones.
    static func subjects(ownerID: UUID, organizationID: UUID?, client: PooledClient, logger: Logger) async throws -> [SubjectCandidate] {
        let rows = try await client.query(
            """
            SELECT id, name FROM subjects
            WHERE CASE WHEN \(organizationID)::uuid IS NULL
                      THEN organization_id IS NULL AND owner_id = \(ownerID)
                      ELSE organization_id = \(organizationID)
                  END
            ORDER BY name, id
            """,
            logger: logger
        )
        var subjects: [SubjectCandidate] = []
        for try await (id, name) in rows.decode((UUID, String).self) { subjects.append(SubjectCandidate(id: id, name: name)) }
        return subjects
    }
}
