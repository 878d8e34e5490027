import Foundation
import Shared

/// The two blob stores a gateway can run with, for tests that must hold for both.
public enum TestBlobStore: String, CaseIterable, Sendable {
    case postgres, filesystem

    /// Sets the store in a test gateway's configuration; a filesystem store
    /// gets a fresh directory of its own.
    public var configure: @Sendable (inout AppConfig) -> Void {
        let store = self
        return { config in
            if store == .filesystem { config.blobStore = .filesystem(path: NSTemporaryDirectory() + "media-" + UUID().uuidString) }
        }
    }
}
