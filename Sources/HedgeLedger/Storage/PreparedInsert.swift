/// An `INSERT ... ON CONFLICT DO NOTHING` prepared once and run row after row: the import hot
/// path. Callers reset the statement, bind numbers on `statement`, then `run(texts:)` with the
/// row's texts, which says whether the row was new.
public final class PreparedInsert {
    public let statement: Statement
    private var batch = Statement.TextBatch()
    private let connection: Connection

    init(connection: Connection, sql: String) throws {
        self.connection = connection
        statement = try connection.cached(sql)
    }

    /// Runs with the texts `add` adds to the batch; true when a row was inserted. The batch is
    /// moved out of `self` for the row and back after, keeping its capacity.
    public func run(texts add: (inout Statement.TextBatch) -> Void) throws -> Bool {
        var texts = Statement.TextBatch.empty
        swap(&texts, &batch)
        defer { swap(&texts, &batch) }
        add(&texts)
        try texts.run(statement)
        return connection.changes == 1
    }

    /// The rowid of the row the last `run(texts:)` inserted.
    public var lastInsertRowID: Int64 { connection.lastInsertRowID }
}
