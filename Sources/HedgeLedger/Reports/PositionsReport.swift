/// Positions as of a moment, optionally narrowed to a book or an underlying.
///
/// Positions as of a time (default now): a maintained position whose last fill is at or
/// before it is read as stored; any other is replayed from its last checkpoint at or before
/// that time (`PositionReplay`), with the same accumulator, so both agree.
/// Positions past their expiry are settled when a settlement price is known (see
/// `MarketView.settlement`), and stay `expired` (unsettled) when not. Voided fills are left
/// out unless `includeVoided` (the book as it stood before the corrections).
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

        /// A book or underlying the ledger has never seen is almost always a typo: refused,
        /// naming what the ledger does have, instead of an empty report.
        public func validate(in ledger: Ledger) throws {
            if let book {
                let known = try ledger.knownBooks()
                if !known.contains(book) { throw UnknownFilterValue(option: "--book", value: book, known: known) }
            }
            if let underlying {
                let known = try ledger.instruments.underlyings()
                if !known.contains(underlying.uppercased()) {
                    throw UnknownFilterValue(option: "--underlying", value: underlying, known: known)
                }
            }
        }
    }

    public var asOf: Timestamp
    public var filter: Filter
    public var includeVoided: Bool
    public var positions: [Position]
    /// Settlements are read as `recompute` stored them: whether that is behind the ledger.
    public var freshness: HistoryFreshness

    public static func build(ledger: Ledger, at time: Timestamp?, now: Timestamp, filter: Filter = .init(),
                             includeVoided: Bool = false) throws -> PositionsReport {
        let asOf = time ?? now
        var positions: [(position: Position, instrumentID: Int64)]
        if includeVoided {
            // The book before the corrections: replayed from every fill, voided or not.
            let built = try PositionBuilder.build(ledger: ledger, through: asOf, includeVoided: true) { book, instrument in
                filter.includes(book: book, underlying: instrument.underlying)
            }
            positions = built.map { (position: $0.value, instrumentID: $0.key.instrumentID) }
                .sorted { ($0.position.book, $0.position.instrument.symbol) < ($1.position.book, $1.position.instrument.symbol) }
            try PositionReplay.settleExpired(&positions, at: asOf, ledger: ledger)
        } else {
            // Without --at, "now": a maintained position whose last fill is later (a fill dated
            // in the future) is replayed up to now like any other time.
            positions = try PositionReplay.allPositions(asOf: asOf, book: filter.book, underlying: filter.underlying?.uppercased(),
                                                        ledger: ledger)
        }
        return PositionsReport(asOf: asOf, filter: filter, includeVoided: includeVoided, positions: positions.map(\.position),
                               freshness: try HistoryFreshness.of(ledger))
    }

    /// Whether the settlements shown may be out of date: `recompute` is behind the ledger and
    /// some position is past its expiry.
    public var settlementsMayBeBehind: Bool {
        freshness.isBehind && positions.contains { $0.settlement != nil || ($0.instrument.isExpired(at: asOf) && !$0.quantity.isZero) }
    }

    public static let schema = Report.Schema(name: "hedgeledger.positions", version: 1)

    public var report: Report {
        var table = Table(name: "positions", title: "Positions as of \(asOf.iso8601)", columns: [
            .init("book"), .init("instrument"), .init("kind"), .init("status"), .init("quantity"), .init("unit"),
            .init("avg_price", places: 8), .init("price_ccy"), .init("realised_pnl", places: 8), .init("pnl_ccy"),
            .init("fees"), .init("fills"), .init("first_fill"), .init("last_fill"), .init("settled_at_price", places: 8),
            .init("settlement_index", places: 2), .init("settlement_source"),
        ])
        for position in positions {
            let instrument = position.instrument
            table.rows.append([
                .text(position.book), .text(instrument.symbol), .text(instrument.kind.rawValue),
                .text(position.status(at: asOf).rawValue), .amount(position.quantity), .text(instrument.amountUnit),
                position.averageEntryPrice.map(Table.Cell.amount) ?? .empty, .text(instrument.quoteCurrency),
                .amount(position.realisedPnL), .text(instrument.settlementCurrency), .amounts(position.fees),
                .integer(position.fillCount), position.firstFill.map(Table.Cell.time) ?? .empty,
                position.lastFill.map(Table.Cell.time) ?? .empty,
                position.settlement.map { .amount($0.price) } ?? .empty,
                position.settlement.map { .amount($0.indexPrice) } ?? .empty,
                position.settlement.map { .text($0.source.kind) } ?? .empty,
            ])
        }
        return Report(schema: Self.schema, asOf: asOf, parameters: [
            ("book", filter.book.map(Table.Cell.text) ?? .empty),
            ("underlying", filter.underlying.map { .text($0.uppercased()) } ?? .empty),
            ("include_voided", .bool(includeVoided)),
        ], status: freshness.facts, sections: [table])
    }
}

/// A `--book` or `--underlying` the ledger does not know.
public struct UnknownFilterValue: Error, CustomStringConvertible {
    public let option: String
    public let value: String
    public let known: [String]

    public var description: String {
        let hint = Suggestion.hint(for: value, among: known)
        let list = known.isEmpty ? "the ledger has none yet" : "known: \(known.joined(separator: ", "))"
        return "\(option) '\(value.escapingControlCharacters)' matches nothing in this ledger\(hint); \(list)"
    }
}
