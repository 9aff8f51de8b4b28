import Foundation
import Testing
@testable import HedgeLedger

/// Every value from a file or the database is hostile: arithmetic on it is checked, ranges
/// are validated at import, and nothing stored can make a later command crash.
@Suite("Hostile input", .serialized)
struct HostileInputTests {
    @Test("exact arithmetic throws instead of trapping when a result leaves the range")
    func checkedArithmetic() throws {
        let huge = decimal("99999999999999999999")
        #expect(throws: ArithmeticOverflow.self) { try huge * huge }
        #expect(throws: ArithmeticOverflow.self) { try huge + huge + huge + huge + huge + huge + huge + huge + huge + huge }
        #expect(throws: ArithmeticOverflow.self) { try -huge - huge - huge - huge - huge - huge - huge - huge - huge - huge }
        #expect(throws: ArithmeticOverflow.self) { try huge / decimal("0.000000000000000001") }
        #expect {
            try ExactDecimal.one / .zero
        } throws: { "\($0)".contains("division by zero") }
        #expect(ExactDecimal(units: .max).rounded(toPlaces: 0) == nil)
        #expect(ExactDecimal(units: .min).units == -Int128.max)  // so negation never overflows
        #expect(try huge * decimal("1.5") > huge)
    }

    /// The reproducers the first round found: each import either refuses the cell (65) or
    /// succeeds, and every later read command exits 0.
    @Test("the first round's crash reproducers are input errors, and reads after them never crash",
          arguments: [
            ("trades", "trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,99999999999999999999,99999999999999999999\n",
             65, "2:47: quantity: '99999999999999999999' is too large"),
            ("trades", "trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,900000000000000,900000000000000\n",
             65, "2:47: quantity: '900000000000000' at price 900000000000000 is a notional beyond 10^15"),
            ("trades", "trade_id,timestamp,instrument,side,quantity,price,fee\n1,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,1,1,99999999999999999999\n",
             65, "2:51: fee: '99999999999999999999' is too large"),
            ("trades", "trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,10000000000000,95000\n",
             0, "1 fill imported"),
            ("snapshots", "timestamp,instrument,mark_price,kind\n2026-11-27T08:00:00Z,btc_usd,99999999999999999999,settlement\n",
             65, "2:30: mark_price: '99999999999999999999' is too large"),
            ("snapshots", "timestamp,instrument,mark_price,underlying_price,mark_iv,vega\n2026-11-20T10:00:00Z,BTC-27NOV26-95000-C,0.05,96000,50,1e21\n",
             65, "2:56: vega: '1e21' is too large"),
            ("snapshots", "timestamp,instrument,mark_price\n2026-11-20T10:00:00Z,BTC-PERPETUAL,99999999999999999999\n",
             65, "2:36: mark_price: '99999999999999999999' is too large"),
          ])
    func reproducers(kind: String, csv: String, status: Int32, message: String) throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: ValuationTests.trades, snapshots: ValuationTests.marks)
        let file = directory.write("hostile.csv", csv)
        let result = try hedgeledger(["import", kind, "--db", db, file])
        #expect(result.status == status && result.stderr.contains(message), "\(result.stderr)")
        for read in [["positions"], ["positions", "--at", "2026-11-28"], ["greeks", "--at", "2026-11-20T10:05:00Z"],
                     ["marks", "check", "--at", "2026-11-20T10:05:00Z"], ["imports"]] {
            let after = try hedgeledger(["--db", db] + read + ["--format", "json"])
            #expect(after.status == 0, "\(read): \(after.stderr)")
        }
    }

    @Test("values written into the database behind hedgeledger's back never crash a reader")
    func hostileStoredValues() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: ValuationTests.trades, snapshots: ValuationTests.marks)
        let raw = try Connection(path: db, create: false)
        let instrument = try #require(try raw.prepare("SELECT id FROM instruments WHERE symbol = 'BTC_USDC-PERPETUAL'").firstRow { $0.int64(0) })
        // Two maximal fills whose sum leaves the exact range, and a mark of 1e20.
        for (id, quantity) in [("X1", "99999999999999999999"), ("X2", "99999999999999999999")] {
            try raw.execute("""
                INSERT INTO fills (venue, trade_id, time_us, instrument_id, book, side, quantity, price, fee, fee_currency, import_id, source_line)
                VALUES ('evil', '\(id)', 1763633000000000, \(instrument), 'main', 'buy', '\(quantity)', '99999999999999999999', '0', 'USDC', 1, 99)
                """)
        }
        try raw.execute("INSERT INTO marks (instrument_id, time_us, mark_price, import_id) VALUES (\(instrument), 1763633100000000, '100000000000000000000', 2)")
        // A full replay (the book before voids) meets the fills and names the one that overflows.
        let replayed = try hedgeledger(["positions", "--db", db, "--at", "2026-11-21", "--include-voided"])
        #expect(replayed.status == 69 && replayed.stderr.contains("cannot be computed exactly") && replayed.stderr.contains("evil trade X1"),
                "\(replayed.stderr)")
        // Derived rows edited to extreme values: readers value them or say why, and never trap.
        try raw.execute("""
            UPDATE positions SET quantity = '-99999999999999999999', cost_basis = '0.000000000000000001'
            WHERE instrument_id = \(instrument)
            """)
        for read in [["positions"], ["greeks", "--at", "2026-11-21"], ["marks", "check", "--at", "2026-11-21"]] {
            let result = try hedgeledger(["--db", db] + read + ["--format", "json"])
            #expect(result.status == 0, "\(read): \(result.stderr)")
        }
        // A time outside 1970-9999 and a text that is not an amount are named, not trusted.
        try raw.execute("UPDATE positions SET first_fill_us = -9000000000000000000 WHERE instrument_id = \(instrument)")
        let corrupt = try hedgeledger(["positions", "--db", db])
        #expect(corrupt.status == 69 && corrupt.stderr.contains("outside the years 1970 to 9999"), "\(corrupt.stderr)")
        try raw.execute("UPDATE positions SET first_fill_us = 1763633000000000, realised_pnl = 'lots' WHERE instrument_id = \(instrument)")
        let notAmount = try hedgeledger(["positions", "--db", db])
        #expect(notAmount.status == 69 && notAmount.stderr.contains("'lots' is not an exact decimal"), "\(notAmount.stderr)")
    }

    @Test("a fill after its instrument's expiry, a USD premium on an inverse option, and mark_iv 0 are refused")
    func impossibleValues() throws {
        try withLedger { ledger, directory throws in
            #expect {
                try importTrades("""
                    trade_id,timestamp,instrument,side,quantity,price
                    1,2026-11-27T08:00:00Z,BTC-27NOV26,buy,100,95000
                    2,2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,buy,1,250
                    3,2026-11-20T10:00:00Z,BTC-27DEC26-100000-P,buy,1,9.5

                    """, into: ledger, in: directory)
            } throws: { error in
                let text = "\(error)"
                return text.contains("trades.csv:2:3: timestamp: 2026-11-27T08:00:00Z is at or after BTC-27NOV26's expiry 2026-11-27T08:00:00Z")
                    && text.contains("trades.csv:3:51: price: '250' BTC is not a possible premium for BTC-27DEC26-100000-C: inverse options are quoted in BTC, not USD")
                    && !text.contains(":4:")  // a deep put may be worth several coins
            }
            #expect(try ledger.fills.count() == 0)
            #expect {
                try importSnapshots("timestamp,instrument,mark_price,underlying_price,mark_iv\n2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,0.01,96000,0\n",
                                    into: ledger, in: directory)
            } throws: { "\($0)".contains("2:54: mark_iv: '0' must be above 0") }
            #expect {
                try importSnapshots("timestamp,instrument,mark_price,underlying_price,mark_iv\n2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,0.01,96000,-3\n",
                                    into: ledger, in: directory)
            } throws: { "\($0)".contains("mark_iv: '-3' must be above 0") }
        }
    }

    @Test("control characters in a cell are escaped in messages, never sent to the terminal raw")
    func controlCharacters() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("t.csv", "trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,\"BTC\u{1B}[31m\nX\",buy,1,1\n")
        let result = try hedgeledger(["import", "trades", "--db", directory.file("l.sqlite"), file])
        #expect(result.status == 65)
        #expect(!result.stderr.contains("\u{1B}") && result.stderr.contains("BTC\\u{1B}[31m\\nX"), "\(result.stderr)")
    }

    @Test("fills of the same microsecond apply in numeric trade id order (9 before 10), in imports and rebuilds alike")
    func numericTradeIDs() throws {
        // Bought 2 at 100, sold 1 at 110, bought 1 at 130, all at one instant: in numeric
        // order the sale realises 10 and the position averages 115; in text order ("10" <
        // "11" < "9") it would realise -20 and average 100.
        try withLedger { ledger, directory throws in
            try importTrades("""
                trade_id,timestamp,instrument,side,quantity,price
                11,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,1,130
                9,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,2,100
                10,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,sell,1,110

                """, into: ledger, in: directory)
            let maintained = try #require(try ledger.positions.all().map(\.position).first)
            #expect(maintained.realisedPnL == ExactDecimal(10) && maintained.averageEntryPrice == ExactDecimal(115))
            let rebuilt = try #require(try PositionsReport.build(ledger: ledger, at: time("2026-11-21T00:00:00Z"), now: testNow).positions.first)
            #expect(rebuilt.realisedPnL == ExactDecimal(10) && rebuilt.averageEntryPrice == ExactDecimal(115))
        }
        #expect(FillOrderKey.tradeIDPrecedes("9", "10") && FillOrderKey.tradeIDPrecedes("007", "8"))
        #expect(FillOrderKey.tradeIDPrecedes("99", "A1") && FillOrderKey.tradeIDPrecedes("A10", "A9"))
    }

    @Test("a USD index older than the mark-age limit is flagged stale, like a stale mark")
    func staleIndex() throws {
        try withLedger { ledger, directory throws in
            try importTrades(ValuationTests.trades, into: ledger, in: directory)
            try importSnapshots("""
                timestamp,instrument,mark_price,underlying_price,mark_iv
                2026-11-01T10:00:00Z,btc_usd,70000,,
                2026-11-20T10:00:00Z,BTC-PERPETUAL,96010,,
                2026-11-20T10:00:00Z,BTC-27NOV26-95000-C,0.0345,96050,52.5

                """, into: ledger, in: directory)
            let report = try GreeksReport.build(ledger: ledger, at: time("2026-11-20T10:05:00Z"), now: testNow)
            let perp = try #require(report.rows.first { $0.position.instrument.symbol == "BTC-PERPETUAL" })
            #expect(!perp.isStale && perp.usd?.isStale == true && perp.usd?.source == "btc_usd")
            #expect((perp.usd?.ageSeconds ?? 0) > 19 * 86_400)
            #expect(report.totals.first { $0.underlying == "BTC" }?.stale ?? 0 >= 2)
        }
    }

    @Test("without --at, positions and greeks are as of now: a fill dated later does not count yet")
    func futureFills() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: """
            trade_id,timestamp,instrument,side,quantity,price
            1,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,1,95000
            2,2099-01-01T00:00:00Z,BTC_USDC-PERPETUAL,buy,5,95000

            """)
        let now = csvRecords(try hedgeledger(["--db", db, "positions", "--format", "csv"]).stdout)
        #expect(now.first?["quantity"] == "1" && now.first?["fills"] == "1")
        let later = csvRecords(try hedgeledger(["--db", db, "positions", "--at", "2099-02-01", "--format", "csv"]).stdout)
        #expect(later.first?["quantity"] == "6")
    }

    @Test("an instrument definition cannot override a name hedgeledger reads itself")
    func noRedefinition() throws {
        try withLedger { ledger, directory throws in
            let path = directory.write("i.csv", "symbol,kind,underlying,settlement_currency,inverse\nBTC-PERPETUAL,perpetual,BTC,USDC,false\n")
            #expect {
                _ = try InstrumentImporter(ledger: ledger).importInstruments(from: try ByteSource(path: path), now: testNow)
            } throws: { "\($0)".contains("symbol 'BTC-PERPETUAL' is a name hedgeledger reads itself (a inverse perpetual settled in BTC, amounts in USD)") }
            let same = directory.write("same.csv", "symbol,kind,underlying,settlement_currency,inverse,quote_currency,contract_size\nBTC-PERPETUAL,perpetual,BTC,BTC,true,USD,10\n")
            #expect(try InstrumentImporter(ledger: ledger).importInstruments(from: try ByteSource(path: same), now: testNow).added == 1)
        }
    }
}
