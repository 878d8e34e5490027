import Foundation
import Testing

extension Tag {
    /// Tests that start processes, nginx, schemathesis or a browser. Each also
    /// carries `.slowTestsEnabled`, so that `SKIP_SLOW_TESTS=1 deploy/local/test`
    /// leaves them out while working (`swift test` filters by name, not by tag).
    @Tag public static var slow: Self
}

extension Trait where Self == ConditionTrait {
    /// Off when `SKIP_SLOW_TESTS=1`; the test command with nothing set runs everything.
    public static var slowTestsEnabled: Self {
        .enabled(if: ProcessInfo.processInfo.environment["SKIP_SLOW_TESTS"] != "1", "slow tests are skipped (SKIP_SLOW_TESTS=1)")
    }
}
