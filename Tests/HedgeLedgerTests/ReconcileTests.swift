import Foundation
import Testing
@testable import HedgeLedger

/// `reconcile positions`: the ledger against a venue's position report, JSON or CSV.
@Suite("Reconciliation")
struct ReconcileTests {
    // Long 10 calls, 5 puts; short 49,000 USD of the perpetual.
    func ledger(in directory: TemporaryDirectory) throws -> String {
        try cliLedger(in: directory, trades: RecomputeTests.trades + "4,2026-11-19T12:40:00Z,BTC-PERPETUAL,buy,1000,95100\n")
    }

    /// Each line's status by instrument.
    static func statuses(_ lines: [[String: Any]]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: lines.map { ($0["instrument"] as! String, $0["status"] as! String) })
    }

    @Test("matches, differences and positions on one side only, from get_positions JSON; exit 2 when anything differs")
    func json() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        // Deribit's response: the call matches, the perpetual differs by 10 USD, the put is missing, an ETH future is extra.
        let report = directory.write("positions.json", """
            {"jsonrpc": "2.0", "result": [
              {"instrument_name": "BTC-27NOV26-100000-C", "size": 10.0, "average_price": 0.05, "delta": 3.2, "kind": "option"},
              {"instrument_name": "BTC-PERPETUAL", "size": -48990, "average_price": 94998.5, "delta": -0.51, "kind": "future"},
              {"instrument_name": "ETH-PERPETUAL", "size": 100, "kind": "future"}
            ]}
            """)
        let result = try hedgeledger(["reconcile", "positions", "--db", db, report, "--at", "2026-11-19T13:00:00Z", "--format", "json"])
        #expect(result.status == 2, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        let lines = try #require(try jsonObject(result.stdout)["positions"] as? [[String: Any]])
        let status = Self.statuses(lines)
        #expect(status == ["BTC-27NOV26-100000-C": "match", "BTC-PERPETUAL": "differs", "BTC-20NOV26-95000-P": "ledger-only",
                           "ETH-PERPETUAL": "venue-only"])
        let perpetual = try #require(lines.first { $0["instrument"] as? String == "BTC-PERPETUAL" })
        #expect((perpetual["difference"] as? NSNumber)?.doubleValue == -10 && (perpetual["ledger_quantity"] as? NSNumber)?.doubleValue == -49000)
        // Within a tolerance of 10 USD the perpetual matches; the put is still missing from the report.
        let tolerant = try hedgeledger(["reconcile", "positions", "--db", db, report, "--tolerance", "10", "--at", "2026-11-19T13:00:00Z",
                                        "--format", "json"])
        let tolerantLines = try #require(try jsonObject(tolerant.stdout)["positions"] as? [[String: Any]])
        #expect(tolerantLines.first { $0["instrument"] as? String == "BTC-PERPETUAL" }?["status"] as? String == "match")
        #expect(tolerant.status == 2 && tolerant.stderr.contains("1 only in the ledger"))
        // Prices are shown, and compared only when asked: the call was bought at 0.05, the
        // perpetual sold at 95000 (a buy back leaves the average within 1e-13: an inverse average
        // is kept through its cost in BTC, exact to 18 places), the venue says 94998.5.
        let perpetualLine = try #require(tolerantLines.first { $0["instrument"] as? String == "BTC-PERPETUAL" })
        #expect(abs(((perpetualLine["price_difference"] as? NSNumber)?.doubleValue ?? 0) - 1.5) < 1e-9)
        let priced = try hedgeledger(["reconcile", "positions", "--db", db, report, "--tolerance", "10", "--price-tolerance", "1",
                                      "--at", "2026-11-19T13:00:00Z", "--format", "json"])
        try ReportOutputTests().expectDocumented(priced.stdout)
        let pricedLines = try #require(try jsonObject(priced.stdout)["positions"] as? [[String: Any]])
        let pricedStatus = Self.statuses(pricedLines)
        #expect(pricedStatus["BTC-27NOV26-100000-C"] == "match" && pricedStatus["BTC-PERPETUAL"] == "differs")
        let within = try hedgeledger(["reconcile", "positions", "--db", db, report, "--tolerance", "10", "--price-tolerance", "1.5",
                                      "--at", "2026-11-19T13:00:00Z", "--format", "json"])
        let withinLines = try #require(try jsonObject(within.stdout)["positions"] as? [[String: Any]])
        #expect(withinLines.first { $0["instrument"] as? String == "BTC-PERPETUAL" }?["status"] as? String == "match")
        let badPrice = try hedgeledger(["reconcile", "positions", "--db", db, report, "--price-tolerance", "-1"])
        #expect(badPrice.status == 64 && badPrice.stderr.contains("--price-tolerance '-1' must be a decimal number, zero or more"), "\(badPrice.stderr)")
    }

    @Test("JSON numbers are read from their own digits: 17 significant digits, and exponents written out exactly")
    func jsonDigits() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        // 1.0e1 calls match; the perpetual is off by a hair only its last digit shows.
        let report = directory.write("digits.json", """
            [{"instrument_name": "BTC-27NOV26-100000-C", "size": 1.0e1, "delta": 3.2e0},
             {"instrument_name": "BTC-20NOV26-95000-P", "size": 5, "average_price": 2E-2},
             {"instrument_name": "BTC-PERPETUAL", "size": -49000.000000000001, "note": "a \\"quoted\\" -1 in a string"}]
            """)
        let result = try hedgeledger(["reconcile", "positions", "--db", db, report, "--at", "2026-11-19T13:00:00Z", "--format", "json"])
        #expect(result.status == 2, "\(result.stderr)")
        let lines = try #require(try jsonObject(result.stdout)["positions"] as? [[String: Any]])
        let status = Self.statuses(lines)
        #expect(status == ["BTC-27NOV26-100000-C": "match", "BTC-20NOV26-95000-P": "match", "BTC-PERPETUAL": "differs"])
        let csv = try hedgeledger(["reconcile", "positions", "--db", db, report, "--at", "2026-11-19T13:00:00Z", "--format", "csv"])
        #expect(csv.stdout.contains("-49000.000000000001"), "\(csv.stdout)")
    }

    @Test("errors in a JSON report point into the file: each position's line and column, and where the JSON breaks")
    func jsonLocations() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        let bad = directory.write("bad.json", """
            {"result": [
              {"instrument_name": "BTC-PERPETUAL", "size": -49000},
                {"instrument_name": "BTC-27NOV26-100000-C", "size": "ten"},
              {"instrument_name": "btc-perpetual", "size": 1}
            ]}
            """)
        let refused = try hedgeledger(["reconcile", "positions", "--db", db, bad])
        #expect(refused.status == 65 && refused.stderr.contains("bad.json:3:5: position 2: size: 'ten'")
                && refused.stderr.contains("nothing was compared"), "\(refused.stderr)")
        let twice = directory.write("twice.json", "[\n {\"instrument_name\": \"BTC-PERPETUAL\", \"size\": 1},\n {\"instrument_name\": \"btc-perpetual\", \"size\": 1}\n]\n")
        let duplicate = try hedgeledger(["reconcile", "positions", "--db", db, twice])
        #expect(duplicate.status == 65 && duplicate.stderr.contains("twice.json:3:2: position 2: btc-perpetual is listed again"), "\(duplicate.stderr)")
        let broken = directory.write("broken.json", "[\n {\"instrument_name\": \"BTC-PERPETUAL\", \"size\": 1,,}\n]\n")
        let brokenResult = try hedgeledger(["reconcile", "positions", "--db", db, broken])
        #expect(brokenResult.status == 65 && brokenResult.stderr.contains("broken.json:2:49: not valid JSON: expected a key in double quotes, found ','"),
                "\(brokenResult.stderr)")
        // What Foundation would accept but leaves ambiguous: a key given twice (which size counts?), a trailing comma.
        let repeated = directory.write("repeated.json", "[\n {\"instrument_name\": \"BTC-PERPETUAL\", \"size\": -49000,\n  \"size\": 1}\n]\n")
        let repeatedResult = try hedgeledger(["reconcile", "positions", "--db", db, repeated])
        #expect(repeatedResult.status == 65
                && repeatedResult.stderr.contains("repeated.json:3:3: not valid JSON: key \"size\" is repeated in this object (first at line 2, column 39)")
                && repeatedResult.stderr.contains("nothing was compared"), "\(repeatedResult.stderr)")
        let trailing = directory.write("trailing.json", "[{\"instrument_name\": \"BTC-PERPETUAL\", \"size\": -49000},\n]\n")
        let trailingResult = try hedgeledger(["reconcile", "positions", "--db", db, trailing])
        #expect(trailingResult.status == 65 && trailingResult.stderr.contains("trailing.json:1:54: not valid JSON: a trailing comma (nothing after it before ']')"),
                "\(trailingResult.stderr)")
        // Values of the wrong JSON type, and the venue's own error response.
        let typed = directory.write("typed.json", "[{\"instrument_name\": 5, \"size\": 1},\n {\"instrument_name\": \"BTC-PERPETUAL\", \"size\": true}]\n")
        let typedResult = try hedgeledger(["reconcile", "positions", "--db", db, typed])
        #expect(typedResult.status == 65 && typedResult.stderr.contains("typed.json:1:2: position 1: instrument_name: expected the instrument's name as a string")
                && typedResult.stderr.contains("typed.json:2:2: position 2: size: expected a number, found true or false"), "\(typedResult.stderr)")
        let apiError = directory.write("error.json", #"{"jsonrpc": "2.0", "error": {"message": "unauthorized", "code": 13009}}"#)
        let apiResult = try hedgeledger(["reconcile", "positions", "--db", db, apiError])
        #expect(apiResult.status == 65 && apiResult.stderr.contains("the venue's response is an error: unauthorized (code 13009)"), "\(apiResult.stderr)")
    }

    @Test("a CSV report with extra columns; everything matching exits 0; bad cells are located")
    func csv() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        let matching = directory.write("positions.csv", """
            instrument_name,kind,size,average_price,delta
            BTC-27NOV26-100000-C,option,10,0.05,3.2
            BTC-20NOV26-95000-P,option,5,0.02,-1.9
            btc-perpetual,future,-49000,94998.5,-0.51

            """)
        let result = try hedgeledger(["reconcile", "positions", "--db", db, matching, "--at", "2026-11-19T13:00:00Z"])
        #expect(result.status == 0 && result.stderr.contains("3 match, 0 differ"), "\(result.stdout) \(result.stderr)")
        let bad = directory.write("bad.csv", "instrument_name,size\nBTC-PERPETUAL,lots\n")
        let refused = try hedgeledger(["reconcile", "positions", "--db", db, bad])
        #expect(refused.status == 65 && refused.stderr.contains("bad.csv:2:15: size: 'lots' "), "\(refused.stderr)")
        let header = directory.write("header.csv", "symbol,amount\nBTC-PERPETUAL,1\n")
        let wrong = try hedgeledger(["reconcile", "positions", "--db", db, header])
        #expect(wrong.status == 65 && wrong.stderr.contains("header.csv:1:1: the header needs instrument_name"), "\(wrong.stderr)")
        let stray = directory.write("stray.csv", "instrument_name,size\nBTC-PERPETUAL,-49,000\n")
        let strayResult = try hedgeledger(["reconcile", "positions", "--db", db, stray])
        #expect(strayResult.status == 65 && strayResult.stderr.contains("stray.csv:2:19: this row has 3 cells, the header 2"), "\(strayResult.stderr)")
        // Two columns for one figure, or the header again (two reports joined): refused, never one picked.
        let sizes = directory.write("sizes.csv", "instrument_name,size,size\nBTC-PERPETUAL,-49000,0\n")
        let sizesResult = try hedgeledger(["reconcile", "positions", "--db", db, sizes])
        #expect(sizesResult.status == 65 && sizesResult.stderr.contains("sizes.csv:1:22: column size is in the header twice (columns 2 and 3)"),
                "\(sizesResult.stderr)")
        let names = directory.write("names.csv", "instrument_name,size,instrument\nBTC-PERPETUAL,-49000,BTC-27NOV26-100000-C\n")
        let namesResult = try hedgeledger(["reconcile", "positions", "--db", db, names])
        #expect(namesResult.status == 65 && namesResult.stderr.contains("names.csv:1:22: both instrument_name and instrument"), "\(namesResult.stderr)")
        let joined = directory.write("joined.csv", "instrument_name,size\nBTC-PERPETUAL,-49000\ninstrument_name,size\n")
        let joinedResult = try hedgeledger(["reconcile", "positions", "--db", db, joined])
        #expect(joinedResult.status == 65 && joinedResult.stderr.contains("joined.csv:3:1: this row repeats the header"), "\(joinedResult.stderr)")
        let bothKeys = directory.write("both.json", #"[{"instrument_name": "BTC-PERPETUAL", "instrument": "BTC-27NOV26-100000-C", "size": 1}]"#)
        let bothResult = try hedgeledger(["reconcile", "positions", "--db", db, bothKeys])
        #expect(bothResult.status == 65 && bothResult.stderr.contains("both.json:1:2: position 1: both instrument_name and instrument"), "\(bothResult.stderr)")
        let twice = directory.write("twice.csv", "instrument_name,size\nBTC-PERPETUAL,-24500\nbtc-perpetual,-24500\n")
        let duplicate = try hedgeledger(["reconcile", "positions", "--db", db, twice])
        #expect(duplicate.status == 65 && duplicate.stderr.contains("twice.csv:3:1: btc-perpetual is listed again (first at line 2)"), "\(duplicate.stderr)")
        // After the put's expiry (20 Nov 08:00) the venue no longer lists it, and neither does the comparison.
        let later = directory.write("later.csv", """
            instrument_name,size
            BTC-27NOV26-100000-C,10
            BTC-PERPETUAL,-49000

            """)
        let afterExpiry = try hedgeledger(["reconcile", "positions", "--db", db, later, "--at", "2026-11-21"])
        #expect(afterExpiry.status == 0 && afterExpiry.stderr.contains("2 match, 0 differ, 0 only in the ledger"), "\(afterExpiry.stderr)")
        let future = try hedgeledger(["reconcile", "positions", "--db", db, matching, "--at", "2099-01-01"])
        #expect(future.status == 64 && future.stderr.contains("--at 2099-01-01T00:00:00Z is after now"), "\(future.stderr)")
        // An OCC symbol padded as venues write it is the ledger's name with one space.
        let padded = directory.write("padded.csv", "instrument_name,size\nbtc-27nov26-100000-c ,10\nBTC-20NOV26-95000-P,5\nBTC-PERPETUAL,-49000\n")
        let paddedResult = try hedgeledger(["reconcile", "positions", "--db", db, padded, "--at", "2026-11-19T13:00:00Z", "--format", "csv"])
        #expect(paddedResult.status == 0 && paddedResult.stdout.contains("BTC-27NOV26-100000-C,match"), "\(paddedResult.stdout)\(paddedResult.stderr)")
        let typo = try hedgeledger(["reconcile", "positions", "--db", db, matching, "--book", "mian"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'main'"), "\(typo.stderr)")
    }

    @Test("fills traces a difference: the fills behind the ledger's figure, each with its import and line; voided ones marked beside their corrections")
    func fillsTrace() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let header = "trade_id,timestamp,instrument,side,quantity,price\n"
        let file = directory.write("a.csv", header + "A1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,100,95000\nA2,2026-11-20T11:00:00Z,BTC-PERPETUAL,sell,30,95100\nA3,2026-11-20T11:30:00Z,ETH-PERPETUAL,buy,10,3500\n")
        #expect(try hedgeledger(["import", "trades", "--db", db, file]).status == 0)
        let report = directory.write("venue.csv", "instrument_name,size\nBTC-PERPETUAL,100\nETH-PERPETUAL,10\n")
        let reconciled = try hedgeledger(["reconcile", "positions", "--db", db, report, "--at", "2026-11-21"])
        let hint = "the fills behind the ledger's figure: hedgeledger fills --db \(db) --instrument BTC-PERPETUAL --to 2026-11-21T00:00:00Z"
        #expect(reconciled.status == 2 && reconciled.stderr.contains(hint + "\n"), "\(reconciled.stderr)")
        // The hint runs as given: the fills up to the report's time.
        let hinted = try hedgeledger(hint.components(separatedBy: "figure: hedgeledger ")[1].split(separator: " ").map(String.init) + ["--format", "csv"])
        #expect(hinted.status == 0 && hinted.stdout.contains(",A1,") && hinted.stdout.contains(",A2,") && !hinted.stdout.contains(",A3,"), "\(hinted.stdout)")
        // Deribit reports one currency at a time: --currency compares only the positions settled in it.
        let btcOnly = directory.write("btc.csv", "instrument_name,size\nBTC-PERPETUAL,70\n")
        let everything = try hedgeledger(["reconcile", "positions", "--db", db, btcOnly, "--at", "2026-11-21"])
        #expect(everything.status == 2 && everything.stderr.contains("1 only in the ledger"), "\(everything.stderr)")
        let perCurrency = try hedgeledger(["reconcile", "positions", "--db", db, btcOnly, "--at", "2026-11-21", "--currency", "btc", "--format", "json"])
        #expect(perCurrency.status == 0 && perCurrency.stderr.contains("1 match, 0 differ, 0 only in the ledger"), "\(perCurrency.stderr)")
        #expect((try jsonObject(perCurrency.stdout)["parameters"] as? [String: Any])?["currency"] as? String == "BTC")
        try ReportOutputTests().expectDocumented(perCurrency.stdout)
        let unknown = try hedgeledger(["reconcile", "positions", "--db", db, btcOnly, "--currency", "XRP"])
        #expect(unknown.status == 64 && unknown.stderr.contains("--currency") && unknown.stderr.contains("BTC, ETH"), "\(unknown.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let listed = try hedgeledger(["fills", "--db", db, "--instrument", "btc-perpetual", "--format", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        try ReportOutputTests().expectDocumented(listed.stdout)
        let rows = try #require(try jsonObject(listed.stdout)["fills"] as? [[String: Any]])
        #expect(rows.map { "\($0["trade_id"]!) \($0["side"]!) \($0["quantity"]!) \($0["import_id"]!):\($0["line"]!) \($0["voided"]!)" }
                == ["A1 buy 100 1:2 0", "A2 sell 30 1:3 0"])
        #expect((try jsonObject(listed.stdout)["parameters"] as? [String: Any])?["instrument"] as? String == "BTC-PERPETUAL")
        let eth = try hedgeledger(["fills", "--db", db, "--underlying", "eth", "--format", "csv"])
        #expect(eth.stdout.contains(",A3,") && !eth.stdout.contains(",A1,"), "\(eth.stdout)")
        let later = try hedgeledger(["fills", "--db", db, "--from", "2026-11-20T10:30:00Z", "--format", "csv"])
        #expect(later.stdout.contains(",A2,") && later.stdout.contains(",A3,") && !later.stdout.contains(",A1,"), "\(later.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let typo = try hedgeledger(["fills", "--db", db, "--instrument", "BTC-PERPETUA"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'BTC-PERPETUAL'?"), "\(typo.stderr)")
        // Voided and corrected: both versions listed with --include-voided, the void marked, the correction the next revision.
        #expect(try hedgeledger(["void", "import", "1", "--db", db, "--reason", "wrong size"]).status == 0)
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("b.csv", header + "A2,2026-11-20T11:00:00Z,BTC-PERPETUAL,sell,20,95100\n")]).status == 0)
        let all = try hedgeledger(["fills", "--db", db, "--instrument", "BTC-PERPETUAL", "--include-voided", "--format", "json"])
        let versions = try #require(try jsonObject(all.stdout)["fills"] as? [[String: Any]])
        #expect(versions.map { "\($0["trade_id"]!) r\($0["revision"]!) \($0["quantity"]!) \($0["voided"]!)" }
                == ["A1 r0 100 1", "A2 r0 30 1", "A2 r1 20 0"], "\(all.stdout)")
        let live = try hedgeledger(["fills", "--db", db, "--instrument", "BTC-PERPETUAL", "--format", "csv"])
        #expect(live.stdout.split(whereSeparator: \.isNewline).count == 2 && live.stdout.contains(",A2,1,"), "\(live.stdout)")
    }

}
