import Foundation
import Shared

/// `POST /users/` body, as the FastAPI template's `UserCreate`.
struct UserCreate: RequestBody {
    var email: String
    var password: String
    var fullName: String?
    var isSuperuser: Bool
    var isActive: Bool

    static func read(_ reader: ObjectReader) -> UserCreate? {
        let email = reader.required("email") { $0.email() }
        let password = reader.required("password") { $0.string(minLength: 8, maxLength: 128) }
        let fullName = reader.optional("full_name") { $0.string(maxLength: 255) }
        let isSuperuser = reader.optional("is_superuser") { $0.bool() }
        let isActive = reader.optional("is_active") { $0.bool() }
        guard let email, let password else { return nil }
        return UserCreate(
            email: email, password: password, fullName: fullName,
            isSuperuser: isSuperuser ?? false, isActive: isActive ?? true
        )
    }
}

/// `UserPublic`: never the password hash.
struct UserPublic: JSONRepresentable {
    var id: UUID
    var email: String
    var fullName: String?
    var isActive: Bool
    var isSuperuser: Bool

    init(id: UUID, email: String, fullName: String?, isActive: Bool, isSuperuser: Bool) {
        self.id = id
        self.email = email
        self.fullName = fullName
        self.isActive = isActive
        self.isSuperuser = isSuperuser
    }

    init(_ user: CurrentUser) {
        self.init(id: user.id, email: user.email, fullName: user.fullName, isActive: user.isActive, isSuperuser: user.isSuperuser)
    }

    var json: JSONValue {
        .object([
            "email": .string(email),
            "is_active": .bool(isActive),
            "is_superuser": .bool(isSuperuser),
            "full_name": .string(fullName),
            "id": .uuid(id),
        ])
    }
}

/// `UsersPublic`
typealias UsersPublic = Page<UserPublic>
