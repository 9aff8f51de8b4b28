import Foundation
import Testing
@testable import HedgeLedger

@Suite("hedgeledger command line", .serialized)
struct CLITests {
    static let trades = """
        trade_id,timestamp,instrument,side,quantity,price,fee,book,venue
        D1,2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,buy,2,0.05,0.0006,main,deribit
        D2,2026-11-20T10:00:05Z,BTC-PERPETUAL,sell,9000,95000,0.00005,main,deribit
        D3,2026-11-20T12:00:00Z,ETH-PERPETUAL,buy,300,3400,0.00004,"=HYPERLINK(""x"")",deribit
        D4,2026-11-21T09:00:00Z,BTC-27DEC26-100000-C,sell,0.5,0.07,0.00015,main,deribit

        """

    /// Runs `body` with a ledger holding `trades`; the directory lives until `body` returns.
    func withTrades(_ body: (TemporaryDirectory, String) throws -> Void) throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let csv = directory.write("trades.csv", Self.trades)
        let result = try hedgeledger(["import", "trades", "--db", db, csv])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("4 fills imported, 0 duplicates skipped, 3 positions updated"))
        try withExtendedLifetime(directory) { try body(directory, db) }
    }

    @Test("output that cannot be written (a full disk, a closed stdout) exits 74 and says so, never 0")
    func unwritableOutput() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["init", "--db", db]).status == 0)
        for redirect in ["> /dev/full", ">&-"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\"$0\" positions --db \"$1\" --format json \(redirect) 2>\"$2\"", hedgeledgerBinary, db, directory.file("err")]
            try process.run()
            process.waitUntilExit()
            let err = try String(contentsOfFile: directory.file("err"), encoding: .utf8)
            #expect(process.terminationStatus == 74 && err.contains("hedgeledger: cannot write to standard output:")
                    && err.contains("the output is incomplete"), "\(redirect): \(err)")
        }
        // Generated data: a full disk is 74, a file that cannot be created 73.
        let full = try hedgeledger(["generate", "deribit-log", "--rows", "10", "--output", "/dev/full"])
        #expect(full.status == 74 && full.stderr.contains("/dev/full: cannot write: No space left on device"), "\(full.stderr)")
        let nowhere = try hedgeledger(["generate", "trades", "--rows", "10", "--output", directory.file("no/such/t.csv")])
        #expect(nowhere.status == 73 && nowhere.stderr.contains("no/such/t.csv: cannot create: No such file or directory"), "\(nowhere.stderr)")
    }

    @Test("--help explains the commands and the native format")
    func help() throws {
        let root = try hedgeledger(["--help"])
        #expect(root.status == 0)
        for word in ["import", "positions", "demo", "generate", "init", "Exit codes"] { #expect(root.stdout.contains(word)) }
        let trades = try hedgeledger(["import", "trades", "--help"])
        #expect(trades.stdout.contains("trade_id, timestamp, instrument, side, quantity, price"))
        #expect(trades.stdout.contains("--assume-utc") && trades.stdout.contains("--wait"))
        for command in [["init"], ["import", "trades"], ["import", "snapshots"], ["import", "instruments"], ["import", "decisions"], ["positions"], ["fills"], ["reconcile", "positions"],
                        ["greeks"], ["exposure"], ["history"], ["recompute"], ["verify"], ["simulate"], ["policy", "set"], ["hedge", "plan"], ["hedge", "record"], ["hedge", "link"], ["hedge", "list"], ["hedge", "exceptions"], ["marks", "check"], ["demo"], ["generate", "trades"], ["generate", "snapshots"]] {
            let help = try hedgeledger(command + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("USAGE: hedgeledger \(command.joined(separator: " "))"))
            #expect(!help.stdout.contains("\\"), "stray backslash in \(command) --help")  // a broken line continuation
        }
    }

    @Test("import, then positions as a table, CSV and JSON")
    func importAndShow() throws {
        try withTrades { _, db throws in
            let table = try hedgeledger(["positions", "--db", db, "--at", "2026-11-21T10:00:00Z"])
            #expect(table.status == 0)
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first == "Positions as of 2026-11-21T10:00:00Z" && lines[1].hasPrefix("book") && lines.count == 6)
            #expect(table.stdout.contains("BTC-27DEC26-100000-C") && table.stdout.contains("-9000"))

            let csv = try hedgeledger(["positions", "--db", db, "--format", "csv", "--book", "main", "--at", "2026-11-21T10:00:00Z"])
            let rows = csvRecords(csv.stdout)
            #expect(rows.count == 2)
            let option = try #require(rows.first { $0["instrument"] == "BTC-27DEC26-100000-C" })
            #expect(option["quantity"] == "1.5" && option["avg_price"] == "0.05" && option["realised_pnl"] == "0.01")
            #expect(option["pnl_ccy"] == "BTC" && option["fees"] == "0.00075 BTC")

            let json = try hedgeledger(["positions", "--db", db, "--format", "json", "--underlying", "eth"])
            let parsed = try jsonObject(json.stdout)
            let schema = try #require(parsed["schema"] as? [String: Any])
            #expect(schema["name"] as? String == "hedgeledger.positions" && schema["version"] as? Int == 1)
            let parameters = try #require(parsed["parameters"] as? [String: Any])
            #expect(parameters["underlying"] as? String == "ETH" && parameters["book"] is NSNull)
            #expect(parameters["include_voided"] as? Bool == false)
            let positions = try #require(parsed["positions"] as? [[String: Any]])
            #expect(positions.count == 1)
            #expect(positions[0]["instrument"] as? String == "ETH-PERPETUAL" && positions[0]["quantity"] as? Int == 300)
            #expect(positions[0]["fills"] as? Int == 1 && positions[0]["unit"] as? String == "USD")
            #expect((positions[0]["fees"] as? [String: Any])?["ETH"] as? Double == 0.00004)
        }
    }

    @Test("positions as of a past time leave out later fills")
    func asOf() throws {
        try withTrades { _, db throws in
            let before = try hedgeledger(["positions", "--db", db, "--format", "csv", "--at", "2026-11-20T11:00:00Z"])
            #expect(before.stdout.contains("BTC-PERPETUAL") && !before.stdout.contains("ETH-PERPETUAL"))
            #expect(before.stdout.contains("BTC-27DEC26-100000-C,option,open,2,"))
            let expired = try hedgeledger(["positions", "--db", db, "--format", "csv", "--at", "2026-12-28"])
            #expect(expired.stdout.contains("BTC-27DEC26-100000-C,option,expired,1.5,"))
        }
    }

    @Test("CSV output never hands a spreadsheet a formula")
    func formulaInjection() throws {
        try withTrades { directory, db throws in
            // A maker rebate: fees of -0.0001 BTC, written with their currency, are text to a spreadsheet.
            let rebate = directory.write("rebate.csv", "trade_id,timestamp,instrument,side,quantity,price,fee,book,venue\nR1,2026-11-20T11:00:00Z,BTC-PERPETUAL,buy,100,95000,-0.0001,rebates,deribit\n")
            #expect(try hedgeledger(["import", "trades", "--db", db, rebate]).status == 0)
            let csv = try hedgeledger(["positions", "--db", db, "--format", "csv"])
            #expect(csv.stdout.contains("\"'=HYPERLINK(\"\"x\"\")\""))
            #expect(csv.stdout.contains(",-9000,"))  // numbers keep their sign
            #expect(csv.stdout.contains(",'-0.0001 BTC,"), "\(csv.stdout)")
        }
    }

    @Test("standard input, the database from HEDGELEDGER_DB, and a quiet re-import")
    func stdinAndEnvironment() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("env.sqlite")
        let first = try hedgeledger(["import", "trades", "-"], stdin: Self.trades, environment: ["HEDGELEDGER_DB": db])
        #expect(first.status == 0 && first.stderr.contains("-: 4 fills imported"))
        let again = try hedgeledger(["import", "trades", "--quiet", "-"], stdin: Self.trades, environment: ["HEDGELEDGER_DB": db])
        #expect(again.status == 0 && again.stderr.isEmpty)
        let positions = try hedgeledger(["positions"], environment: ["HEDGELEDGER_DB": db])
        #expect(positions.stdout.contains("ETH-PERPETUAL"))
        // Standard input's name is a lone `-`, which no spreadsheet runs as a formula: not prefixed.
        let imports = try hedgeledger(["imports", "--format", "csv"], environment: ["HEDGELEDGER_DB": db])
        #expect(imports.status == 0 && imports.stdout.contains(",-,") && !imports.stdout.contains("'-"), "\(imports.stdout)")
    }

    @Test("a bad file: FILE:LINE:COLUMN on stderr, exit 65, nothing written; other files still import")
    func badFile() throws {
        try withTrades { directory, db throws in
            let bad = directory.write("bad.csv", "trade_id,timestamp,instrument,side,quantity,price\nX1,2026-11-20T10:00:00,BTC-PERPETUAL,buy,100,95000\n")
            let good = directory.write("good.csv", "trade_id,timestamp,instrument,side,quantity,price\nX2,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000\n")
            let before = try hedgeledger(["positions", "--db", db, "--format", "csv"]).stdout
            let result = try hedgeledger(["import", "trades", "--db", db, bad, good])
            #expect(result.status == 65)
            #expect(result.stderr.contains("\(bad):2:4: timestamp: '2026-11-20T10:00:00' has no time zone"))
            #expect(result.stderr.contains("nothing from this file was imported"))
            #expect(result.stderr.contains("good.csv: 1 fill imported"))
            // A file that cannot be read after a refused one is still reported.
            let missing = try hedgeledger(["import", "trades", "--db", db, bad, directory.file("nosuch.csv")])
            #expect(missing.status == 65 && missing.stderr.contains("nosuch.csv: cannot read"), "\(missing.stderr)")
            let after = try hedgeledger(["positions", "--db", db, "--format", "csv"]).stdout
            #expect(after != before)
            #expect(after.contains("main,BTC-PERPETUAL,perpetual,open,-8900,"))
        }
    }

    @Test("exit codes: unreadable input 66, no ledger 69, newer schema 69, bad arguments 64")
    func exitCodes() throws {
        let directory = TemporaryDirectory()
        let missing = try hedgeledger(["import", "trades", "--db", directory.file("l.sqlite"), directory.file("nope.csv")])
        #expect(missing.status == 66 && missing.stderr.contains("nope.csv: cannot read: No such file or directory"))

        let noLedger = try hedgeledger(["positions", "--db", directory.file("absent.sqlite")])
        #expect(noLedger.status == 69 && noLedger.stderr.contains("no ledger here"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("absent.sqlite")))

        let db = directory.file("new.sqlite")
        #expect(try hedgeledger(["init", "--db", db]).status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: db)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("INSERT INTO schema_migrations VALUES (42, '0042_later.sql', 'x', 0)")
        }
        let newer = try hedgeledger(["positions", "--db", db])
        #expect(newer.status == 69 && newer.stderr.contains("schema is version 42"))

        let badTime = try hedgeledger(["positions", "--db", db, "--at", "yesterday"])
        #expect(badTime.status == 64 && badTime.stderr.contains("--at"))
        let badFormat = try hedgeledger(["positions", "--db", db, "--format", "xml"])
        #expect(badFormat.status == 64)
    }

    @Test("a ledger made by an older hedgeledger: import and void refuse it untouched and ask for init, which migrates it")
    func olderLedger() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("old.sqlite")
        let csv = directory.write("t.csv", Self.trades)
        #expect(try hedgeledger(["import", "trades", "--db", db, csv]).status == 0)
        do {  // back to version 4, as migration 0004 left it
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try downgradeToVersion4(ledger)
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let late = directory.write("late.csv", "trade_id,timestamp,instrument,side,quantity,price\nL1,2026-11-01T00:00:00Z,BTC-PERPETUAL,buy,10,90000\n")
        for arguments in [["import", "trades", "--db", db, late],
                          ["void", "import", "1", "--reason", "test", "--db", db],
                          ["positions", "--db", db]] {
            let refused = try hedgeledger(arguments)
            #expect(refused.status == 69, "\(arguments)")
            #expect(refused.stderr.contains("schema is version 4 and this hedgeledger's is \(Schema.migrations.count)") && refused.stderr.contains("hedgeledger init --db"), "\(refused.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(arguments) changed the file")
        }
        let upgraded = try hedgeledger(["init", "--db", db])
        #expect(upgraded.status == 0 && upgraded.stderr.contains("schema version \(Schema.migrations.count)"))
        // Its records join the journal chain on the way, with their fills' digests.
        #expect(upgraded.stderr.contains("1 existing record added to the journal chain"), "\(upgraded.stderr)")
        #expect(try hedgeledger(["import", "trades", "--db", db, late]).status == 0)
        let verified = try hedgeledger(["verify", "--db", db])
        #expect(verified.status == 0 && verified.stderr.contains("verified: 2 records"), "\(verified.stdout)")
    }

    @Test("a second writer fails at once naming the lock (exit 75), or waits with --wait")
    func lockBusy() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let csv = directory.write("t.csv", Self.trades)
        let holder = try Ledger(path: db, create: true, now: testNow)
        try holder.connection.execute("BEGIN IMMEDIATE")
        let busy = try hedgeledger(["import", "trades", "--db", db, csv])
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("write lock is held by another process") && busy.stderr.contains("--wait SECONDS"))
        let reader = try hedgeledger(["positions", "--db", db])
        #expect(reader.status == 0)  // readers are never blocked
        try holder.connection.execute("COMMIT")
        #expect(try hedgeledger(["import", "trades", "--wait", "2", "--db", db, csv]).status == 0)
    }

    @Test("demo opens with net delta, greeks and the hedge ratio per book and underlying, then what to try")
    func demo() throws {
        let directory = TemporaryDirectory()
        let arguments = ["demo", "--dir", directory.path, "--rows", "600", "--days", "5"]
        let result = try hedgeledger(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("The book at ") == true)
        #expect(lines[1].hasPrefix("book  underlying") && lines[1].contains("net_delta_usd") && lines[1].contains("hedged_pct"))
        // The summary in a few lines (title, header, rule, BTC, ETH), then the last day's history.
        #expect(lines[3].hasPrefix("main  BTC") && lines[4].hasPrefix("main  ETH"))
        #expect(lines[5] == "Net delta and hedge ratio, last row of every 4 h")
        // The history's last BTC row is the book the summary shows (the same moment, the same net delta).
        let summaryBTC = lines[3].split(separator: " ", omittingEmptySubsequences: true)
        let lastBTC = try #require(lines.last { $0.contains("  main  BTC ") }).split(separator: " ", omittingEmptySubsequences: true)
        #expect(lastBTC[3] == summaryBTC[2], "history \(lastBTC) against summary \(summaryBTC)")
        #expect(result.stderr.contains("recompute run #1") && result.stderr.contains("history --underlying BTC --every 1h"))
        #expect(result.stderr.contains("600 fills imported") && result.stderr.contains("2 settlement prices"))
        #expect(result.stderr.contains("greeks --at") && result.stderr.contains("hedgeledger --db \(directory.file("demo.sqlite"))"))
        #expect(FileManager.default.fileExists(atPath: directory.file("demo.sqlite")))
        // The journal has real content: a decision per hedge order, each filled by the order's fills; verify passes.
        #expect(result.stderr.contains("hedge decisions recorded, one per hedge order; verify: ok"), "\(result.stderr)")
        let db = directory.file("demo.sqlite")
        let journal = try #require(try jsonObject(try hedgeledger(["hedge", "list", "--db", db, "--format", "json"]).stdout)["decisions"] as? [[String: Any]])
        #expect(!journal.isEmpty && journal.allSatisfy { $0["execution"] as? String == "filled" })
        let exceptions = try jsonObject(try hedgeledger(["hedge", "exceptions", "--db", db, "--format", "json"]).stdout)
        let kinds = Set((exceptions["exceptions"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
        #expect(!kinds.contains("unlinked-fill") && !kinds.contains("unknown-decision"), "\(kinds)")
        // The end-of-day report of the last day, in Markdown and HTML, beside the files.
        #expect(result.stderr.contains("end-of-day report for 2026-11-20: \(directory.file("eod-2026-11-20.md"))"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.file("eod-2026-11-20.html")))
        let again = try hedgeledger(arguments)
        #expect(again.stdout == result.stdout)  // a fresh database each time, same seed, same book
    }

    @Test("import snapshots, then greeks as CSV and JSON, and marks check")
    func snapshotsAndGreeks() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let trades = directory.write("t.csv", ValuationTests.trades)
        let marks = directory.write("m.csv", ValuationTests.marks)
        #expect(try hedgeledger(["import", "trades", "--db", db, trades]).status == 0)
        let imported = try hedgeledger(["import", "snapshots", "--db", db, marks])
        #expect(imported.status == 0 && imported.stderr.contains("4 marks, 1 index price and 0 settlement prices imported"))

        let csv = try hedgeledger(["greeks", "--db", db, "--at", "2026-11-20T10:05:00Z", "--format", "csv"])
        #expect(csv.status == 0)
        let rows = csvRecords(csv.stdout)
        #expect(rows.count == 5 && rows.filter { $0["section"] == "positions" }.count == 4)
        let call = try #require(rows.first { $0["instrument"] == "BTC-27NOV26-95000-C" })
        #expect(call["value"] == "-0.069" && call["value_ccy"] == "BTC")  // short 2 × 0.0345
        let perp = try #require(rows.first { $0["instrument"] == "BTC-PERPETUAL" })
        // 95000 USD of inverse perpetual at 96010, in coin: full precision in CSV.
        #expect(Double(perp["delta"] ?? "") == 95000.0 / 96010.0)
        #expect(perp["value"] == "0.989480262472659098" && perp["value_ccy"] == "BTC")
        let total = try #require(rows.last)
        #expect(total["section"] == "totals" && total["underlying"] == "BTC" && total["complete"] == "true")

        let json = try hedgeledger(["greeks", "--db", db, "--at", "2026-11-20T12:00:00Z", "--format", "json", "--max-mark-age", "600"])
        let parsed = try jsonObject(json.stdout)
        let positions = try #require(parsed["positions"] as? [[String: Any]])
        #expect(positions.count == 4 && positions.allSatisfy { $0["stale"] as? Bool == true })
        #expect(positions.allSatisfy { $0["delta"] is Double || $0["delta"] is Int })
        let totals = try #require(parsed["totals"] as? [[String: Any]])
        #expect(totals.first?["stale"] as? Int == 4 && totals.first?["complete"] as? Bool == true)

        let check = try hedgeledger(["marks", "check", "--db", db, "--at", "2026-11-20T10:00:00Z", "--format", "csv"])
        #expect(check.status == 0 && check.stdout.contains("BTC-27NOV26-95000-C,2026-11-20T10:00:00Z,delta,"))
        #expect(check.stderr.contains("1 option mark with venue greeks checked"))
        let checkJSON = try jsonObject(try hedgeledger(["marks", "check", "--db", db, "--at", "2026-11-20T10:00:00Z", "--format", "json"]).stdout)
        let discrepancies = try #require(checkJSON["discrepancies"] as? [[String: Any]])
        #expect(checkJSON["checked"] as? Int == 1 && discrepancies.contains { $0["greek"] as? String == "delta" && $0["venue"] as? Double == 0.6 })

        let bad = directory.write("bad.csv", "timestamp,instrument,mark_price\n2026-11-20T10:00:00Z,BTC-PERPETUAL,abc\n")
        let refused = try hedgeledger(["import", "snapshots", "--db", db, bad])
        #expect(refused.status == 65 && refused.stderr.contains("bad.csv:2:36: mark_price: 'abc'"))
    }

    @Test("generate trades: deterministic native CSV that imports")
    func generate() throws {
        let one = try hedgeledger(["generate", "trades", "--rows", "300", "--seed", "9"])
        let two = try hedgeledger(["generate", "trades", "--rows", "300", "--seed", "9"])
        #expect(one.status == 0 && one.stdout == two.stdout)
        #expect(one.stdout.split(separator: "\n").count == 301)
        #expect(one.stdout.hasPrefix(TradeGenerator.header))
        let directory = TemporaryDirectory()
        let imported = try hedgeledger(["import", "trades", "--db", directory.file("g.sqlite"), "-"], stdin: one.stdout)
        #expect(imported.status == 0 && imported.stderr.contains("300 fills imported"))
    }
}
