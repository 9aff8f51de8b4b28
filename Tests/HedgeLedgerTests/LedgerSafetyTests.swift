import Foundation
import Testing
@testable import HedgeLedger

/// The database is ours and is never changed by accident: foreign and tampered files are
/// refused and left byte-identical, read commands open read-only, and each way a write can
/// fail has its own exit code.
@Suite("Ledger safety", .serialized)
struct LedgerSafetyTests {
    static let trades = "trade_id,timestamp,instrument,side,quantity,price\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000\n"

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// A ledger with one import, checkpointed so the file holds everything, tampered by `sql`
    /// through a plain connection (as the sqlite3 shell would).
    func tamperedLedger(_ directory: TemporaryDirectory, _ sql: String) throws -> String {
        let path = directory.file("l.sqlite")
        try withExtendedLifetime(try Ledger(path: path, create: true, now: testNow)) { ledger in
            try importTrades(Self.trades, into: ledger, in: directory)
        }
        let raw = try Connection(path: path, create: false)
        try raw.execute(sql)
        try raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path
    }

    /// Runs read and write commands on `path`: each must exit 69 saying `message`, and the
    /// file must be byte-identical afterwards.
    func expectRefused(_ path: String, _ message: String, directory: TemporaryDirectory) throws {
        let csv = directory.write("more.csv", Self.trades)
        let before = try bytes(path)
        for arguments in [["positions"], ["greeks"], ["imports"], ["import", "trades", csv], ["init"]] {
            let result = try hedgeledger(["--db", path] + arguments)
            #expect(result.status == 69, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(try bytes(path) == before, "\(arguments) changed the file")
        }
    }

    @Test("another application's SQLite database is refused (69) and left untouched")
    func foreignDatabase() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("crm.sqlite")
        do {
            let raw = try Connection(path: path)
            try raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ada')")
        }
        try expectRefused(path, "another application's SQLite database (it holds table 'customers')", directory: directory)
        let raw = try Connection(path: path, mode: .readOnly, create: false)
        #expect(try raw.prepare("PRAGMA journal_mode").firstRow { $0.text(0) } == "delete")  // never switched to WAL
    }

    @Test("a rollback-journal ledger with a newer schema is refused without being switched to WAL")
    func newerRollbackJournal() throws {
        let directory = TemporaryDirectory()
        let path = try tamperedLedger(directory, """
            PRAGMA journal_mode = DELETE;
            INSERT INTO schema_migrations VALUES (42, '0042_later.sql', 'x', 0)
            """)
        try expectRefused(path, "schema is version 42", directory: directory)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("deleted or edited migration records are refused with a message, not an SQL error",
          arguments: [("DELETE FROM schema_migrations WHERE version = 1", "record of migration 1 is missing"),
                      ("UPDATE schema_migrations SET name = '0001_other.sql' WHERE version = 1", "migration 1 (0001_other.sql)"),
                      ("UPDATE schema_migrations SET checksum = 'feed' WHERE version = 2", "differs from the one this hedgeledger ships")])
    func migrationRecords(sql: String, message: String) throws {
        let directory = TemporaryDirectory()
        try expectRefused(try tamperedLedger(directory, sql), message, directory: directory)
    }

    @Test("objects our migrations did not make, or missing append-only triggers, are refused by name",
          arguments: [
            ("CREATE TABLE stolen (x); CREATE TRIGGER copy_fills AFTER INSERT ON fills BEGIN INSERT INTO stolen VALUES (NEW.price); END",
             "table 'stolen' was not made by hedgeledger's migrations"),
            ("CREATE TRIGGER rewrite AFTER INSERT ON positions BEGIN SELECT 1; END",
             "trigger 'rewrite' on table 'positions' was not made by hedgeledger's migrations"),
            ("CREATE VIEW everything AS SELECT * FROM fills", "view 'everything'"),
            ("CREATE INDEX fills_by_price ON fills (price)", "index 'fills_by_price' on table 'fills'"),
            ("DROP TRIGGER fills_refuse_update", "trigger 'fills_refuse_update' on table 'fills', which hedgeledger's migrations made, is missing"),
            ("DROP TRIGGER voids_refuse_delete", "trigger 'voids_refuse_delete'"),
          ])
    func unexpectedSchema(sql: String, message: String) throws {
        let directory = TemporaryDirectory()
        try expectRefused(try tamperedLedger(directory, sql), message, directory: directory)
    }

    @Test("read commands open read-only: they never create, migrate or change a ledger")
    func readOnlyOpens() throws {
        let directory = TemporaryDirectory()
        // A ledger at schema version 2, as the previous release made it.
        let path = directory.file("old.sqlite")
        do {
            let connection = try Connection(path: path)
            try Migrator(migrations: Array(Schema.migrations.prefix(2))).migrate(connection, now: 0)
        }
        let before = try bytes(path)
        for arguments in [["positions"], ["greeks"], ["marks", "check"], ["imports"]] {
            let result = try hedgeledger(["--db", path] + arguments)
            #expect(result.status == 69 && result.stderr.contains("run `hedgeledger init --db \(path)`"), "\(result.stderr)")
            #expect(try bytes(path) == before)
        }
        #expect(try hedgeledger(["init", "--db", path]).status == 0)
        #expect(try hedgeledger(["positions", "--db", path]).status == 0)

        let absent = directory.file("absent.sqlite")
        #expect(try hedgeledger(["greeks", "--db", absent]).status == 69)
        #expect(!FileManager.default.fileExists(atPath: absent))
        // A reader's connection cannot write even if asked to.
        let ledger = try Ledger(path: path, access: .read, now: testNow)
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("INSERT INTO imports DEFAULT VALUES") }
    }

    @Test("a ledger in a directory the reader may not write to is still readable, and left as it was")
    func readOnlyDirectory() throws {
        // Run as another user: root may write anywhere. Skipped where that cannot be arranged.
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let directory = TemporaryDirectory()
        let shared = "/tmp/hedgeledger-readonly-\(getpid())"
        try? FileManager.default.removeItem(atPath: shared)
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: shared) }
        let path = shared + "/book ledger.sqlite"  // a space: the path goes into an SQLite URI
        try withExtendedLifetime(try Ledger(path: path, create: true, now: testNow)) { ledger in
            try importTrades(Self.trades, into: ledger, in: directory)
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        for litter in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + litter) }
        chmod(path, 0o444)
        chmod(shared, 0o555)
        let before = try bytes(path)
        for arguments in [["positions"], ["history"], ["imports"], ["recompute", "--check"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", hedgeledgerBinary, "--db", path] + arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let expected: Int32 = arguments == ["recompute", "--check"] ? 3 : 0  // no history yet: exit 3, not a failure to read
            #expect(process.terminationStatus == expected, "\(arguments): \(errors)")
            if arguments == ["positions"] { #expect(output.contains("BTC-PERPETUAL")) }
        }
        #expect(try bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-shm") && !FileManager.default.fileExists(atPath: path + "-wal"))
        chmod(shared, 0o755)
    }

    @Test("a ledger made in an existing empty file is 0600, like a new one")
    func emptyFileBecomesPrivate() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("empty.sqlite", "")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let empty = try hedgeledger(["positions", "--db", path])
        #expect(empty.status == 69 && empty.stderr.contains("the file is empty"))
        #expect(try hedgeledger(["init", "--db", path]).status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("a ledger that cannot be created is exit 73; one that cannot be written is exit 77, with no journal litter")
    func cannotCreateOrWrite() throws {
        let directory = TemporaryDirectory()
        let csv = directory.write("t.csv", Self.trades)
        let nowhere = try hedgeledger(["import", "trades", "--db", directory.file("no/such/dir/l.sqlite"), csv])
        #expect(nowhere.status == 73 && nowhere.stderr.contains("cannot create the ledger"), "\(nowhere.stderr)")

        // Permissions do not bind root: run the binary as nobody where that is possible.
        guard getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let shared = directory.file("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        let path = shared + "/l.sqlite"
        #expect(try hedgeledger(["import", "trades", "--db", path, csv]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shared)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: csv)
        let before = try bytes(path)
        let asNobody = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hedgeledgerBinary]
                                     : [hedgeledgerBinary]
        let denied = try run(asNobody + ["import", "trades", "--db", path, csv])
        #expect(denied.status == 77 && denied.stderr.contains("cannot write the ledger"), "\(denied.stderr)")
        #expect(try bytes(path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared) == ["l.sqlite"])
    }

    @Test("a full disk is exit 74 with one line, and the ledger keeps what it had")
    func fullDisk() throws {
        // A 2 MiB tmpfs (a new ledger takes about 0.9 MiB) fills up; only root can mount one, so
        // elsewhere there is nothing to test.
        let directory = TemporaryDirectory()
        let mountPoint = directory.file("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        guard getuid() == 0, try run(["/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]).status == 0 else { return }
        defer { _ = try? run(["/bin/umount", mountPoint]) }
        var lines = [TradeGenerator.header]
        var settings = TradeGenerator.Settings()
        settings.rows = 30000
        TradeGenerator(settings: settings).generate { lines.append($0) }
        let csv = directory.write("big.csv", lines.joined(separator: "\n"))
        let path = mountPoint + "/l.sqlite"
        #expect(try hedgeledger(["import", "trades", "--db", path, directory.write("one.csv", Self.trades)]).status == 0)
        let full = try hedgeledger(["import", "trades", "--db", path, csv])
        #expect(full.status == 74 && full.stderr.contains("the disk refused a write") && full.stderr.contains("nothing was written"),
                "\(full.stderr)")
        #expect(full.stderr.split(separator: "\n").count == 1)
        let after = try hedgeledger(["positions", "--db", path, "--format", "csv"])
        #expect(after.status == 0 && csvRecords(after.stdout).map { $0["instrument"] } == ["BTC-PERPETUAL"])
    }

    @Test("savepoints nest: a failed inner step rolls back alone")
    func savepoints() throws {
        try withLedger { ledger, _ throws in
            struct Boom: Error {}
            try ledger.write {
                try ledger.instruments.insert(try InstrumentName.parse("BTC-PERPETUAL").get(), importID: nil)
                #expect(throws: Boom.self) {
                    try ledger.connection.savepoint {
                        try ledger.instruments.insert(try InstrumentName.parse("ETH-PERPETUAL").get(), importID: nil)
                        try ledger.connection.savepoint {
                            try ledger.instruments.insert(try InstrumentName.parse("BTC_USDC").get(), importID: nil)
                        }
                        throw Boom()
                    }
                }
            }
            #expect(try ledger.instruments.all().map(\.instrument.symbol) == ["BTC-PERPETUAL"])
        }
    }
}

/// Runs any executable with arguments, as `hedgeledger(_:)` runs ours.
func run(_ command: [String]) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                     stderr: String(decoding: stderr, as: UTF8.self))
}
