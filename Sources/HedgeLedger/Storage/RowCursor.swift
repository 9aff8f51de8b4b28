/// A query read one row at a time on demand: for merging several time-ordered scans in one
/// pass, which the callback style of `forEachRow` cannot do. Uses its own prepared statement
/// (not the connection's cache), so several cursors and other queries can run at once; the
/// statement is finalized with the cursor.
public final class RowCursor<Element> {
    private let statement: Statement
    private let decode: (Row) throws -> Element
    private var finished = false

    init(connection: Connection, sql: String, bindings: [any SQLiteBindable], decode: @escaping (Row) throws -> Element) throws {
        statement = try connection.prepare(sql)
        _ = try statement.bind(bindings)
        self.decode = decode
    }

    /// The next row, or nil when there are no more.
    public func next() throws -> Element? {
        guard !finished else { return nil }
        guard try statement.step() else {
            finished = true
            statement.reset()
            return nil
        }
        return try decode(Row(statement: statement))
    }
}

/// A cursor with the next element read ahead, to compare times before taking it.
public struct PeekingCursor<Element> {
    private let cursor: RowCursor<Element>
    public private(set) var peek: Element?

    public init(_ cursor: RowCursor<Element>) throws {
        self.cursor = cursor
        peek = try cursor.next()
    }

    public mutating func take() throws -> Element? {
        let current = peek
        peek = try cursor.next()
        return current
    }
}
