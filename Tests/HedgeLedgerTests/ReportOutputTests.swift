import Foundation
import Testing
@testable import HedgeLedger

/// Output a script can use: one JSON object per report in the documented shape, typed values
/// at full precision, CSV numbers left alone, and a command line that forgives what it can
/// and explains what it cannot.
@Suite("Report output and the command line", .serialized)
struct ReportOutputTests {
    /// The documented fields of each report section, read from docs/json.md's tables:
    /// schema name → section → field → (type, nullable).
    static func documentedSchemas() throws -> [String: [String: [String: (type: String, nullable: Bool)]]] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/json.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var schemas: [String: [String: [String: (type: String, nullable: Bool)]]] = [:]
        var schema: String?, section: String?
        // "Section `x`: as section `y` of `hedgeledger.z`": the same fields as that one.
        var references: [(schema: String, section: String, from: String, fromSection: String)] = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("## hedgeledger.") {
                schema = String(line.dropFirst(3).prefix { $0 != "," })
                section = nil
            } else if line.hasPrefix("Section `"), let schema {
                section = String(line.dropFirst(9).prefix { $0 != "`" })
                schemas[schema, default: [:]][section!] = [:]
                if let range = line.range(of: "as section `") {
                    let rest = line[range.upperBound...]
                    let fromSection = String(rest.prefix { $0 != "`" })
                    if let of = rest.range(of: "of `") {
                        references.append((schema, section!, String(rest[of.upperBound...].prefix { $0 != "`" }), fromSection))
                    }
                }
            } else if line.hasPrefix("| `"), let schema, let section {
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }
                let type = cells[1]
                schemas[schema]![section]![cells[0]] = (String(type.split(separator: " ")[0]), type.hasSuffix("or null"))
            }
        }
        for reference in references {
            schemas[reference.schema]![reference.section] = schemas[reference.from]?[reference.fromSection] ?? [:]
        }
        return schemas
    }

    /// Sections documented as present only in some reports ("Section `x`, only when ..."), as schema.section.
    static func optionalSections() throws -> Set<String> {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/json.md").path
        var optional = Set<String>(), schema = ""
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init) {
            if line.hasPrefix("## hedgeledger.") { schema = String(line.dropFirst(3).prefix { $0 != "," }) }
            if line.hasPrefix("Section `") && line.contains("only when") {
                optional.insert(schema + "." + String(line.dropFirst(9).prefix { $0 != "`" }))
            }
        }
        return optional
    }

    /// Checks one report's JSON against the documentation, value by value.
    /// `empty`: sections this report may have with no rows (the test then checks their shape nowhere).
    func expectDocumented(_ json: String, empty: Set<String> = []) throws {
        let object = try jsonObject(json)
        let schema = try #require(object["schema"] as? [String: Any])
        let name = try #require(schema["name"] as? String)
        let documented = try #require(try Self.documentedSchemas()[name], "\(name) is not documented in docs/json.md")
        #expect(object["parameters"] is [String: Any] && object.keys.contains("as_of"))
        let optional = try Self.optionalSections()
        for (section, fields) in documented {
            if optional.contains(name + "." + section) && object[section] == nil { continue }
            let rows = try #require(object[section] as? [[String: Any]], "\(name) has no section \(section)")
            #expect(!rows.isEmpty || empty.contains(section), "\(name).\(section) is empty: the test checks nothing")
            for row in rows {
                #expect(Set(row.keys) == Set(fields.keys), "\(name).\(section): \(Set(row.keys).symmetricDifference(fields.keys))")
                for (field, spec) in fields {
                    let value = row[field]
                    if value is NSNull { #expect(spec.nullable, "\(name).\(section).\(field) is null"); continue }
                    // Foundation decodes true and false as its boolean class, numbers as NSNumber.
                    let isBoolean = value.map { String(describing: type(of: $0)).contains("Boolean") } ?? false
                    let ok: Bool
                    switch spec.type {
                    case "string", "time": ok = value is String
                    case "exact", "number": ok = value is NSNumber && !isBoolean
                    case "integer": ok = !isBoolean && (value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } == true
                    case "boolean": ok = isBoolean
                    case "amounts": ok = value is [String: Any]
                    default: ok = false
                    }
                    #expect(ok, "\(name).\(section).\(field) = \(String(describing: value)) is not a \(spec.type)")
                }
            }
        }
    }

    func sampleLedger(_ directory: TemporaryDirectory) throws -> String {
        try cliLedger(in: directory, trades: ValuationTests.trades, snapshots: ValuationTests.marks)
    }

    @Test("every report's JSON is the documented shape, with typed values")
    func documentedJSON() throws {
        let directory = TemporaryDirectory()
        let db = try sampleLedger(directory)
        for command in [["positions", "--at", "2026-11-28"], ["greeks", "--at", "2026-11-20T10:05:00Z"],
                        ["marks", "check", "--at", "2026-11-20T10:05:00Z"], ["imports"]] {
            let result = try hedgeledger(["--db", db] + command + ["--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            try expectDocumented(result.stdout)
        }
    }

    @Test("JSON keeps exact amounts in full and doubles at full precision")
    func precision() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: """
            trade_id,timestamp,instrument,side,quantity,price
            1,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,buy,0.000000000000000001,95000
            2,2026-11-20T10:00:00Z,ETH_USDC-PERPETUAL,buy,1,3400.123456789012345678

            """)
        let json = try hedgeledger(["--db", db, "positions", "--format", "json"]).stdout
        #expect(json.contains("\"quantity\": 0.000000000000000001") && json.contains("\"avg_price\": 3400.123456789012345678"))
        let table = try hedgeledger(["--db", db, "positions"]).stdout
        #expect(table.contains(" 3400.12345679 "))  // only the table rounds

        let greeksDB = try sampleLedger(directory)
        let greeks = try jsonObject(try hedgeledger(["--db", greeksDB, "greeks", "--at", "2026-11-20T10:05:00Z", "--format", "json"]).stdout)
        let perp = try #require((greeks["positions"] as? [[String: Any]])?.first { $0["instrument"] as? String == "BTC-PERPETUAL" })
        #expect(perp["delta"] as? Double == 95000.0 / 96010.0)
    }

    @Test("CSV: numbers are never prefixed; text cells that look like formulas are")
    func csvCells() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: "trade_id,timestamp,instrument,side,quantity,price,fee,book\n1,2026-11-20T10:00:00Z,BTC_USDC-PERPETUAL,sell,2,95000,-0.5,-desk\n")
        let rows = csvRecords(try hedgeledger(["--db", db, "positions", "--format", "csv"]).stdout)
        // Amounts with their currency are text to a spreadsheet: guarded like a book's name.
        #expect(rows.first?["quantity"] == "-2" && rows.first?["book"] == "'-desk" && rows.first?["fees"] == "'-0.5 USDC")
    }

    @Test("CSV cells by bytes: quoting, formula guards and whole-number doubles, with non-ASCII text")
    func csvCellBytes() {
        var table = Table(name: "t", title: "", columns: [.init("a"), .init("b"), .init("c"), .init("d"), .init("e"), .init("f")])
        table.rows = [[.text("a,b"), .text("naïve \"q\""), .number(2.0), .number(-1.5e-05), .text("@x"), .text("ü=1")],
                      [.text("\u{1F4C8}\r\n"), .text("-desk"), .number(-0.0), .integer(-3), .bool(false), .empty]]
        let csv = CSVRenderer.render(Report(schema: .init(name: "t", version: 1), asOf: nil, sections: [table]))
        #expect(csv == "a,b,c,d,e,f\r\n\"a,b\",\"naïve \"\"q\"\"\",2,-1.5e-05,'@x,ü=1\r\n\"\u{1F4C8}\r\n\",'-desk,-0,-3,false,\r\n")
    }

    @Test("--db works before the subcommand as after it")
    func globalDatabase() throws {
        let directory = TemporaryDirectory()
        let db = try sampleLedger(directory)
        let before = try hedgeledger(["--db", db, "positions", "--at", "2026-11-21", "--format", "csv"])
        let after = try hedgeledger(["positions", "--at", "2026-11-21", "--format", "csv", "--db", db])
        #expect(before.status == 0 && before.stdout == after.stdout && before.stdout.contains("BTC-PERPETUAL"))
        // Both places, two ledgers: which was meant is a guess (argument-parser keeps the last).
        let twice = try hedgeledger(["--db", directory.file("other.sqlite"), "positions", "--db", db])
        #expect(twice.status == 64 && twice.stderr.contains("--db is given twice, as \(directory.file("other.sqlite")) and \(db); it takes one value"),
                "\(twice.stderr)")
        #expect(try hedgeledger(["--db", db, "positions", "--db=\(db)", "--at", "2026-11-21", "--format", "csv"]).stdout == before.stdout)
        // The same ledger named two ways is one ledger.
        let relative = try hedgeledger(["--db", "l.sqlite", "positions", "--db", "./l.sqlite", "--at", "2026-11-21", "--format", "csv"],
                                       directory: URL(fileURLWithPath: db).deletingLastPathComponent().path)
        #expect(relative.status == 0 && relative.stdout == before.stdout, "\(relative.stderr)")
        // Any option of one value given two is refused the same way (argument-parser keeps the last); a repeatable one is not.
        let books = try hedgeledger(["fills", "--db", db, "--book", "main", "--book", "other"])
        #expect(books.status == 64 && books.stderr.contains("--book is given twice, as main and other; it takes one value, so give it once"), "\(books.stderr)")
        let times = try hedgeledger(["positions", "--db", db, "--at=2026-11-21", "--at", "2026-11-22"])
        #expect(times.status == 64 && times.stderr.contains("--at is given twice, as 2026-11-21 and 2026-11-22"), "\(times.stderr)")
        #expect(try hedgeledger(["positions", "--db", db, "--book", "main", "--book", "main", "--at", "2026-11-21", "--format", "csv"]).status == 0)
        let report = directory.write("venue.csv", "instrument_name,size\nBTC-PERPETUAL,0\n")
        let repeatable = try hedgeledger(["reconcile", "positions", "--db", db, "--book", "main", "--book", "nope", report])
        #expect(!repeatable.stderr.contains("given twice") && repeatable.stderr.contains("nope"), "\(repeatable.stderr)")
        let help = try hedgeledger(["--help"])
        #expect(help.stdout.contains("--db <path>"))
        for command in [["demo"], ["generate", "trades"], ["generate", "snapshots"]] {
            let refused = try hedgeledger(["--db", db] + command)
            #expect(refused.status == 64 && refused.stderr.contains("--db does not apply to \(command[0])"), "\(refused.stderr)")
        }
    }

    @Test("unknown names, bad times and mistyped commands are usage errors (64) that say what would work")
    func usageErrors() throws {
        let directory = TemporaryDirectory()
        let db = try sampleLedger(directory)
        let book = try hedgeledger(["--db", db, "positions", "--book", "mian"])
        #expect(book.status == 64 && book.stderr.contains("--book 'mian' matches nothing in this ledger (did you mean 'main'?); known: main"))
        let coin = try hedgeledger(["--db", db, "greeks", "--underlying", "SOLL"])
        #expect(coin.status == 64 && coin.stderr.contains("known: BTC"))
        let lower = try hedgeledger(["--db", db, "positions", "--underlying", "btc", "--format", "csv"])
        #expect(lower.status == 0 && lower.stdout.contains("BTC-PERPETUAL"))
        let spaced = try hedgeledger(["--db", db, "positions", "--at", "2026-11-20 09:01:30Z", "--format", "csv"])
        #expect(spaced.status == 0 && spaced.stdout.contains("BTC-PERPETUAL") && !spaced.stdout.contains("BTC_USDC"))
        let date = try hedgeledger(["--db", db, "positions", "--at", "2026-11-21", "--format", "json"])
        #expect(try jsonObject(date.stdout)["as_of"] as? String == "2026-11-21T00:00:00Z")
        let naive = try hedgeledger(["--db", db, "positions", "--at", "2026-11-20 10:00"])
        #expect(naive.status == 64 && naive.stderr.contains("has no time zone; expected ISO-8601 with a zone"))
        let typo = try hedgeledger(["--db", db, "postions"])
        #expect(typo.status == 64 && typo.stderr.contains("unknown command 'postions' for `hedgeledger`. Did you mean 'positions'?"))
        for (words, message) in [(["import", "trade", "x.csv"], "unknown command 'trade' for `hedgeledger import`. Did you mean 'trades'?"),
                                 (["marks", "chek"], "Did you mean 'check'?"), (["void", "imprt", "1"], "Did you mean 'import'?")] {
            let result = try hedgeledger(["--db", db] + words)
            #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
        }
        let emptyPath = try hedgeledger(["--db", "", "positions"])
        #expect(emptyPath.status == 64 && emptyPath.stderr.contains("--db needs a file path"))
    }

    @Test("a hedge ratio with no hedge is 0, never -0")
    func noNegativeZero() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: "trade_id,timestamp,instrument,side,quantity,price\n1,2026-11-20T09:00:00Z,BTC-27NOV26-95000-C,sell,2,0.04\n",
                               snapshots: ValuationTests.marks)
        let csv = csvRecords(try hedgeledger(["--db", db, "greeks", "--at", "2026-11-20T10:05:00Z", "--format", "csv"]).stdout)
        #expect(csv.last?["hedge_ratio"] == "0")
        let json = try hedgeledger(["--db", db, "greeks", "--at", "2026-11-20T10:05:00Z", "--format", "json"]).stdout
        #expect(json.contains("\"hedge_ratio\": 0.0,") && !json.contains("\"hedge_ratio\": -0"))
    }

    @Test("imports lists every import with its SHA-256 and counts")
    func importsList() throws {
        let directory = TemporaryDirectory()
        let db = try sampleLedger(directory)
        let rows = csvRecords(try hedgeledger(["--db", db, "imports", "--format", "csv"]).stdout)
        #expect(rows.count == 2 && rows[0]["kind"] == "trades" && rows[1]["kind"] == "snapshots")
        #expect(rows[0]["sha256"] == SHA256Hex.of(Array(ValuationTests.trades.utf8)) && rows[0]["rows_accepted"] == "4")
    }
}
