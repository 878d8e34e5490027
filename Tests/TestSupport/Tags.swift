import Testing

extension Tag {
    /// Tests that start processes, nginx, schemathesis or a browser: `swift test --skip-tags slow` leaves them out while working.
    @Tag public static var slow: Self
}
