/// Positions' states after every `interval`-th fill: derived data that bounds replays (see
/// migration 0004). Written by imports and voids, read by positions as of a time.
public struct CheckpointRepository {
    let connection: Connection

    /// A checkpoint every this many fills of a position.
    public static let interval = 64

    public func insert(_ position: Position, instrumentID: Int64) throws {
        guard let lastKey = position.lastKey, let firstFill = position.firstFill else { return }
        try connection.cached("""
            INSERT INTO position_checkpoints (book, instrument_id, fill_count, time_us, last_venue, last_trade_id,
                                              first_fill_us, quantity, cost_basis, realised_pnl, fees)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([position.book, instrumentID, position.fillCount, lastKey.time, lastKey.venue, lastKey.tradeID,
                          firstFill, position.quantity, position.costBasis, position.realisedPnL,
                          Self.encode(position.fees)])
    }

    /// The last checkpoint whose last fill is at or before `time` (`strictlyBefore`: before it).
    public func latest(book: String, instrument: StoredInstrument, atOrBefore time: Timestamp,
                       strictlyBefore: Bool = false) throws -> Position? {
        try connection.cached("""
            SELECT quantity, cost_basis, realised_pnl, fill_count, first_fill_us, time_us, last_venue, last_trade_id, fees
            FROM position_checkpoints
            WHERE book = ? AND instrument_id = ? AND (time_us < ? OR (? = 0 AND time_us = ?))
            ORDER BY fill_count DESC LIMIT 1
            """).firstRow([book, instrument.id, time, strictlyBefore, time]) { row in
                let last = try row.timestamp(5)
                return Position(book: book, instrument: instrument.instrument, quantity: try row.exact(0),
                                costBasis: try row.exact(1), realisedPnL: try row.exact(2), fees: try Self.decode(row.text(8)),
                                fillCount: row.int(3), firstFill: try row.timestamp(4), lastFill: last,
                                lastKey: FillOrderKey(time: last, venue: row.text(6), tradeID: row.text(7)))
            }
    }

    /// Removes a position's checkpoints after its `fillCount`-th fill (all of them for 0).
    public func delete(book: String, instrumentID: Int64, after fillCount: Int) throws {
        try connection.cached("DELETE FROM position_checkpoints WHERE book = ? AND instrument_id = ? AND fill_count > ?")
            .execute([book, instrumentID, fillCount])
    }

    static func encode(_ fees: [String: ExactDecimal]) -> String {
        fees.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    static func decode(_ text: String) throws -> [String: ExactDecimal] {
        var fees: [String: ExactDecimal] = [:]
        for entry in text.split(separator: ";") {
            let parts = entry.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, InstrumentName.isCurrencyCode(String(parts[0])),
                  case .success(let amount) = DecimalSyntax.parse(String(parts[1])) else {
                throw CorruptDatabase(detail: "checkpoint fees '\(text)'")
            }
            fees[String(parts[0])] = amount
        }
        return fees
    }
}
