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
            var full = try PositionBuilder.build(ledger: ledger, through: time) { _, _ in true }
                .map { (position: $0.value, instrumentID: $0.key.instrumentID) }
                .sorted { ($0.position.book, $0.position.instrument.symbol) < ($1.position.book, $1.position.instrument.symbol) }
            try PositionReplay.settleExpired(&full, at: time, ledger: ledger)
            #expect(fast == full.map(\.position), "positions as of \(time.iso8601) differ from a full replay")
        }
    }

    @Test("a file in any order: checkpoints and segments agree with a full replay, and the schema is intact",
          arguments: [false, true])
    func anyOrder(shuffled: Bool) throws {
        let (lines, start, end) = generated(rows: 2500)
        var random = SeededRandom(seed: 5)
        var rows = lines
        if shuffled { for index in rows.indices.reversed() where index > 0 { rows.swapAt(index, Int(random.next() % UInt64(index + 1))) } }
        let directory = TemporaryDirectory()
        let path = directory.file("any-order.sqlite")
        do {
            let ledger = try Ledger(path: path, create: true, now: testNow)
            let importer = TradeImporter(ledger: ledger)
            let file = directory.write("any-order.csv", ([TradeGenerator.header] + rows).joined(separator: "\n"))
            let summary = try importer.importTrades(from: try ByteSource(path: file), now: testNow)
            #expect((summary.positionsRebuilt > 0) == shuffled)  // a file in time order extends positions as it goes
            // A refused file leaves the positions, checkpoints and segments as they were.
            let before = try derivedRows(ledger)
            let bad = directory.write("bad.csv", TradeGenerator.header + "\nX1,2026-11-20T10:00:00Z,BTC-PERPETUAL,buy,10,50000,0,BTC,main,v,,\nX,2026-11-20T10:00:00Z,NOPE,buy,1,1,0,BTC,main,v,,\n")
            #expect(throws: InputErrors.self) { _ = try importer.importTrades(from: try ByteSource(path: bad), now: testNow) }
            #expect(try derivedRows(ledger) == before)
            try expectSegmentsComplete(ledger)
        }
        let reopened = try Ledger(path: path, access: .read, now: testNow)  // the schema check passes
        let times = (0...6).map { Timestamp(microseconds: start.microseconds + (end.microseconds - start.microseconds) * Int64($0) / 6) }
        try expectAgreement(reopened, times: times)
    }

    /// Every derived row, to show a refused import changed none.
    func derivedRows(_ ledger: Ledger) throws -> [String] {
        try [
            "SELECT book, instrument_id, quantity, cost_basis, realised_pnl, fill_count FROM positions",
            "SELECT book, instrument_id, fill_count, quantity, cost_basis, realised_pnl FROM position_checkpoints",
            "SELECT book, instrument_id, segment, fill_ids, '', '' FROM position_segments",
        ].flatMap { sql in
            try ledger.connection.prepare(sql + " ORDER BY 1, 2, 3").rows { row in (0..<6).map { row.text(Int32($0)) }.joined(separator: "|") }
        }
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
            try expectSegmentsComplete(ledger)
            _ = try VoidService(ledger: ledger).void(.importRun(1), reason: "test", voidedBy: "t", now: testNow)
            try expectAgreement(ledger, times: times)
            try expectSegmentsComplete(ledger)
        }
    }

    @Test("a version-4 ledger migrates: its segments are built from its fills, with or without checkpoints",
          arguments: [false, true])
    func migrationFromVersion4(withoutCheckpoints: Bool) throws {
        let (lines, start, end) = generated(rows: 3000)
        let times = (0...8).map { Timestamp(microseconds: start.microseconds + (end.microseconds - start.microseconds) * Int64($0) / 8) }
        let directory = TemporaryDirectory()
        let path = directory.file("v4.sqlite")
        let segmentsBefore: [String]
        do {
            let ledger = try Ledger(path: path, create: true, now: testNow)
            try importTrades(([TradeGenerator.header] + lines[..<1500]).joined(separator: "\n"), into: ledger, in: directory, name: "a.csv")
            try importTrades(([TradeGenerator.header] + lines[1500...]).joined(separator: "\n"), into: ledger, in: directory, name: "b.csv")
            let voided = lines[700].split(separator: ",")[0]
            _ = try VoidService(ledger: ledger).void(.fill(venue: "deribit", tradeID: String(voided)), reason: "test", voidedBy: "t", now: testNow)
            segmentsBefore = try segmentSets(ledger)
            // Back to version 4 as migration 0004 left it: the index, no segments.
            try downgradeToVersion4(ledger)
            if withoutCheckpoints { try ledger.connection.execute("DELETE FROM position_checkpoints") }
        }
        // Neither a reader nor a writer other than init migrates it, and refusing leaves it as it was.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { _ = try Ledger(path: path, access: .read, now: testNow) }
        #expect(throws: LedgerError.self) { _ = try Ledger(path: path, access: .write(create: true), now: testNow) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        let migrated = try Ledger(path: path, access: .write(create: false, migrate: true), now: testNow)
        #expect(try segmentSets(migrated) == segmentsBefore)
        try expectSegmentsComplete(migrated)
        try expectAgreement(migrated, times: times)
    }

    @Test("segment lists round-trip, and a hostile list is a corrupt ledger, never a crash")
    func segmentEncoding() throws {
        let ids: [Int64] = [1, 9, 10, 4_294_967_296, .max]
        #expect(try SegmentRepository.decode(SegmentRepository.encode(ids)) == ids)
        #expect(SegmentRepository.encode([7, 12]) == "7,12")
        let hostile = ["", ",", "0", "1,,2", "1,", "-3", "x", " 1", "9223372036854775808",
                       Array(repeating: "1", count: 65).joined(separator: ",")]
        for text in hostile {
            #expect(throws: CorruptDatabase.self, "'\(text)'") { _ = try SegmentRepository.decode(text) }
        }
    }

    @Test("a segment edited to list another position's fill, or a missing one, is refused as corrupt")
    func tamperedSegment() throws {
        let (lines, start, end) = generated(rows: 800)
        let middle = Timestamp(microseconds: (start.microseconds + end.microseconds) / 2)
        for edit in ["(SELECT MAX(id) FROM fills) + 1", "(SELECT MIN(id) FROM fills WHERE instrument_id <> position_segments.instrument_id)"] {
            try withLedger { ledger, directory throws in
                try importTrades(([TradeGenerator.header] + lines).joined(separator: "\n"), into: ledger, in: directory)
                try ledger.connection.execute("UPDATE position_segments SET fill_ids = \(edit)")
                #expect(throws: CorruptDatabase.self) { _ = try PositionsReport.build(ledger: ledger, at: middle, now: testNow) }
            }
        }
    }

    /// Each segment's ids as a sorted list: the migration may list them in another order.
    func segmentSets(_ ledger: Ledger) throws -> [String] {
        try ledger.connection.prepare("SELECT book, instrument_id, segment, fill_ids FROM position_segments ORDER BY 1, 2, 3")
            .rows { row in "\(row.text(0))|\(row.int(1))|\(row.int(2))|\(try SegmentRepository.decode(row.text(3)).sorted())" }
    }

    /// Every position's segments list exactly its live fills, 64 to a segment but the last, in apply order.
    func expectSegmentsComplete(_ ledger: Ledger) throws {
        let positions = try ledger.connection.prepare("SELECT book, instrument_id, fill_count FROM positions").rows { ($0.text(0), $0.int64(1), $0.int(2)) }
        let segmented = try ledger.connection.prepare("SELECT COUNT(DISTINCT book || '|' || instrument_id) FROM position_segments").firstRow { $0.int(0) }
        #expect(segmented == positions.count, "segments of positions that do not exist")
        for (book, instrumentID, count) in positions {
            let instrument = try #require(try ledger.instruments.find(id: instrumentID))
            let segments = try ledger.segments.fillIDs(book: book, instrumentID: instrumentID, from: 0)
            let interval = CheckpointRepository.interval
            #expect(segments.map(\.count) == Array(repeating: interval, count: count / interval) + (count % interval > 0 ? [count % interval] : []))
            let ordered = try segments.flatMap { try ledger.fills.liveFills(ids: $0, book: book, instrument: instrument) }
            let live = try ledger.connection.prepare("SELECT id FROM fills f WHERE book = ? AND instrument_id = ? AND \(FillRepository.live)")
                .rows([book, instrumentID]) { $0.int64(0) }
            #expect(ordered.count == live.count && Set(ordered.map(\.id)) == Set(live))
            #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.fill.orderKey < $1.fill.orderKey })
        }
    }
}
