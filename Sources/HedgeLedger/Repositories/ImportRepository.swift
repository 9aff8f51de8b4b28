/// The record of one import: what file, which bytes, what came of it.
public struct ImportRecord: Sendable, Hashable {
    public var id: Int64
    public var kind: String
    public var fileName: String
    public var sha256: String
    public var sizeBytes: Int64
    public var format: String
    public var rowsAccepted: Int
    public var rowsDuplicate: Int
    public var rowsRejected: Int
    public var importedAt: Timestamp
}

public struct ImportRepository {
    let connection: Connection

    /// The id the next import will get. Only meaningful inside a write transaction, which
    /// holds the database's write lock so no other process can take the same id.
    public func nextID() throws -> Int64 {
        try connection.cached("SELECT COALESCE(MAX(id), 0) + 1 FROM imports").firstRow { $0.int64(0) } ?? 1
    }

    public func insert(_ record: ImportRecord) throws {
        try connection.cached("""
            INSERT INTO imports (id, kind, file_name, sha256, size_bytes, format, rows_accepted, rows_duplicate,
                                 rows_rejected, imported_at_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([
                record.id, record.kind, record.fileName, record.sha256, record.sizeBytes, record.format,
                record.rowsAccepted, record.rowsDuplicate, record.rowsRejected, record.importedAt,
            ])
    }

    static let columns = """
        id, kind, file_name, sha256, size_bytes, format, rows_accepted, rows_duplicate, rows_rejected, imported_at_us
        """

    public func all() throws -> [ImportRecord] {
        try connection.cached("SELECT \(Self.columns) FROM imports ORDER BY id").rows { try Self.decode($0) }
    }

    public func find(id: Int64) throws -> ImportRecord? {
        try connection.cached("SELECT \(Self.columns) FROM imports WHERE id = ?").firstRow([id]) { try Self.decode($0) }
    }

    static func decode(_ row: Row) throws -> ImportRecord {
        ImportRecord(id: row.int64(0), kind: row.text(1), fileName: row.text(2), sha256: row.text(3),
                     sizeBytes: row.int64(4), format: row.text(5), rowsAccepted: row.int(6),
                     rowsDuplicate: row.int(7), rowsRejected: row.int(8), importedAt: try row.timestamp(9))
    }
}
