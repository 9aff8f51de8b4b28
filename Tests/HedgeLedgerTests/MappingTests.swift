import Foundation
import Testing
@testable import HedgeLedger

/// `import trades --map`: the shipped mappings on small files written from each venue's header,
/// and a wrong mapping's errors, which name the mapping key and the CSV cell.
@Suite("Mapped trade imports")
struct MappingTests {
    static func positions(_ db: String) throws -> [String: [String: Any]] {
        let result = try hedgeledger(["positions", "--db", db, "--format", "json"])
        let rows = try #require(try jsonObject(result.stdout)["positions"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ("\($0["instrument"]!)", $0) })
    }

    @Test("Bybit derivatives transaction log: trades and liquidations, contracts renamed (USDC futures too), quoted thousands, what is left out named")
    func bybit() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let file = directory.write("bybit.csv", """
            Time,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,Fee Paid,Cash Flow,Change,Wallet Balance,Fee Rate,Trade ID,Order ID
            2026-11-02 10:00:00,USDT,BTCUSDT,TRADE,BUY,0.5,0.5,"95,000.5",0,28.5,0,-28.5,9971.5,0.0006,b-1,o-1
            2026-11-02 10:05:00,USDT,BTCUSDT,TRADE,SELL,0.2,0.3,95100,0,11.41,20,8.59,9980.09,0.0006,b-2,o-2
            2026-11-02 16:00:00,USDT,BTCUSDT,SETTLEMENT,,0,0.3,95050,1.2,0,0,1.2,9981.29,,,
            2026-11-03 09:00:00,USDC,BTC-27NOV26-100000-C,TRADE,SELL,1,-1,1500,0,3,1500,1497,11478.29,0.0003,b-3,o-3
            2026-11-03 09:10:00,BTC,BTCUSD,TRADE,Sell,1000,-1000,95000,0,0.0000063,0,-0.0000063,1,0.0006,b-4,o-4
            2026-11-03 09:11:00,BTC,BTCUSD,TRADE,Buy,15,-985,95010,0,0.0000001,0,-0.0000001,1,0.0006,b-5,o-5
            2026-11-03 09:20:00,USDT,BTCUSDT,LIQUIDATION,SELL,0.1,0.2,94000,0,5.64,-100,-105.64,9875.65,0.0006,b-6,o-6
            2026-11-03 10:00:00,USDC,ETH-27MAR27,TRADE,BUY,5,5,3500,0,9.625,0,-9.625,11468.665,0.00055,b-7,o-7

            """)
        // Without the mapping the file is named, and the mapping suggested.
        let named = try hedgeledger(["import", "trades", "--db", db, file])
        #expect(named.status == 65 && named.stderr.contains("this is a Bybit transaction log; import it with `hedgeledger import trades --map bybit`"),
                "\(named.stderr)")
        let result = try hedgeledger(["import", "trades", "--db", db, "--map", "bybit", file])
        // A liquidation moves the position like a trade; what is left out is named by its Type.
        #expect(result.status == 0 && result.stderr.contains("7 fills imported")
                && result.stderr.contains("1 row left out by the mapping (1 with Type SETTLEMENT)"), "\(result.stderr)")
        let positions = try Self.positions(db)
        // BTCUSD is Bybit's inverse perpetual, 1 USD a contract (15 is a whole number of them), not
        // Deribit's 10-USD BTC-PERPETUAL: its own instrument, defined from the row. ETH-27MAR27 is
        // Bybit's USDC future (5 ETH), not Deribit's inverse future of that name (5 USD).
        #expect(Set(positions.keys) == ["BTC_USDT-PERPETUAL", "BTC_USDC-27NOV26-100000-C", "BTCUSD", "ETH_USDC-27MAR27"])
        #expect("\(positions["BTC_USDT-PERPETUAL"]!["quantity"]!)" == "0.2" && "\(positions["BTCUSD"]!["quantity"]!)" == "-985")
        #expect(positions["ETH_USDC-27MAR27"]?["unit"] as? String == "ETH" && "\(positions["ETH_USDC-27MAR27"]!["quantity"]!)" == "5")
        let inverse = try #require(positions["BTCUSD"])
        #expect(inverse["kind"] as? String == "perpetual" && inverse["unit"] as? String == "USD" && inverse["pnl_ccy"] as? String == "BTC")
        let imports = try hedgeledger(["imports", "--db", db, "--format", "json"])
        // The format names the mapping and the version of it that read the file.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let builtIn = try Data(contentsOf: root.appendingPathComponent("Mappings/bybit.json"))
        let version = String(SHA256Hex.of(Array(builtIn)).prefix(16))
        #expect(imports.stdout.contains("map:bybit-derivatives-transaction-log@\(version)"), "\(imports.stdout)")
        // A mapped file moves no cash balance: balances says where cash comes from.
        let balances = try hedgeledger(["balances", "--db", db])
        #expect(balances.status == 0 && balances.stderr.contains("no venue transaction log rows: cash comes from Deribit transaction logs"),
                "\(balances.stderr)")
        // Again: the same trade ids of venue bybit are duplicates.
        let again = try hedgeledger(["import", "trades", "--db", db, "--map", "bybit", file])
        #expect(again.stderr.contains("nothing new") && !again.stderr.contains("in book"), "\(again.stderr)")
        // Into another book: still the same fills, and the summary says where they are.
        let elsewhere = try hedgeledger(["import", "trades", "--db", db, "--map", "bybit", "--book", "bybit-main", file])
        #expect(elsewhere.status == 0 && elsewhere.stderr.contains("7 duplicates skipped (7 in book 'main': a fill keeps the book it was first imported into"),
                "\(elsewhere.stderr)")
    }

    @Test("a decimal comma in a mapped file is refused at its cell, never read as a thousands separator")
    func decimalComma() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let header = "Time,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,Fee Paid,Cash Flow,Change,Wallet Balance,Fee Rate,Trade ID,Order ID"
        let good = directory.write("good.csv", header + "\n2026-11-02 10:00:00,USDT,BTCUSDT,TRADE,BUY,\"1,000.5\",0.5,95000,0,28.5,0,-28.5,9971.5,0.0006,b-1,o-1\n")
        #expect(try hedgeledger(["import", "trades", "--db", db, "--map", "bybit", good]).status == 0)
        #expect("\(try #require(try Self.positions(db)["BTC_USDT-PERPETUAL"])["quantity"]!)" == "1000.5")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let comma = directory.write("comma.csv", header + "\n2026-11-02 11:00:00,USDT,BTCUSDT,TRADE,BUY,\"0,25\",0.5,\"95010,5\",0,28.5,0,-28.5,9971.5,0.0006,b-2,o-2\n")
        let refused = try hedgeledger(["import", "trades", "--db", db, "--map", "bybit", comma])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("comma.csv:2:44: quantity (columns.quantity ← 'Quantity'): '0,25' does not group thousands with ','"), "\(refused.stderr)")
        #expect(refused.stderr.contains("comma.csv:2:55: price (columns.price ← 'Filled Price'): '95010,5' does not group thousands"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test("OKX trade history: a byte-order mark, Unit twice, -- for empty, the price from the balance change")
    func okx() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let file = directory.write("okx.csv", """
            \u{FEFF}id,Order id,Time,Trade Type,Instrument,Type,Amount,Unit,PL,Fee,Position Change,Position Balance,Balance Change,Balance,Unit
            101,5001,2026-11-02 18:00:00,Spot,BTC-USDT,Buy,0.1,BTC,--,-0.0001,--,--,"-9,500.5",10000,USDT
            102,5002,2026-11-02 18:30:00,Spot,BTC-USDT,Sell,0.05,BTC,--,-2.5,--,--,4800,14800,USDT
            103,5003,2026-11-02 19:00:00,Spot,BTC-USDT,Transfer in,1,BTC,--,0,--,--,1,2,BTC

            """)
        let result = try hedgeledger(["import", "trades", "--db", db, "--map", "okx", file])
        #expect(result.status == 0 && result.stderr.contains("2 fills imported"), "\(result.stderr)")
        let spot = try #require(try Self.positions(db)["BTC_USDT"])
        // Bought 0.1 at 9500.5 / 0.1 = 95005, sold 0.05 at 96000: realised 0.05 × 995.
        #expect("\(spot["quantity"]!)" == "0.05" && "\(spot["avg_price"]!)" == "95005" && "\(spot["realised_pnl"]!)" == "49.75")
        // 18:00 at UTC+8 is 10:00Z.
        #expect(spot["first_fill"] as? String == "2026-11-02T10:00:00Z")
        // OKX writes a fee charged as negative: a cost to the ledger (0.0001 + 2.5).
        #expect("\(spot["fees"]!)".contains("2.5001"), "\(spot["fees"]!)")
        let rebate = directory.write("rebate.csv", """
            \u{FEFF}id,Order id,Time,Trade Type,Instrument,Type,Amount,Unit,PL,Fee,Position Change,Position Balance,Balance Change,Balance,Unit
            104,5004,2026-11-02 20:00:00,Spot,BTC-USDT,Sell,0.05,BTC,--,0.5,--,--,4800,19600,USDT

            """)
        #expect(try hedgeledger(["import", "trades", "--db", db, "--map", "okx", rebate]).status == 0)
        // A positive Fee is a rebate: the fees fall by it.
        #expect("\(try #require(try Self.positions(db)["BTC_USDT"])["fees"]!)".contains("2.0001"))
    }

    @Test("tastytrade: newest-first rows, +0100 offsets, options defined from the row, money movements left out")
    func tastytrade() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let file = directory.write("tasty.csv", """
            Date,Type,Sub Type,Action,Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #,Currency
            2026-11-03T15:45:10+0100,Trade,Sell to Close,SELL_TO_CLOSE,SPY   261218P00500000,Equity Option,Sold 1 SPY 12/18/26 Put 500.00 @ 4.10,410.00,1,410.00,-1.00,-0.14,100,SPY,SPY,12/18/26,500,PUT,3301,USD
            2026-11-03T10:00:00-0500,Money Movement,Transfer,--,--,--,Wire,"5,000.00",0,--,--,0.00,--,--,--,--,--,--,--,USD
            2026-11-02T16:30:05+0100,Trade,Buy to Open,BUY_TO_OPEN,SPY   261218P00500000,Equity Option,Bought 2 SPY 12/18/26 Put 500.00 @ 3.95,-790.00,2,-395.00,-2.00,-0.28,100,SPY,SPY,12/18/26,500,PUT,3300,USD
            2026-11-02T16:00:00+0100,Trade,Buy,BUY,SPY,Equity,Bought 100 SPY @ 590.10,"-59,010.00",100,"-590.10",0.00,-0.05,1,SPY,SPY,--,--,--,3299,USD

            """)
        let result = try hedgeledger(["import", "trades", "--db", db, "--map", "tastytrade", file])
        #expect(result.status == 0 && result.stderr.contains("3 fills imported") && result.stderr.contains("1 row left out"), "\(result.stderr)")
        let positions = try Self.positions(db)
        let put = try #require(positions["SPY 261218P00500000"])
        // Bought 2 at 3.95, sold 1 at 4.10, 100 shares each: realised 15 USD; fees 3.42.
        #expect("\(put["quantity"]!)" == "1" && "\(put["avg_price"]!)" == "3.95" && "\(put["realised_pnl"]!)" == "15")
        #expect(put["kind"] as? String == "option" && put["first_fill"] as? String == "2026-11-02T15:30:05Z")
        #expect("\(try #require(positions["SPY"])["quantity"]!)" == "100")
        // A position report that keeps the OCC symbol padded, as tastytrade writes it, still matches.
        let report = directory.write("report.csv", "instrument_name,size\nSPY   261218P00500000,1\nSPY,100\n")
        let reconciled = try hedgeledger(["reconcile", "positions", "--db", db, report, "--at", "2026-11-04", "--format", "csv"])
        #expect(reconciled.status == 0 && reconciled.stdout.contains("SPY 261218P00500000,match"), "\(reconciled.stdout)\(reconciled.stderr)")
        // The expiry taken from the symbol instead: an equity's symbol rewritten to nothing is no expiry, not a bad date.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let builtIn = try String(contentsOf: root.appendingPathComponent("Mappings/tastytrade.json"), encoding: .utf8)
        let fromSymbol = #""expiry": {"column": "Symbol", "transform": [{"replace": [{"pattern": "^[A-Z]+ +([0-9]{2})([0-9]{2})([0-9]{2})[CP].*$", "with": "$2/$3/$1"}, {"pattern": "^[A-Z]+$", "with": ""}]}], "format": "%m/%d/%y", "zone": "UTC", "time_of_day": "22:00"}"#
        let edited = builtIn.replacingOccurrences(of: #""expiry": {"column": "Expiration Date", "format": "%m/%d/%y", "zone": "UTC", "time_of_day": "22:00"}"#, with: fromSymbol)
        #expect(edited != builtIn)
        let other = directory.file("other.sqlite")
        let viaSymbol = try hedgeledger(["import", "trades", "--db", other, "--map", directory.write("tasty-symbol.json", edited), file])
        #expect(viaSymbol.status == 0 && viaSymbol.stderr.contains("3 fills imported"), "\(viaSymbol.stderr)")
        #expect(Set(try Self.positions(other).keys) == ["SPY 261218P00500000", "SPY"])
    }

    @Test("tastytrade: two equal fills of one order in one second are two fills, and a second download adds nothing")
    func tastytradeSameSecond() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let header = "Date,Type,Sub Type,Action,Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #,Currency"
        let fill = "2026-11-02T16:00:00+0100,Trade,Buy,BUY,SPY,Equity,Bought 2 SPY @ 590.10,-1180.20,2,-590.10,0.00,-0.01,1,SPY,SPY,--,--,--,3299,USD"
        let file = directory.write("tasty.csv", [header, fill, fill, ""].joined(separator: "\n"))
        let result = try hedgeledger(["import", "trades", "--db", db, "--map", "tastytrade", file])
        #expect(result.status == 0 && result.stderr.contains("2 fills imported"), "\(result.stderr)")
        #expect("\(try #require(try Self.positions(db)["SPY"])["quantity"]!)" == "4")
        #expect("\(try #require(try Self.positions(db)["SPY"])["fills"]!)" == "2")
        let again = try hedgeledger(["import", "trades", "--db", db, "--map", "tastytrade", file])
        #expect(again.status == 0 && again.stderr.contains("nothing new"), "\(again.stderr)")
        // The same moment written at another offset (another display zone) is the same key.
        let shifted = directory.write("tasty-utc.csv", [header, fill, fill, ""].joined(separator: "\n")
            .replacingOccurrences(of: "2026-11-02T16:00:00+0100", with: "2026-11-02T15:00:00+0000"))
        let moved = try hedgeledger(["import", "trades", "--db", db, "--map", "tastytrade", shifted])
        #expect(moved.status == 0 && moved.stderr.contains("nothing new"), "\(moved.stderr)")
        #expect("\(try #require(try Self.positions(db)["SPY"])["quantity"]!)" == "4")
        // Two fills of one order in one second that differ, listed the other way round: refused, saying why.
        let small = fill.replacingOccurrences(of: ",2,-590.10,", with: ",1,-590.10,")
        let mixed = directory.file("mixed.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", mixed, "--map", "tastytrade",
                                 directory.write("first.csv", [header, fill, small, ""].joined(separator: "\n"))]).status == 0)
        let swapped = try hedgeledger(["import", "trades", "--db", mixed, "--map", "tastytrade",
                                       directory.write("swapped.csv", [header, small, fill, ""].joined(separator: "\n"))])
        #expect(swapped.status == 65 && swapped.stderr.contains("with a different quantity")
                && swapped.stderr.contains("numbers fills of one order in one second by their order in the file"), "\(swapped.stderr)")
    }

    @Test("a wrong mapping: errors name the mapping key, and the CSV cell for row problems")
    func wrongMappings() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let csv = directory.write("trades.csv", """
            When,Ticker,Qty,Px,Ref
            1762077600000,BTC-PERPETUAL,-1000,95000,r1
            1762077660000,BTC-PERPETUAL,abc,95000,r2
            1762077720000,btc-perp,500,95010,r3

            """)
        func mapping(_ text: String) -> String { directory.write("m\(text.hashValue).json", text) }
        let good = mapping("""
            {"name": "house", "venue": "house", "side_from_quantity_sign": true,
             "columns": {"trade_id": "Ref", "timestamp": {"column": "When", "format": "epoch_ms"},
                         "instrument": {"column": "Ticker", "transform": [{"map": {"btc-perp": "BTC-PERPETUAL"}}]},
                         "quantity": "Qty", "price": "Px"}}
            """)
        let refused = try hedgeledger(["import", "trades", "--db", db, "--map", good, csv])
        #expect(refused.status == 65 && refused.stderr.contains("trades.csv:3:29: quantity (columns.quantity ← 'Qty'): 'abc'"), "\(refused.stderr)")
        let typo = mapping(#"{"name": "x", "columns": {"trade_id": "Ref", "timestamp": "When", "instrument": "Ticker", "side": "S", "quantty": "Qty", "price": "Px"}}"#)
        let typoResult = try hedgeledger(["import", "trades", "--db", db, "--map", typo, csv])
        #expect(typoResult.status == 65 && typoResult.stderr.contains("columns.quantty: is not a native field (did you mean 'quantity'?)"),
                "\(typoResult.stderr)")
        // Located in the mapping file, at the key, as a CSV cell's error is.
        let typoText = try String(contentsOfFile: typo, encoding: .utf8)
        let typoColumn = typoText.distance(from: typoText.startIndex, to: typoText.range(of: "\"quantty\"")!.lowerBound) + 1
        #expect(typoResult.stderr.contains("\(typo):1:\(typoColumn): columns.quantty: is not a native field"), "\(typoResult.stderr)")
        let absent = mapping(#"{"name": "x", "side_from_quantity_sign": true, "columns": {"trade_id": "Reference", "timestamp": {"column": "When", "format": "epoch_ms"}, "instrument": "Ticker", "quantity": "Qty", "price": "Px"}}"#)
        let absentResult = try hedgeledger(["import", "trades", "--db", db, "--map", absent, csv])
        #expect(absentResult.status == 65 && absentResult.stderr.contains("trades.csv:1:1: mapping 'x' columns.trade_id names column 'Reference', which the header lacks"),
                "\(absentResult.stderr)")
        let naive = mapping(#"{"name": "x", "side_from_quantity_sign": true, "columns": {"trade_id": "Ref", "timestamp": {"column": "Ticker", "format": "%Y-%m-%d"}, "instrument": "Ticker", "quantity": "Qty", "price": "Px"}}"#)
        let naiveResult = try hedgeledger(["import", "trades", "--db", db, "--map", naive, csv])
        #expect(naiveResult.status == 65 && naiveResult.stderr.contains("timestamp (columns.timestamp ← 'Ticker'): 'BTC-PERPETUAL' does not match the mapping's format '%Y-%m-%d'"), "\(naiveResult.stderr)")
        // A mapping that is not JSON: where the parser stopped, as a line and column.
        let broken = directory.write("broken.json", "{\n  \"name\": \"x\",\n  \"columns\": {,}\n}\n")
        let brokenResult = try hedgeledger(["import", "trades", "--db", db, "--map", broken, csv])
        #expect(brokenResult.status == 65 && brokenResult.stderr.contains("broken.json:3:15: is not JSON (expected a key in double quotes, found ',')"),
                "\(brokenResult.stderr)")
        // A field mapped twice: Foundation would keep one of the two silently.
        let twice = directory.write("twice.json", "{\"name\": \"x\", \"side_from_quantity_sign\": true,\n \"columns\": {\"trade_id\": \"Ref\", \"timestamp\": \"When\", \"instrument\": \"Ticker\", \"quantity\": \"Qty\", \"price\": \"Px\", \"quantity\": \"Px\"}}\n")
        let twiceResult = try hedgeledger(["import", "trades", "--db", db, "--map", twice, csv])
        #expect(twiceResult.status == 65 && twiceResult.stderr.contains("twice.json:2:") && twiceResult.stderr.contains("key \"quantity\" is repeated in this object"),
                "\(twiceResult.stderr)")
        // A column the header has twice, named without "occurrence": which one is a guess, so it is refused.
        let twoFees = directory.write("fees.csv", "When,Ticker,Qty,Px,Ref,Fee,Fee\n1762077600000,BTC-PERPETUAL,-1000,95000,r1,0.5,0.00001\n")
        let feeMapping = mapping(#"{"name": "x", "side_from_quantity_sign": true, "columns": {"trade_id": "Ref", "timestamp": {"column": "When", "format": "epoch_ms"}, "instrument": "Ticker", "quantity": "Qty", "price": "Px", "fee": "Fee"}}"#)
        let ambiguous = try hedgeledger(["import", "trades", "--db", db, "--map", feeMapping, twoFees])
        #expect(ambiguous.status == 65 && ambiguous.stderr.contains("fees.csv:1:1: mapping 'x' columns.fee names column 'Fee', which the header has 2 times: say which with \"occurrence\" (1 to 2)"),
                "\(ambiguous.stderr)")
        let secondFee = mapping(#"{"name": "x", "side_from_quantity_sign": true, "columns": {"trade_id": "Ref", "timestamp": {"column": "When", "format": "epoch_ms"}, "instrument": "Ticker", "quantity": "Qty", "price": "Px", "fee": {"column": "Fee", "occurrence": 2}}}"#)
        let chosen = try hedgeledger(["import", "trades", "--db", directory.file("fees.sqlite"), "--map", secondFee, twoFees])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(try hedgeledger(["fills", "--db", directory.file("fees.sqlite"), "--format", "csv"]).stdout.contains(",0.00001,"))
        // The venue is the mapping's, one for the file; --assume-utc is for native files (a mapping names its zone).
        let venueColumn = mapping(#"{"name": "x", "side_from_quantity_sign": true, "columns": {"trade_id": "Ref", "timestamp": "When", "instrument": "Ticker", "quantity": "Qty", "price": "Px", "venue": {"constant": "v"}}}"#)
        let venueResult = try hedgeledger(["import", "trades", "--db", db, "--map", venueColumn, csv])
        #expect(venueResult.status == 65 && venueResult.stderr.contains("columns.venue: is not read from a column: the venue is the mapping's top-level \"venue\""), "\(venueResult.stderr)")
        let utc = try hedgeledger(["import", "trades", "--db", db, "--assume-utc", "--map", good, csv])
        #expect(utc.status == 64 && utc.stderr.contains("--assume-utc does not apply with --map"), "\(utc.stderr)")
        // A Deribit log, or another venue's export, given a built-in mapping: one error naming the file's real kind.
        let log = directory.write("transaction_log-1-BTC-x.csv", "ID,UserSeq,Date,Instrument,Type,Side,Amount,Base Amount,Position,Price,Mark Price,Index Price,Cash Flow,Funding,Fee Rate,Fee Charged,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info,Note\n")
        let logMapped = try hedgeledger(["import", "trades", "--db", db, "--map", "bybit", log])
        #expect(logMapped.status == 65 && logMapped.stderr.contains("this is a Deribit transaction log, not a file mapping 'bybit-derivatives-transaction-log' reads")
                && logMapped.stderr.contains("import it without --map") && logMapped.stderr.contains("refused: 1 error"), "\(logMapped.stderr)")
        let missingFile = try hedgeledger(["import", "trades", "--db", db, "--map", "bybitt", csv])
        #expect(missingFile.status == 64 && missingFile.stderr.contains("did you mean 'bybit'?")
                && missingFile.stderr.contains("built-in mappings: bybit, okx, tastytrade"), "\(missingFile.stderr)")
        // A copy of a built-in mapping naming a column the file lacks: the mapping's error, not the export's name.
        let tastyHeader = "Date,Type,Sub Type,Action,Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #,Currency"
        let tastyFile = directory.write("tasty.csv", tastyHeader + "\n")
        let copied = mapping(#"{"name": "mine", "side_from_quantity_sign": true, "columns": {"trade_id": "Order #", "timestamp": "Date", "instrument": "Symbol", "quantity": "Quantity", "price": "Px"}}"#)
        let copiedResult = try hedgeledger(["import", "trades", "--db", db, "--map", copied, tastyFile])
        #expect(copiedResult.status == 65 && copiedResult.stderr.contains("columns.price names column 'Px', which the header lacks")
                && !copiedResult.stderr.contains("this is a tastytrade"), "\(copiedResult.stderr)")
        // A bad quantity with the side from its sign is one error, not two.
        #expect(refused.stderr.components(separatedBy: "trades.csv:3:").count == 2, "\(refused.stderr)")
        // Fixed: the row with a bad quantity removed, the rest imports, the side from the sign.
        let fixed = directory.write("fixed.csv", "When,Ticker,Qty,Px,Ref\n1762077600000,BTC-PERPETUAL,-1000,95000,r1\n1762077720000,btc-perp,500,95010,r3\n")
        #expect(try hedgeledger(["import", "trades", "--db", db, "--map", good, fixed]).status == 0)
        #expect("\(try #require(try Self.positions(db)["BTC-PERPETUAL"])["quantity"]!)" == "-500")
        #expect(try #require(try Self.positions(db)["BTC-PERPETUAL"])["first_fill"] as? String == "2025-11-02T10:00:00Z")
        #expect(try Ledger(path: db, create: false, now: testNow).instruments.all().count == 1)
        // What the writer finds (a name it cannot read, a fill after its instrument's expiry) names the mapping key too.
        let unreadable = directory.write("names.csv", "When,Ticker,Qty,Px,Ref\n1762077600000,BTC-PERPETUA,-1000,95000,r4\n1797811200000,BTC-27NOV26,10,95000,r5\n")
        let named = try hedgeledger(["import", "trades", "--db", db, "--map", good, unreadable])
        #expect(named.status == 65 && named.stderr.contains("names.csv:2:15: instrument (columns.instrument ← 'Ticker'): ")
                && named.stderr.contains("names.csv:3:1: timestamp (columns.timestamp ← 'When'): "), "\(named.stderr)")
    }
}
