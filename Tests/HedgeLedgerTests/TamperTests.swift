import Foundation
import Testing
@testable import HedgeLedger

/// `verify` against a catalogue of tampering done as an attacker would, with the `sqlite3`
/// shell: append-only triggers dropped, the edit made, the triggers put back exactly as they
/// were (so the schema still looks untouched). Each is detected and named.
@Suite("Tamper evidence", .serialized)
struct TamperTests {
    static let trades = """
        trade_id,timestamp,instrument,side,quantity,price,fee
        1,2026-11-19T10:00:00Z,BTC-27NOV26-100000-C,buy,10,0.05,0.001
        2,2026-11-19T10:00:00Z,BTC-20NOV26-95000-P,buy,5,0.02,0.0005
        3,2026-11-19T12:30:00Z,BTC-PERPETUAL,sell,50000,95000,0
        4,2026-11-19T12:40:00Z,BTC-PERPETUAL,buy,1000,95100,0

        """
    static let later = """
        trade_id,timestamp,instrument,side,quantity,price,hedge_decision
        5,2026-11-19T12:50:00Z,BTC-PERPETUAL,sell,20000,95900,ext-1
        6,2026-11-19T12:51:00Z,BTC-PERPETUAL,sell,10000,95950,
        7,2026-11-19T12:52:00Z,BTC-PERPETUAL,buy,10,95950,

        """

    /// A ledger with every kind of record: two trade imports, snapshots, a void, a book setting,
    /// a policy, decisions and a link, and its history; checkpointed into one file.
    /// Kept as bytes, so no file outlives the test run.
    static let template: Data = {
        let directory = TemporaryDirectory()
        let db = try! cliLedger(in: directory, trades: trades, snapshots: RecomputeTests.marks)
        for arguments in [
            ["book", "set", "main", "--underlying", "BTC", "--target-delta", "0", "--effective", "2026-11-19"],
            ["policy", "set", "main", "--underlying", "BTC", "--band", "0.2", "--lot", "10", "--effective", "2026-11-19"],
            ["hedge", "record", "--book", "main", "--underlying", "BTC", "--action", "rebalance", "--instrument", "BTC-PERPETUAL",
             "--quantity", "-20000", "--price", "95900", "--id", "ext-1", "--at", "2026-11-19T12:49:00Z"],
            ["hedge", "record", "--book", "main", "--underlying", "BTC", "--action", "rebalance", "--instrument", "BTC-PERPETUAL",
             "--quantity", "-10000", "--price", "95950", "--id", "ext-2", "--at", "2026-11-19T12:50:30Z"],
            ["import", "trades", directory.write("later.csv", later)],
            ["hedge", "link", "ext-2", "6"],
            ["void", "fill", "--trade-id", "7", "--reason", "test"],
            ["recompute"],
        ] {
            let result = try! hedgeledger(arguments + ["--db", db])
            precondition(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let ledger = try! Ledger(path: db, create: false, now: testNow)
        try! ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return try! Data(contentsOf: URL(fileURLWithPath: db))
    }()

    /// A copy of the template with `sql` run by the sqlite3 shell, the triggers of `tables` dropped
    /// around it and recreated with their original text.
    func tampered(_ sql: String, tables: [String], in directory: TemporaryDirectory, from source: String? = nil) throws -> String {
        let db = directory.file("t.sqlite")
        if let source {
            try FileManager.default.copyItem(atPath: source, toPath: db)
        } else {
            try Self.template.write(to: URL(fileURLWithPath: db))
        }
        var triggers: [(name: String, sql: String)] = []
        do {
            let connection = try Connection(path: db, mode: .readOnly, create: false)
            for table in tables {
                triggers += try connection.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? ORDER BY name")
                    .rows([table]) { ($0.text(0), $0.text(1)) }
            }
        }
        let script = triggers.map { "DROP TRIGGER \($0.name);" }.joined(separator: "\n") + "\n" + sql + ";\n"
            + triggers.map { $0.sql + ";" }.joined(separator: "\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [db, script]
        let err = Pipe()
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "sqlite3: \(errors)")
        return db
    }

    @Test("the untouched ledger verifies, and an earlier head is still in the chain after more records")
    func clean() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("t.sqlite")
        try Self.template.write(to: URL(fileURLWithPath: db))
        let first = try hedgeledger(["verify", "--db", db, "--format", "json"])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        try ReportOutputTests().expectDocumented(first.stdout)
        let object = try jsonObject(first.stdout)
        let head = try #require(object["head"] as? String)
        #expect(object["passed"] as? Bool == true && object["records"] as? Int == 9 && object["fills"] as? Int == 7)
        #expect(try hedgeledger(["hedge", "record", "--db", db, "--book", "main", "--underlying", "BTC", "--action", "hold"]).status == 0)
        let later = try hedgeledger(["verify", "--db", db, "--head", head])
        #expect(later.status == 0 && later.stdout.contains("is entry 9 of today's chain"), "\(later.stdout)")
        let forged = try hedgeledger(["verify", "--db", db, "--head", String(repeating: "ab", count: 32)])
        #expect(forged.status == 2 && forged.stdout.contains("is not in today's chain"))
    }

    @Test("snapshot rows in any order are digested as verify reads them back, and a later edit is caught")
    func shuffledSnapshots() throws {
        let directory = TemporaryDirectory()
        var lines = RecomputeTests.marks.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        let shuffled = ([header] + lines.reversed()).joined(separator: "\n") + "\n"
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: shuffled)
        let verified = try hedgeledger(["verify", "--db", db])
        #expect(verified.status == 0 && verified.stdout.contains("match their digests"), "\(verified.stdout)")
        let edited = try tampered("UPDATE marks SET mark_price = '0.07' WHERE time_us = (SELECT MAX(time_us) FROM marks)", tables: ["marks"],
                                  in: directory, from: db)
        let caught = try hedgeledger(["verify", "--db", edited])
        #expect(caught.status == 2 && caught.stdout.contains("snapshot import #2: mark:"), "\(caught.stdout)")
    }

    // A changed hash flips its first digit: replacing it with a fixed one would change nothing
    // when the hash (which depends on the time the template was made) already started with it.
    @Test("each tampering is detected and named", arguments: [
        ("UPDATE fills SET price = '94000' WHERE trade_id = '3'", ["fills"], "fills #1 to #4 of import #1 differ"),
        ("UPDATE fills SET quantity = '60000' WHERE trade_id = '3'", ["fills"], "of import #1 differ"),
        ("UPDATE fills SET side = 'buy' WHERE trade_id = '3'", ["fills"], "of import #1 differ"),
        ("UPDATE fills SET time_us = time_us + 1 WHERE trade_id = '1'", ["fills"], "of import #1 differ"),
        ("UPDATE fills SET book = 'other' WHERE trade_id = '2'", ["fills"], "of import #1 differ"),
        ("UPDATE fills SET fee = '0' WHERE trade_id = '1'", ["fills"], "of import #1 differ"),
        ("UPDATE fills SET hedge_decision = 'ext-2' WHERE trade_id = '7'", ["fills"], "import #3 differ"),
        ("UPDATE fills SET note = 'fine' WHERE trade_id = '4'", ["fills"], "of import #1 differ"),
        ("DELETE FROM fills WHERE trade_id = '4'", ["fills"], "of import #1 differ"),
        ("INSERT INTO fills (venue, trade_id, revision, time_us, instrument_id, book, side, quantity, price, fee, fee_currency, import_id, source_line) SELECT venue, '99', 0, time_us, instrument_id, book, side, quantity, price, fee, fee_currency, import_id, 9 FROM fills WHERE trade_id = '4'", ["fills"], "differ from the digest"),
        ("UPDATE fills SET id = 100 WHERE trade_id = '1'; UPDATE fills SET id = 1 WHERE trade_id = '2'; UPDATE fills SET id = 2 WHERE trade_id = '1'", ["fills"], "of import #1 differ"),
        ("UPDATE imports SET sha256 = (CASE WHEN substr(sha256, 1, 1) = '0' THEN '1' ELSE '0' END || substr(sha256, 2)) WHERE id = 1", ["imports"], "import #1 differs from what was chained"),
        ("UPDATE imports SET rows_accepted = 3 WHERE id = 1", ["imports"], "import #1 differs from what was chained"),
        ("UPDATE imports SET file_name = 'other.csv' WHERE id = 2", ["imports"], "import #2 differs"),
        ("UPDATE voids SET reason = 'nothing' WHERE id = 1", ["voids"], "void #1 differs from what was chained"),
        ("DELETE FROM voided_fills WHERE void_id = 1", ["voided_fills"], "void #1 differs"),
        ("UPDATE book_settings SET target_delta = '0.5' WHERE id = 1", ["book_settings"], "book-setting #1 differs"),
        ("UPDATE book_settings SET recorded_by = 'someone' WHERE id = 1", ["book_settings"], "book-setting #1 differs"),
        ("UPDATE hedge_policies SET band_width = '5' WHERE id = 1", ["hedge_policies"], "policy #1 differs"),
        ("INSERT INTO hedge_policies (book, underlying, effective_us, band, band_width, min_trade, max_reaction_s, hedge_to, recorded_at_us, recorded_by) VALUES ('main', 'BTC', 0, 'fixed', '9', '0', 60, 'target', 0, 'x')", ["hedge_policies"], "policy #2 is not in the chain"),
        ("UPDATE hedge_decisions SET quantity = '-25000' WHERE decision_key = 'ext-1'", ["hedge_decisions"], "decision #1 differs"),
        ("UPDATE hedge_decisions SET action = 'hold', quantity = NULL, instrument_id = NULL WHERE decision_key = 'ext-2'", ["hedge_decisions"], "decision #2 differs"),
        ("UPDATE hedge_decisions SET time_us = time_us - 60000000 WHERE decision_key = 'ext-1'", ["hedge_decisions"], "decision #1 differs"),
        ("INSERT INTO hedge_decisions (decision_key, time_us, book, underlying, action, reason, decided_by, rationale, source, recorded_at_us) VALUES ('forged', 0, 'main', 'BTC', 'hold', 'x', 'x', '', 'record', 0)", ["hedge_decisions"], "decision #3 is not in the chain"),
        ("DELETE FROM hedge_links", ["hedge_links"], "link #1, chained as entry"),
        ("UPDATE hedge_links SET fill_id = (SELECT id FROM fills WHERE trade_id = '5')", ["hedge_links"], "link #1 differs"),
        ("UPDATE journal_chain SET hash = (CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(hash, 2)) WHERE seq = 3", ["journal_chain"], "entry 3"),
        ("DELETE FROM journal_chain WHERE seq = (SELECT MAX(seq) FROM journal_chain)", ["journal_chain"], "is not in the chain"),
        ("DELETE FROM journal_chain WHERE seq = 4", ["journal_chain"], "entries 4 to 4 are missing"),
        ("UPDATE journal_chain SET seq = 100 WHERE seq = 5; UPDATE journal_chain SET seq = 5 WHERE seq = 6; UPDATE journal_chain SET seq = 6 WHERE seq = 100", ["journal_chain"], "does not follow"),
        ("UPDATE fill_blocks SET sha256 = (CASE WHEN substr(sha256, 1, 1) = '0' THEN '1' ELSE '0' END || substr(sha256, 2)) WHERE import_id = 1", ["fill_blocks"], "import #1 differ"),
        ("UPDATE exposure_history SET net_delta = net_delta + 0.5 WHERE time_us = (SELECT MAX(time_us) FROM exposure_history)", [], "exposure history"),
        ("UPDATE positions SET quantity = '1' WHERE book = 'main' AND instrument_id = (SELECT id FROM instruments WHERE symbol = 'BTC-PERPETUAL')", [], "book 'main' BTC-PERPETUAL: stored quantity 1"),
        ("UPDATE position_settlements SET realised_pnl = '5'", [], "settlement"),
        ("UPDATE instruments SET strike = '90000' WHERE symbol = 'BTC-27NOV26-100000-C'", [], "BTC-27NOV26-100000-C is stored with terms its name does not give"),
        ("UPDATE marks SET mark_price = '0.06' WHERE time_us = (SELECT MAX(time_us) FROM marks)", ["marks"], "snapshot import #2: mark:"),
        ("UPDATE marks SET mark_iv = 80 WHERE time_us = (SELECT MIN(time_us) FROM marks)", ["marks"], "snapshot import #2: mark:"),
        ("DELETE FROM marks WHERE time_us = (SELECT MIN(time_us) FROM marks) AND instrument_id = (SELECT MIN(instrument_id) FROM marks)", ["marks"], "snapshot import #2"),
        ("INSERT INTO marks (instrument_id, time_us, mark_price, import_id) SELECT instrument_id, time_us + 1, mark_price, import_id FROM marks LIMIT 1", ["marks"], "snapshot import #2"),
        ("UPDATE index_prices SET price = '90000'", ["index_prices"], "snapshot import #2: index:btc_usd"),
        ("UPDATE settlement_prices SET price = '90000'", ["settlement_prices"], "snapshot import #2: settlement:btc_usd"),
        ("UPDATE market_blocks SET sha256 = (CASE WHEN substr(sha256, 1, 1) = '0' THEN '1' ELSE '0' END || substr(sha256, 2))", ["market_blocks"], "import #2 differs from what was chained"),
        ("DELETE FROM market_blocks", ["market_blocks"], "import #2 differs from what was chained"),
    ] as [(String, [String], String)])
    func detected(sql: String, tables: [String], named: String) throws {
        let directory = TemporaryDirectory()
        let db = try tampered(sql, tables: tables, in: directory)
        let result = try hedgeledger(["verify", "--db", db])
        #expect(result.status == 2, "\(sql): exit \(result.status) \(result.stderr)")
        #expect(result.stdout.contains(named) && result.stderr.contains("verification FAILED"), "\(sql): \(result.stdout)")
    }

    @Test("a trigger dropped and not put back: the ledger is refused on opening, naming it")
    func droppedTrigger() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("t.sqlite")
        try Self.template.write(to: URL(fileURLWithPath: db))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [db, "DROP TRIGGER hedge_decisions_refuse_update"]
        try process.run()
        process.waitUntilExit()
        let result = try hedgeledger(["verify", "--db", db])
        #expect(result.status == 69 && result.stderr.contains("trigger 'hedge_decisions_refuse_update'"), "\(result.stderr)")
    }
}
