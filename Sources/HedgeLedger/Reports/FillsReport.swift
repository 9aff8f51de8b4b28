/// The fills behind a position, one line each: what a reconciliation difference or a correction
/// is traced to. In the order positions apply them, with where each came from (its import and
/// line) and, with voided fills included, which a void took out.
public struct FillsReport: Sendable {
    public struct Filter: Sendable {
        public var book: String?
        public var underlying: String?
        public var instrument: String?
        public var from: Timestamp?
        public var to: Timestamp?
        public var includeVoided: Bool

        public init(book: String? = nil, underlying: String? = nil, instrument: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                    includeVoided: Bool = false) {
            self.book = book; self.underlying = underlying; self.instrument = instrument; self.from = from; self.to = to
            self.includeVoided = includeVoided
        }
    }

    public var filter: Filter
    public var fills: [(fill: StoredFill, voided: Bool)]

    /// An unknown book or instrument is refused with what the ledger has (a typo, not "no fills").
    public static func build(ledger: Ledger, filter: Filter) throws -> FillsReport {
        try PositionsReport.Filter(book: filter.book, underlying: filter.underlying).validate(in: ledger)
        let instrument = try filter.instrument.map { try ledger.instruments.existing(named: $0) }
        let fills = try ledger.fills.list(book: filter.book, underlying: filter.underlying, instrumentID: instrument?.id,
                                          from: filter.from, to: filter.to, includeVoided: filter.includeVoided)
        var resolved = filter
        resolved.instrument = instrument?.instrument.symbol
        return FillsReport(filter: resolved, fills: fills)
    }

    public static let schema = Report.Schema(name: "hedgeledger.fills", version: 1)

    public var report: Report {
        var table = Table(name: "fills", title: "Fills\(filter.includeVoided ? ", voided ones included" : "")", columns: [
            .init("id"), .init("time"), .init("venue"), .init("trade_id"), .init("revision"), .init("book"), .init("instrument"),
            .init("side"), .init("quantity"), .init("price"), .init("fee"), .init("fee_currency"), .init("order_id"),
            .init("hedge_decision"), .init("import_id"), .init("line"), .init("voided"),
        ])
        for (stored, voided) in fills {
            let f = stored.fill
            table.rows.append([
                .integer(Int(stored.id)), .time(f.time), .text(f.venue), .text(f.tradeID), .integer(stored.revision), .text(f.book),
                .text(f.instrument), .text(f.side.rawValue), .amount(f.quantity), .amount(f.price), .amount(f.fee), .text(f.feeCurrency),
                f.orderID.map(Table.Cell.text) ?? .empty, f.hedgeDecision.map(Table.Cell.text) ?? .empty,
                .integer(Int(stored.importID)), .integer(stored.sourceLine), .bool(voided),
            ])
        }
        return Report(schema: Self.schema, asOf: nil, parameters: [
            ("book", filter.book.map(Table.Cell.text) ?? .empty), ("underlying", filter.underlying.map { .text($0.uppercased()) } ?? .empty),
            ("instrument", filter.instrument.map(Table.Cell.text) ?? .empty),
            ("from", filter.from.map(Table.Cell.time) ?? .empty), ("to", filter.to.map(Table.Cell.time) ?? .empty),
            ("include_voided", .bool(filter.includeVoided)),
        ], facts: [("count", .integer(fills.count))], sections: [table])
    }
}
