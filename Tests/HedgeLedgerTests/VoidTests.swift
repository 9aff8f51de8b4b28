import Foundation
import Testing
@testable import HedgeLedger

/// Corrections without edits: a void takes fills out of everything derived, on record, and a
/// corrected file imports afterwards.
@Suite("Voids", .serialized)
struct VoidTests {
    static let wrong = """
        trade_id,timestamp,instrument,side,quantity,price,venue
        D1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,1000,95000,deribit
        D2,2026-11-20T10:05:00Z,BTC-PERPETUAL,buy,500,96000,deribit

        """
    /// The same trades with the price typed correctly.
    static let corrected = """
        trade_id,timestamp,instrument,side,quantity,price,venue
        D1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,1000,94000,deribit
        D2,2026-11-20T10:05:00Z,BTC-PERPETUAL,buy,500,96000,deribit

        """
    static let other = """
        trade_id,timestamp,instrument,side,quantity,price,venue
        E1,2026-11-20T11:00:00Z,ETH-PERPETUAL,buy,30,3400,deribit

        """

    func positions(_ db: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let result = try hedgeledger(["--db", db, "positions", "--format", "json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try jsonObject(result.stdout)["positions"] as? [[String: Any]])
    }

    @Test("void an import: its fills stop counting but stay visible; the corrected file imports; voids are append-only")
    func voidImportAndReimport() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("wrong.csv", Self.wrong)]).status == 0)
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("eth.csv", Self.other)]).status == 0)
        #expect(try positions(db).count == 2)

        let voided = try hedgeledger(["--db", db, "void", "import", "1", "--reason", "wrong price on D1", "--by", "ada"])
        #expect(voided.status == 0 && voided.stderr.contains("void #1 recorded: 2 fills no longer count, 1 position rebuilt"),
                "\(voided.stderr)")
        #expect(try positions(db).map { $0["instrument"] as? String } == ["ETH-PERPETUAL"])
        let before = try positions(db, ["--include-voided"])
        #expect(before.count == 2 && before.contains { $0["instrument"] as? String == "BTC-PERPETUAL" && $0["quantity"] as? Int == 1500 })
        let greeks = try hedgeledger(["--db", db, "greeks", "--format", "csv"])
        #expect(greeks.status == 0 && !greeks.stdout.contains("BTC-PERPETUAL"))

        let imports = try jsonObject(try hedgeledger(["--db", db, "imports", "--format", "json"]).stdout)
        let rows = try #require(imports["imports"] as? [[String: Any]])
        #expect(rows.count == 2 && rows[0]["voided"] as? Bool == true && rows[0]["fills_voided"] as? Int == 2)
        #expect(rows[0]["void_reason"] as? String == "wrong price on D1" && rows[1]["voided"] as? Bool == false)

        let again = try hedgeledger(["--db", db, "void", "import", "1", "--reason", "twice"])
        #expect(again.status == 64 && again.stderr.contains("import #1 was already voided (void #1)"))
        let missing = try hedgeledger(["--db", db, "void", "import", "9", "--reason", "x"])
        #expect(missing.status == 64 && missing.stderr.contains("there is no import #9; imports are numbered 1 to 2"))

        let reimported = try hedgeledger(["import", "trades", "--db", db, directory.write("corrected.csv", Self.corrected)])
        #expect(reimported.status == 0 && reimported.stderr.contains("2 fills imported"), "\(reimported.stderr)")
        let btc = try #require(try positions(db).first { $0["instrument"] as? String == "BTC-PERPETUAL" })
        #expect(btc["quantity"] as? Int == 1500 && btc["fills"] as? Int == 2)
        // The stored positions equal a rebuild from the fills that count.
        let rebuilt = try #require(try positions(db, ["--at", "2026-11-21"]).first { $0["instrument"] as? String == "BTC-PERPETUAL" })
        #expect(rebuilt["avg_price"] as? Double == btc["avg_price"] as? Double)
        // The corrected file again is a duplicate, not a third revision.
        let duplicate = try hedgeledger(["import", "trades", "--db", db, directory.file("corrected.csv")])
        #expect(duplicate.status == 0 && duplicate.stderr.contains("nothing new"))

        let raw = try Connection(path: db, create: false)
        for sql in ["UPDATE voids SET reason = 'x'", "DELETE FROM voids", "DELETE FROM voided_fills"] {
            #expect(throws: SQLiteError.self) { try raw.execute(sql) }
        }
    }

    @Test("void one fill by venue and trade id")
    func voidOneFill() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("wrong.csv", Self.wrong)]).status == 0)
        let result = try hedgeledger(["void", "fill", "--db", db, "--venue", "deribit", "--trade-id", "D2", "--reason", "busted trade"])
        #expect(result.status == 0 && result.stderr.contains("1 fill no longer counts"), "\(result.stderr)")
        let btc = try #require(try positions(db).first)
        #expect(btc["quantity"] as? Int == 1000 && btc["fills"] as? Int == 1)
        let again = try hedgeledger(["void", "fill", "--db", db, "--venue", "deribit", "--trade-id", "D2", "--reason", "again"])
        #expect(again.status == 64 && again.stderr.contains("already voided"))
        let unknown = try hedgeledger(["void", "fill", "--db", db, "--trade-id", "D2", "--reason", "x"])
        #expect(unknown.status == 64 && unknown.stderr.contains("no fill of venue 'unspecified' has trade id 'D2'"))
        let noReason = try hedgeledger(["void", "fill", "--db", db, "--venue", "deribit", "--trade-id", "D1", "--reason", " "])
        #expect(noReason.status == 64)
        // The void, its reason and the fill it names stay visible.
        let voidsJSON = try hedgeledger(["--db", db, "voids", "--format", "json"]).stdout
        try ReportOutputTests().expectDocumented(voidsJSON)
        let voids = try jsonObject(voidsJSON)
        let listed = try #require(voids["voids"] as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["target"] as? String == "fill" && listed[0]["reason"] as? String == "busted trade")
        #expect(listed[0]["venue"] as? String == "deribit" && listed[0]["trade_id"] as? String == "D2" && listed[0]["fills"] as? Int == 1)
        #expect(listed[0]["import_id"] is NSNull && listed[0]["voided_by"] is String)
    }

    @Test("an import that brought no fill that counts is not voided: all duplicates, or each fill voided already")
    func importWithoutLiveFills() throws {
        try withLedger { ledger, directory throws in
            try importTrades(Self.wrong, into: ledger, in: directory, name: "a.csv")
            try importTrades(Self.wrong, into: ledger, in: directory, name: "again.csv")  // all duplicates
            #expect {
                try VoidService(ledger: ledger).void(.importRun(2), reason: "x", voidedBy: "t", now: testNow)
            } throws: { "\($0)".contains("import #2 brought no fills: its 2 rows were duplicates of fills imported earlier") }
            for id in ["D1", "D2"] {
                _ = try VoidService(ledger: ledger).void(.fill(venue: "deribit", tradeID: id), reason: "x", voidedBy: "t", now: testNow)
            }
            #expect {
                try VoidService(ledger: ledger).void(.importRun(1), reason: "x", voidedBy: "t", now: testNow)
            } throws: { "\($0)".contains("every fill import #1 brought is already voided") }
            #expect(try ledger.voids.all().count == 2)
        }
    }

    @Test("only trade imports can be voided")
    func snapshotImportsAreNotVoided() throws {
        try withLedger { ledger, directory throws in
            try importSnapshots(ValuationTests.marks, into: ledger, in: directory)
            #expect {
                try VoidService(ledger: ledger).void(.importRun(1), reason: "x", voidedBy: "t", now: testNow)
            } throws: { "\($0)".contains("import #1 imported snapshots; only trade imports can be voided") }
        }
    }
}
