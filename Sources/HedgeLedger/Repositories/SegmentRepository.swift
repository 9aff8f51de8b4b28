/// Each position's fills in apply order, 64 at a time: segment n lists the ids of fills 64n+1
/// to 64n+64, the run between two checkpoints (see migration 0005). Derived, like checkpoints:
/// written by imports and voids, read by replays.
public struct SegmentRepository {
    let connection: Connection

    /// Writes segment `number` of a position, replacing what was there (the last segment grows
    /// from one import to the next).
    public func save(book: String, instrumentID: Int64, number: Int, fillIDs: [Int64]) throws {
        guard !fillIDs.isEmpty else { return }
        try connection.cached("""
            INSERT OR REPLACE INTO position_segments (book, instrument_id, segment, fill_ids) VALUES (?, ?, ?, ?)
            """).execute([book, instrumentID, number, Self.encode(fillIDs.sorted())])
    }

    /// Comma-separated decimal ids, written byte by byte: an import writes one list every 64 fills.
    static func encode(_ ids: [Int64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 20)
        for id in ids {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: ",")) }
            let start = bytes.count
            var rest = id.magnitude
            repeat {
                bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            if id < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes[start...].reverse()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The fill ids of segment `number`, in any order; empty when the position has no such segment.
    public func fillIDs(book: String, instrumentID: Int64, number: Int) throws -> [Int64] {
        try connection.cached("""
            SELECT fill_ids FROM position_segments WHERE book = ? AND instrument_id = ? AND segment = ?
            """).firstRow([book, instrumentID, number]) { try Self.decode($0.text(0)) } ?? []
    }

    /// The fill ids of segments `from` onwards, segment by segment in order.
    public func fillIDs(book: String, instrumentID: Int64, from number: Int) throws -> [[Int64]] {
        try connection.cached("""
            SELECT fill_ids FROM position_segments WHERE book = ? AND instrument_id = ? AND segment >= ? ORDER BY segment
            """).rows([book, instrumentID, number]) { try Self.decode($0.text(0)) }
    }

    /// Removes a position's segments from `number` on.
    public func delete(book: String, instrumentID: Int64, from number: Int) throws {
        try connection.cached("DELETE FROM position_segments WHERE book = ? AND instrument_id = ? AND segment >= ?")
            .execute([book, instrumentID, number])
    }

    /// A stored list is hostile like any value read back: 1 to 64 positive ids or the ledger is corrupt.
    static func decode(_ text: String) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(CheckpointRepository.interval)
        var id: Int64 = 0, digits = 0
        for byte in text.utf8 + [UInt8(ascii: ",")] {
            if byte == UInt8(ascii: ","), digits > 0, id > 0 {
                ids.append(id)
                id = 0; digits = 0
                continue
            }
            let (shifted, overflow) = id.multipliedReportingOverflow(by: 10)
            let (next, overflowAdding) = shifted.addingReportingOverflow(Int64(byte &- 48))
            guard (48...57).contains(byte), !overflow, !overflowAdding else {
                throw CorruptDatabase(detail: "position segment '\(text.escapingControlCharacters)'")
            }
            id = next
            digits += 1
        }
        guard ids.count <= CheckpointRepository.interval else {
            throw CorruptDatabase(detail: "a position segment lists \(ids.count) fills (at most \(CheckpointRepository.interval))")
        }
        return ids
    }
}
