import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection: foreign keys on, `trusted_schema=OFF`, defensive mode, extended
/// result codes. Opening changes nothing in the file: the journal mode and durability are
/// set by `useWriteAheadLog()`, which the ledger calls only once it has checked that the
/// file is its own, so a file that is refused is left byte-identical.
///
/// Not `Sendable`: a connection and its statements belong to one thread.
public final class Connection {
    public enum Mode: Sendable {
        case readWrite, readOnly
        /// Read-only, taking no locks and ignoring any write-ahead log (SQLite's `immutable`):
        /// for a file in a directory the reader may not write to, where SQLite cannot create
        /// the shared-memory file a WAL reader needs.
        case immutable
    }

    let handle: OpaquePointer
    public let path: String
    public let mode: Mode
    private var statementCache: [String: Statement] = [:]
    private var savepointDepth = 0

    /// Opens `path`; with `create` (read-write only), a missing file is created, readable by
    /// its owner only (0600), otherwise a missing file is an error.
    public init(path: String, mode: Mode = .readWrite, create: Bool = true, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        _ = Self.configureLibrary
        let creating = create && mode == .readWrite
        if creating && path != ":memory:" { Self.createPrivately(path) }
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        var name = path
        switch mode {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE | (creating ? SQLITE_OPEN_CREATE : 0)
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .immutable:
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
            name = "file:" + Self.uriEscaped(path) + "?immutable=1"
        }
        let code = sqlite3_open_v2(name, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(code: code, connection: handle, sql: nil)
            sqlite3_close_v2(handle)  // SQLite allocates a handle even when opening fails.
            throw error
        }
        self.handle = handle
        self.path = path
        self.mode = mode
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        do {
            var ignored: Int32 = 0
            _ = hl_sqlite3_db_config_int(handle, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &ignored)
            _ = hl_sqlite3_db_config_int(handle, SQLITE_DBCONFIG_DEFENSIVE, 1, &ignored)
            try execute("PRAGMA foreign_keys = ON")
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
    }

    /// A path as a URI path: bytes outside the unreserved set and `/` percent-encoded.
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF")
                out += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
            }
        }
        return out
    }

    /// WAL (readers never wait for the writer) and `synchronous=FULL` (a committed import
    /// survives power loss): the settings of every connection that writes.
    public func useWriteAheadLog() throws(SQLiteError) {
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = FULL")
    }

    /// Whether SQLite opened the main database read-only (asked, or the file is write-protected).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Process-wide SQLite settings, applied once before the first connection.
    private static let configureLibrary: Void = {
        _ = hl_sqlite3_disable_memory_statistics()
    }()

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Creates the file with mode 0600 if it does not exist yet, so SQLite (and its WAL and
    /// shared-memory files, which copy the database's mode) never exist world-readable.
    private static func createPrivately(_ path: String) {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
    }

    /// Runs one or more statements that return no rows (schema scripts, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A fresh prepared statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// A prepared statement kept for the connection's lifetime: for SQL run on hot paths.
    public func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    public var changes: Int { Int(sqlite3_changes64(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    public func setBusyTimeout(milliseconds: Int32) { sqlite3_busy_timeout(handle, milliseconds) }

    public enum TransactionKind: String, Sendable {
        /// Takes the write lock at once: for every transaction that will write, so two
        /// writers never deadlock upgrading read locks.
        case immediate = "IMMEDIATE"
        case deferred = "DEFERRED"

        public var beginSQL: String { "BEGIN \(rawValue)" }
    }

    /// Runs `body` inside a savepoint, which nests in a transaction or in another savepoint:
    /// released when it returns, rolled back to (and released) when it throws, so the
    /// enclosing work goes on without what `body` wrote.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "hedgeledger_\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// The first error wins: a failed rollback never hides the error that caused it.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute(kind.beginSQL)
        let result: T
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return result
    }
}
