import PostgresNIO

/// How a repository reads its rows: the select list, and the typed decoding
/// of exactly those columns in that order, written side by side. A renamed or
/// retyped column fails the statement or the decoding in the first test that
/// reads the row, instead of a lookup by name failing one request.
struct RowReader<Row>: Sendable {
    /// The select list, over the alias the queries give the table.
    let columns: String
    /// Reads the row from the cells, consuming exactly the `columns`.
    var read: @Sendable (inout RowCells) throws -> Row
    /// How many columns `columns` lists (commas outside parentheses, plus one).
    let columnCount: Int

    init(columns: String, read: @escaping @Sendable (inout RowCells) throws -> Row) {
        self.columns = columns
        self.read = read
        var (depth, commas) = (0, 0)
        for byte in columns.utf8 {
            switch byte {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            case UInt8(ascii: ",") where depth == 0: commas += 1
            default: break
            }
        }
        columnCount = commas + 1
    }

    /// The row when the select list is `columns` and nothing else.
    func decode(_ row: PostgresRow) throws -> Row {
        var cells = RowCells(row)
        let value = try read(&cells)
        try cells.requireEnd()
        return value
    }

    /// The first row, for statements that always return one (`INSERT ... RETURNING`).
    func one(_ rows: PostgresRowSequence) async throws -> Row {
        for try await row in rows { return try decode(row) }
        throw MissingRow()
    }

    func decodeAll(_ rows: PostgresRowSequence) async throws -> [Row] {
        var result: [Row] = []
        for try await row in rows { result.append(try decode(row)) }
        return result
    }
}

/// The cells of one row, read in order with their Swift types: a statement
/// whose select list puts several shapes side by side (a rule key and a shot
/// type) reads each with its own reader.
struct RowCells {
    private var cells: PostgresRow.Iterator
    private var index = 0

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    /// The next cells as the given types.
    mutating func decode<each Column: PostgresDecodable>(_ types: (repeat each Column).Type) throws -> (repeat each Column) {
        (repeat try next((each Column).self))
    }

    mutating func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
        guard let cell = cells.next() else { throw ColumnCountMismatch(index: index) }
        index += 1
        return try cell.decode(Value.self)
    }

    /// The next cell as `type`, without consuming it.
    func peek<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
        var copy = self
        return try copy.next(type)
    }

    /// Passes over `count` cells without decoding them.
    mutating func skip(_ count: Int) throws {
        for _ in 0..<count {
            guard cells.next() != nil else { throw ColumnCountMismatch(index: index) }
            index += 1
        }
    }

    /// A select list longer than what was read is as wrong as a shorter one.
    func requireEnd() throws {
        var rest = cells
        guard rest.next() == nil else { throw ColumnCountMismatch(index: index) }
    }

    /// The select list and the reader disagree on the number of columns.
    struct ColumnCountMismatch: Error {
        var index: Int
    }
}

/// A statement that always answers a row answered none.
struct MissingRow: Error {}
