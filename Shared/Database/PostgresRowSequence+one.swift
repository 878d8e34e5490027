import PostgresNIO

extension PostgresRowSequence {
    /// The first row's value, for statements that always return a row
    /// (`INSERT ... RETURNING`, `SELECT count(*)`).
    public func one<Value: PostgresDecodable & Sendable>(_ type: Value.Type) async throws -> Value {
        for try await value in decode(Value.self) { return value }
        throw NoRow()
    }

    public struct NoRow: Error {}
}
