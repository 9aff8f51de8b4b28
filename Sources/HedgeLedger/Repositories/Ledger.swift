import CSQLite

/// Why the ledger cannot be opened or written; each says what to do about it.
public enum LedgerError: Error, CustomStringConvertible {
    case noLedger(path: String)
    case cannotCreate(path: String, detail: String)
    case permissionDenied(path: String, detail: String)
    case storageFailed(path: String, detail: String)
    case notALedger(path: String, detail: String)
    case refused(path: String, reason: Migrator.Refusal)
    case needsMigration(path: String, version: Int, latest: Int)
    case writeLockBusy(path: String, waitedSeconds: Double)
    case lockLostAtCommit(path: String)

    public var description: String {
        switch self {
        case .noLedger(let path):
            return "\(path): no ledger here; create one with `hedgeledger init` or by importing trades"
        case let .cannotCreate(path, detail):
            return "\(path): cannot create the ledger (\(detail)); check that the directory exists"
        case let .permissionDenied(path, detail):
            return "\(path): cannot write the ledger (\(detail)); nothing was written"
        case let .storageFailed(path, detail):
            return "\(path): the disk refused a write (\(detail)); nothing was written"
        case let .notALedger(path, detail):
            return "\(path): not a hedgeledger database (\(detail)); it is left untouched"
        case let .refused(path, reason):
            return "\(path): \(reason)"
        case let .needsMigration(path, version, latest):
            return "\(path): the ledger's schema is version \(version) and this hedgeledger's is \(latest); run `hedgeledger init --db \(path)` to bring it up to date (only init changes a ledger's schema; nothing was written)"
        case let .writeLockBusy(path, waited):
            let waitedText = waited > 0 ? "after waiting \(waited) s" : "at once"
            return "\(path): the database write lock is held by another process (another import, void, book set or recompute is running); gave up \(waitedText). Retry when it finishes, or pass --wait SECONDS to wait for it"
        case .lockLostAtCommit(let path):
            return "\(path): another process took the database lock before this write could commit; nothing was written. Retry"
        }
    }
}

/// One open ledger: its connection and its repositories.
///
/// Opening never changes a file it refuses. It first looks at what the file is: missing,
/// empty, another application's database, a ledger made by a newer or different build, or
/// a ledger holding tables, triggers or views our migrations did not make; only a ledger (or
/// a new, empty file, when writing) is accepted. A writer then switches to WAL; migrations are
/// applied to a new ledger, and to an existing one only when asked (`init`): an import or a
/// void never changes a ledger's schema on the way, so a refused one leaves the file as it was.
/// A reader opens read-only and never creates or migrates anything.
public final class Ledger {
    public enum Access: Sendable, Equatable {
        /// Query only: opened read-only; a missing file or a ledger needing migration is an error.
        case read
        /// Import, void, init: opened read-write; with `create`, a missing or empty file becomes a
        /// ledger; with `migrate` (init), an existing ledger's schema is brought up to date,
        /// otherwise a ledger needing migration is an error.
        case write(create: Bool, migrate: Bool = false)
    }

    public let connection: Connection
    public var path: String { connection.path }
    public let access: Access

    public var instruments: InstrumentRepository { InstrumentRepository(connection: connection) }
    public var fills: FillRepository { FillRepository(connection: connection) }
    public var positions: PositionRepository { PositionRepository(connection: connection) }
    public var imports: ImportRepository { ImportRepository(connection: connection) }
    public var marks: MarkRepository { MarkRepository(connection: connection) }
    public var indexPrices: IndexPriceRepository { IndexPriceRepository(connection: connection) }
    public var voids: VoidRepository { VoidRepository(connection: connection) }
    public var checkpoints: CheckpointRepository { CheckpointRepository(connection: connection) }
    public var segments: SegmentRepository { SegmentRepository(connection: connection) }
    public var bookSettings: BookSettingsRepository { BookSettingsRepository(connection: connection) }
    public var exposure: ExposureRepository { ExposureRepository(connection: connection) }
    public var settlements: SettlementRepository { SettlementRepository(connection: connection) }
    public var hedgePolicies: HedgePolicyRepository { HedgePolicyRepository(connection: connection) }
    public var hedgeDecisions: HedgeDecisionRepository { HedgeDecisionRepository(connection: connection) }
    public var hedgeLinks: HedgeLinkRepository { HedgeLinkRepository(connection: connection) }
    public var chain: ChainRepository { ChainRepository(connection: connection) }
    public var venueLog: VenueLogRepository { VenueLogRepository(connection: connection) }
    public var positionAssertions: PositionAssertionRepository { PositionAssertionRepository(connection: connection) }

    /// Opens the ledger at `path` for `access`; `now` is recorded as the time of any
    /// migration applied.
    public init(path: String, access: Access, now: Timestamp) throws {
        let file = LedgerFile(path: path)
        let creating: Bool
        switch (access, file.state) {
        case (.read, .missing), (.write(create: false, _), .missing): throw LedgerError.noLedger(path: path)
        case (.read, .empty): throw LedgerError.notALedger(path: path, detail: "the file is empty; run `hedgeledger init` to make it a ledger")
        case (.write(create: true, _), .missing): try file.create(); creating = true
        case (.write(create: true, _), .empty): try file.makePrivate(); creating = true
        case (.write(create: false, _), .empty): throw LedgerError.noLedger(path: path)
        case (_, .directory): throw LedgerError.notALedger(path: path, detail: "it is a directory")
        case (_, .existing): creating = false
        }
        if case .write = access { try file.checkWritable() }
        do {
            let mode: Connection.Mode = access == .read ? (file.readsImmutable ? .immutable : .readOnly) : .readWrite
            let connection = try Connection(path: path, mode: mode, create: false)
            let (version, pending) = try Schema.migrator.check(connection)
            if case .write(_, let migrate) = access, !migrate, version > 0, !pending.isEmpty {
                throw LedgerError.needsMigration(path: path, version: version, latest: Schema.migrations.count)
            }
            if case .write = access {
                if connection.isReadOnly { throw LedgerError.permissionDenied(path: path, detail: "the file is read-only") }
                // Set before the first table and fixed from then on (WAL cannot change it). A
                // ledger is written in large imports and read in long scans: with 16 KiB pages
                // SQLite's part of a large import costs a fifth to a quarter less (bench/page-size).
                if creating { try connection.execute("PRAGMA page_size = 16384") }
                try connection.useWriteAheadLog()
                try Self.sizeCache(connection, large: false)
                try Schema.migrator.migrate(connection, now: now.microseconds)
            } else if !pending.isEmpty {
                throw LedgerError.needsMigration(path: path, version: version, latest: Schema.migrations.count)
            }
            self.connection = connection
            self.access = access
        } catch {
            throw Self.explain(error, path: path, creating: creating)
        }
    }

    /// The page cache of a writer: 64 MiB for an import of a large file (or of standard input,
    /// whose size is unknown), whose transaction touches many index pages (with the default
    /// 2 MiB they are spilled to the WAL and rewritten again and again); 8 MiB otherwise, so a
    /// small import or a void that replays a position recycles pages instead of allocating
    /// fresh ones (26 against 85 MiB for one late fill into 1M fills).
    public func sizeCache(forImportOf bytes: Int64?) throws {
        try Self.sizeCache(connection, large: bytes.map { $0 >= Self.largeImportBytes } ?? true)
    }

    /// The page cache of an import whose rows arrive in the order of every key they are stored
    /// under (a venue log in UserSeq order: its IDs, sequence and trade ids all rise): 8 MiB.
    /// Only the right edge of each index is written, so a large cache holds nothing worth
    /// keeping: a million-row log imports in half the memory (55 instead of 115 MiB) and no
    /// slower (BENCHMARKS.md, issue 10).
    public func sizeCacheForOrderedImport() throws {
        try Self.sizeCache(connection, large: false)
    }

    static let largeImportBytes: Int64 = 4 << 20

    private static func sizeCache(_ connection: Connection, large: Bool) throws {
        try connection.execute("PRAGMA cache_size = \(large ? -65536 : -8192)")
    }

    /// Opens read-write, creating the file when `create`: the tests' and the library's shorthand.
    public convenience init(path: String, create: Bool, now: Timestamp) throws {
        try self.init(path: path, access: .write(create: create), now: now)
    }

    /// What an SQLite or system error means for someone running hedgeledger.
    static func explain(_ error: any Error, path: String, creating: Bool) -> any Error {
        if let refusal = error as? Migrator.Refusal { return LedgerError.refused(path: path, reason: refusal) }
        guard let error = error as? SQLiteError else { return error }
        switch error.primaryCode {
        case SQLITE_CANTOPEN where !creating: return LedgerError.noLedger(path: path)
        case SQLITE_CANTOPEN: return LedgerError.cannotCreate(path: path, detail: error.message)
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH: return LedgerError.permissionDenied(path: path, detail: error.message)
        case SQLITE_FULL, SQLITE_IOERR: return LedgerError.storageFailed(path: path, detail: error.message)
        case SQLITE_NOTADB, SQLITE_CORRUPT: return LedgerError.notALedger(path: path, detail: error.message)
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
        } catch let error as SQLiteError where error.isBusy && error.sql == "COMMIT" {
            throw LedgerError.lockLostAtCommit(path: path)
        } catch let error as SQLiteError {
            throw Self.explain(error, path: path, creating: false)
        }
    }
}

extension Ledger {
    /// Every book the ledger knows: from its positions, its book settings or its hedge policies.
    /// What a `--book` the ledger does not know is checked against.
    public func knownBooks() throws -> [String] {
        Set(try positions.books() + bookSettings.versions().map(\.settings.book) + hedgePolicies.versions().map(\.policy.book)).sorted()
    }
}
