import Foundation
import Testing
@testable import HedgeLedger

/// The end-of-day report of a small book made with fixed clocks, in every format, against the
/// files in Tests/Golden: any change to what a report says, or how a format writes it, shows
/// here line by line. After a deliberate change: `HEDGELEDGER_UPDATE_GOLDEN=1 swift test
/// --filter GoldenReportTests`, then read the diff before committing it.
@Suite("End-of-day report golden files")
struct GoldenReportTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// RecomputeTests' book: options and a perpetual, marks at 12:00 and 13:00, a ±0.2 band
    /// from the day, one rebalance decided (and unfilled), every record written at a fixed time.
    func report(in directory: String) throws -> EndOfDayReport {
        func write(_ name: String, _ text: String) throws -> String {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            return directory + "/" + name
        }
        let ledger = try Ledger(path: directory + "/golden.sqlite", create: true, now: time("2026-11-18T12:00:00Z"))
        _ = try TradeImporter(ledger: ledger).importTrades(from: try ByteSource(path: try write("trades.csv", RecomputeTests.trades)),
                                                           now: time("2026-11-19T12:35:00Z"))
        _ = try HedgePolicyService(ledger: ledger).set(
            HedgePolicy(book: "main", underlying: "BTC", effective: time("2026-11-19T00:00:00Z"), band: .fixed(width: decimal("0.2"))),
            recordedBy: "golden", now: time("2026-11-19T12:36:00Z"))
        _ = try SnapshotImporter(ledger: ledger).importSnapshots(from: try ByteSource(path: try write("marks.csv", RecomputeTests.marks)),
                                                                 now: time("2026-11-19T13:05:00Z"))
        _ = try RecomputeService(ledger: ledger, codeVersion: "golden").recompute(now: time("2026-11-19T13:10:00Z"))
        _ = try HedgeJournalService(ledger: ledger).record([
            HedgeDecision(key: "ext-1", time: time("2026-11-19T12:49:00Z"), book: "main", underlying: "BTC", action: .rebalance,
                          instrument: "BTC-PERPETUAL", quantity: decimal("-20000"), referencePrice: decimal("95900"), decidedBy: "golden",
                          rationale: "over the band", source: .record),
        ], now: time("2026-11-19T12:49:01Z"))
        return try EndOfDayReport.build(ledger: ledger, date: time("2026-11-19T00:00:00Z"), cutoffMinutes: 0, books: [],
                                        codeVersion: "golden", generatedAt: time("2026-11-20T09:30:00Z"), allowStale: false)
    }

    @Test("every format of the report, line by line", arguments: ["md", "html", "json", "csv"])
    func golden(format: String) throws {
        // A fixed directory per format: the import records name their files by path, and the
        // chain head covers those records.
        let directory = "/tmp/hedgeledger-golden-\(format)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let built = try report(in: directory)
        let report = built.report, title = built.title
        var text = switch format {
        case "md": MarkdownRenderer.render(report, title: title)
        case "html": HTMLRenderer.render(report, title: title, charts: built.charts)
        case "json": JSONRenderer.render(report)
        default: CSVRenderer.files(report).map { "== \($0.name)\n\($0.text)" }.joined()
        }
        // The only line that depends on where the test ran.
        text = text.replacingOccurrences(of: directory, with: "DIRECTORY")
        let file = Self.folder.appendingPathComponent("eod.\(format)")
        if ProcessInfo.processInfo.environment["HEDGELEDGER_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = zip(lines, wanted).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("eod.\(format) line \(first.offset + 1): got\n\(first.element.0)\nexpected\n\(first.element.1)")
        }
        #expect(lines.count == wanted.count, "eod.\(format): \(lines.count) lines, expected \(wanted.count)")
    }
}
