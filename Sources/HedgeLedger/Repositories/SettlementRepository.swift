/// The settlement prices of expired instruments and what each position settled (migration
/// 0008): derived by `recompute`, which rewrites them from the time it starts at.
public struct SettlementRepository {
    let connection: Connection

    /// Removes what settled from `time` on (everything when nil), before a run rewrites it.
    public func delete(from time: Timestamp?) throws {
        let from = time ?? Timestamp(microseconds: .min)
        try connection.cached("DELETE FROM position_settlements WHERE time_us >= ?").execute([from])
        try connection.cached("DELETE FROM expiry_settlements WHERE time_us >= ?").execute([from])
    }

    public func insertPrice(_ settlement: Position.Settlement, instrumentID: Int64, run: Int64) throws {
        let observed: Timestamp
        switch settlement.source {
        case .settlementRow: observed = settlement.time
        case .index(let at): observed = at
        }
        try connection.cached("""
            INSERT INTO expiry_settlements (instrument_id, time_us, price, index_price, source, observed_us, run)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute([instrumentID, settlement.time, settlement.price, settlement.indexPrice, settlement.source.kind,
                          observed, run])
    }

    public func insert(_ settlement: PositionSettlement, instrumentID: Int64, run: Int64) throws {
        try connection.cached("""
            INSERT INTO position_settlements (book, instrument_id, time_us, quantity, price, realised_pnl, run) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute([settlement.book, instrumentID, settlement.time, settlement.quantity, settlement.price,
                          settlement.realisedPnL, run])
    }

    /// The settlement prices of the instruments that expired at or before `time`, by instrument id.
    public func prices(atOrBefore time: Timestamp) throws -> [Int64: Position.Settlement] {
        var prices: [Int64: Position.Settlement] = [:]
        try connection.cached("""
            SELECT instrument_id, time_us, price, index_price, source, observed_us FROM expiry_settlements WHERE time_us <= ?
            """).forEachRow([time]) { row in
                prices[row.int64(0)] = try Self.decodePrice(row.shifted(by: 1))
            }
        return prices
    }

    /// Every stored settlement price in the order a recompute writes them (time, symbol).
    public func allPrices() throws -> [(instrument: String, settlement: Position.Settlement)] {
        try connection.cached("""
            SELECT i.symbol, p.time_us, p.price, p.index_price, p.source, p.observed_us
            FROM expiry_settlements p JOIN instruments i ON i.id = p.instrument_id ORDER BY p.time_us, i.symbol
            """).rows { row in (row.text(0), try Self.decodePrice(row.shifted(by: 1))) }
    }

    /// The positions that settled between two times (inclusive), by time, book, instrument.
    public func settlements(from: Timestamp? = nil, to: Timestamp? = nil) throws -> [PositionSettlement] {
        try connection.cached("""
            SELECT s.book, i.symbol, s.time_us, s.quantity, s.price, s.realised_pnl
            FROM position_settlements s JOIN instruments i ON i.id = s.instrument_id
            WHERE s.time_us >= ? AND s.time_us <= ? ORDER BY s.time_us, s.book, i.symbol
            """).rows([from ?? Timestamp(microseconds: .min), to ?? Timestamp(microseconds: .max)]) { row in
                PositionSettlement(book: row.text(0), instrument: row.text(1), time: try row.timestamp(2),
                                   quantity: try row.exact(3), price: try Self.nonNegative(try row.exact(4), "settlement price"),
                                   realisedPnL: try row.exact(5))
            }
    }

    /// time, price, index price, source, observed: a value written behind our back is refused
    /// here rather than settling a position at it.
    private static func decodePrice(_ row: Row) throws -> Position.Settlement {
        let time = try row.timestamp(0)
        let price = try nonNegative(try row.exact(1), "settlement price")
        let index = try row.exact(2)
        guard index.isPositive else { throw CorruptDatabase(detail: "settlement index price \(index) is not positive") }
        let source: Position.Settlement.Source
        switch row.text(3) {
        case "settlement": source = .settlementRow
        case "index":
            let observed = try row.timestamp(4)
            guard observed <= time else { throw CorruptDatabase(detail: "settlement index observed after the expiry it settles") }
            source = .index(observedAt: observed)
        case let other: throw CorruptDatabase(detail: "settlement source '\(other.escapingControlCharacters)'")
        }
        return Position.Settlement(price: price, time: time, indexPrice: index, source: source)
    }

    private static func nonNegative(_ value: ExactDecimal, _ name: String) throws -> ExactDecimal {
        guard !value.isNegative else { throw CorruptDatabase(detail: "\(name) \(value) is negative") }
        return value
    }
}
