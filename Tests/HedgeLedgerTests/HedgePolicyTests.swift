import Foundation
import Testing
@testable import HedgeLedger

/// Hedge policies: whole versions in force from an effective time, never edited; bad parameters
/// refused with the reason and nothing recorded; the band half-widths by hand.
@Suite("Hedge policies")
struct HedgePolicyTests {
    func ledger(_ directory: TemporaryDirectory) throws -> String {
        let db = directory.file("l.sqlite")
        let result = try hedgeledger(["import", "trades", "--db", db, directory.write("t.csv", BookSettingsTests.trades)])
        #expect(result.status == 0, "\(result.stderr)")
        return db
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try hedgeledger(arguments + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        return try jsonObject(result.stdout)
    }

    @Test("set, then show and list as of any time: each version is whole and in force from its effective time")
    func versions() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        let first = try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "BTC", "--band", "0.5", "--lot", "10",
                                     "--min-trade", "100", "--effective", "2026-11-20T08:00:00Z", "--by", "ana"])
        #expect(first.status == 0 && first.stderr.contains("policy version #1 in force from 2026-11-20T08:00:00Z: fixed band"), "\(first.stderr)")
        let second = try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "btc", "--ww-cost", "0.0005",
                                      "--ww-risk-aversion", "0.0001", "--hedge-instrument", "BTC-PERPETUAL", "--target-delta", "-0.25",
                                      "--hedge-to", "band-edge", "--max-reaction", "2m", "--effective", "2026-11-21"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "ETH", "--every", "15m", "--band", "2",
                                 "--effective", "2026-11-20"]).status == 0)
        #expect(try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "ETH", "--relative-band", "0.05",
                                 "--effective", "2026-11-22"]).status == 0)

        func inForce(at time: String) throws -> [String: [String: Any]] {
            let rows = try #require(try json(["policy", "list", "--db", db, "--at", time])["policies"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["underlying"] as! String, $0) })
        }
        #expect(try hedgeledger(["policy", "list", "--db", db, "--at", "2026-11-19"]).stdout.contains("(no rows)"))
        let day1 = try inForce(at: "2026-11-20T12:00:00Z")
        let btc = try #require(day1["BTC"]), eth = try #require(day1["ETH"])
        #expect(btc["version"] as? Int == 1 && btc["band"] as? String == "fixed" && (btc["band_width"] as? NSNumber)?.doubleValue == 0.5)
        #expect((btc["lot"] as? NSNumber)?.doubleValue == 10 && (btc["min_trade"] as? NSNumber)?.doubleValue == 100)
        #expect(btc["target_delta"] is NSNull && btc["hedge_instrument"] is NSNull && btc["hedge_to"] as? String == "target")
        #expect(btc["max_reaction_s"] as? Int == 300 && btc["recorded_by"] as? String == "ana")
        #expect(eth["band"] as? String == "schedule" && eth["interval_s"] as? Int == 900 && (eth["band_width"] as? NSNumber)?.doubleValue == 2)
        let day3 = try inForce(at: "2026-11-22T12:00:00Z")
        let later = try #require(day3["BTC"])
        // A version is whole: the fixed band's lot does not carry over to the Whalley-Wilmott version.
        #expect(later["version"] as? Int == 2 && later["band"] as? String == "whalley-wilmott" && later["lot"] is NSNull)
        #expect((later["cost"] as? NSNumber)?.doubleValue == 0.0005 && (later["risk_aversion"] as? NSNumber)?.doubleValue == 0.0001)
        #expect((later["target_delta"] as? NSNumber)?.doubleValue == -0.25 && later["hedge_instrument"] as? String == "BTC-PERPETUAL")
        #expect(later["hedge_to"] as? String == "band-edge" && later["max_reaction_s"] as? Int == 120)
        #expect(day3["ETH"]?["band"] as? String == "relative")

        let shown = try json(["policy", "show", "main", "--db", db])
        let versions = try #require(shown["versions"] as? [[String: Any]])
        #expect(versions.map { $0["version"] as? Int } == [3, 1, 2, 4])  // oldest effective first
        let typo = try hedgeledger(["policy", "show", "mian", "--db", db])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'main'?"))

        // Versions are never edited, and reading never creates a ledger.
        let ledger = try Ledger(path: db, create: false, now: testNow)
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("UPDATE hedge_policies SET band_width = '5'") }
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("DELETE FROM hedge_policies") }
        let missing = directory.file("none.sqlite")
        #expect(try hedgeledger(["policy", "list", "--db", missing]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("bad parameters are refused with the reason (exit 64) and record nothing", arguments: [
        (["--band", "-1"], "the band width -1 coin is negative"),
        (["--relative-band", "-0.1"], "the relative band -0.1 is negative"),
        (["--ww-cost", "1", "--ww-risk-aversion", "0.001"], "the proportional cost 1 must be at least 0 and below 1"),
        (["--ww-cost", "-0.001", "--ww-risk-aversion", "0.001"], "the proportional cost -0.001 must be at least 0"),
        (["--ww-cost", "0.001", "--ww-risk-aversion", "0"], "the risk aversion 0 must be positive"),
        (["--ww-cost", "0.001"], "needs both --ww-cost and --ww-risk-aversion"),
        (["--band", "1", "--lot", "0"], "the lot 0 must be positive"),
        (["--band", "1", "--min-trade", "-5"], "the minimum trade -5 is negative"),
        (["--band", "1", "--hedge-instrument", "ETH-PERPETUAL"], "ETH-PERPETUAL is an instrument of ETH, and this policy is for BTC"),
        (["--band", "1", "--hedge-instrument", "BTC-27DEC26-100000-C"], "BTC-27DEC26-100000-C is an option"),
        (["--band", "1", "--hedge-instrument", "BTC-PERPETUA"], "unknown instrument 'BTC-PERPETUA'; did you mean 'BTC-PERPETUAL'?"),
        (["--band", "1", "--hedge-instrument", "BTC-20NOV26", "--effective", "2026-11-21"], "BTC-20NOV26 expires at 2026-11-20T08:00:00Z"),
        (["--band", "1", "--relative-band", "0.1"], "give one band rule"),
        (["--lot", "10"], "give a band rule"),
        (["--band", "1e-3"], "uses an exponent"),
        (["--every", "0"], "is not a duration"),
        (["--band", "1", "--hedge-to", "edge"], "is not target or band-edge"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        let result = try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "BTC"] + arguments)
        #expect(result.status == 64 && result.stderr.contains(message), "\(result.status) \(result.stderr)")
        let ledger = try Ledger(path: db, access: .read, now: testNow)
        #expect(try ledger.hedgePolicies.versions().isEmpty)
        #expect(try ledger.instruments.find(symbol: "BTC-20NOV26") == nil)  // nothing added on the way either
    }

    @Test("an unknown book or underlying is refused unless the book is new")
    func unknownNames() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(directory)
        let book = try hedgeledger(["policy", "set", "mian", "--db", db, "--underlying", "BTC", "--band", "1"])
        #expect(book.status == 64 && book.stderr.contains("(did you mean 'main'?)") && book.stderr.contains("--new-book"))
        #expect(try hedgeledger(["policy", "set", "desk-2", "--db", db, "--underlying", "BTC", "--band", "1", "--new-book"]).status == 0)
        let coin = try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "BTX", "--band", "1"])
        #expect(coin.status == 64 && coin.stderr.contains("underlying 'BTX'") && coin.stderr.contains("did you mean 'BTC'?"))
    }

    @Test("band half-widths: fixed, relative, schedule, and Whalley-Wilmott by hand with its scaling in gamma and cost")
    func halfWidths() {
        #expect(HedgePolicy.Band.fixed(width: decimal("0.5")).halfWidth(gamma: 1, grossOptionsDelta: 10, price: 1) == 0.5)
        #expect(HedgePolicy.Band.relative(fraction: decimal("0.05")).halfWidth(gamma: 1, grossOptionsDelta: 30, price: nil) == 1.5)
        #expect(HedgePolicy.Band.schedule(seconds: 900, width: nil).halfWidth(gamma: 1, grossOptionsDelta: 1, price: 1) == nil)
        // λ = 5 bp, F = 95000 USD, Γ = 0.002 coin per USD, γ = 0.0001 per USD:
        // H = (1.5 × 0.0005 × 95000 × 0.002² / 0.0001)^(1/3) = 2.85^(1/3) ≈ 1.4178 coin.
        let band = HedgePolicy.Band.whalleyWilmott(cost: decimal("0.0005"), riskAversion: decimal("0.0001"))
        let h = band.halfWidth(gamma: 0.002, grossOptionsDelta: 0, price: 95_000)!
        #expect(abs(h - pow(2.85, 1.0 / 3)) < 1e-12 && abs(h - 1.4178) < 1e-4)
        #expect(abs(band.halfWidth(gamma: -0.004, grossOptionsDelta: 0, price: 95_000)! / h - pow(2, 2.0 / 3)) < 1e-12)  // Γ²: sign-free
        let dearer = HedgePolicy.Band.whalleyWilmott(cost: decimal("0.001"), riskAversion: decimal("0.0001"))
        #expect(abs(dearer.halfWidth(gamma: 0.002, grossOptionsDelta: 0, price: 95_000)! / h - pow(2, 1.0 / 3)) < 1e-12)
        #expect(band.halfWidth(gamma: 0, grossOptionsDelta: 0, price: 95_000) == 0)
        #expect(band.halfWidth(gamma: 0.002, grossOptionsDelta: 0, price: nil) == nil)
    }
}
