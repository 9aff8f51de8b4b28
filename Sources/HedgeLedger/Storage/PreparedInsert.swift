/// An `INSERT ... ON CONFLICT DO NOTHING` prepared once and run row after row: the import hot
/// path. Callers reset the statement, bind numbers on `statement`, add texts to `texts`, then
/// `run()`, which says whether the row was new.
public final class PreparedInsert {
    public let statement: Statement
    public let texts = Statement.TextBuffer()
    private let connection: Connection

    init(connection: Connection, sql: String) throws {
        self.connection = connection
        statement = try connection.cached(sql)
    }

    /// Runs with the texts added since the last run; true when a row was inserted.
    public func run() throws -> Bool {
        try texts.run(statement)
        return connection.changes == 1
    }

    /// The rowid of the row the last `run()` inserted.
    public var lastInsertRowID: Int64 { connection.lastInsertRowID }
}
