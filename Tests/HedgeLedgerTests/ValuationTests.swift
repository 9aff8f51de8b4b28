import Testing
@testable import HedgeLedger

@Suite("Valuation: marks, greeks, settlement")
struct ValuationTests {
    static let trades = """
        trade_id,timestamp,instrument,side,quantity,price,book
        T1,2026-11-20T09:00:00Z,BTC-27NOV26-95000-C,sell,2,0.04,main
        T2,2026-11-20T09:00:00Z,BTC-27NOV26-90000-P,buy,1,0.01,main
        T3,2026-11-20T09:01:00Z,BTC-PERPETUAL,buy,95000,95000,main
        T4,2026-11-20T09:02:00Z,BTC_USDC-PERPETUAL,sell,0.5,95000,main

        """

    static let marks = """
        timestamp,instrument,mark_price,underlying_price,mark_iv,index_price,kind,delta,gamma,vega,theta
        2026-11-20T10:00:00Z,btc_usd,96000,,,,,,,,
        2026-11-20T10:00:00Z,BTC-27NOV26-95000-C,0.0345,96050,52.5,,,0.6,0.00002,50,-300
        2026-11-20T10:00:00Z,BTC-27NOV26-90000-P,0.0069,96050,,,,,,,
        2026-11-20T10:00:00Z,BTC-PERPETUAL,96010,,,,,,,,
        2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,96020,,,,,,,,

        """

    func ledger(_ body: (Ledger) throws -> Void) throws {
        try withLedger { ledger, directory throws in
            try importTrades(Self.trades, into: ledger, in: directory)
            try importSnapshots(Self.marks, into: ledger, in: directory)
            try body(ledger)
        }
    }

    @Test("greeks per position follow domain.md's units and agree with Black-76 by hand")
    func greeks() throws {
        try ledger { ledger in
            let at = time("2026-11-20T10:05:00Z")
            let report = try GreeksReport.build(ledger: ledger, at: at, now: at)
            func row(_ symbol: String) throws -> GreeksReport.Row {
                try #require(report.rows.first { $0.position.instrument.symbol == symbol })
            }
            let call = try row("BTC-27NOV26-95000-C")
            let years = Black76.yearsBetween(at, time("2026-11-27T08:00:00Z"))
            let g = Black76.greeks(.init(forward: 96050, strike: 95000, yearsToExpiry: years, volatility: 0.525, right: .call))
            let v = try #require(call.valuation)
            #expect(abs(v.delta - -2 * g.delta) < 1e-12)
            // Net delta subtracts the model's price in coin (value / F), not the mark price 0.0345.
            #expect(abs(v.netDelta - -2 * (g.delta - g.value / 96050)) < 1e-12)
            #expect(abs(v.gamma - -2 * g.gamma) < 1e-15 && abs(v.vega - -2 * g.vega) < 1e-9 && abs(v.theta - -2 * g.theta) < 1e-9)
            #expect(call.markAgeSeconds == 300 && !call.isStale)
            #expect(call.unrealisedPnL == decimal("0.011"))  // sold 2 at 0.04, marked at 0.0345, in BTC

            // No mark_iv: the volatility is implied from the mark price and says so.
            let put = try row("BTC-27NOV26-90000-P")
            let implied = try #require(put.valuation)
            #expect(implied.volatilityImplied)
            let repriced = Black76.value(.init(forward: 96050, strike: 90000, yearsToExpiry: years,
                                               volatility: try #require(implied.volatility), right: .put))
            #expect(abs(repriced / 96050 - 0.0069) < 1e-12)

            // Inverse perpetual: delta = amount / F in coin; linear: the amount itself.
            #expect(abs(try #require(try row("BTC-PERPETUAL").valuation).delta - 95000.0 / 96010) < 1e-12)
            #expect(try #require(try row("BTC_USDC-PERPETUAL").valuation).delta == -0.5)

            let total = try #require(report.totals.first)
            let sum = report.rows.compactMap(\.valuation).map(\.delta).reduce(0, +)
            #expect(abs(total.delta - sum) < 1e-12)
            #expect(abs(total.deltaUSD - sum * 96000) < 1e-6)  // USD through the btc_usd index
        }
    }

    @Test("stale marks are flagged; positions without a mark are rows with a reason")
    func staleAndMissing() throws {
        try ledger { ledger in
            let late = time("2026-11-20T12:00:00Z")
            let report = try GreeksReport.build(ledger: ledger, at: late, now: late, maxMarkAgeSeconds: 900)
            let allStale = report.rows.allSatisfy { $0.isStale }
            #expect(allStale)
            #expect(report.totals.first?.stale == 4)
            let early = time("2026-11-20T09:30:00Z")
            let none = try GreeksReport.build(ledger: ledger, at: early, now: early)
            let unpriced = none.rows.allSatisfy { $0.valuation == nil && $0.problem?.contains("no mark") == true }
            #expect(none.rows.count == 4 && unpriced)
            let total = try #require(none.totals.first)
            #expect(total.unpriced == 4 && !total.isComplete && total.positions == 4)
            let text = OutputFormat.json.render(none.report)
            #expect(text.contains("\"unpriced\": 4") && text.contains("\"complete\": false"))
        }
    }

    @Test("an expired position with no settlement price is an unpriced greeks row, and its total is incomplete")
    func expiredUnsettledInGreeks() throws {
        try ledger { ledger in
            let after = time("2026-11-28T00:00:00Z")
            let report = try GreeksReport.build(ledger: ledger, at: after, now: after)
            let call = try #require(report.rows.first { $0.position.instrument.symbol == "BTC-27NOV26-95000-C" })
            #expect(call.valuation == nil && call.problem?.contains("no settlement price yet") == true)
            let total = try #require(report.totals.first { $0.underlying == "BTC" })
            #expect(!total.isComplete && total.unpriced >= 2 && total.stale == total.positions - total.unpriced)  // the perpetuals, valued from old marks
        }
    }

    @Test("iv_pct is the mark's own mark_iv, not a round trip through a fraction")
    func markIVEchoed() throws {
        try ledger { ledger in
            let report = try GreeksReport.build(ledger: ledger, at: time("2026-11-20T10:05:00Z"), now: testNow)
            let json = OutputFormat.json.render(report.report)
            #expect(json.contains("\"iv_pct\": 52.5,"))
        }
    }

    @Test("expired options settle at an imported settlement price, else the index before expiry, else stay expired")
    func settlement() throws {
        let expiry = "2026-11-27T08:00:00Z"
        func report(_ extra: String) throws -> PositionsReport {
            try withLedger { ledger, directory throws in
                try importTrades(Self.trades, into: ledger, in: directory)
                if !extra.isEmpty { try importSnapshots("timestamp,instrument,mark_price,kind\n" + extra, into: ledger, in: directory) }
                // Settlements are derived by recompute: until it runs, the options stay expired and
                // the report says it may be behind.
                let before = try PositionsReport.build(ledger: ledger, at: time("2026-11-28T00:00:00Z"), now: testNow)
                #expect(before.settlementsMayBeBehind && before.positions.allSatisfy { $0.settlement == nil })
                _ = try RecomputeService(ledger: ledger, codeVersion: "test").recompute(now: testNow)
                let after = try PositionsReport.build(ledger: ledger, at: time("2026-11-28T00:00:00Z"), now: testNow)
                #expect(!after.settlementsMayBeBehind)
                // Each settled position is stored once, with what the settlement realised.
                let stored = try ledger.settlements.settlements()
                #expect(stored.map(\.instrument) == after.positions.filter { $0.settlement != nil }.map(\.instrument.symbol))
                for settlement in stored {
                    let position = try #require(after.positions.first { $0.instrument.symbol == settlement.instrument })
                    #expect(settlement.price == position.settlement?.price && settlement.time == time(expiry))
                }
                storedSettlements = stored
                return after
            }
        }
        var storedSettlements: [PositionSettlement] = []
        func option(_ report: PositionsReport, _ symbol: String) throws -> Position {
            try #require(report.positions.first { $0.instrument.symbol == symbol })
        }
        // Explicit settlement at 100000: the call pays (100000 − 95000)/100000 = 0.05 BTC.
        let explicit = try report("\(expiry),btc_usd,100000,settlement\n2026-11-27T07:59:00Z,btc_usd,99000,\n")
        let call = try option(explicit, "BTC-27NOV26-95000-C")
        #expect(call.status(at: explicit.asOf) == .settled && call.quantity.isZero)
        #expect(call.settlement?.price == decimal("0.05"))
        #expect(call.realisedPnL == decimal("-0.02"))  // sold 2 at 0.04, settled at 0.05
        #expect(try option(explicit, "BTC-27NOV26-90000-P").realisedPnL == decimal("-0.01"))  // expires worthless
        let storedCall = try #require(storedSettlements.first { $0.instrument == "BTC-27NOV26-95000-C" })
        #expect(storedCall.quantity == decimal("-2") && storedCall.realisedPnL == decimal("-0.02"))

        // Without one, the last index price at or before expiry (within an hour).
        let fallback = try report("2026-11-27T07:45:00Z,btc_usd,80000,\n")
        let put = try option(fallback, "BTC-27NOV26-90000-P")
        #expect(put.settlement?.price == decimal("0.125") && put.settlement?.source == .index(observedAt: time("2026-11-27T07:45:00Z")))

        // An index price too old, or none: expired, unsettled, never open.
        let stale = try report("2026-11-27T05:00:00Z,btc_usd,80000,\n")
        #expect(try option(stale, "BTC-27NOV26-90000-P").status(at: stale.asOf) == .expired)
        #expect(try option(report(""), "BTC-27NOV26-95000-C").status(at: stale.asOf) == .expired)
    }

    @Test("marks check lists venue greeks that disagree with ours, and only those")
    func marksCheck() throws {
        try ledger { ledger in
            let report = try MarksCheckReport.build(ledger: ledger, at: time("2026-11-20T10:00:00Z"))
            #expect(report.checked == 1)
            // Our delta for that call is about 0.55 and vega about 71: the venue's 0.6 and 50 are off.
            let names = Set(report.discrepancies.map(\.greek))
            #expect(names.contains("delta") && names.contains("vega"))
            for item in report.discrepancies { #expect(abs(item.ours - item.venue) > item.tolerance) }
        }
        try withLedger { ledger, directory throws in
            try importSnapshots(SnapshotImportTests.tardis, into: ledger, in: directory)
            let report = try MarksCheckReport.build(ledger: ledger, at: Timestamp(microseconds: 1_591_574_400_000_000))
            #expect(report.checked == 1 && report.discrepancies.isEmpty)  // Deribit's published greeks are ours
        }
    }
}
