import CSQLite

/// Why the ledger cannot be opened or written; each says what to do about it.
public enum LedgerError: Error, CustomStringConvertible {
    case noLedger(path: String)
    case cannotCreate(path: String, detail: String)
    case notALedger(path: String, detail: String)
    case refused(path: String, reason: Migrator.Refusal)
    case writeLockBusy(path: String, waitedSeconds: Double)

    public var description: String {
        switch self {
        case .noLedger(let path):
            return "\(path): no ledger here; create one with `hedgeledger init` or by importing trades"
        case let .cannotCreate(path, detail):
            return "\(path): cannot create the ledger (\(detail)); check that the directory exists and is writable"
        case let .notALedger(path, detail):
            return "\(path): not a hedgeledger database (\(detail))"
        case let .refused(path, reason):
            return "\(path): \(reason)"
        case let .writeLockBusy(path, waited):
            let waitedText = waited > 0 ? "after waiting \(waited) s" : "at once"
            return "\(path): the database write lock is held by another process (another import is running); gave up \(waitedText). Retry when it finishes, or pass --wait SECONDS to wait for it"
        }
    }
}

/// One open ledger: its connection and its repositories. Opening brings the schema up to date
/// or refuses the file; writing goes through `write`, which holds the single writer lock.
public final class Ledger {
    public let connection: Connection
    public var path: String { connection.path }

    public var instruments: InstrumentRepository { InstrumentRepository(connection: connection) }
    public var fills: FillRepository { FillRepository(connection: connection) }
    public var positions: PositionRepository { PositionRepository(connection: connection) }
    public var imports: ImportRepository { ImportRepository(connection: connection) }
    public var marks: MarkRepository { MarkRepository(connection: connection) }
    public var indexPrices: IndexPriceRepository { IndexPriceRepository(connection: connection) }

    /// Opens (and with `create`, creates) the ledger at `path` and applies pending migrations,
    /// recording `now` as their time. A database newer than this binary, or one whose applied
    /// migrations differ from the embedded ones, is refused and left untouched.
    public init(path: String, create: Bool, now: Timestamp) throws {
        do {
            let connection = try Connection(path: path, create: create)
            // A 64 MiB page cache: an import's transaction touches many index pages, and with
            // the default 2 MiB they are spilled to the WAL and rewritten again and again.
            try connection.execute("PRAGMA cache_size = -65536")
            try Schema.migrator.migrate(connection, now: now.microseconds)
            self.connection = connection
        } catch {
            throw Self.explain(error, path: path, creating: create)
        }
    }

    private static func explain(_ error: any Error, path: String, creating: Bool) -> any Error {
        if let refusal = error as? Migrator.Refusal { return LedgerError.refused(path: path, reason: refusal) }
        guard let error = error as? SQLiteError else { return error }
        switch error.primaryCode {
        case SQLITE_CANTOPEN where !creating: return LedgerError.noLedger(path: path)
        case SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM: return LedgerError.cannotCreate(path: path, detail: error.message)
        case SQLITE_NOTADB: return LedgerError.notALedger(path: path, detail: error.message)
        case SQLITE_BUSY, SQLITE_LOCKED: return LedgerError.writeLockBusy(path: path, waitedSeconds: 5)
        default: return error
        }
    }

    /// Runs `body` as the only writer: `BEGIN IMMEDIATE` takes the write lock, waiting up to
    /// `waitSeconds` for another writer to finish (0: fail at once). Readers are never blocked
    /// (WAL). Everything `body` wrote is rolled back if it throws.
    public func write<T>(waitSeconds: Double = 0, _ body: () throws -> T) throws -> T {
        connection.setBusyTimeout(milliseconds: Int32(min(max(waitSeconds, 0), 86_400) * 1000))
        defer { connection.setBusyTimeout(milliseconds: 5000) }
        do {
            return try connection.transaction(.immediate, body)
        } catch let error as SQLiteError where error.isBusy && error.sql == Connection.TransactionKind.immediate.beginSQL {
            throw LedgerError.writeLockBusy(path: path, waitedSeconds: waitSeconds)
        }
    }
}
