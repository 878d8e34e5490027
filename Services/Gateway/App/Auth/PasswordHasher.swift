import HummingbirdBcrypt
import Synchronization
import NIOCore
import NIOPosix
import ServiceLifecycle

/// bcrypt on a thread pool of its own: a hash takes ~0.3 s at cost 12 and
/// must not block an event loop or the cooperative pool, nor queue ahead of
/// the file I/O of uploads and media on NIO's shared pool. The pool has half
/// the cores and a bounded queue: a login flood beyond it is answered 503 at
/// once instead of making every login wait behind it.
public struct PasswordHasher: Sendable, Service {
    let cost: UInt8
    /// Checked against when the email is unknown, so a login takes as long
    /// either way and does not reveal which emails have accounts.
    let decoyHash: String
    private let pool: NIOThreadPool
    /// Hashes running or waiting now.
    private final class Queued: Sendable { let count = Mutex(0) }
    private let queued = Queued()
    /// Hashes running or waiting, at most.
    let maxQueued: Int

    public init(cost: Int) async throws {
        self.cost = UInt8(cost)
        let threads = max(1, System.coreCount / 2)
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        maxQueued = threads * 16
        let cost = self.cost
        decoyHash = try await pool.runIfActive { Bcrypt.hash("decoy password", cost: cost) }
    }

    /// Runs until the service group shuts down, then stops the pool's threads.
    public func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await bounded { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await bounded { Bcrypt.verify(password, hash: hash) }
    }

    private func bounded<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        let admitted = queued.count.withLock { count in
            guard count < maxQueued else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError.tryLater(.serviceUnavailable, "Too many logins at once; try again shortly", afterSeconds: 1)
        }
        defer { queued.count.withLock { $0 -= 1 } }
        return try await pool.runIfActive(work)
    }
}
