import Crypto
import Foundation
import Testing
@testable import HedgeLedger

@Suite("Trade import")
struct TradeImportTests {
    static let header = "trade_id,timestamp,instrument,side,quantity,price,fee,book,venue"

    @Test("imports fills, records provenance and derives positions")
    func basic() throws {
        try withLedger { ledger, directory throws in
            let csv = """
                \(Self.header)
                T1,2026-11-20T10:00:00Z,BTC-27DEC26-100000-C,buy,2,0.05,0.0006,main,deribit
                T2,2026-11-20T10:05:00.5Z,BTC-PERPETUAL,sell,9000,95000.5,0.00004,main,deribit
                T3,2026-11-20T11:00:00Z,BTC-27DEC26-100000-C,sell,0.5,0.06,0.00015,main,deribit

                """
            let summary = try importTrades(csv, into: ledger, in: directory)
            #expect(summary.accepted == 3 && summary.duplicates == 0 && summary.positionsUpdated == 2)
            let record = try #require(try ledger.imports.all().first)
            #expect(record.fileName.hasSuffix("trades.csv") && record.rowsAccepted == 3 && record.format == NativeTradeFormat.name)
            #expect(record.sha256 == SHA256Hex.of(Array(csv.utf8)) && record.sizeBytes == Int64(csv.utf8.count))
            let fill = try #require(try ledger.fills.findLive(venue: "deribit", tradeID: "T2"))
            #expect(fill.sourceLine == 3 && fill.importID == record.id)
            #expect(fill.fill.time == time("2026-11-20T10:05:00.500Z") && fill.fill.feeCurrency == "BTC")
            let positions = try ledger.positions.all().map(\.position)
            let option = try #require(positions.first { $0.instrument.symbol == "BTC-27DEC26-100000-C" })
            #expect(option.quantity == decimal("1.5") && option.realisedPnL == decimal("0.005"))
            #expect(option.fees == ["BTC": decimal("0.00075")])
        }
    }

    @Test("importing the same file twice adds nothing and says so")
    func idempotent() throws {
        try withLedger { ledger, directory throws in
            let csv = "\(Self.header)\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,0,main,deribit\n"
            try importTrades(csv, into: ledger, in: directory)
            let before = try rowCounts(ledger)
            let again = try importTrades(csv, into: ledger, in: directory)
            #expect(again.accepted == 0 && again.duplicates == 1 && again.line.contains("nothing new"))
            var after = try rowCounts(ledger)
            #expect(after["imports"] == before["imports"]! + 1)  // the re-import itself is on record
            after["imports"] = before["imports"]
            #expect(after == before)
            #expect(try ledger.positions.all().map(\.position).first?.quantity == ExactDecimal(100))
        }
    }

    @Test("the same key with different content is an error naming both sources")
    func conflictingDuplicate() throws {
        try withLedger { ledger, directory throws in
            try importTrades("\(Self.header)\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,0,main,deribit\n",
                             into: ledger, in: directory, name: "first.csv")
            let before = try rowCounts(ledger)
            #expect {
                try importTrades("\(Self.header)\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,200,95000,0,main,deribit\n",
                                 into: ledger, in: directory, name: "second.csv")
            } throws: { error in
                let text = "\(error)"
                return text.contains("second.csv:2:43:") && text.contains("first.csv:2") && text.contains("quantity")  // at the quantity cell
            }
            #expect(try rowCounts(ledger) == before)
        }
    }

    @Test("fills dated after now are imported, and the summary says positions as of now leave them out, even with --quiet")
    func futureFills() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let file = directory.write("future.csv", """
            trade_id,timestamp,instrument,side,quantity,price
            F1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000
            F2,2099-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000

            """)
        let result = try hedgeledger(["import", "trades", "--db", db, file])
        #expect(result.status == 0 && result.stderr.contains("note: its fills run to 2099-11-20T10:00:00Z, after now"), "\(result.stderr)")
        let positions = try hedgeledger(["positions", "--db", db, "--format", "csv"])
        #expect(positions.stdout.contains(",100,"), "\(positions.stdout)")
        // --quiet drops the summary, not the warning: a nightly job must still see a mistyped year.
        let later = directory.write("later.csv", "trade_id,timestamp,instrument,side,quantity,price\nF3,2098-01-02T10:00:00Z,BTC-PERPETUAL,buy,10,95000\n")
        let quiet = try hedgeledger(["import", "trades", "--quiet", "--db", db, later])
        #expect(quiet.status == 0 && quiet.stderr == "hedgeledger: warning: \(later): its fills run to 2098-01-02T10:00:00Z, after now: positions and reports as of now leave the later ones out (a mistyped date?)\n",
                "\(quiet.stderr)")
        let present = directory.write("present.csv", "trade_id,timestamp,instrument,side,quantity,price\nF4,2026-11-20T11:00:00Z,BTC-PERPETUAL,buy,10,95000\n")
        #expect(try hedgeledger(["import", "trades", "--quiet", "--db", db, present]).stderr.isEmpty)
    }

    @Test("the same trade id at another venue is another fill")
    func venuesAreKeys() throws {
        try withLedger { ledger, directory throws in
            let summary = try importTrades("""
                \(Self.header)
                T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,0,main,deribit
                T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,0,main,okx

                """, into: ledger, in: directory)
            #expect(summary.accepted == 2)
        }
    }

    @Test("rows in any order, across files, give the same positions as in time order")
    func orderIndependent() throws {
        let rows = (0..<40).map { index in
            "T\(100 + index),2026-11-20T10:\(String(format: "%02d", index)):00Z,BTC_USDC-PERPETUAL,\(index % 3 == 0 ? "sell" : "buy"),\(index % 5 + 1).5,\(90000 + index * 37),0.1,main,deribit"
        }
        func positions(_ files: [[String]]) throws -> [Position] {
            try withLedger { ledger, directory throws in
                for (index, file) in files.enumerated() {
                    try importTrades(([Self.header] + file).joined(separator: "\n"), into: ledger, in: directory, name: "f\(index).csv")
                }
                let maintained = try ledger.positions.all().map(\.position)
                let rebuilt = try PositionsReport.build(ledger: ledger, at: Timestamp(microseconds: .max), now: testNow).positions
                #expect(maintained.map(\.quantity) == rebuilt.map(\.quantity))
                #expect(maintained.map(\.realisedPnL) == rebuilt.map(\.realisedPnL))
                #expect(maintained.map(\.costBasis) == rebuilt.map(\.costBasis))
                return maintained
            }
        }
        let inOrder = try positions([rows])
        let shuffled = try positions([Array(rows.reversed())])
        let lateFirst = try positions([Array(rows[20...]), Array(rows[..<20])])
        for other in [shuffled, lateFirst] {
            #expect(other.map(\.quantity) == inOrder.map(\.quantity))
            #expect(other.map(\.realisedPnL) == inOrder.map(\.realisedPnL))
            #expect(other.map(\.fees) == inOrder.map(\.fees))
        }
        #expect(inOrder.first?.realisedPnL.isZero == false)
    }

    @Test("ten thousand fills of 0.1 make a position of exactly 1000")
    func exactAtScale() throws {
        var csv = "trade_id,timestamp,instrument,side,quantity,price\n"
        for index in 0..<10_000 {
            csv += "T\(index),2026-11-20T10:00:00.\(String(format: "%06d", index))Z,BTC_USDC-PERPETUAL,buy,0.1,95000.1\n"
        }
        try withLedger { ledger, directory throws in
            try importTrades(csv, into: ledger, in: directory)
            let position = try #require(try ledger.positions.all().map(\.position).first)
            #expect(position.quantity == ExactDecimal(1000))
            #expect(position.quantity.description == "1000")
            #expect(position.averageEntryPrice == decimal("95000.1"))
        }
    }

    @Test("--book applies to rows without one; --assume-utc reads naive times as UTC")
    func options() throws {
        try withLedger { ledger, directory throws in
            try importTrades("""
                trade_id,timestamp,instrument,side,quantity,price,book
                T1,2026-11-20 10:00:00,BTC-PERPETUAL,buy,100,95000,
                T2,2026-11-20 10:00:01,BTC-PERPETUAL,buy,100,95000,hedges

                """, into: ledger, in: directory, options: .init(defaultBook: "desk-a", assumeUTC: true))
            #expect(try ledger.positions.all().map(\.position).map(\.book).sorted() == ["desk-a", "hedges"])
            #expect(try ledger.fills.findLive(venue: NativeTradeFormat.defaultVenue, tradeID: "T1")?.fill.time == time("2026-11-20T10:00:00Z"))
        }
    }

    @Test("instrument definitions: imported ones are used by fills; redefinitions are refused")
    func instruments() throws {
        try withLedger { ledger, directory throws in
            let path = directory.write("instruments.csv", """
                symbol,kind,underlying,settlement_currency,inverse,option_type,strike,expiry,multiplier
                SPY-20261218-600-C,option,SPY,USD,false,call,600,2026-12-18T21:00:00Z,100

                """)
            let importer = InstrumentImporter(ledger: ledger)
            #expect(try importer.importInstruments(from: try ByteSource(path: path), now: testNow).added == 1)
            #expect(try importer.importInstruments(from: try ByteSource(path: path), now: testNow).alreadyKnown == 1)
            try importTrades("trade_id,timestamp,instrument,side,quantity,price\nX1,2026-11-20T15:00:00Z,SPY-20261218-600-C,buy,2,3.5\nX2,2026-11-20T15:01:00Z,SPY-20261218-600-C,sell,2,4\n",
                             into: ledger, in: directory)
            let position = try #require(try ledger.positions.all().map(\.position).first)
            #expect(position.realisedPnL == ExactDecimal(100))  // 2 × 0.5 × 100
            let changed = directory.write("changed.csv", """
                symbol,kind,underlying,settlement_currency,inverse,option_type,strike,expiry,multiplier
                SPY-20261218-600-C,option,SPY,USD,false,call,600,2026-12-18T21:00:00Z,10

                """)
            #expect { try importer.importInstruments(from: try ByteSource(path: changed), now: testNow) } throws: { error in
                "\(error)".contains("changed.csv:2:1: symbol 'SPY-20261218-600-C' is already defined differently")
            }
        }
    }

    @Test("generated data imports cleanly and the generator is deterministic")
    func generated() throws {
        var settings = TradeGenerator.Settings()
        settings.rows = 2000
        settings.seed = 42
        var first: [String] = [], second: [String] = []
        TradeGenerator(settings: settings).generate { first.append($0) }
        TradeGenerator(settings: settings).generate { second.append($0) }
        #expect(first == second && first.count == 2000)
        settings.seed = 43
        var third: [String] = []
        TradeGenerator(settings: settings).generate { third.append($0) }
        #expect(third != first)
        try withLedger { ledger, directory throws in
            let summary = try importTrades(([TradeGenerator.header] + first).joined(separator: "\n"), into: ledger, in: directory)
            #expect(summary.accepted == 2000)
            let instruments = Set(try ledger.positions.all().map(\.position).map(\.instrument.kind))
            #expect(instruments == [.option, .perpetual])
        }
    }

    @Test("a shuffled file gives exactly the positions of the sorted one")
    func shuffledEqualsSorted() throws {
        var settings = TradeGenerator.Settings()
        settings.rows = 2000
        settings.books = ["main", "desk-b"]
        var lines: [String] = []
        TradeGenerator(settings: settings).generate { lines.append($0) }
        var random = SeededRandom(seed: 42)
        var shuffled = lines
        for index in shuffled.indices.reversed() where index > 0 {
            shuffled.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        #expect(shuffled != lines)
        func positions(_ rows: [String]) throws -> String {
            try withLedger { ledger, directory throws in
                // Two files, the later half first: fills arrive older than ones applied.
                let half = rows.count / 2
                try importTrades(([TradeGenerator.header] + rows[half...]).joined(separator: "\n"), into: ledger, in: directory, name: "b.csv")
                try importTrades(([TradeGenerator.header] + rows[..<half]).joined(separator: "\n"), into: ledger, in: directory, name: "a.csv")
                let maintained = OutputFormat.csv.render(try PositionsReport.build(ledger: ledger, at: nil, now: testNow).report)
                let rebuilt = OutputFormat.csv.render(try PositionsReport.build(ledger: ledger, at: testNow, now: testNow).report)
                #expect(maintained == rebuilt)
                return maintained
            }
        }
        #expect(try positions(shuffled) == positions(lines))
    }
}

/// SHA-256 computed independently of the importer, to check what it records.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

@Suite("Trade import: what real files do")
struct TradeImportHazardTests {
    @Test("distinct fills in the same second, and partial fills of one order, are all kept")
    func sameSecond() throws {
        try withLedger { ledger, directory throws in
            let summary = try importTrades("""
                trade_id,timestamp,instrument,side,quantity,price,order_id
                A1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,O1
                A2,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,O1
                A3,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,50,95000.5,O1

                """, into: ledger, in: directory)
            #expect(summary.accepted == 3)
            #expect(try ledger.positions.all().map(\.position).first?.quantity == ExactDecimal(250))
        }
    }

    @Test("a venue export is named, not listed column by column",
          arguments: [("Time,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,Fee Paid,Cash Flow,Change,Wallet Balance,Fee Rate,Trade ID,Order ID", "a Bybit transaction log"),
                      ("exchange,symbol,timestamp,local_timestamp,type,strike_price,expiration,open_interest,last_price,bid_price,bid_amount,bid_iv,ask_price,ask_amount,ask_iv,mark_price,mark_iv,underlying_index,underlying_price,delta,gamma,vega,theta,rho", "a Tardis options_chain snapshot file")])
    func knownExport(header: String, name: String) throws {
        try withLedger { ledger, directory throws in
            #expect {
                try importTrades(header + "\n1,2,3\n", into: ledger, in: directory)
            } throws: { error in
                guard let errors = error as? InputErrors, let first = errors.errors.first else { return false }
                return errors.total == 1 && first.line == 1 && first.message.contains("this is \(name)")
            }
        }
    }

    @Test("a ledger in a directory that does not exist is a clear error")
    func missingDirectory() throws {
        #expect {
            _ = try Ledger(path: "/nonexistent-dir/ledger.sqlite", create: true, now: testNow)
        } throws: { error in
            "\(error)".contains("cannot create the ledger") && "\(error)".contains("directory exists")
        }
    }
}
