import Foundation
import Shared

struct OrganizationCreate: RequestBody {
    var name: String

    static func read(_ reader: ObjectReader) -> OrganizationCreate? {
        reader.required("name") { $0.string(minLength: 1, maxLength: 255) }.map(OrganizationCreate.init)
    }
}

struct OrganizationPublic: JSONRepresentable {
    var id: UUID
    var name: String
    var createdAt: Date
    var updatedAt: Date

    var json: JSONValue {
        .object([
            "id": .uuid(id),
            "name": .string(name),
            "created_at": .date(createdAt),
            "updated_at": .date(updatedAt),
        ])
    }
}

enum MembershipRole: String, APIEnum {
    case admin, member
}

struct MemberCreate: RequestBody {
    var userID: UUID
    var role: MembershipRole

    static func read(_ reader: ObjectReader) -> MemberCreate? {
        let userID = reader.required("user_id") { $0.uuid() }
        let role = reader.optional("role") { $0.enumeration(MembershipRole.self) }
        guard let userID else { return nil }
        return MemberCreate(userID: userID, role: role ?? .member)
    }
}

struct MemberPublic: JSONRepresentable {
    var organizationID: UUID
    var userID: UUID
    var email: String
    var role: MembershipRole
    var createdAt: Date

    var json: JSONValue {
        .object([
            "organization_id": .uuid(organizationID),
            "user_id": .uuid(userID),
            "email": .string(email),
            "role": .string(role.rawValue),
            "created_at": .date(createdAt),
        ])
    }
}

/// `OrganizationsPublic`
typealias OrganizationsPublic = Page<OrganizationPublic>

/// `MembersPublic`
typealias MembersPublic = Page<MemberPublic>
