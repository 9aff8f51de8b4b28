import Foundation
import Testing
@testable import HedgeLedger

/// `report eod` and `backup`: the day's report, section by section against the stored history
/// and what follows from it by hand; the same report regenerated; every format safe to open.
@Suite("End-of-day report and backup")
struct EndOfDayTests {
    /// Options bought at 10:00 and a perpetual sold at 12:30 on 2026-11-19, marks at 12:00 and
    /// 13:00, a ±0.2 coin band from that day, and a rebalance decided at 12:49 that nothing filled.
    func ledger(in directory: TemporaryDirectory, book: String = "main") throws -> String {
        let trades = RecomputeTests.trades.replacingOccurrences(of: "trade_id,timestamp,instrument,side,quantity,price",
                                                                 with: "trade_id,timestamp,instrument,side,quantity,price,book")
            .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) : "\($0.element),\"\(book.replacingOccurrences(of: "\"", with: "\"\""))\"" }
            .joined(separator: "\n") + "\n"
        let db = try cliLedger(in: directory, trades: trades, snapshots: RecomputeTests.marks)
        for arguments in [
            ["policy", "set", book, "--underlying", "BTC", "--band", "0.2", "--effective", "2026-11-19"],
            ["hedge", "record", "--book", book, "--underlying", "BTC", "--action", "rebalance", "--instrument", "BTC-PERPETUAL",
             "--quantity", "-20000", "--price", "95900", "--id", "ext-1", "--at", "2026-11-19T12:49:00Z"],
            ["recompute"],
        ] {
            let result = try hedgeledger(arguments + ["--db", db])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        return db
    }

    func eod(_ db: String, _ extra: [String] = []) throws -> CLIResult {
        try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--out", "-"] + extra)
    }

    @Test("the day's report, section by section: summary from the stored rows by hand, decisions, exceptions, integrity")
    func sections() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        let result = try eod(db, ["--format", "json", "--every", "all"])
        #expect(result.status == 0, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout, empty: ["settlements", "imports"])
        let report = try jsonObject(result.stdout)
        #expect(report["from"] as? String == "2026-11-19T00:00:00Z" && report["to"] as? String == "2026-11-20T00:00:00Z")
        #expect(report["stale"] as? Bool == false && report["quick_verify_passed"] as? Bool == true)
        #expect((report["chain_head"] as? String)?.count == 64 && (report["inputs_sha256"] as? String)?.count == 64)

        // The stored rows of the day, and the row in force at its start (none: the book starts at 10:00).
        let history = try #require(try jsonObject(try hedgeledger(["history", "--db", db, "--from", "2026-11-19", "--to", "2026-11-19T23:59:59Z",
                                                                    "--format", "json"]).stdout)["history"] as? [[String: Any]])
        let rows = history.map { (time: try! TimestampSyntax.parse($0["time"] as! String).get(), net: ($0["net_delta"] as! NSNumber).doubleValue) }
        #expect(rows.count >= 3)
        // Outside the ±0.2 band: each row's net delta holds until the next row, the last until midnight.
        let end = try TimestampSyntax.parse("2026-11-20T00:00:00Z").get()
        var outside = 0.0
        for (index, row) in rows.enumerated() where abs(row.net) > 0.2 {
            outside += (index + 1 < rows.count ? rows[index + 1].time : end).seconds(since: row.time)
        }
        let summary = try #require((report["summary"] as? [[String: Any]])?.first)
        func number(_ field: String) -> Double { (summary[field] as? NSNumber)?.doubleValue ?? .nan }
        #expect(summary["book"] as? String == "main" && summary["underlying"] as? String == "BTC")
        #expect(number("net_delta") == rows.last!.net)
        #expect(number("max_abs_net_delta") == rows.map { abs($0.net) }.max()!)
        #expect(abs(number("time_outside_band_s") - outside) < 1e-6 && outside > 0)
        #expect(summary["hedges"] as? Int == 1 && summary["exposure_rows"] as? Int == rows.count)
        #expect(summary["complete"] as? Bool == true && summary["unpriced"] as? Int == 0)

        // The P&L explain is the day's intervals summed; effectiveness follows from them (domain.md).
        func value(_ row: [String: Any], _ field: String) -> Double? { (row[field] as? NSNumber)?.doubleValue }
        let intervals = history.filter { value($0, "pnl_usd") != nil }
        func total(_ field: String) -> Double { intervals.compactMap { value($0, field) }.reduce(0, +) }
        let explain = try #require((report["pnl_explain"] as? [[String: Any]])?.first)
        #expect(explain["intervals"] as? Int == intervals.count && intervals.count >= 2)
        for (field, source) in [("pnl_usd", "pnl_usd"), ("delta_usd", "pnl_delta_usd"), ("gamma_usd", "pnl_gamma_usd"),
                                ("vega_usd", "pnl_vega_usd"), ("theta_usd", "pnl_theta_usd"), ("options_pnl_usd", "pnl_options_usd"),
                                ("hedges_pnl_usd", "pnl_hedges_usd")] {
            #expect(abs((value(explain, field) ?? .nan) - total(source)) < 1e-6, "\(field)")
        }
        let options = total("pnl_options_usd"), hedges = total("pnl_hedges_usd")
        let effectiveness = try #require((report["effectiveness"] as? [[String: Any]])?.first)
        #expect(abs((value(effectiveness, "dollar_offset") ?? .nan) - (-hedges / options)) < 1e-9)
        #expect(effectiveness["highly_effective"] as? Bool == (0.8...1.25).contains(-hedges / options))
        func variance(_ values: [Double]) -> Double {
            let mean = values.reduce(0, +) / Double(values.count)
            return values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
        }
        let unhedged = intervals.map { value($0, "pnl_options_usd")! }
        let hedged = intervals.map { value($0, "pnl_options_usd")! + value($0, "pnl_hedges_usd")! }
        #expect(abs((value(effectiveness, "variance_reduction") ?? .nan) - (1 - variance(hedged) / variance(unhedged))) < 1e-9)

        // A row at a cutoff is the first of its day: the expiry at 08:00 on the 20th is in the day starting then, once.
        let expiryDay = try jsonObject(try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-20", "--cutoff", "08:00",
                                                        "--format", "json", "--out", "-"]).stdout)
        let dayBefore = try jsonObject(try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--cutoff", "08:00",
                                                        "--format", "json", "--out", "-"]).stdout)
        let expiryExplain = try #require((expiryDay["pnl_explain"] as? [[String: Any]])?.first)
        let beforeExplain = try #require((dayBefore["pnl_explain"] as? [[String: Any]])?.first)
        #expect(expiryExplain["unexplained_intervals"] as? Int == 1 && expiryExplain["intervals"] as? Int == 0, "\(expiryExplain)")
        #expect(beforeExplain["intervals"] as? Int == intervals.count, "\(beforeExplain)")

        let timeline = try #require(report["timeline"] as? [[String: Any]])
        #expect(timeline.count == rows.count)
        let decisions = try #require(report["decisions"] as? [[String: Any]])
        #expect(decisions.map { $0["decision_id"] as? String } == ["ext-1"] && decisions[0]["execution"] as? String == "unfilled")
        let kinds = Set(try #require(report["exceptions"] as? [[String: Any]]).compactMap { $0["kind"] as? String })
        #expect(kinds.isSuperset(of: ["unfilled", "unlinked-fill", "backdated-policy", "late-record"]), "\(kinds)")
        let imports = try #require(report["imports"] as? [[String: Any]])
        #expect(imports.isEmpty)  // imported today, not on 2026-11-19
        let integrity = try #require(report["integrity"] as? [[String: Any]])
        #expect(integrity.contains { $0["check"] as? String == "journal chain" && $0["result"] as? String == "ok" })
        let positions = try #require(report["positions"] as? [[String: Any]])
        #expect(Set(positions.compactMap { $0["instrument"] as? String }) == ["BTC-27NOV26-100000-C", "BTC-20NOV26-95000-P", "BTC-PERPETUAL"])
    }

    @Test("hedge effectiveness from spreads: null where the options' P&L spread is rounding noise, not -2.5e24")
    func spreadsOfNoise() throws {
        // Standard deviations 100 and 20 USD.
        let real = EndOfDayReport.spreads(unhedged: [100, -100, 0], hedged: [20, -20, 0])
        #expect(abs(try #require(real.varianceReduction) - 0.96) < 1e-12)
        #expect(abs(try #require(real.removed) - 80) < 1e-9)
        let noise = EndOfDayReport.spreads(unhedged: [4.5e-12, -4.5e-12, 0], hedged: [3, -3, 1])
        #expect(noise.varianceReduction == nil && noise.removed == nil)
        // The hedges added spread: a reduction below zero, and nothing removed to price.
        let worse = EndOfDayReport.spreads(unhedged: [1, -1], hedged: [5, -5])
        #expect(abs(try #require(worse.varianceReduction) + 24) < 1e-9 && worse.removed == nil)
        let one = EndOfDayReport.spreads(unhedged: [100], hedged: [1])
        #expect(one.varianceReduction == nil && one.removed == nil)
    }

    @Test("a ledger changed outside hedgeledger: the report is still written, headed INTEGRITY, and exits 2")
    func tamperedLedger() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let tampered = try TamperTests().tampered("UPDATE fills SET price = '1' WHERE id = 1", tables: ["fills"], in: directory, from: db)
        let result = try hedgeledger(["report", "eod", "--db", tampered, "--date", "2026-11-19", "--out", "-"])
        #expect(result.status == 2 && result.stderr.contains("INTEGRITY: verify --quick failed"), "\(result.stderr)")
        #expect(result.stdout.contains("INTEGRITY: verify --quick failed") && result.stdout.contains("quick_verify_passed"), "\(result.stdout)")
        let clean = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--out", "-"])
        #expect(clean.status == 0 && !clean.stdout.contains("INTEGRITY"), "\(clean.stderr)")
        // The heading says which books the report covers (JSON's books is empty for every book).
        #expect(clean.stdout.hasPrefix("# End of day 2026-11-19, cutoff 2026-11-20T00:00:00Z, every book\n"), "\(clean.stdout.prefix(80))")
        let main = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--book", "main", "--out", "-"])
        #expect(main.stdout.hasPrefix("# End of day 2026-11-19, cutoff 2026-11-20T00:00:00Z, book main\n"), "\(main.stdout.prefix(80))")
    }

    @Test("regenerated, the report is the same except its generated_at line; every format is written whole")
    func reproducible() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        func withoutGeneratedAt(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("generated_at") }.joined(separator: "\n")
        }
        for format in ["md", "html", "json"] {
            let first = try eod(db, ["--format", format]), second = try eod(db, ["--format", format])
            #expect(first.status == 0 && second.status == 0, "\(format): \(first.stderr)")
            #expect(withoutGeneratedAt(first.stdout) == withoutGeneratedAt(second.stdout), "\(format)")
            #expect(first.stdout != withoutGeneratedAt(first.stdout), "\(format) has a generated_at line")
        }
        // Files: written under their default names, a CSV directory of one file per section.
        let written = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "html"], directory: directory.path)
        #expect(written.status == 0 && written.stderr.contains("written to eod-2026-11-19.html"), "\(written.stderr)")
        let html = try String(contentsOfFile: directory.file("eod-2026-11-19.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("Content-Security-Policy") && html.contains("<svg"))
        // Three charts per pair: net delta against the band, the hedge ratio, the P&L explain as bars.
        #expect(html.contains("aria-label=\"hedge ratio\"") && html.contains("the day's P&amp;L explain, USD"), "\(html.prefix(200))")
        #expect(!html.contains("<script") && !html.contains("http://") || html.contains("http://www.w3.org/2000/svg"))
        let csv = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", directory.file("csv")])
        #expect(csv.status == 0, "\(csv.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.file("csv")).sorted()
        #expect(files.contains("header.csv") && files.contains("summary.csv") && files.contains("timeline.csv") && files.contains("exceptions.csv"))
        let again = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", directory.file("csv")])
        #expect(again.status != 0 && again.stderr.contains("exists"))
        // An existing report is replaced only with --force; csv cannot go to stdout (a usage error).
        let exists = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "html"], directory: directory.path)
        #expect(exists.status == 64 && exists.stderr.contains("pass --force"), "\(exists.stderr)")
        let forced = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", directory.file("csv"), "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        // --force replaces an earlier report, never a file or a directory holding other files.
        let plain = directory.write("plain.txt", "x\n")
        let overFile = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", plain, "--force"])
        #expect(overFile.status == 64 && overFile.stderr.contains("it is a file, and a csv report is a directory of files"), "\(overFile.stderr)")
        #expect(try String(contentsOfFile: plain, encoding: .utf8) == "x\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).allSatisfy { !$0.contains(".old-") && !$0.contains(".tmp-") })
        _ = directory.write("csv/notes.txt", "mine\n")
        let foreign = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", directory.file("csv"), "--force"])
        #expect(foreign.status == 64 && foreign.stderr.contains("it holds notes.txt, which this report does not write"), "\(foreign.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.file("csv/notes.txt")))
        // A directory named with a trailing slash, as the README writes it; a subdirectory inside is not the report's.
        let slashed = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", directory.file("slashed") + "/"])
        #expect(slashed.status == 0 && FileManager.default.fileExists(atPath: directory.file("slashed/summary.csv")), "\(slashed.stderr)")
        try FileManager.default.createDirectory(atPath: directory.file("slashed/fills.csv.d"), withIntermediateDirectories: true)
        let nested = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", directory.file("slashed") + "/", "--force"])
        #expect(nested.status == 64 && nested.stderr.contains("it holds fills.csv.d"), "\(nested.stderr)")
        let permissions = try FileManager.default.attributesOfItem(atPath: directory.file("eod-2026-11-19.html"))[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        #expect(try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", "-"]).status == 64)
        let nowhere = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--out", directory.file("no/such/dir.md")])
        #expect(nowhere.status == 73 && nowhere.stderr.contains("no/such/dir.md: cannot write") && !nowhere.stderr.contains(".tmp-"), "\(nowhere.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") || $0.contains(".old-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a book with nothing priced: the summary's net delta says it is incomplete, not a bare 0")
    func unpricedBook() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: RecomputeTests.trades)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let result = try eod(db, ["--format", "json"])
        let summary = try #require((try jsonObject(result.stdout)["summary"] as? [[String: Any]])?.first, "\(result.stderr)")
        #expect(summary["complete"] as? Bool == false && summary["unpriced"] as? Int == 3, "\(summary)")
        // Nothing priced, nothing explained: the day's P&L is unknown (null), not 0.
        let explain = try #require((try jsonObject(result.stdout)["pnl_explain"] as? [[String: Any]])?.first)
        #expect(explain["pnl_usd"] is NSNull && explain["intervals"] as? Int == 0, "\(explain)")
        try ReportOutputTests().expectDocumented(result.stdout, empty: ["settlements", "imports", "decisions", "timeline", "exposure_at_cutoff", "positions", "charts"])
        // In HTML the incomplete summary stands out, and the chart says its rows left positions unpriced.
        let html = try eod(db, ["--format", "html"]).stdout
        #expect(html.contains("<td class=\"no\">no</td>") && html.contains("rows left positions unpriced"), "\(html.prefix(400))")
        // A day that has not begun is refused.
        let future = try hedgeledger(["report", "eod", "--db", db, "--date", "2099-01-01", "--out", "-"])
        #expect(future.status == 64 && future.stderr.contains("after now"), "\(future.stderr)")
    }

    @Test("a history behind the ledger is refused (exit 3, nothing written) unless --allow-stale, which says STALE")
    func stale() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        let later = directory.write("later.csv", "trade_id,timestamp,instrument,side,quantity,price\n9,2026-11-19T14:00:00Z,BTC-PERPETUAL,buy,10,97000\n")
        #expect(try hedgeledger(["import", "trades", "--db", db, later]).status == 0)
        let refused = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19"], directory: directory.path)
        #expect(refused.status == 3 && refused.stderr.contains("--allow-stale"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("eod-2026-11-19.md")))
        let allowed = try eod(db, ["--allow-stale"])
        #expect(allowed.status == 0 && allowed.stdout.contains("**STALE") && allowed.stdout.contains("- stale: yes"), "\(allowed.stdout)")
        let unknown = try eod(db, ["--book", "mian"])
        #expect(unknown.status == 64 && unknown.stderr.contains("did you mean 'main'"), "\(unknown.stderr)")
    }

    @Test("values from the data cannot become markup: HTML, Markdown and CSV", arguments: ["<script>alert(1)</script>", "=HYPERLINK(\"x\")|**b**"])
    func injection(book: String) throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory, book: book)
        let html = try eod(db, ["--format", "html"]).stdout
        #expect(!html.contains(book) && !html.contains("<script"))
        #expect(html.contains(HTMLRenderer.escape(book)))
        let markdown = try eod(db, ["--format", "md"]).stdout
        #expect(!markdown.contains("<script") && !markdown.contains("|**b**"))
        #expect(markdown.contains(MarkdownRenderer.escape(book)))
        let out = directory.file("csv")
        #expect(try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-19", "--format", "csv", "--out", out]).status == 0)
        let summary = try String(contentsOfFile: out + "/summary.csv", encoding: .utf8)
        if book.hasPrefix("=") { #expect(summary.contains("\"'=HYPERLINK(\"\"x\"\")|**b**\"")) } else { #expect(summary.contains(book)) }
    }

    @Test("backup: a verified copy, owner-only, never over an existing file")
    func backup() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        let copy = directory.file("copy.sqlite")
        let made = try hedgeledger(["backup", "--db", db, copy])
        #expect(made.status == 0 && made.stderr.contains("backed up to") && made.stderr.contains("chain head"), "\(made.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: copy)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let original = try jsonObject(try hedgeledger(["verify", "--db", db, "--format", "json"]).stdout)
        let copied = try jsonObject(try hedgeledger(["verify", "--db", copy, "--format", "json"]).stdout)
        #expect(copied["passed"] as? Bool == true && copied["head"] as? String == original["head"] as? String)
        let again = try hedgeledger(["backup", "--db", db, copy])
        #expect(again.status == 64 && again.stderr.contains("never replaces anything"), "\(again.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
