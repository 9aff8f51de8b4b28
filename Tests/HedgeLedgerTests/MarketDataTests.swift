import Foundation
import Testing
@testable import HedgeLedger

/// Market data as users produce it: pandas floats and venue exports, read exactly to the
/// ledger's 18 places; hints for the mistakes people make with such files.
@Suite("Market data as users produce it")
struct MarketDataTests {
    @Test("market values: any finite decimal or exponent form, rounded half-to-even at 18 places",
          arguments: [("0.0016479401443678053", "0.001647940144367805"), ("1.5e-05", "0.000015"), ("2.45e-46", "0"),
                      ("9.6e4", "96000"), ("96000.0", "96000"), ("-1E+2", "-100"), ("0.0000000000000000005", "0"),
                      ("0.0000000000000000015", "0.000000000000000002"), ("0.00000000000000000051", "0.000000000000000001"),
                      ("123", "123"), ("+0.5", "0.5"), ("1.99999999999999999999", "2")])
    func marketValues(text: String, expected: String) {
        #expect((try? DecimalSyntax.parseMarketValue(text).get())?.description == expected)
    }

    @Test("market values still refuse what is not a number", arguments: ["nan", "inf", "0x1p3", "1,5", "1 000", "", ".5", "5.", "1e", "1e999", "12abc"])
    func marketValuesRefused(text: String) {
        guard case .failure = DecimalSyntax.parseMarketValue(text) else { Issue.record("'\(text)' was accepted"); return }
    }

    @Test("a pandas snapshot file imports; trade amounts keep the strict grammar")
    func pandasFile() throws {
        try withLedger { ledger, directory throws in
            try importSnapshots("""
                timestamp,instrument,mark_price,underlying_price,mark_iv,delta,gamma
                2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,0.0016479401443678053,9.6e4,52.000000000000004,0.5,1.5e-05
                2026-11-20T10:00:00Z,btc_usd,96000.0,,,,

                """, into: ledger, in: directory)
            let mark = try #require(try ledger.marks.latestForAll(atOrBefore: time("2026-11-21T00:00:00Z")).first?.mark)
            #expect(mark.markPrice == decimal("0.001647940144367805") && mark.underlyingPrice == decimal("96000"))
            #expect(mark.venueGreeks.gamma == 1.5e-05 && mark.markIV == 52.000000000000004)
            #expect {
                try importTrades("trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,1e3,95000\n",
                                 into: ledger, in: directory)
            } throws: { "\($0)".contains("2:42: quantity: '1e3' uses an exponent") }
        }
    }

    @Test("lower-case names, ';' or tab separators, a pandas index column, nan and USD option marks get a hint")
    func hints() throws {
        try withLedger { ledger, directory throws in
            #expect {
                try importTrades(",trade_id,timestamp,instrument,side,quantity,price\n0,1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,10,95000\n",
                                 into: ledger, in: directory)
            } throws: { "\($0)".contains("1:1: the first column has no name: pandas writes its index there; save the file with to_csv(index=False)") }
            #expect {
                try importTrades("trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,10,nan\n",
                                 into: ledger, in: directory)
            } throws: { "\($0)".contains("price: 'nan' is not a number: nan, inf and hexadecimal values are refused") }
            #expect {
                try importSnapshots("timestamp,instrument,mark_price,underlying_price\n2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,inf,93000\n",
                                    into: ledger, in: directory)
            } throws: { "\($0)".contains("mark_price: 'inf' is not a number") }
            #expect {
                try importSnapshots("timestamp,instrument,mark_price,underlying_price\n2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,250,93000\n",
                                    into: ledger, in: directory)
            } throws: { "\($0)".contains("2:43: mark_price: '250' BTC is not a possible premium for BTC-27DEC26-100000-C") }
            #expect {
                try importTrades("trade_id,timestamp,instrument,side,quantity,price,foo\n1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,10,1,x\n",
                                 into: ledger, in: directory)
            } throws: { "\($0)".contains("unknown column 'foo';") }  // no far-fetched "did you mean"
            #expect {
                try importTrades("trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T10:00:00Z,btc-perpetual,buy,10,95000\n",
                                 into: ledger, in: directory)
            } throws: { "\($0)".contains("2:24: instrument: 'btc-perpetual': instrument names are upper case; did you mean 'BTC-PERPETUAL'?") }
            #expect {
                try importTrades("trade_id;timestamp;instrument;side;quantity;price\n1;2026-11-20T10:00:00Z;BTC-PERPETUAL;buy;10;95000\n",
                                 into: ledger, in: directory)
            } throws: { "\($0)".contains("1:1: the header has one column: the file separates fields with ';'") }
            #expect {
                try importSnapshots("timestamp\tinstrument\tmark_price\n", into: ledger, in: directory)
            } throws: { "\($0)".contains("separates fields with tabs") }
        }
    }
}
