import Foundation
import Testing
@testable import HedgeLedger

/// Positions as of a time come from checkpoints and a short replay; they must always equal
/// a replay of every fill from the start, whatever order the fills arrived in.
@Suite("Positions as of a time, from checkpoints")
struct PositionReplayTests {
    func generated(rows: Int) -> (lines: [String], start: Timestamp, end: Timestamp) {
        var settings = TradeGenerator.Settings()
        settings.rows = rows
        settings.books = ["main", "desk-b"]
        var lines: [String] = []
        let end = TradeGenerator(settings: settings).generate { lines.append($0) }
        return (lines, settings.start, end)
    }

    /// Every position at `times`, from the checkpoints, against a replay of all fills.
    func expectAgreement(_ ledger: Ledger, times: [Timestamp]) throws {
        for time in times {
            let fast = try PositionsReport.build(ledger: ledger, at: time, now: testNow).positions
            let full = try PositionBuilder.build(ledger: ledger, through: time) { _, _ in true }
                .values.sorted { ($0.book, $0.instrument.symbol) < ($1.book, $1.instrument.symbol) }
            var settled = PositionsReport(asOf: time, filter: .init(), includeVoided: false, positions: full)
            try settled.settleExpired(MarketView(ledger: ledger, time: time))
            #expect(fast == settled.positions, "positions as of \(time.iso8601) differ from a full replay")
        }
    }

    @Test("a bulk import builds the replay index once: the schema is intact and positions agree",
          arguments: [false, true])
    func bulk(shuffled: Bool) throws {
        let (lines, start, end) = generated(rows: 2500)
        var random = SeededRandom(seed: 5)
        var rows = lines
        if shuffled { for index in rows.indices.reversed() where index > 0 { rows.swapAt(index, Int(random.next() % UInt64(index + 1))) } }
        let directory = TemporaryDirectory()
        let path = directory.file("bulk.sqlite")
        do {
            let ledger = try Ledger(path: path, create: true, now: testNow)
            var importer = TradeImporter(ledger: ledger)
            importer.bulkMinimumBytes = 0
            let file = directory.write("bulk.csv", ([TradeGenerator.header] + rows).joined(separator: "\n"))
            let summary = try importer.importTrades(from: try ByteSource(path: file), now: testNow)
            #expect(summary.indexBuiltInBulk == shuffled)  // a file in time order keeps the index as it goes
            // A refused bulk file rolls the dropped index back with everything else.
            let bad = directory.write("bad.csv", TradeGenerator.header + "\nX,2026-11-20T10:00:00Z,NOPE,buy,1,1,0,BTC,main,v,,\n")
            #expect(throws: InputErrors.self) { _ = try importer.importTrades(from: try ByteSource(path: bad), now: testNow) }
        }
        let reopened = try Ledger(path: path, access: .read, now: testNow)  // the schema check passes
        let times = (0...6).map { Timestamp(microseconds: start.microseconds + (end.microseconds - start.microseconds) * Int64($0) / 6) }
        try expectAgreement(reopened, times: times)
    }

    @Test("checkpoints agree with a full replay: in-order files, a late file, and a void")
    func agreement() throws {
        let (lines, start, end) = generated(rows: 3000)
        let times = (0...12).map { Timestamp(microseconds: start.microseconds + (end.microseconds - start.microseconds) * Int64($0) / 12) }
        try withLedger { ledger, directory throws in
            let header = TradeGenerator.header
            try importTrades(([header] + lines[..<1000] + lines[2000...]).joined(separator: "\n"), into: ledger, in: directory, name: "a.csv")
            #expect(try ledger.connection.prepare("SELECT COUNT(*) FROM position_checkpoints").firstRow { $0.int(0) } ?? 0 > 10)
            try expectAgreement(ledger, times: times)
            // The middle third arrives late: positions replay from the checkpoint before it.
            let late = try importTrades(([header] + lines[1000..<2000]).joined(separator: "\n"), into: ledger, in: directory, name: "b.csv")
            #expect(late.positionsRebuilt > 0)
            try expectAgreement(ledger, times: times)
            _ = try VoidService(ledger: ledger).void(.importRun(1), reason: "test", voidedBy: "t", now: testNow)
            try expectAgreement(ledger, times: times)
        }
    }
}
