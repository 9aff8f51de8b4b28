import Foundation
import Testing
@testable import HedgeLedger

/// The exposure history: a small book computed by hand, agreement with `greeks` at every row's
/// time, the same history whatever the import order, and `--check` catching a tampered row.
@Suite("Recompute and history", .serialized)
struct RecomputeTests {
    static let trades = """
        trade_id,timestamp,instrument,side,quantity,price
        1,2026-11-19T10:00:00Z,BTC-27NOV26-100000-C,buy,10,0.05
        2,2026-11-19T10:00:00Z,BTC-20NOV26-95000-P,buy,5,0.02
        3,2026-11-19T12:30:00Z,BTC-PERPETUAL,sell,50000,95000

        """
    static let marks = """
        timestamp,instrument,mark_price,underlying_price,mark_iv,kind
        2026-11-19T12:00:00Z,btc_usd,96010,,,
        2026-11-19T12:00:00Z,BTC-27NOV26-100000-C,0.04,96000,50,
        2026-11-19T12:00:00Z,BTC-20NOV26-95000-P,0.01,96000,55,
        2026-11-19T12:00:00Z,BTC-PERPETUAL,96000,,,
        2026-11-19T13:00:00Z,btc_usd,97010,,,
        2026-11-19T13:00:00Z,BTC-27NOV26-100000-C,0.045,97000,51,
        2026-11-19T13:00:00Z,BTC-20NOV26-95000-P,0.008,97000,56,
        2026-11-19T13:00:00Z,BTC-PERPETUAL,97000,,,
        2026-11-20T08:00:00Z,btc_usd,96500,,,settlement

        """

    /// Black-76 by hand (r = 0), independent of the library's pricing code.
    struct Greeks {
        var delta, gamma, vega, theta: Double
        /// The Black-76 value in coin, value / F: what the net delta of an inverse option subtracts.
        var priceInCoin: Double
        init(call: Bool, forward: Double, strike: Double, iv: Double, from: String, to expiry: String) {
            let years = (ISO8601DateFormatter().date(from: expiry)!.timeIntervalSince(ISO8601DateFormatter().date(from: from)!)) / (365 * 86_400)
            let sigma = iv / 100
            let d1 = (log(forward / strike) + sigma * sigma * years / 2) / (sigma * sqrt(years))
            let cdf = 0.5 * erfc(-d1 / 2.squareRoot()), density = exp(-d1 * d1 / 2) / (2 * Double.pi).squareRoot()
            delta = call ? cdf : cdf - 1
            gamma = density / (forward * sigma * sqrt(years))
            vega = forward * density * sqrt(years) / 100
            theta = -forward * density * sigma / (2 * sqrt(years)) / 365
            let d2 = d1 - sigma * sqrt(years)
            let n = { (x: Double) in 0.5 * erfc(-x / 2.squareRoot()) }
            priceInCoin = (call ? forward * n(d1) - strike * n(d2) : strike * n(-d2) - forward * n(-d1)) / forward
        }
    }

    @Test("the P&L explain of an interval by hand: Black-76 revaluation against delta, gamma, vega and theta of the row before")
    func pnlExplain() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: Self.marks)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let rows = try history(db)
        func row(_ time: String) throws -> [String: Any] { try #require(rows.first { $0["time"] as? String == time }) }
        func number(_ row: [String: Any], _ field: String) -> Double? { (row[field] as? NSNumber)?.doubleValue }
        // Before 12:00 nothing had a mark: the first priced row has no explain.
        #expect(try row("2026-11-19T12:00:00Z")["pnl_usd"] is NSNull)
        // 10 calls 100000 (27 Nov) and 5 puts 95000 (20 Nov), 1 coin each; the value in USD is price in coin × F.
        func options(forward: Double, callIV: Double, putIV: Double, at time: String) -> (value: Double, delta: Double, gamma: Double, vega: Double, theta: Double) {
            let call = Greeks(call: true, forward: forward, strike: 100_000, iv: callIV, from: time, to: "2026-11-27T08:00:00Z")
            let put = Greeks(call: false, forward: forward, strike: 95_000, iv: putIV, from: time, to: "2026-11-20T08:00:00Z")
            return (10 * call.priceInCoin * forward + 5 * put.priceInCoin * forward, 10 * call.delta + 5 * put.delta,
                    10 * call.gamma + 5 * put.gamma, 10 * call.vega + 5 * put.vega, 10 * call.theta + 5 * put.theta)
        }
        func close(_ a: Double?, _ b: Double, _ what: String) {
            #expect(a.map { abs($0 - b) <= 1e-6 * max(1, abs(b)) } == true, "\(what): \(String(describing: a)) against \(b) by hand")
        }
        // 12:00 to 12:30: the same marks; only time passed. The perpetual sold at 12:30 was not held before.
        let noon = options(forward: 96_000, callIV: 50, putIV: 55, at: "2026-11-19T12:00:00Z")
        let half = options(forward: 96_000, callIV: 50, putIV: 55, at: "2026-11-19T12:30:00Z")
        let r1230 = try row("2026-11-19T12:30:00Z")
        close(number(r1230, "pnl_usd"), half.value - noon.value, "12:30 P&L")
        close(number(r1230, "pnl_theta_usd"), noon.theta * 0.5 / 24, "12:30 theta")
        close(number(r1230, "pnl_delta_usd"), 0, "12:30 delta")
        close(number(r1230, "pnl_hedges_usd"), 0, "12:30 hedges")
        // 12:30 to 13:00: F 96000 to 97000, volatilities up a point, the perpetual (−50000 USD) from 96000 to 97000.
        let one = options(forward: 97_000, callIV: 51, putIV: 56, at: "2026-11-19T13:00:00Z")
        let perpetual = -50_000 / 96_000.0
        let r1300 = try row("2026-11-19T13:00:00Z")
        close(number(r1300, "pnl_options_usd"), one.value - half.value, "13:00 options P&L")
        close(number(r1300, "pnl_hedges_usd"), -50_000 * (97_000 / 96_000.0 - 1), "13:00 perpetual P&L")
        close(number(r1300, "pnl_delta_usd"), (half.delta + perpetual) * 1_000, "13:00 delta")
        close(number(r1300, "pnl_gamma_usd"), 0.5 * half.gamma * 1_000 * 1_000, "13:00 gamma")
        close(number(r1300, "pnl_vega_usd"), half.vega * 1, "13:00 vega")
        close(number(r1300, "pnl_theta_usd"), half.theta * 0.5 / 24, "13:00 theta")
        let explained = [number(r1300, "pnl_delta_usd"), number(r1300, "pnl_gamma_usd"), number(r1300, "pnl_vega_usd"),
                         number(r1300, "pnl_theta_usd")].compactMap { $0 }.reduce(0, +)
        close(number(r1300, "pnl_residual_usd"), (number(r1300, "pnl_usd") ?? .nan) - explained, "13:00 residual")
        // The delta explains most of it; what is left is third-order and cross terms.
        #expect(abs(number(r1300, "pnl_residual_usd") ?? .nan) < 0.05 * abs(number(r1300, "pnl_usd") ?? 0))
    }

    func history(_ db: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let result = try hedgeledger(["history", "--db", db, "--format", "json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        return try #require(try jsonObject(result.stdout)["history"] as? [[String: Any]])
    }

    func close(_ a: Any?, _ b: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let value = (a as? NSNumber)?.doubleValue ?? .nan
        #expect(abs(value - b) <= 1e-9 * max(1, abs(b)), "\(what): \(value) against \(b) by hand", sourceLocation: sourceLocation)
    }

    @Test("a small book by hand: rows at fills, marks and expiries, field by field")
    func byHand() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: Self.marks)
        let run = try hedgeledger(["recompute", "--db", db])
        #expect(run.status == 0 && run.stderr.contains("6 exposure rows written"), "\(run.stderr)")
        let rows = try history(db)
        #expect(rows.map { $0["time"] as? String } == ["2026-11-19T10:00:00Z", "2026-11-19T12:00:00Z", "2026-11-19T12:30:00Z",
                                                       "2026-11-19T13:00:00Z", "2026-11-20T08:00:00Z", "2026-11-27T08:00:00Z"])
        // 10:00, the fills: nothing is marked yet.
        #expect(rows[0]["positions"] as? Int == 2 && rows[0]["unpriced"] as? Int == 2 && rows[0]["hedge_ratio"] is NSNull)
        #expect(rows[0]["usd_per_coin"] is NSNull && rows[0]["hedge_instrument"] is NSNull)

        for (index, time, forward, callIV, putIV, perp, usd, age) in [
            (1, "2026-11-19T12:00:00Z", 96000.0, 50.0, 55.0, nil as Double?, 96010.0, 0.0),
            (2, "2026-11-19T12:30:00Z", 96000.0, 50.0, 55.0, 96000.0, 96010.0, 1800.0),
            (3, "2026-11-19T13:00:00Z", 97000.0, 51.0, 56.0, 97000.0, 97010.0, 0.0),
        ] {
            let row = rows[index]
            let call = Greeks(call: true, forward: forward, strike: 100_000, iv: callIV, from: time, to: "2026-11-27T08:00:00Z")
            let put = Greeks(call: false, forward: forward, strike: 95_000, iv: putIV, from: time, to: "2026-11-20T08:00:00Z")
            let optionsDelta = 10 * call.delta + 5 * put.delta
            // Inverse options: net delta = delta − the model price in coin (value / F).
            let optionsNet = 10 * (call.delta - call.priceInCoin) + 5 * (put.delta - put.priceInCoin)
            close(row["gross_options_delta"], abs(10 * (call.delta - call.priceInCoin)) + abs(5 * (put.delta - put.priceInCoin)),
                  "gross_options_delta at \(time)")
            let hedge = perp.map { -50_000 / $0 } ?? 0
            close(row["options_delta"], optionsDelta, "options_delta at \(time)")
            close(row["options_net_delta"], optionsNet, "options_net_delta at \(time)")
            close(row["hedge_delta"], hedge, "hedge_delta at \(time)")
            close(row["net_delta"], optionsNet + hedge, "net_delta (net, the default for coin-settled options) at \(time)")
            close(row["gamma"], 10 * call.gamma + 5 * put.gamma, "gamma at \(time)")
            close(row["vega"], 10 * call.vega + 5 * put.vega, "vega at \(time)")
            close(row["theta"], 10 * call.theta + 5 * put.theta, "theta at \(time)")
            close(row["usd_per_coin"], usd, "usd_per_coin at \(time)")
            close(row["net_delta_usd"], (optionsNet + hedge) * usd, "net_delta_usd at \(time)")
            close(row["oldest_mark_age_s"], age, "oldest_mark_age_s at \(time)")
            #expect(row["positions"] as? Int == (perp == nil ? 2 : 3) && row["unpriced"] as? Int == 0)
            if let perp {
                close(row["hedge_ratio"], -hedge / optionsNet, "hedge_ratio at \(time)")
                // The trade in BTC-PERPETUAL (USD amounts, delta 1/F per USD) that brings net delta to 0.
                close(row["required_hedge"], -(optionsNet + hedge) * perp, "required_hedge at \(time)")
                close(row["underlying_price"], perp, "underlying_price at \(time)")
                #expect(row["hedge_instrument"] as? String == "BTC-PERPETUAL")
            } else {
                #expect(row["hedge_instrument"] is NSNull && row["required_hedge"] is NSNull)
            }
        }
        // The put expires out of the money at its settlement price and leaves the book.
        #expect(rows[4]["positions"] as? Int == 2 && rows[4]["unpriced"] as? Int == 0)
        // The call expires with no settlement price: still held, not priced, no ratio.
        #expect(rows[5]["positions"] as? Int == 2 && rows[5]["unpriced"] as? Int == 1 && rows[5]["hedge_ratio"] is NSNull)
        close(rows[5]["options_delta"], 0, "options_delta after the call's expiry")

        // Hedge settings change what is hedged: plain delta, a target, from 12:45.
        #expect(try hedgeledger(["book", "set", "main", "--db", db, "--underlying", "BTC", "--hedged-delta", "plain",
                                 "--target-delta", "-1", "--effective", "2026-11-19T12:45:00Z"]).status == 0)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let after = try history(db, ["--from", "2026-11-19T12:45:00Z", "--to", "2026-11-19T13:00:00Z"])
        #expect(after.map { $0["time"] as? String } == ["2026-11-19T12:45:00Z", "2026-11-19T13:00:00Z"])
        let row = after[1]
        let call = Greeks(call: true, forward: 97000, strike: 100_000, iv: 51, from: "2026-11-19T13:00:00Z", to: "2026-11-27T08:00:00Z")
        let put = Greeks(call: false, forward: 97000, strike: 95_000, iv: 56, from: "2026-11-19T13:00:00Z", to: "2026-11-20T08:00:00Z")
        let plain = 10 * call.delta + 5 * put.delta, hedge = -50_000 / 97000.0
        close(row["net_delta"], plain + hedge, "net_delta of the plain kind")
        close(row["hedge_ratio"], -hedge / plain, "hedge_ratio against the plain delta")
        close(row["required_hedge"], (-1 - (plain + hedge)) * 97000, "required_hedge to a target of -1")
        #expect((row["target_delta"] as? NSNumber)?.doubleValue == -1)
    }

    /// Trades and marks from the generator: hundreds of positions in two books.
    static func generated(rows: Int) -> (trades: String, marks: String) {
        var settings = TradeGenerator.Settings()
        settings.rows = rows
        settings.books = ["main", "desk-b"]
        var trades = [TradeGenerator.header], marks = [TradeGenerator.snapshotHeader]
        TradeGenerator(settings: settings).generate({ trades.append($0) }, marks: { marks.append($0) })
        return (trades.joined(separator: "\n") + "\n", marks.joined(separator: "\n") + "\n")
    }

    @Test("every row agrees with `greeks` as of its time; shuffled imports give the same history, byte for byte")
    func agreementAndDeterminism() throws {
        let (trades, marks) = Self.generated(rows: 1200)
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: trades, snapshots: marks)
        #expect(try hedgeledger(["book", "set", "desk-b", "--db", db, "--underlying", "ETH", "--target-delta", "2",
                                 "--effective", "2026-11-17"]).status == 0)
        let first = try hedgeledger(["recompute", "--db", db])
        #expect(first.status == 0, "\(first.stderr)")

        let ledger = try Ledger(path: db, access: .read, now: testNow)
        var rows: [ExposureRow] = []
        try ledger.exposure.forEachRow(book: nil, underlying: nil, from: nil, to: nil) { row, _ in rows.append(row) }
        #expect(rows.count > 500)
        var random = SeededRandom(seed: 3)
        for row in (0..<60).map({ _ in rows[Int(random.next() % UInt64(rows.count))] }) {
            let greeks = try GreeksReport.build(ledger: ledger, at: row.time, now: row.time)
            let total = try #require(greeks.totals.first { $0.book == row.book && $0.underlying == row.underlying }
                                     ?? (row.positions == 0 ? GreeksReport.Total(book: row.book, underlying: row.underlying) : nil),
                                     "no greeks total for \(row.book) \(row.underlying) at \(row.time.iso8601)")
            let at = "\(row.book) \(row.underlying) at \(row.time.iso8601)"
            close(row.optionsDelta, total.optionsDelta, "options_delta \(at)")
            close(row.optionsNetDelta, total.optionsNetDelta, "options_net_delta \(at)")
            close(row.hedgeDelta, total.hedgeDelta, "hedge_delta \(at)")
            close(row.gamma, total.gamma, "gamma \(at)")
            close(row.vega, total.vega, "vega \(at)")
            close(row.theta, total.theta, "theta \(at)")
            #expect(row.positions == total.positions && row.unpriced == total.unpriced, "positions and unpriced \(at)")
        }

        // The same trades and marks, each file shuffled, into another ledger: the same history.
        func shuffled(_ text: String, seed: UInt64) -> String {
            var lines = text.split(separator: "\n").map(String.init)
            var random = SeededRandom(seed: seed)
            for index in lines.indices.reversed() where index > 1 { lines.swapAt(index, 1 + Int(random.next() % UInt64(index))) }
            return lines.joined(separator: "\n") + "\n"
        }
        let other = TemporaryDirectory()
        let db2 = other.file("l.sqlite")
        // Marks first this time, so instrument ids differ too.
        for (kind, name, text) in [("snapshots", "m.csv", shuffled(marks, seed: 9)), ("trades", "t.csv", shuffled(trades, seed: 8))] {
            let result = try hedgeledger(["import", kind, "--db", db2, other.write(name, text)])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try hedgeledger(["book", "set", "desk-b", "--db", db2, "--underlying", "ETH", "--target-delta", "2",
                                 "--effective", "2026-11-17"]).status == 0)
        let second = try hedgeledger(["recompute", "--db", db2])
        func outputsChecksum(_ text: String) -> Substring? { text.split(separator: " ").last }
        // Inputs and outputs checksums alike: instrument ids differ between the ledgers, the inputs do not.
        func checksums(_ text: String) -> Substring? { text.range(of: "inputs SHA-256").map { text[$0.lowerBound...] } }
        #expect(second.status == 0 && checksums(first.stderr) != nil && checksums(first.stderr) == checksums(second.stderr),
                "\(first.stderr) against \(second.stderr)")
        #expect(try hedgeledger(["history", "--db", db, "--format", "csv"]).stdout == hedgeledger(["history", "--db", db2, "--format", "csv"]).stdout)
    }

    @Test("--check recomputes without writing and names the first row that differs (exit 2)")
    func check() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: Self.marks)
        let none = try hedgeledger(["history", "--db", db])
        #expect(none.status == 0 && none.stderr.contains("no exposure history yet: run `hedgeledger recompute` first"))
        let nothing = try hedgeledger(["recompute", "--check", "--db", db])
        #expect(nothing.status == 3 && nothing.stderr.contains("no exposure history yet, so nothing to check"))
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let clean = try hedgeledger(["recompute", "--check", "--db", db])
        #expect(clean.status == 0 && clean.stderr.contains("equals a recompute (6 rows)"), "\(clean.stderr)")
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("UPDATE exposure_history SET net_delta = net_delta + 1e-12 WHERE time_us = \(time("2026-11-19T13:00:00Z").microseconds)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let tampered = try hedgeledger(["recompute", "--check", "--db", db])
        #expect(tampered.status == 2, "\(tampered.stderr)")
        #expect(tampered.stderr.contains("2026-11-19T13:00:00Z main BTC: net_delta is"), "\(tampered.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)  // --check writes nothing
        // No import, void or settings change was recorded, so a plain run has nothing to do; --full
        // rewrites the history.
        #expect(try hedgeledger(["recompute", "--db", db]).stderr.contains("up to date"))
        #expect(try hedgeledger(["recompute", "--full", "--db", db]).status == 0)
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("DELETE FROM exposure_history WHERE time_us = \(time("2026-11-20T08:00:00Z").microseconds)")
        }
        let missing = try hedgeledger(["recompute", "--check", "--db", db])
        #expect(missing.status == 2 && missing.stderr.contains("2026-11-20T08:00:00Z main BTC: missing from the stored history"), "\(missing.stderr)")
        #expect(try hedgeledger(["recompute", "--full", "--db", db]).status == 0)
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("""
                INSERT INTO exposure_history SELECT book, underlying, time_us + 1, options_delta, options_net_delta, hedge_delta,
                    net_delta, gamma, vega, theta, underlying_price, usd_per_coin, net_delta_usd, hedge_ratio, target_delta,
                    required_hedge, hedge_instrument, oldest_mark_age_s, positions, unpriced, run, gross_options_delta,
                    pnl_actual_usd, pnl_delta_usd, pnl_gamma_usd, pnl_vega_usd, pnl_theta_usd, pnl_options_usd, pnl_hedges_usd
                FROM exposure_history WHERE time_us = \(time("2026-11-19T10:00:00Z").microseconds)
                """)
        }
        let extra = try hedgeledger(["recompute", "--check", "--db", db])
        #expect(extra.status == 2 && extra.stderr.contains("2026-11-19T10:00:00.000001Z main BTC: stored, but a recompute writes no such row"), "\(extra.stderr)")
        // The runs stay on record, each with its checksums: full runs of the same inputs write the same rows.
        #expect(try hedgeledger(["recompute", "--full", "--db", db]).status == 0)
        let ledger = try Ledger(path: db, access: .read, now: testNow)
        let runs = try ledger.connection.prepare("SELECT id, outputs_sha256 FROM recompute_runs ORDER BY id").rows { ($0.int(0), $0.text(1)) }
        #expect(runs.count == 4 && Set(runs.map(\.1)).count == 1)
        #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 0)
    }

    @Test("exposure --at: the last stored row at or before T and the positions behind it, valued at the row's time")
    func exposureAt() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: Self.marks)
        let never = try hedgeledger(["exposure", "--db", db, "--at", "2026-11-19T12:45:00Z"])
        #expect(never.status == 0 && never.stderr.contains("no exposure history yet"), "\(never.stderr)")
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let result = try hedgeledger(["exposure", "--db", db, "--at", "2026-11-19T12:45:00Z", "--format", "json"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        let object = try jsonObject(result.stdout)
        #expect(object["behind"] as? Bool == false)
        let pairs = try #require(object["exposure"] as? [[String: Any]])
        #expect(pairs.count == 1)
        let pair = pairs[0]
        // The row of 12:30 (the perpetual's fill) holds at 12:45; it is the history's row, field by field.
        let stored = try history(db, ["--from", "2026-11-19T12:30:00Z", "--to", "2026-11-19T12:30:00Z"])[0]
        #expect(pair["row_time"] as? String == "2026-11-19T12:30:00Z")
        for field in ["options_delta", "options_net_delta", "hedge_delta", "net_delta", "hedge_ratio", "required_hedge", "gamma", "vega", "theta"] {
            #expect((pair[field] as? NSNumber)?.doubleValue == (stored[field] as? NSNumber)?.doubleValue, "\(field)")
        }
        #expect(pair["positions_agree"] as? Bool == true && pair["hedge_instrument"] as? String == "BTC-PERPETUAL")
        close(pair["oldest_mark_age_s"], 2700, "the 12:00 marks are 45 minutes old at 12:45")

        let positions = try #require(object["positions"] as? [[String: Any]])
        #expect(positions.map { $0["instrument"] as? String } == ["BTC-20NOV26-95000-P", "BTC-27NOV26-100000-C", "BTC-PERPETUAL"])
        #expect(positions.map { $0["role"] as? String } == ["option", "option", "hedge"])
        let call = Greeks(call: true, forward: 96000, strike: 100_000, iv: 50, from: "2026-11-19T12:30:00Z", to: "2026-11-27T08:00:00Z")
        close(positions[1]["delta"], 10 * call.delta, "the call's delta at the row's time")
        close(positions[1]["net_delta"], 10 * (call.delta - call.priceInCoin), "the call's net delta: delta − value / F")
        close(positions[2]["delta"], -50_000 / 96000.0, "the perpetual's delta: −amount / mark")
        close(positions[0]["mark_age_s"], 2700, "mark age at --at")
        #expect(positions[0]["mark_time"] as? String == "2026-11-19T12:00:00Z" && positions[0]["stale"] as? Bool == true)

        // A later moment reads a later row; a moment before the first row has none.
        let later = try jsonObject(try hedgeledger(["exposure", "--db", db, "--at", "2026-11-19T13:30:00Z", "--format", "json"]).stdout)
        #expect((later["exposure"] as? [[String: Any]])?.first?["row_time"] as? String == "2026-11-19T13:00:00Z")
        let early = try hedgeledger(["exposure", "--db", db, "--at", "2026-11-19T09:00:00Z"])
        #expect(early.status == 0 && early.stderr.contains("no exposure at or before 2026-11-19T09:00:00Z"))
        let typo = try hedgeledger(["exposure", "--db", db, "--book", "mian"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'main'?"))
    }

    @Test("settlements are stored once by recompute and read by positions; a late settlement price is taken in incrementally")
    func storedSettlements() throws {
        let directory = TemporaryDirectory()
        let settlementRow = "2026-11-20T08:00:00Z,btc_usd,96500,,,settlement"
        let db = try cliLedger(in: directory, trades: Self.trades,
                               snapshots: Self.marks.replacingOccurrences(of: settlementRow + "\n", with: ""))
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        func put() throws -> (row: [String: Any], stderr: String, behind: Bool?) {
            let result = try hedgeledger(["positions", "--db", db, "--format", "json", "--at", "2026-11-21"])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try jsonObject(result.stdout)
            let rows = try #require(object["positions"] as? [[String: Any]])
            return (try #require(rows.first { $0["instrument"] as? String == "BTC-20NOV26-95000-P" }), result.stderr,
                    object["behind"] as? Bool)
        }
        // No settlement price and no index within the hour before expiry: expired, unsettled.
        let unsettled = try put()
        #expect(unsettled.row["status"] as? String == "expired" && unsettled.behind == false && unsettled.stderr.isEmpty)

        // The settlement price arrives later: positions says the settlements are behind until recompute runs.
        let late = directory.write("settlement.csv", "timestamp,instrument,mark_price,underlying_price,mark_iv,kind\n\(settlementRow)\n")
        #expect(try hedgeledger(["import", "snapshots", "--db", db, late]).status == 0)
        let behind = try put()
        #expect(behind.row["status"] as? String == "expired" && behind.behind == true)
        #expect(behind.stderr.contains("the settlements are behind the ledger") && behind.stderr.contains("run `hedgeledger recompute`"))
        let run = try hedgeledger(["recompute", "--db", db])
        #expect(run.stderr.contains("(from 2026-11-20T08:00:00Z,"), "\(run.stderr)")
        // 5 puts bought at 0.02 expire worthless at 96500 > 95000: the settlement realises 5 × (0 − 0.02) = −0.1 BTC.
        let settled = try put()
        #expect(settled.row["status"] as? String == "settled" && settled.behind == false && settled.stderr.isEmpty)
        #expect((settled.row["settled_at_price"] as? NSNumber)?.doubleValue == 0)
        #expect((settled.row["realised_pnl"] as? NSNumber)?.doubleValue == -0.1)
        #expect(settled.row["settlement_source"] as? String == "settlement" && (settled.row["settlement_index"] as? NSNumber)?.doubleValue == 96500)
        do {
            let ledger = try Ledger(path: db, access: .read, now: testNow)
            let stored = try ledger.settlements.settlements()
            #expect(stored == [PositionSettlement(book: "main", instrument: "BTC-20NOV26-95000-P", time: time("2026-11-20T08:00:00Z"),
                                                  quantity: decimal("5"), price: .zero, realisedPnL: decimal("-0.1"))])
            let prices = try ledger.settlements.allPrices()
            #expect(prices.map(\.instrument) == ["BTC-20NOV26-95000-P"] && prices.first?.settlement.source == .settlementRow)
            #expect(prices.first?.settlement.indexPrice == decimal("96500"))
        }
        #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 0)

        // --check compares the stored settlements too, and names what differs.
        for (tamper, message) in [
            ("UPDATE position_settlements SET realised_pnl = '-0.2'", "2026-11-20T08:00:00Z main BTC-20NOV26-95000-P: settlement is 5 at 0, realised -0.2 stored, 5 at 0, realised -0.1 recomputed"),
            ("DELETE FROM expiry_settlements", "settlement price is none stored, 0 (settlement, index 96500) recomputed"),
        ] {
            do {
                let ledger = try Ledger(path: db, create: false, now: testNow)
                try ledger.connection.execute(tamper)
            }
            let check = try hedgeledger(["recompute", "--check", "--db", db])
            #expect(check.status == 2 && check.stderr.contains(message), "\(check.stderr)")
            #expect(try hedgeledger(["recompute", "--full", "--db", db]).status == 0)
            #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 0)
        }
        // A stored price that could never have been written is refused, not used.
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("UPDATE expiry_settlements SET price = '-1'")
        }
        let hostile = try hedgeledger(["positions", "--db", db, "--at", "2026-11-21"])
        #expect(hostile.status != 0 && hostile.stderr.contains("settlement price -1 is negative"), "\(hostile.stderr)")
    }

    @Test("a ledger from before schema version 10: init adds the gross options delta, history says it is behind until recompute")
    func migrationTen() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: Self.marks)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        do {  // back to version 9, as the previous release left it
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("""
                \(undoMigrationsFourteenToEighteen)
                DROP TABLE journal_chain;
                DROP TABLE fill_blocks;
                DROP INDEX fills_by_hedge_decision;
                DROP TABLE hedge_links;
                DROP TABLE hedge_decisions;
                ALTER TABLE exposure_history DROP COLUMN gross_options_delta;
                DELETE FROM schema_migrations WHERE version >= 10;
                """)
        }
        let refused = try hedgeledger(["recompute", "--db", db])
        #expect(refused.status == 69 && refused.stderr.contains("hedgeledger init"), "\(refused.stderr)")
        #expect(try hedgeledger(["init", "--db", db]).status == 0)
        let behind = try hedgeledger(["history", "--db", db, "--format", "json"])
        let behindFact = try jsonObject(behind.stdout)["behind"] as? Bool
        #expect(behind.stderr.contains("behind the ledger") && behindFact == true)
        let before = try history(db)
        #expect(before.allSatisfy { $0["gross_options_delta"] is NSNull })
        let run = try hedgeledger(["recompute", "--db", db])
        #expect(run.stderr.contains("(from 2026-11-19T10:00:00Z,"), "\(run.stderr)")
        let after = try history(db)
        #expect(after.dropFirst().allSatisfy { $0["gross_options_delta"] is NSNumber })
        #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 0)
    }

    @Test("incremental equals full after every kind of change: a late file, new marks, a void, a settings change")
    func incremental() throws {
        let (trades, marks) = Self.generated(rows: 1500)
        let tradeLines = trades.split(separator: "\n").map(String.init), markLines = marks.split(separator: "\n").map(String.init)
        let header = tradeLines[0], markHeader = markLines[0]
        // Every third trade and the second half of the marks arrive later.
        let early = tradeLines.dropFirst().enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
        let late = tradeLines.dropFirst().enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let half = markLines.count / 2
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: ([header] + early).joined(separator: "\n") + "\n",
                               snapshots: (markLines[..<half]).joined(separator: "\n") + "\n")
        let first = try hedgeledger(["recompute", "--db", db])
        #expect(first.status == 0 && first.stderr.contains("(full,"), "\(first.stderr)")
        let upToDate = try hedgeledger(["recompute", "--db", db])
        #expect(upToDate.status == 0 && upToDate.stderr.contains("up to date"), "\(upToDate.stderr)")

        func expectIncrementalEqualsFull(_ change: String, from expected: String) throws {
            let behind = try hedgeledger(["history", "--db", db, "--format", "json"])
            let behindFact = try jsonObject(behind.stdout)["behind"] as? Bool
            #expect(behind.stderr.contains("behind the ledger") && behindFact == true, "\(change)")
            #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 3, "\(change): --check while behind")
            let run = try hedgeledger(["recompute", "--db", db])
            #expect(run.status == 0 && run.stderr.contains("(from \(expected),"), "\(change): \(run.stderr)")
            let check = try hedgeledger(["recompute", "--check", "--db", db])
            #expect(check.status == 0, "after \(change), incremental differs from full: \(check.stderr)")
            let current = try hedgeledger(["history", "--db", db, "--format", "json"])
            let currentFact = try jsonObject(current.stdout)["behind"] as? Bool
            #expect(!current.stderr.contains("behind") && currentFact == false)
        }

        let lateFile = directory.write("late.csv", ([header] + late.reversed()).joined(separator: "\n") + "\n")
        #expect(try hedgeledger(["import", "trades", "--db", db, lateFile]).status == 0)
        let earliestLate = late.map { String($0.split(separator: ",")[1]) }.min()!
        try expectIncrementalEqualsFull("a late trades file", from: TimestampSyntax.parse(earliestLate).get().iso8601)

        let laterMarks = directory.write("m2.csv", ([markHeader] + markLines[half...]).joined(separator: "\n") + "\n")
        #expect(try hedgeledger(["import", "snapshots", "--db", db, laterMarks]).status == 0)
        let earliestMark = markLines[half...].map { String($0.split(separator: ",")[0]) }.min()!
        try expectIncrementalEqualsFull("new marks", from: TimestampSyntax.parse(earliestMark).get().iso8601)

        let voided = String(early[400].split(separator: ",")[0]), voidedAt = String(early[400].split(separator: ",")[1])
        #expect(try hedgeledger(["void", "fill", "--db", db, "--venue", "deribit", "--trade-id", voided, "--reason", "test"]).status == 0)
        try expectIncrementalEqualsFull("a void", from: TimestampSyntax.parse(voidedAt).get().iso8601)

        #expect(try hedgeledger(["book", "set", "main", "--db", db, "--underlying", "BTC", "--hedged-delta", "plain",
                                 "--target-delta", "0.5", "--effective", "2026-11-18T06:00:00Z"]).status == 0)
        try expectIncrementalEqualsFull("a settings change", from: "2026-11-18T06:00:00Z")
        // A run starting after the settings version, a void and some expiries restores them all.
        #expect(try hedgeledger(["recompute", "--db", db, "--from", "2026-11-20T12:00:00Z"]).status == 0)
        #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 0)

        // --from rebuilds from an earlier time when asked; import --recompute does it in the same run.
        let forced = try hedgeledger(["recompute", "--db", db, "--from", "2026-11-17"])
        #expect(forced.stderr.contains("(from 2026-11-17T00:00:00Z,"), "\(forced.stderr)")
        #expect(try hedgeledger(["book", "set", "main", "--db", db, "--underlying", "BTC", "--target-delta", "0",
                                 "--effective", "2026-11-19"]).status == 0)
        let together = try hedgeledger(["import", "snapshots", "--recompute", "--db", db, laterMarks])
        #expect(together.status == 0 && together.stderr.contains("(from 2026-11-19T00:00:00Z,"), "\(together.stderr)")
        #expect(try hedgeledger(["recompute", "--check", "--db", db]).status == 0)
    }

    @Test("history --every keeps each bucket's last row with its largest |net delta|; filters are checked")
    func buckets() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: Self.trades, snapshots: Self.marks)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let all = try history(db)
        let hourly = try history(db, ["--every", "1h", "--book", "main", "--underlying", "btc"])
        // 10:00 | 12:00, 12:30 | 13:00 | 11-20 08:00 | 11-27 08:00
        #expect(hourly.map { $0["time"] as? String } == ["2026-11-19T10:00:00Z", "2026-11-19T12:30:00Z", "2026-11-19T13:00:00Z",
                                                         "2026-11-20T08:00:00Z", "2026-11-27T08:00:00Z"])
        let inHour = all[1...2].map { abs(($0["net_delta"] as? NSNumber)?.doubleValue ?? .nan) }.max()!
        close(hourly[1]["max_abs_net_delta"], inHour, "the 12:00 bucket's largest |net delta|")
        let daily = try history(db, ["--every", "1d"])
        #expect(daily.count == 3)
        let typo = try hedgeledger(["history", "--db", db, "--book", "mian"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'main'?"))
        let badWidth = try hedgeledger(["history", "--db", db, "--every", "fortnight"])
        #expect(badWidth.status == 64 && badWidth.stderr.contains("is not a duration such as 1m"))
    }
}
