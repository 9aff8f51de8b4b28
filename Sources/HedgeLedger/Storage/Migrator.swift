import Crypto

/// One schema change: a numbered SQL script shipped in `Migrations/` and embedded in the binary.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, bytes: [UInt8]) {
        self.version = version
        self.name = name
        self.sql = String(decoding: bytes, as: UTF8.self)
    }

    /// SHA-256 of the script as shipped: an applied migration whose file later changed is
    /// detected, because a shipped migration is never edited.
    public var checksum: String { SHA256.hash(data: Array(sql.utf8)).hexString }
}

/// Applies migrations in order, each in its own transaction together with its bookkeeping row,
/// and refuses databases it cannot vouch for (newer than this binary, or with an applied
/// migration whose checksum differs from the embedded one), leaving them untouched.
public struct Migrator: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case newerThanBinary(databaseVersion: Int, binaryVersion: Int)
        case checksumMismatch(version: Int, name: String)
        case unknownMigration(version: Int, name: String)

        public var description: String {
            switch self {
            case let .newerThanBinary(db, binary):
                return "the database's schema is version \(db) but this hedgeledger knows only up to \(binary); use a newer hedgeledger"
            case let .checksumMismatch(version, name):
                return "migration \(version) (\(name)) applied to this database differs from the one this hedgeledger ships; the database was made by a different build and is left untouched"
            case let .unknownMigration(version, name):
                return "migration \(version) (\(name)) applied to this database is unknown to this hedgeledger"
            }
        }
    }

    public let migrations: [Migration]

    public init(migrations: [Migration]) {
        precondition(migrations.map(\.version) == Array(1...migrations.count), "migrations must be numbered 1, 2, 3, ...")
        self.migrations = migrations
    }

    static let bookkeeping = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at_us INTEGER NOT NULL
        ) STRICT
        """

    /// The versions applied to the database, checked against the embedded ones.
    public func check(_ connection: Connection) throws -> (applied: Int, pending: [Migration]) {
        let exists = try connection.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
            .firstRow { _ in true } ?? false
        guard exists else { return (0, migrations) }
        let applied = try connection.prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .rows { row in (row.int(0), row.text(1), row.text(2)) }
        if let newest = applied.last?.0, newest > migrations.count {
            throw Refusal.newerThanBinary(databaseVersion: newest, binaryVersion: migrations.count)
        }
        for (version, name, checksum) in applied {
            guard version >= 1, version <= migrations.count else { throw Refusal.unknownMigration(version: version, name: name) }
            if migrations[version - 1].checksum != checksum { throw Refusal.checksumMismatch(version: version, name: name) }
        }
        return (applied.count, Array(migrations.dropFirst(applied.count)))
    }

    /// Brings the database up to date. `now` is recorded as each migration's application time.
    @discardableResult
    public func migrate(_ connection: Connection, now: Int64) throws -> [Migration] {
        let pending = try check(connection).pending
        for migration in pending {
            try connection.transaction(.immediate) {
                // Checked again under the write lock: two processes opening a new file at once
                // must not both apply the same migration.
                guard try check(connection).pending.first?.version == migration.version else { return }
                try connection.execute(Self.bookkeeping)
                try connection.execute(migration.sql)
                let violations = try connection.prepare("PRAGMA foreign_key_check").rows { _ in 1 }
                if !violations.isEmpty {
                    throw SQLiteError(code: 787, message: "migration \(migration.version) left \(violations.count) foreign-key violations", sql: nil)
                }
                try connection.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at_us) VALUES (?, ?, ?, ?)")
                    .execute([migration.version, migration.name, migration.checksum, now])
            }
        }
        return pending
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self { bytes.append(digits[Int(byte >> 4)]); bytes.append(digits[Int(byte & 0xF)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SHA256.Digest {
    var hexString: String { Array(self).hexString }
}
