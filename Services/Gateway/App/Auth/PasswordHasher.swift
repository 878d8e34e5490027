import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's thread pool: a hash takes ~0.3 s at cost 12 and must not
/// block an event loop or the cooperative pool.
public struct PasswordHasher: Sendable {
    let cost: UInt8
    /// Checked against when the email is unknown, so a login takes as long
    /// either way and does not reveal which emails have accounts.
    let decoyHash: String

    public init(cost: Int) async throws {
        self.cost = UInt8(cost)
        let cost = self.cost
        decoyHash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash("decoy password", cost: cost) }
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
