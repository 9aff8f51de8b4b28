import Foundation
import Testing
@testable import HedgeLedger

/// Imports snapshot text through the same path the CLI uses.
@discardableResult
func importSnapshots(_ csv: String, into ledger: Ledger, in directory: TemporaryDirectory,
                     name: String = "snapshots.csv") throws -> SnapshotImportSummary {
    let path = directory.write(name, csv)
    return try SnapshotImporter(ledger: ledger).importSnapshots(from: try ByteSource(path: path), now: testNow)
}

@Suite("Snapshot import")
struct SnapshotImportTests {
    static let tardis = """
        exchange,symbol,timestamp,local_timestamp,type,strike_price,expiration,open_interest,last_price,bid_price,bid_amount,bid_iv,ask_price,ask_amount,ask_iv,mark_price,mark_iv,underlying_index,underlying_price,delta,gamma,vega,theta,rho
        deribit,BTC-9JUN20-9875-P,1591574399413000,1591574400196008,put,9875,1591689600000000,0.1,0.0295,0.0205,15.0,55.91,0.0235,15.0,68.94,0.02210436,62.89,SYN.BTC-9JUN20,9756.36,-0.61752,0.00103,2.24964,-53.05655,-0.22796

        """

    static let native = """
        timestamp,instrument,mark_price,underlying_price,mark_iv,index_price,kind
        2026-11-20T10:00:00Z,btc_usd,95000.5,,,,
        2026-11-20T10:00:00Z,BTC-PERPETUAL,95010,,,95000.5,
        2026-11-20T10:00:00Z,BTC-27NOV26-95000-C,0.0345,95020,52.5,95000.5,
        2026-11-27T08:00:00Z,btc_usd,96123.45,,,,settlement

        """

    @Test("the published Tardis row is stored exactly, with the venue's greeks")
    func tardisRow() throws {
        try withLedger { ledger, directory throws in
            let summary = try importSnapshots(Self.tardis, into: ledger, in: directory, name: "options_chain.csv")
            #expect(summary.marks == 1 && summary.format == TardisOptionsChain.name)
            let stored = try #require(try ledger.marks.latestForAll(atOrBefore: Timestamp(microseconds: .max)).first)
            #expect(stored.mark.instrument == "BTC-9JUN20-9875-P")
            #expect(stored.mark.time == Timestamp(microseconds: 1_591_574_399_413_000))
            #expect(stored.mark.markPrice == decimal("0.02210436") && stored.mark.underlyingPrice == decimal("9756.36"))
            #expect(stored.mark.markIV == 62.89 && stored.mark.bidIV == 55.91)
            #expect(stored.mark.venueGreeks == Mark.VenueGreeks(delta: -0.61752, gamma: 0.00103, vega: 2.24964, theta: -53.05655, rho: -0.22796))
        }
    }

    @Test("native rows: marks, index prices and settlement prices")
    func native() throws {
        try withLedger { ledger, directory throws in
            let summary = try importSnapshots(Self.native, into: ledger, in: directory)
            #expect(summary.marks == 2 && summary.indexPrices == 1 && summary.settlements == 1)
            #expect(try ledger.indexPrices.latest(index: "btc_usd", atOrBefore: time("2026-11-21T00:00:00Z"))?.price == decimal("95000.5"))
            #expect(try ledger.indexPrices.find(.settlement, index: "btc_usd", time: time("2026-11-27T08:00:00Z"))?.price.price == decimal("96123.45"))
            let record = try #require(try ledger.imports.all().last)
            #expect(record.kind == "snapshots" && record.rowsAccepted == 4 && record.format == NativeSnapshotFormat.name)
        }
    }

    @Test("gzip files stream, and provenance hashes the compressed bytes")
    func gzip() throws {
        try withLedger { ledger, directory throws in
            let path = try directory.gzip(directory.write("chain.csv", Self.tardis), keep: true)
            let compressed = try Data(contentsOf: URL(fileURLWithPath: path))
            let summary = try SnapshotImporter(ledger: ledger).importSnapshots(from: try ByteSource(path: path), now: testNow)
            #expect(summary.marks == 1 && summary.format == "\(TardisOptionsChain.name) (gzip)")
            let record = try #require(try ledger.imports.all().last)
            #expect(record.sha256 == SHA256Hex.of(Array(compressed)) && record.sizeBytes == Int64(compressed.count))
            // The same snapshots, plain: nothing new.
            #expect(try importSnapshots(Self.tardis, into: ledger, in: directory).duplicates == 1)
        }
    }

    @Test("a truncated gzip file is refused and nothing is written")
    func truncatedGzip() throws {
        try withLedger { ledger, directory throws in
            var text = Self.tardis
            for _ in 0..<200 { text += Self.tardis.split(separator: "\n")[1] + "\n" }
            let whole = try Data(contentsOf: URL(fileURLWithPath: try directory.gzip(directory.write("big.csv", text))))
            let cut = directory.write("cut.csv.gz", bytes: Array(whole.prefix(whole.count / 2)))
            #expect {
                try SnapshotImporter(ledger: ledger).importSnapshots(from: try ByteSource(path: cut), now: testNow)
            } throws: { error in
                "\(error)".contains("gzip stream ends early")
            }
            #expect(try ledger.marks.count() == 0)
        }
    }

    @Test("re-importing adds nothing; a different snapshot for the same moment is an error naming both")
    func idempotent() throws {
        try withLedger { ledger, directory throws in
            try importSnapshots(Self.native, into: ledger, in: directory, name: "first.csv")
            let again = try importSnapshots(Self.native, into: ledger, in: directory, name: "again.csv")
            #expect(again.duplicates == 4 && again.line.contains("nothing new"))
            let before = try ledger.marks.count()
            #expect {
                try importSnapshots("timestamp,instrument,mark_price,underlying_price\n2026-11-20T10:00:00Z,BTC-27NOV26-95000-C,0.0346,95020\n",
                                    into: ledger, in: directory, name: "changed.csv")
            } throws: { error in
                let text = "\(error)"
                return text.contains("changed.csv:2:1:") && text.contains("first.csv (import #1)") && text.contains("mark_price")
            }
            #expect(try ledger.marks.count() == before)
        }
    }

    @Test("malformed snapshots are refused where they are wrong",
          arguments: [
            ("timestamp,instrument,mark_price\n2026-11-20T10:00:00Z,BTC-27NOV26-95000-C,0.03\n", 2, 22, "underlying_price: options need the forward"),
            ("timestamp,instrument,mark_price,mark_iv\n2026-11-20T10:00:00Z,BTC-PERPETUAL,95000,nan\n", 2, 42, "mark_iv: 'nan'"),
            ("timestamp,instrument,mark_price\n2026-11-20T10:00:00Z,BTC-PERPETUAL,-1\n", 2, 36, "must not be negative"),
            ("timestamp,instrument,mark_price,kind\n2026-11-20T10:00:00Z,BTC-PERPETUAL,95000,settlement\n", 2, 42, "settlement rows name an index"),
            ("timestamp,instrument,mark_price,underlying_price\n2026-11-20T10:00:00Z,btc_usd,95000,95000\n", 2, 36, "does not apply to an index row"),
            ("timestamp,instrument,mark_price\n2026-11-20T10:00:00,btc_usd,95000\n", 2, 1, "has no time zone"),
            ("exchange,symbol,timestamp,local_timestamp,type,strike_price,expiration,open_interest,last_price,bid_price,bid_amount,bid_iv,ask_price,ask_amount,ask_iv,mark_price,mark_iv,underlying_index,underlying_price,delta,gamma,vega,theta,rho\nderibit,BTC-9JUN20-9875-P,1591574399413,1591574400196008,put,9875,1591689600000000,0.1,0.0295,0.0205,15.0,55.91,0.0235,15.0,68.94,0.02210436,62.89,SYN.BTC-9JUN20,9756.36,-0.61752,0.00103,2.24964,-53.05655,-0.22796\n", 2, 27, "seconds or milliseconds"),
            ("exchange,symbol,timestamp,local_timestamp,type,strike_price,expiration,open_interest,last_price,bid_price,bid_amount,bid_iv,ask_price,ask_amount,ask_iv,mark_price,mark_iv,underlying_index,underlying_price,delta,gamma,vega,theta,rho\nderibit,BTC-9JUN20-9875-P,1591574399413000,1591574400196008,call,9875,1591689600000000,0.1,0.0295,0.0205,15.0,55.91,0.0235,15.0,68.94,0.02210436,62.89,SYN.BTC-9JUN20,9756.36,-0.61752,0.00103,2.24964,-53.05655,-0.22796\n", 2, 61, "'call' disagrees with BTC-9JUN20-9875-P"),
          ])
    func malformed(text: String, line: Int, column: Int, message: String) throws {
        try withLedger { ledger, directory throws in
            do {
                try importSnapshots(text, into: ledger, in: directory)
                Issue.record("accepted")
            } catch let errors as InputErrors {
                let first = try #require(errors.errors.first)
                #expect(first.line == line && first.column == column, "\(first)")
                #expect(first.message.contains(message), "\(first)")
            }
            #expect(try ledger.marks.count() == 0)
            #expect(try ledger.instruments.all().isEmpty)
        }
    }
}

@Suite("The mark as of a time")
struct MarkAsOfTests {
    @Test("latest at or before t: between marks, after the last, before the first, for an unmarked instrument, and after a later import fills in the past")
    func asOf() throws {
        try withLedger { ledger, directory throws in
            try importSnapshots("""
                timestamp,instrument,mark_price
                2026-11-20T10:00:00Z,BTC-PERPETUAL,95000
                2026-11-20T10:00:00Z,ETH-PERPETUAL,3400
                2026-11-20T10:01:00Z,ETH-PERPETUAL,3401
                2026-11-20T10:05:00Z,BTC-PERPETUAL,95050
                2026-11-20T10:06:00Z,ETH-PERPETUAL,3402

                """, into: ledger, in: directory, name: "first.csv")
            let ids = Dictionary(uniqueKeysWithValues: try ledger.instruments.all().map { ($0.instrument.symbol, $0.id) })
            let btc = try #require(ids["BTC-PERPETUAL"])
            func price(_ at: String) throws -> ExactDecimal? {
                try ledger.marks.latest(instrumentID: btc, atOrBefore: time(at))?.mark.markPrice
            }
            #expect(try price("2026-11-20T10:04:59Z") == ExactDecimal(95000))   // scan back past ETH's marks
            #expect(try price("2026-11-20T10:05:00Z") == ExactDecimal(95050))   // exactly at a mark
            #expect(try price("2026-11-21T00:00:00Z") == ExactDecimal(95050))   // after the last: one seek
            #expect(try price("2026-11-20T09:59:59Z") == nil)                   // before the first
            let cov = try #require(try ledger.marks.coverage(instrumentID: btc))
            #expect(cov.first == time("2026-11-20T10:00:00Z").microseconds && cov.last == time("2026-11-20T10:05:00Z").microseconds && cov.count == 2)

            try importSnapshots("timestamp,instrument,mark_price\n2026-11-20T09:00:00Z,BTC-PERPETUAL,94000\n2026-11-20T10:00:00Z,BTC-PERPETUAL,95000\n",
                                into: ledger, in: directory, name: "earlier.csv")
            #expect(try price("2026-11-20T09:59:59Z") == ExactDecimal(94000))
            #expect(try ledger.marks.coverage(instrumentID: btc)?.count == 3)  // the duplicate is not counted

            try importTrades("trade_id,timestamp,instrument,side,quantity,price\nT1,2026-11-20T10:00:00Z,BTC-27DEC26,buy,10,95000\n",
                             into: ledger, in: directory)
            let unmarked = try #require(try ledger.instruments.find(symbol: "BTC-27DEC26")).id
            #expect(try ledger.marks.latest(instrumentID: unmarked, atOrBefore: time("2026-11-21T00:00:00Z")) == nil)
            #expect(try ledger.marks.latestForAll(atOrBefore: time("2026-11-20T10:00:30Z")).map(\.mark.markPrice) == [ExactDecimal(95000), ExactDecimal(3400)])
        }
    }

    @Test("a Tardis row with an empty mark_iv has its volatility implied from mark_price")
    func tardisEmptyIV() throws {
        try withLedger { ledger, directory throws in
            let row = SnapshotImportTests.tardis.replacingOccurrences(of: ",0.02210436,62.89,", with: ",0.02210436,,")
            #expect(row != SnapshotImportTests.tardis)
            try importSnapshots(row, into: ledger, in: directory)
            let mark = try #require(try ledger.marks.latestForAll(atOrBefore: Timestamp(microseconds: 1591574399413000)).first?.mark)
            #expect(mark.markIV == nil)
        }
    }
}
