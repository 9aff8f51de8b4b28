import Testing
@testable import HedgeLedger

/// Every malformed trade file a user can bring (formats.md's hazards that apply to the native
/// format, and the issue's list), each refused with the exact place and a message saying what
/// is wrong, and the ledger's row counts unchanged.
@Suite("Input error catalogue")
struct InputErrorCatalogueTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let line: Int
        let column: Int
        let message: String
        var description: String { name }

        init(_ name: String, _ text: String, _ line: Int, _ column: Int, _ message: String) {
            self.init(name, bytes: Array(text.utf8), line, column, message)
        }

        init(_ name: String, bytes: [UInt8], _ line: Int, _ column: Int, _ message: String) {
            self.name = name; self.bytes = bytes; self.line = line; self.column = column; self.message = message
        }
    }

    static let header = "trade_id,timestamp,instrument,side,quantity,price\n"
    // Good row: columns 1 trade_id, 4 timestamp, 25 instrument, 39 side, 43 quantity, 47 price.
    static let good = "T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000\n"

    /// The good row with one field replaced.
    static func row(_ field: Int, _ value: String) -> String {
        var fields = good.dropLast().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[field] = value
        return header + fields.joined(separator: ",") + "\n"
    }

    static let cases: [Case] = [
        Case("empty file", "", 1, 1, "the file is empty"),
        Case("one byte", "x", 1, 1, "unknown column 'x'"),
        Case("header only", header, 2, 1, "no trades after the header"),
        Case("missing required column", "trade_id,timestamp,instrument,side,quantity\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100\n", 1, 1, "missing required column price"),
        Case("duplicated column", "trade_id,timestamp,instrument,side,quantity,price,side\n", 1, 51, "column 'side' appears twice"),
        Case("renamed column", "trade_id,timestamp,instrument,side,quantity,price,fees\n" + "T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,1\n", 1, 51, "did you mean 'fee'"),
        Case("extra field", header + "T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,oops\n", 2, 1, "this row has 7 fields but the header has 6"),
        Case("missing field", header + "T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100\n", 2, 1, "this row has 5 fields but the header has 6"),
        Case("unterminated quote", header + "T1,\"2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000\n", 2, 4, "unterminated quote"),
        Case("NUL byte", header + "T1,2026-11-20T10:00:00Z,BTC-PERP\0ETUAL,buy,100,95000\n", 2, 33, "NUL byte"),
        Case("invalid UTF-8", bytes: Array(header.utf8) + Array("T1,2026-11-20T10:00:00Z,".utf8) + [0xC3, 0x28] + Array(",buy,100,95000\n".utf8), 2, 25, "invalid UTF-8"),
        Case("byte-order mark mid-file", header + good + "\u{FEFF}" + header + good, 3, 1, "byte-order mark in the middle"),
        Case("quote inside unquoted field", header + "T1,2026-11-20T10:00:00Z,BTC\"PERPETUAL,buy,100,95000\n", 2, 28, "quote inside an unquoted field"),
        Case("text after closing quote", header + "T1,\"2026-11-20T10:00:00Z\"x,BTC-PERPETUAL,buy,100,95000\n", 2, 26, "text after the closing quote"),
        Case("zero quantity", row(4, "0"), 2, 43, "quantity: '0' must be greater than zero"),
        Case("negative quantity", row(4, "-100"), 2, 43, "quantity: '-100' must be greater than zero"),
        Case("negative price", row(5, "-95000"), 2, 47, "price: '-95000' must be greater than zero"),
        Case("zero price", row(5, "0"), 2, 47, "price: '0' must be greater than zero"),
        Case("unknown side", row(3, "long"), 2, 39, "side: 'long' is not buy or sell"),
        Case("impossible expiry", row(2, "BTC-31FEB26"), 2, 25, "expiry '31FEB26' is not a real date"),
        Case("unknown instrument", row(2, "AAPL"), 2, 25, "names a currency, not an instrument"),
        Case("malformed instrument", row(2, "BTC-27DEC26-100000-Z"), 2, 25, "is not C (call) or P (put)"),
        Case("naive timestamp", row(1, "2026-11-20T10:00:00"), 2, 4, "has no time zone"),
        Case("epoch milliseconds", row(1, "1763647380000"), 2, 4, "looks like an epoch number"),
        Case("impossible date", row(1, "2026-02-30T10:00:00Z"), 2, 4, "impossible day 30"),
        Case("nanosecond timestamp", row(1, "2026-11-20T10:00:00.123456789Z"), 2, 4, "more than 6 fractional digits"),
        Case("thousands separator", row(4, "\"1,000\""), 2, 43, "thousands separators"),
        Case("locale decimal comma", row(5, "\"95000,5\""), 2, 47, "thousands separators and decimal commas"),
        Case("space-grouped number", row(4, "1 000"), 2, 43, "contains a space"),
        Case("scientific notation", row(4, "1e3"), 2, 43, "uses an exponent"),
        Case("nan", row(5, "nan"), 2, 47, "price: 'nan' is not a number: nan, inf and hexadecimal values are refused"),
        Case("inf", row(5, "inf"), 2, 47, "price: 'inf' is not a number"),
        Case("hex float", row(5, "0x1p3"), 2, 47, "price: '0x1p3' is not a number"),
        Case("NA as data", row(4, "NA"), 2, 43, "quantity: 'NA'"),
        Case("trailing garbage", row(4, "12abc"), 2, 43, "quantity: '12abc' contains unexpected character"),
        Case("empty trade id", row(0, ""), 2, 1, "trade_id: is empty"),
        Case("padded trade id", row(0, " T1"), 2, 1, "has leading or trailing spaces"),
        Case("coin amount on an inverse perpetual", row(4, "0.5"), 2, 43, "not a multiple of BTC-PERPETUAL's contract size 10 USD"),
        Case("bad fee currency", "trade_id,timestamp,instrument,side,quantity,price,fee_currency\nT1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000,btc\n", 2, 53, "fee_currency: 'btc' is not a currency code"),
        Case("same trade twice with different content", header + good + "T1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,200,95000\n", 3, 43, "already imported from"),
        Case("bad row after good rows", header + good + good.replacingOccurrences(of: "T1", with: "T2") + "T3,2026-11-20T10:00:00Z,BTC-PERPETUAL,sell,100,nan\n", 4, 48, "price: 'nan'"),
    ]

    @Test("each malformed file is refused where it is wrong, and nothing is written", arguments: cases)
    func refused(_ testCase: Case) throws {
        try withLedger { ledger, directory throws in
            // A ledger with data in it already, so "unchanged" means something.
            try importTrades(Self.header + "T0,2026-11-19T10:00:00Z,BTC-PERPETUAL,buy,100,94000\n", into: ledger, in: directory, name: "seed.csv")
            let before = try rowCounts(ledger)
            let path = directory.write("bad.csv", bytes: testCase.bytes)
            do {
                _ = try TradeImporter(ledger: ledger).importTrades(from: try ByteSource(path: path), now: testNow)
                Issue.record("\(testCase.name): accepted")
            } catch let errors as InputErrors {
                let first = try #require(errors.errors.first)
                #expect(first.file == path)
                #expect(first.line == testCase.line, "\(testCase.name): \(first)")
                #expect(first.column == testCase.column, "\(testCase.name): \(first)")
                #expect(first.message.contains(testCase.message), "\(testCase.name): \(first)")
                #expect(first.description.hasPrefix("\(path):\(testCase.line):\(testCase.column): "))
            }
            #expect(try rowCounts(ledger) == before)
        }
    }

    @Test("the catalogue is at least 30 files")
    func size() { #expect(Self.cases.count >= 30) }

    @Test("every bad row is reported: the first 50, then a count")
    func manyErrors() throws {
        var csv = Self.header
        for index in 0..<60 { csv += "T\(index),2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,0,95000\n" }
        try withLedger { ledger, directory throws in
            #expect {
                try importTrades(csv, into: ledger, in: directory)
            } throws: { error in
                guard let errors = error as? InputErrors else { return false }
                return errors.errors.count == 50 && errors.total == 60 && errors.errors.last?.line == 51
                    && errors.description.contains("… and 10 more errors (60 in all)")
                    && errors.description.contains("nothing from this file was imported")
            }
            #expect(try ledger.fills.count() == 0)
        }
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
