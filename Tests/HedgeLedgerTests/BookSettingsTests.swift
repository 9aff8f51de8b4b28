import Foundation
import Testing
@testable import HedgeLedger

/// Books' hedge settings: versioned from an effective time, never edited; a change names only
/// what changes; bad settings are refused with the reason and leave the ledger as it was.
@Suite("Book settings")
struct BookSettingsTests {
    static let trades = """
        trade_id,timestamp,instrument,side,quantity,price
        1,2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,buy,2,0.05
        2,2026-11-20T10:01:00Z,BTC-PERPETUAL,sell,9000,95000
        3,2026-11-20T10:02:00Z,ETH-PERPETUAL,buy,300,3400

        """

    func ledger(_ directory: TemporaryDirectory) throws -> String {
        let db = directory.file("l.sqlite")
        let result = try hedgeledger(["import", "trades", "--db", db, directory.write("t.csv", Self.trades)])
        #expect(result.status == 0, "\(result.stderr)")
        return db
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try hedgeledger(arguments + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        return try jsonObject(result.stdout)
    }

    @Test("set, then show as of any time: each version is in force from its effective time, and unnamed settings carry over")
    func versions() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        let first = try hedgeledger(["book", "set", "main", "--db", db, "--hedge-instrument", "BTC-PERPETUAL",
                                     "--hedge-instrument", "BTC-27DEC26", "--effective", "2026-11-20T08:00:00Z", "--by", "ana"])
        #expect(first.status == 0 && first.stderr.contains("version #1 in force from 2026-11-20T08:00:00Z"), "\(first.stderr)")
        let second = try hedgeledger(["book", "set", "main", "--db", db, "--underlying", "btc", "--target-delta", "1.5",
                                      "--hedged-delta", "plain", "--effective", "2026-11-21"])
        #expect(second.status == 0, "\(second.stderr)")

        func inForce(at time: String) throws -> [String: Any] {
            let object = try json(["book", "show", "main", "--db", db, "--at", time])
            let rows = try #require(object["in_force"] as? [[String: Any]])
            return try #require(rows.first { $0["underlying"] as? String == "BTC" })
        }
        let before = try inForce(at: "2026-11-20T07:00:00Z")  // no version yet: the defaults
        #expect(before["version"] is NSNull && before["hedge_instruments"] is NSNull && before["hedged_delta"] is NSNull)
        #expect((before["target_delta"] as? NSNumber)?.doubleValue == 0)
        let during = try inForce(at: "2026-11-20T12:00:00Z")
        #expect(during["version"] as? Int == 1 && during["hedge_instruments"] as? String == "BTC-PERPETUAL,BTC-27DEC26")
        let after = try inForce(at: "2026-11-22T00:00:00Z")
        #expect(after["version"] as? Int == 2 && after["hedged_delta"] as? String == "plain")
        #expect(after["hedge_instruments"] as? String == "BTC-PERPETUAL,BTC-27DEC26")  // carried over
        #expect((after["target_delta"] as? NSNumber)?.doubleValue == 1.5)

        let versions = try #require(try json(["book", "show", "main", "--db", db])["versions"] as? [[String: Any]])
        #expect(versions.map { $0["version"] as? Int } == [1, 2])
        #expect(versions[0]["recorded_by"] as? String == "ana")
        // Back to the defaults, from a later time.
        #expect(try hedgeledger(["book", "set", "main", "--db", db, "--underlying", "BTC", "--default-hedges", "--hedged-delta", "default",
                                 "--effective", "2026-11-23"]).status == 0)
        let reset = try inForce(at: "2026-11-24")
        #expect(reset["hedge_instruments"] is NSNull && reset["hedged_delta"] is NSNull && (reset["target_delta"] as? NSNumber)?.doubleValue == 1.5)

        // Every book and underlying the ledger knows, with or without settings.
        let books = try #require(try json(["book", "list", "--db", db])["books"] as? [[String: Any]])
        #expect(books.map { "\($0["book"]!)/\($0["underlying"]!)" } == ["main/BTC", "main/ETH"])
    }

    @Test("bad settings are refused with the reason (exit 64) and record nothing",
          arguments: [
            (["--hedge-instrument", "ETH-PERPETUAL", "--underlying", "BTC"], "--underlying is BTC but ETH-PERPETUAL is an instrument of ETH"),
            (["--hedge-instrument", "BTC-27DEC26-100000-C"], "BTC-27DEC26-100000-C is an option; hedge instruments are futures, perpetuals or spot"),
            (["--hedge-instrument", "BTC-PERPETUA"], "unknown instrument 'BTC-PERPETUA'; did you mean 'BTC-PERPETUAL'?"),
            (["--hedge-instrument", "BTC-PERPETUAL", "--hedge-instrument", "BTC-PERPETUAL"], "BTC-PERPETUAL is named twice"),
            (["--underlying", "BTC"], "nothing to set"),
            (["--target-delta", "5"], "name the underlying"),
            (["--underlying", "BTC", "--target-delta", "1e3"], "--target-delta '1e3' uses an exponent"),
            (["--underlying", "BTC", "--target-delta", "99999999999999999999"], "is too large"),
            (["--underlying", "BTC", "--hedged-delta", "gross"], "--hedged-delta 'gross' is not net, plain or default"),
            (["--default-hedges", "--hedge-instrument", "BTC-PERPETUAL"], "contradict each other"),
            (["--underlying", "XYZ", "--target-delta", "1"], "underlying 'XYZ' is not the underlying of any instrument in this ledger; known: BTC, ETH"),
            (["--underlying", "ETHH", "--target-delta", "1"], "(did you mean 'ETH'?)"),
            (["--hedge-instrument", "BTC-27DEC24", "--effective", "2026-11-20"], "BTC-27DEC24 expires at 2024-12-27T08:00:00Z, not after 2026-11-20T00:00:00Z"),
          ])
    func refusals(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        let result = try hedgeledger(["book", "set", "main", "--db", db] + arguments)
        #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
        let ledger = try Ledger(path: db, access: .read, now: testNow)
        #expect(try ledger.bookSettings.versions().isEmpty)
        #expect(try ledger.instruments.find(symbol: "BTC-PERPETUA") == nil)
    }

    @Test("a book the ledger does not know is refused as a likely typo unless --new-book; a negative target needs no '='")
    func newBooks() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        let typo = try hedgeledger(["book", "set", "mian", "--db", db, "--hedge-instrument", "BTC-PERPETUAL"])
        #expect(typo.status == 64 && typo.stderr.contains("book 'mian' has no fills or settings yet (did you mean 'main'?)"), "\(typo.stderr)")
        let control = try hedgeledger(["book", "set", "a\nb", "--db", db, "--hedge-instrument", "BTC-PERPETUAL", "--new-book"])
        #expect(control.status == 64 && control.stderr.contains("contains control characters"))
        let new = try hedgeledger(["book", "set", "desk-c", "--db", db, "--underlying", "ETH", "--target-delta", "-0.25", "--new-book"])
        #expect(new.status == 0 && new.stderr.contains("target -0.25 ETH"), "\(new.stderr)")
        let books = try #require(try json(["book", "list", "--db", db])["books"] as? [[String: Any]])
        #expect(books.map { "\($0["book"]!)/\($0["underlying"]!)" } == ["desk-c/ETH", "main/BTC", "main/ETH"])
        // Once it has settings, the book is known.
        #expect(try hedgeledger(["book", "set", "desk-c", "--db", db, "--underlying", "ETH", "--target-delta", "0"]).status == 0)
    }

    @Test("versions are append-only, and reading settings never creates a ledger")
    func appendOnlyAndReadOnly() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        #expect(try hedgeledger(["book", "set", "main", "--db", db, "--hedge-instrument", "BTC-PERPETUAL"]).status == 0)
        let ledger = try Ledger(path: db, create: false, now: testNow)
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("UPDATE book_settings SET target_delta = '9'") }
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("DELETE FROM book_setting_hedges") }
        let missing = try hedgeledger(["book", "list", "--db", directory.file("none.sqlite")])
        #expect(missing.status == 69 && !FileManager.default.fileExists(atPath: directory.file("none.sqlite")))
        let unknown = try hedgeledger(["book", "show", "mian", "--db", db])
        #expect(unknown.status == 64 && unknown.stderr.contains("did you mean 'main'?"))
    }
}
