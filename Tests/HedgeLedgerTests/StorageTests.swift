import Foundation
import Testing
@testable import HedgeLedger

@Suite("Storage and migrations")
struct StorageTests {
    @Test("every file in Migrations/ is registered, in order, and the embedded bytes are the files")
    func migrationsRegistered() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == Schema.migrations.map(\.name))
        for (index, migration) in Schema.migrations.enumerated() {
            #expect(migration.version == index + 1)
            #expect(migration.name.hasPrefix(String(format: "%04d_", index + 1)))
            let onDisk = try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(onDisk == migration.sql)
        }
    }

    @Test("a new ledger: 0600, WAL, foreign keys, every migration recorded")
    func settings() throws {
        try withLedger { ledger, _ throws in
            let attributes = try FileManager.default.attributesOfItem(atPath: ledger.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(try ledger.connection.prepare("PRAGMA journal_mode").firstRow { $0.text(0) } == "wal")
            #expect(try ledger.connection.prepare("PRAGMA foreign_keys").firstRow { $0.int(0) } == 1)
            #expect(try ledger.connection.prepare("PRAGMA synchronous").firstRow { $0.int(0) } == 2)
            #expect(try ledger.connection.prepare("PRAGMA page_size").firstRow { $0.int(0) } == 16384)
            let recorded = try ledger.connection.prepare("SELECT version, checksum FROM schema_migrations").rows { ($0.int(0), $0.text(1)) }
            #expect(recorded.map(\.0) == Array(1...Schema.migrations.count))
            #expect(recorded.map(\.1) == Schema.migrations.map(\.checksum))
        }
    }

    @Test("a ledger made with SQLite's 4 KiB pages keeps them: opened, migrated and written as it is")
    func existingPageSize() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("l.sqlite")
        // What an earlier hedgeledger made: SQLite's default page size.
        let old = try Connection(path: path, mode: .readWrite, create: true)
        try old.execute("PRAGMA page_size = 4096")
        try old.useWriteAheadLog()
        try Schema.migrator.migrate(old, now: testNow.microseconds)
        let ledger = try Ledger(path: path, create: true, now: testNow)
        _ = try TradeImporter(ledger: ledger).importTrades(from: ByteSource(path: directory.write("t.csv", """
            trade_id,timestamp,instrument,side,quantity,price
            t1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,97000
            """)), now: testNow)
        #expect(try ledger.connection.prepare("PRAGMA page_size").firstRow { $0.int(0) } == 4096)
        #expect(try ledger.fills.count() == 1)
    }

    @Test("opening again applies nothing and keeps the data")
    func reopen() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("l.sqlite")
        _ = try Ledger(path: path, create: true, now: testNow)
        let again = try Ledger(path: path, create: true, now: testNow)
        #expect(try Schema.migrator.check(again.connection).pending.isEmpty)
    }

    @Test("a database newer than the binary is refused and left byte for byte as it was")
    func newerRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("l.sqlite")
        do {
            let ledger = try Ledger(path: path, create: true, now: testNow)
            try ledger.connection.execute("INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 'x', 0)")
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Ledger(path: path, create: true, now: testNow)
        } throws: { error in
            "\(error)".contains("version 99") && "\(error)".contains("newer hedgeledger")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("an applied migration whose checksum differs is refused")
    func checksumMismatch() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("l.sqlite")
        do {
            let ledger = try Ledger(path: path, create: true, now: testNow)
            try ledger.connection.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        }
        #expect {
            _ = try Ledger(path: path, create: true, now: testNow)
        } throws: { error in
            "\(error)".contains("differs from the one this hedgeledger ships")
        }
    }

    @Test("a file that is not a database is refused with its path")
    func notADatabase() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("notes.sqlite", String(repeating: "not sqlite at all\n", count: 100))
        #expect {
            _ = try Ledger(path: path, create: true, now: testNow)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("not a hedgeledger database")
        }
    }

    @Test("fills and imports refuse UPDATE and DELETE")
    func appendOnly() throws {
        try withLedger { ledger, directory throws in
            try importTrades("trade_id,timestamp,instrument,side,quantity,price\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000\n",
                             into: ledger, in: directory)
            for sql in ["UPDATE fills SET quantity = '200'", "DELETE FROM fills", "UPDATE imports SET file_name = 'x'", "DELETE FROM imports"] {
                #expect(throws: SQLiteError.self) { try ledger.connection.execute(sql) }
            }
            #expect(try ledger.fills.count() == 1)
        }
    }

    @Test("a transaction rolls back on error and the first error wins")
    func transactions() throws {
        try withLedger { ledger, _ throws in
            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try ledger.write {
                    try ledger.instruments.insert(try InstrumentName.parse("BTC-PERPETUAL").get(), importID: nil)
                    throw Boom()
                }
            }
            #expect(try ledger.instruments.all().isEmpty)
            #expect(!ledger.connection.isInTransaction)
        }
    }

    @Test("a second writer fails at once naming the lock, or waits with --wait; readers are not blocked")
    func writeLock() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("l.sqlite")
        let holder = try Ledger(path: path, create: true, now: testNow)
        let other = try Ledger(path: path, create: true, now: testNow)
        try holder.connection.execute("BEGIN IMMEDIATE")
        #expect {
            try other.write(waitSeconds: 0) {}
        } throws: { error in
            "\(error)".contains("write lock is held by another process") && "\(error)".contains("--wait")
        }
        #expect(try other.fills.count() == 0)  // reading while the lock is held
        try holder.connection.execute("COMMIT")
        try other.write(waitSeconds: 1) {}
    }
}
