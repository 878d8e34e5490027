import Foundation
import Synchronization

/// Bounds the uploads one gateway receives at once, in all and per user
/// (`MAX_CONCURRENT_UPLOADS`, `MAX_CONCURRENT_UPLOADS_PER_USER`): each holds
/// a blob write and its memory for as long as its client takes, so a few
/// clients must not be able to hold them all. Beyond either bound: 429.
final class UploadSlots: Sendable {
    private struct State {
        var total = 0
        var perUser: [UUID: Int] = [:]
    }

    let maxTotal: Int
    let maxPerUser: Int
    private let state = Mutex(State())

    init(maxTotal: Int, maxPerUser: Int) {
        self.maxTotal = maxTotal
        self.maxPerUser = maxPerUser
    }

    /// Runs `body` holding one of the user's slots, or throws 429 when none is free.
    func withSlot<Result>(for user: UUID, _ body: () async throws -> Result) async throws -> Result {
        let taken = state.withLock { state -> Bool in
            let users = state.perUser[user, default: 0]
            guard state.total < maxTotal, users < maxPerUser else { return false }
            state.total += 1
            state.perUser[user] = users + 1
            return true
        }
        guard taken else {
            throw APIError.tryLater(.tooManyRequests, "Too many uploads in progress; try again when one has finished", afterSeconds: 5)
        }
        defer {
            state.withLock { state in
                state.total -= 1
                let users = state.perUser[user, default: 1] - 1
                state.perUser[user] = users == 0 ? nil : users
            }
        }
        return try await body()
    }
}
