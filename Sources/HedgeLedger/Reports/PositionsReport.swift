/// Positions as of a moment, optionally narrowed to a book or an underlying.
///
/// Without a time, the ledger's maintained positions are read; with one, positions are
/// rebuilt from the fills at or before it, with the same accumulator, so both agree.
/// Positions past their expiry are settled when a settlement price is known (see
/// `MarketView.settlement`), and stay `expired` (unsettled) when not.
public struct PositionsReport: Sendable {
    public struct Filter: Sendable {
        public var book: String?
        public var underlying: String?
        public init(book: String? = nil, underlying: String? = nil) { self.book = book; self.underlying = underlying }

        func includes(_ position: Position) -> Bool {
            includes(book: position.book, underlying: position.instrument.underlying)
        }

        func includes(book: String, underlying: String) -> Bool {
            (self.book == nil || self.book == book) && (self.underlying == nil || self.underlying?.uppercased() == underlying)
        }
    }

    public var asOf: Timestamp
    public var positions: [Position]

    public static func build(ledger: Ledger, at time: Timestamp?, now: Timestamp, filter: Filter = .init()) throws -> PositionsReport {
        var report: PositionsReport
        if let time {
            let positions = try PositionBuilder.build(ledger: ledger, through: time) { book, instrument in
                filter.includes(book: book, underlying: instrument.underlying)
            }
            report = PositionsReport(asOf: time, positions: positions.values.sorted { ($0.book, $0.instrument.symbol) < ($1.book, $1.instrument.symbol) })
        } else {
            report = PositionsReport(asOf: now, positions: try ledger.positions.all().filter(filter.includes))
        }
        try report.settleExpired(MarketView(ledger: ledger, time: report.asOf))
        return report
    }

    mutating func settleExpired(_ market: MarketView) throws {
        for index in positions.indices where positions[index].status(at: asOf) == .expired {
            if let settlement = try market.settlement(of: positions[index].instrument) {
                positions[index].settle(settlement)
            }
        }
    }

    public var table: Table {
        var table = Table(columns: ["book", "instrument", "kind", "status", "quantity", "unit", "avg_price", "price_ccy",
                                    "realised_pnl", "pnl_ccy", "fees", "fills", "first_fill", "last_fill", "settled_at_price"])
        for position in positions {
            let instrument = position.instrument
            let fees = position.fees.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
            table.rows.append([
                .text(position.book), .text(instrument.symbol), .text(instrument.kind.rawValue),
                .text(position.status(at: asOf).rawValue), .amount(position.quantity), .text(instrument.amountUnit),
                position.averageEntryPrice.map { .amount($0.rounded(toPlaces: 8)) } ?? .empty, .text(instrument.quoteCurrency),
                .amount(position.realisedPnL.rounded(toPlaces: 8)), .text(instrument.settlementCurrency), .text(fees),
                .integer(position.fillCount), position.firstFill.map(Table.Cell.time) ?? .empty,
                position.lastFill.map(Table.Cell.time) ?? .empty,
                position.settlement.map { .amount($0.price.rounded(toPlaces: 8)) } ?? .empty,
            ])
        }
        return table
    }
}
