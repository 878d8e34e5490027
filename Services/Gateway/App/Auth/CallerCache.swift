import Foundation
import Logging
import Shared
import Synchronization

/// The callers of recent requests, so that knowing who asks costs no
/// statement: without it every request read the user and their memberships
/// first, a round trip as long as the read it was for.
///
/// Entries are trusted only while the `LISTEN caller_changed` connection is
/// up (sql/0008: triggers announce every change of a user or a membership),
/// so a change reaches every gateway within milliseconds. While that
/// connection is down, or until it is back, every request reads the
/// database, and entries older than `timeToLive` are read again in any case:
/// a connection that died without a word cannot keep a stale caller longer.
final class CallerCache: Sendable {
    private struct State {
        var entries: [UUID: Entry] = [:]
        /// Counts forgettings: a read that began before one is not kept.
        var generation: UInt64 = 0
        var listening = false
    }

    private struct Entry {
        var user: CurrentUser
        var readAt: ContinuousClock.Instant
    }

    private let state = Mutex(State())
    let timeToLive: Duration
    let capacity: Int

    init(timeToLive: Duration = .seconds(10), capacity: Int = 10_000) {
        self.timeToLive = timeToLive
        self.capacity = capacity
    }

    /// The caller `id`, from memory or from `read` (nil: no such user).
    func user(_ id: UUID, read: () async throws -> CurrentUser?) async throws -> CurrentUser? {
        let now = ContinuousClock.now
        let (cached, generation) = state.withLock { state -> (CurrentUser?, UInt64) in
            guard state.listening, let entry = state.entries[id], now - entry.readAt < timeToLive else { return (nil, state.generation) }
            return (entry.user, state.generation)
        }
        if let cached { return cached }
        let user = try await read()
        if let user {
            state.withLock { state in
                guard state.listening, state.generation == generation else { return }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
                state.entries[id] = Entry(user: user, readAt: now)
            }
        }
        return user
    }

    /// A user changed: forget them.
    func forget(_ id: UUID) {
        state.withLock { state in
            state.generation &+= 1
            state.entries[id] = nil
        }
    }

    /// A `caller_changed` payload: forget that user (everyone, when it is not an id).
    private func heard(_ payload: String) {
        guard let id = UUID(uuidString: payload) else { return forgetEveryone() }
        forget(id)
    }

    private func forgetEveryone() {
        state.withLock { Self.forgetEveryone(&$0) }
    }

    private static func forgetEveryone(_ state: inout State) {
        state.generation &+= 1
        state.entries.removeAll()
    }

    /// Changes are heard (again): start from nothing, since some may have gone unheard.
    func listening() { setListening(true) }

    /// Changes are no longer heard: trust nothing held.
    func deaf() { setListening(false) }

    private func setListening(_ listening: Bool) {
        state.withLock { state in
            Self.forgetEveryone(&state)
            state.listening = listening
        }
    }

    /// The service that keeps the cache in step with the database.
    func listener(database: Database, logger: Logger) -> ChannelListener {
        ChannelListener(
            database: database, channel: "caller_changed", logger: logger,
            onListening: { self.listening() },
            onNotification: { self.heard($0) },
            onDeaf: { self.deaf() }
        )
    }
}
