/// A maintained position with its stored instrument.
public struct StoredPosition: Sendable {
    public let position: Position
    public let instrument: StoredInstrument
}

public struct PositionRepository {
    let connection: Connection

    /// The stored position of (book, instrument), ready to have further fills applied.
    public func find(book: String, instrument: StoredInstrument) throws -> Position? {
        let fees = try fees(book: book, instrumentID: instrument.id)
        return try connection.cached("""
            SELECT quantity, cost_basis, realised_pnl, fill_count, first_fill_us, last_fill_us, last_venue, last_trade_id
            FROM positions WHERE book = ? AND instrument_id = ?
            """).firstRow([book, instrument.id]) { row in
                try Self.decode(row, book: book, instrument: instrument.instrument, fees: fees)
            }
    }

    public func save(_ position: Position, instrumentID: Int64) throws {
        guard let firstFill = position.firstFill, let lastFill = position.lastFill, let lastKey = position.lastKey else {
            return  // A position with no fills is not a position.
        }
        try connection.cached("""
            INSERT INTO positions (book, instrument_id, quantity, cost_basis, realised_pnl, fill_count, first_fill_us,
                                   last_fill_us, last_venue, last_trade_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (book, instrument_id) DO UPDATE SET
                quantity = excluded.quantity, cost_basis = excluded.cost_basis, realised_pnl = excluded.realised_pnl,
                fill_count = excluded.fill_count, first_fill_us = excluded.first_fill_us,
                last_fill_us = excluded.last_fill_us, last_venue = excluded.last_venue,
                last_trade_id = excluded.last_trade_id
            """).execute([
                position.book, instrumentID, position.quantity, position.costBasis, position.realisedPnL,
                position.fillCount, firstFill, lastFill, lastKey.venue, lastKey.tradeID,
            ])
        try connection.cached("DELETE FROM position_fees WHERE book = ? AND instrument_id = ?")
            .execute([position.book, instrumentID])
        for (currency, amount) in position.fees {
            try connection.cached("INSERT INTO position_fees (book, instrument_id, currency, amount) VALUES (?, ?, ?, ?)")
                .execute([position.book, instrumentID, currency, amount])
        }
    }

    /// Every book that holds or held a position, sorted.
    public func books() throws -> [String] {
        try connection.cached("SELECT DISTINCT book FROM positions ORDER BY book").rows { $0.text(0) }
    }

    /// Every (book, underlying) that holds or held a position, sorted.
    public func bookUnderlyings() throws -> [(book: String, underlying: String)] {
        try connection.cached("""
            SELECT DISTINCT p.book, i.underlying FROM positions p JOIN instruments i ON i.id = p.instrument_id ORDER BY 1, 2
            """).rows { ($0.text(0), $0.text(1)) }
    }

    /// Removes a position none of whose fills count any more (all voided).
    public func delete(book: String, instrumentID: Int64) throws {
        // Fees explicitly, not through the cascade: imports write with foreign keys off.
        try connection.cached("DELETE FROM position_fees WHERE book = ? AND instrument_id = ?").execute([book, instrumentID])
        try connection.cached("DELETE FROM positions WHERE book = ? AND instrument_id = ?").execute([book, instrumentID])
    }

    /// The stored positions, ordered by book then instrument symbol, narrowed in SQL to a
    /// book and an underlying when given.
    public func all(book: String? = nil, underlying: String? = nil) throws -> [StoredPosition] {
        var feesByKey: [String: [String: ExactDecimal]] = [:]
        try connection.cached("SELECT book, instrument_id, currency, amount FROM position_fees WHERE ? IS NULL OR book = ?")
            .forEachRow([book, book]) { row in
                feesByKey["\(row.text(0))\u{0}\(row.int64(1))", default: [:]][row.text(2)] = try row.exact(3)
            }
        return try connection.cached("""
            SELECT p.quantity, p.cost_basis, p.realised_pnl, p.fill_count, p.first_fill_us, p.last_fill_us,
                   p.last_venue, p.last_trade_id, p.book, \(InstrumentRepository.columns("i"))
            FROM positions p JOIN instruments i ON i.id = p.instrument_id
            WHERE (? IS NULL OR p.book = ?) AND (? IS NULL OR i.underlying = ?)
            ORDER BY p.book, i.symbol
            """).rows([book, book, underlying, underlying]) { row in
                let instrument = try InstrumentRepository.decode(row.shifted(by: 9))
                let book = row.text(8)
                let position = try Self.decode(row, book: book, instrument: instrument.instrument,
                                               fees: feesByKey["\(book)\u{0}\(instrument.id)"] ?? [:])
                return StoredPosition(position: position, instrument: instrument)
            }
    }

    private func fees(book: String, instrumentID: Int64) throws -> [String: ExactDecimal] {
        var fees: [String: ExactDecimal] = [:]
        try connection.cached("SELECT currency, amount FROM position_fees WHERE book = ? AND instrument_id = ?")
            .forEachRow([book, instrumentID]) { row in fees[row.text(0)] = try row.exact(1) }
        return fees
    }

    private static func decode(_ row: Row, book: String, instrument: Instrument,
                               fees: [String: ExactDecimal]) throws -> Position {
        let last = try row.timestamp(5)
        return Position(book: book, instrument: instrument, quantity: try row.exact(0), costBasis: try row.exact(1),
                        realisedPnL: try row.exact(2), fees: fees, fillCount: row.int(3), firstFill: try row.timestamp(4),
                        lastFill: last, lastKey: FillOrderKey(time: last, venue: row.text(6), tradeID: row.text(7)))
    }
}
