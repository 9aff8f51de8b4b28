import Crypto
import Synchronization

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

/// Applies migrations in order, all pending ones in one transaction, each with its bookkeeping row,
/// and refuses databases it cannot vouch for (newer than this binary, or with an applied
/// migration whose checksum differs from the embedded one), leaving them untouched.
public struct Migrator: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case newerThanBinary(databaseVersion: Int, binaryVersion: Int)
        case checksumMismatch(version: Int, name: String)
        case unknownMigration(version: Int, name: String)
        case missingMigrationRecords(versions: [Int])
        case foreignDatabase(objects: [String])
        case unexpectedObject(String)
        case missingObject(String)
        case alteredObject(String)

        public var description: String {
            switch self {
            case let .newerThanBinary(db, binary):
                return "the database's schema is version \(db) but this hedgeledger knows only up to \(binary); use a newer hedgeledger"
            case let .checksumMismatch(version, name):
                return "migration \(version) (\(name)) applied to this database differs from the one this hedgeledger ships; the database was made by a different build, or its schema_migrations table was edited, and is left untouched"
            case let .unknownMigration(version, name):
                return "migration \(version) (\(name)) applied to this database is unknown to this hedgeledger"
            case let .missingMigrationRecords(versions):
                return "the record of migration\(versions.count == 1 ? "" : "s") \(versions.map(String.init).joined(separator: ", ")) is missing from schema_migrations (deleted outside hedgeledger); the database is left untouched"
            case let .foreignDatabase(objects):
                let listed = objects.prefix(5).joined(separator: ", ") + (objects.count > 5 ? ", ..." : "")
                return "not a hedgeledger ledger: it is another application's SQLite database (it holds \(listed)); it is left untouched"
            case let .unexpectedObject(object):
                return "\(object) was not made by hedgeledger's migrations (added outside hedgeledger, perhaps to copy or rewrite data); the database is refused and left untouched"
            case let .missingObject(object):
                return "\(object), which hedgeledger's migrations made, is missing (dropped outside hedgeledger); the database is refused and left untouched"
            case let .alteredObject(object):
                return "\(object) differs from what hedgeledger's migrations made (altered outside hedgeledger); the database is refused and left untouched"
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

    /// The versions applied to the database, checked against the embedded ones: they must be
    /// exactly 1, 2, ..., n with the embedded names and checksums, and the database must hold
    /// exactly the tables, indexes, triggers and views those migrations make. A database with
    /// objects but no bookkeeping is another application's. Reads only.
    public func check(_ connection: Connection) throws -> (applied: Int, pending: [Migration]) {
        let objects = try SchemaObject.all(in: connection)
        guard objects.contains(where: { $0.type == "table" && $0.name == "schema_migrations" }) else {
            if objects.isEmpty { return (0, migrations) }
            throw Refusal.foreignDatabase(objects: objects.map(\.label))
        }
        let applied = try connection.prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .rows { row in (row.int(0), row.text(1), row.text(2)) }
        if let newest = applied.last?.0, newest > migrations.count {
            throw Refusal.newerThanBinary(databaseVersion: newest, binaryVersion: migrations.count)
        }
        for (version, name, checksum) in applied {
            guard version >= 1, version <= migrations.count else { throw Refusal.unknownMigration(version: version, name: name) }
            let shipped = migrations[version - 1]
            if shipped.checksum != checksum || shipped.name != name { throw Refusal.checksumMismatch(version: version, name: name) }
        }
        let versions = applied.map(\.0)
        let highest = versions.last ?? 0
        let missing = (0..<highest).map { $0 + 1 }.filter { !versions.contains($0) }
        if !missing.isEmpty { throw Refusal.missingMigrationRecords(versions: missing) }
        try SchemaObject.compare(objects, with: expectedObjects(version: highest))
        return (highest, Array(migrations.dropFirst(highest)))
    }

    /// The schema objects migrations 1...version make, from running them on an empty
    /// in-memory database, each applied once with the schema read after it (every version up
    /// to `version` is kept for the process's lifetime: a new ledger is checked at each).
    func expectedObjects(version: Int) throws -> [SchemaObject] {
        if let known = ExpectedSchemas.shared.withLock({ $0[version] }) { return known }
        let scratch = try Connection(path: ":memory:")
        var byVersion = [0: try SchemaObject.all(in: scratch)]
        if version > 0 { try scratch.execute(Self.bookkeeping) }
        for migration in migrations.prefix(version) {
            try scratch.execute(migration.sql)
            byVersion[migration.version] = try SchemaObject.all(in: scratch)
        }
        ExpectedSchemas.shared.withLock { $0.merge(byVersion) { known, _ in known } }
        return byVersion[version]!
    }

    /// Brings the database up to date: the pending migrations in one transaction, each with its
    /// bookkeeping row, so a new ledger is made, or an old one upgraded, whole or not at all.
    /// `now` is recorded as each migration's application time.
    @discardableResult
    public func migrate(_ connection: Connection, now: Int64) throws -> [Migration] {
        guard !(try check(connection).pending.isEmpty) else { return [] }
        return try connection.transaction(.immediate) {
            // Checked again under the write lock: two processes opening a new file at once
            // must not both apply the same migrations.
            let pending = try check(connection).pending
            for migration in pending {
                try connection.execute(Self.bookkeeping)
                try connection.execute(migration.sql)
                let violations = try connection.prepare("PRAGMA foreign_key_check").rows { _ in 1 }
                if !violations.isEmpty {
                    throw SQLiteError(code: 787, message: "migration \(migration.version) left \(violations.count) foreign-key violations", sql: nil)
                }
                try connection.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at_us) VALUES (?, ?, ?, ?)")
                    .execute([migration.version, migration.name, migration.checksum, now])
            }
            return pending
        }
    }
}

/// Expected schemas by version, computed once per process.
private enum ExpectedSchemas {
    static let shared = Mutex<[Int: [SchemaObject]]>([:])
}

/// A table, index, trigger or view as `sqlite_schema` lists it.
struct SchemaObject: Sendable, Hashable {
    let type: String
    let name: String
    let table: String
    let sql: String?

    var label: String { type == "table" ? "table '\(name)'" : "\(type) '\(name)' on table '\(table)'" }

    /// Every object but SQLite's own statistics tables, which ANALYZE may add to any database.
    static func all(in connection: Connection) throws -> [SchemaObject] {
        try connection.prepare("""
            SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\'
            ORDER BY type, name
            """).rows { row in SchemaObject(type: row.text(0), name: row.text(1), table: row.text(2), sql: row.optionalText(3)) }
    }

    static func compare(_ actual: [SchemaObject], with expected: [SchemaObject]) throws {
        let expectedByKey = Dictionary(expected.map { ("\($0.type) \($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        let actualByKey = Dictionary(actual.map { ("\($0.type) \($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        for object in actual {
            guard let twin = expectedByKey["\(object.type) \(object.name)"] else { throw Migrator.Refusal.unexpectedObject(object.label) }
            if twin != object { throw Migrator.Refusal.alteredObject(object.label) }
        }
        for object in expected where actualByKey["\(object.type) \(object.name)"] == nil {
            throw Migrator.Refusal.missingObject(object.label)
        }
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
