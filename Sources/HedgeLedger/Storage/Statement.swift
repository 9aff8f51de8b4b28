import CSQLite

/// SQLite's way of saying "copy the bytes now": Swift cannot import the C macro.
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
/// "The bytes stay valid until the statement is done": no copy.
let SQLITE_STATIC: sqlite3_destructor_type? = nil

/// A prepared statement. Owned by one connection and used from one thread: not `Sendable`.
/// Reset before each use, so a cached statement can be run again and again.
public final class Statement {
    let handle: OpaquePointer
    public let sql: String

    init(connection: Connection, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
        self.handle = handle
        self.sql = sql
    }

    /// The owning connection's handle, for error messages; valid as long as the statement is,
    /// because `sqlite3_close_v2` waits for every statement to be finalized.
    private var database: OpaquePointer? { sqlite3_db_handle(handle) }

    deinit { sqlite3_finalize(handle) }

    /// Clears previous bindings and binds `values` to parameters 1...n.
    @discardableResult
    public func bind(_ values: [any SQLiteBindable]) throws(SQLiteError) -> Statement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
        return self
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, index)
        case .integer(let v): code = sqlite3_bind_int64(handle, index, v)
        case .real(let v): code = sqlite3_bind_double(handle, index, v)
        case .text(let v): code = sqlite3_bind_text(handle, index, v, -1, SQLITE_TRANSIENT)
        case .blob(let v): code = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
        }
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: database, sql: sql) }
    }

    // Typed binding for hot paths: no array, no existential boxes. Call `reset()` first.

    public func reset() { sqlite3_reset(handle) }

    public func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ value: String, at index: Int32) throws(SQLiteError) {
        var value = value
        let code = value.withUTF8 { bytes in
            sqlite3_bind_text(handle, index, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                              Int32(bytes.count), SQLITE_TRANSIENT)
        }
        try check(code)
    }

    public func bind(_ value: Double?, at index: Int32) throws(SQLiteError) {
        try check(value.map { sqlite3_bind_double(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try check(sqlite3_bind_null(handle, index)) }
    }

    /// Binds UTF-8 bytes without SQLite copying them (nil binds NULL): they must stay valid
    /// until the statement has run.
    public func bind(text value: UnsafeBufferPointer<UInt8>?, at index: Int32) throws(SQLiteError) {
        guard let value, let base = value.baseAddress else {
            // An empty text needs a non-null pointer; nil is NULL.
            try check(value == nil ? sqlite3_bind_null(handle, index) : sqlite3_bind_text(handle, index, "", 0, SQLITE_STATIC))
            return
        }
        try check(sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                    Int32(value.count), SQLITE_STATIC))
    }

    /// Texts for one execution, gathered into one reusable buffer and bound without SQLite
    /// copying them (`SQLITE_STATIC`): an insert of many text columns then costs one memcpy
    /// per text instead of a malloc, copy and free each. Bindings point into the buffer, so
    /// they are valid only inside `run(_:)`; every execution binds all its texts again.
    ///
    /// A value, filled where it is a local variable (`PreparedInsert.run(texts:)`): held in a
    /// class, each `add` was a runtime exclusivity check, 26 for a fill.
    public struct TextBatch {
        private var bytes: [UInt8] = []
        private var spans: [(index: Int32, start: Int, count: Int)] = []

        public init() {
            bytes.reserveCapacity(1024)
            spans.reserveCapacity(16)
        }

        private init(empty: Void) {}

        /// A batch without storage, to swap with a reused one.
        static var empty: TextBatch { TextBatch(empty: ()) }

        /// Adds a text for parameter `index`; nil binds NULL.
        public mutating func add(_ text: String?, at index: Int32) {
            guard let text else {
                spans.append((index, -1, 0))
                return
            }
            let start = bytes.count
            bytes.append(contentsOf: text.utf8)
            spans.append((index, start, bytes.count - start))
        }

        /// Binds the gathered texts to `statement`, runs it to completion, and clears the buffer.
        public mutating func run(_ statement: Statement) throws(SQLiteError) {
            defer {
                bytes.removeAll(keepingCapacity: true)
                spans.removeAll(keepingCapacity: true)
            }
            if bytes.isEmpty { bytes.append(0) }  // a valid base address even when every text is empty
            let result: Result<Void, SQLiteError> = bytes.withUnsafeBufferPointer { buffer in
                let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                for span in spans {
                    let code = span.start < 0
                        ? sqlite3_bind_null(statement.handle, span.index)
                        : sqlite3_bind_text(statement.handle, span.index, base + span.start, Int32(span.count), SQLITE_STATIC)
                    guard code == SQLITE_OK else {
                        return .failure(SQLiteError(code: code, connection: sqlite3_db_handle(statement.handle), sql: statement.sql))
                    }
                }
                do throws(SQLiteError) { try statement.run() } catch { return .failure(error) }
                return .success(())
            }
            try result.get()
        }
    }

    /// Runs the bound statement to completion (for INSERT/UPDATE/DELETE).
    public func run() throws(SQLiteError) {
        while try step() {}
    }

    private func check(_ code: Int32) throws(SQLiteError) {
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: database, sql: sql) }
    }

    /// Runs a statement that returns no rows.
    public func execute(_ values: [any SQLiteBindable] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Runs a query and maps every row.
    public func rows<T>(_ values: [any SQLiteBindable] = [], _ map: (Row) throws -> T) throws -> [T] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var result: [T] = []
        while try step() { result.append(try map(Row(statement: self))) }
        return result
    }

    /// Runs a query and visits every row without collecting them: for large scans.
    public func forEachRow(_ values: [any SQLiteBindable] = [], _ visit: (Row) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { try visit(Row(statement: self)) }
    }

    /// The first row, if any.
    public func firstRow<T>(_ values: [any SQLiteBindable] = [], _ map: (Row) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        return try step() ? map(Row(statement: self)) : nil
    }

    /// Advances to the next row: true when one is available, false when done.
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(code: sqlite3_extended_errcode(database), connection: database, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }
}

/// The current row of a running statement; valid only inside the closure it is passed to.
/// Column numbers count from `offset`, so one decoder can read its columns from any position
/// of a joined row.
public struct Row {
    let statement: Statement
    var offset: Int32 = 0

    /// The same row with column 0 at `columns` further along.
    public func shifted(by columns: Int32) -> Row { Row(statement: statement, offset: offset + columns) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, offset + column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.handle, offset + column) }
    public func int(_ column: Int32) -> Int { Int(int64(column)) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(statement.handle, offset + column) }
    public func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement.handle, offset + column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement.handle, offset + column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    /// The column's UTF-8 bytes without making a string, valid until the statement steps; nil for NULL.
    public func textBytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        // Text first, as SQLite advises (it may convert); a null pointer is NULL, or an empty
        // value SQLite had no memory to convert. verify calls this a dozen times per fill.
        guard let bytes = sqlite3_column_text(statement.handle, offset + column) else {
            return isNull(column) ? nil : UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement.handle, offset + column)))
    }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
}
