/// The ledger's positions against a venue's report of them (`reconcile positions`): per
/// instrument, the quantity each side holds (the books asked, summed) and whether they agree
/// within a tolerance, and, when asked, whether their average prices do. A position the report
/// leaves out is a difference, never "flat".
public struct ReconciliationReport: Sendable {
    public enum Status: String, Sendable {
        case match, differs
        case ledgerOnly = "ledger-only"
        case venueOnly = "venue-only"
    }

    public struct Line: Sendable {
        public var instrument: String
        public var ledgerQuantity: ExactDecimal
        public var venueQuantity: ExactDecimal?
        public var difference: ExactDecimal
        /// The ledger's average entry price when one book holds the position.
        public var ledgerAveragePrice: ExactDecimal?
        public var venueAveragePrice: ExactDecimal?
        /// Ledger − venue average price, when both sides give one.
        public var priceDifference: ExactDecimal?
        public var venueDelta: Double?
        public var status: Status
    }

    public var asOf: Timestamp
    public var books: [String]
    /// Only positions settled in it were compared (nil: every currency).
    public var currency: String?
    public var tolerance: ExactDecimal
    /// The largest difference in average price that still matches; nil: prices are shown, not compared.
    public var priceTolerance: ExactDecimal?
    public var lines: [Line]

    public var differs: Bool { lines.contains { $0.status != .match } }

    public static let schema = Report.Schema(name: "hedgeledger.reconcile", version: 1)

    /// With `currency`, only the ledger's positions settled in it: Deribit's get_positions reports
    /// one currency at a time, and the others would all be ledger-only.
    public static func build(ledger: Ledger, venue: [VenuePositionReport.Entry], at time: Timestamp, now: Timestamp, books: [String],
                             currency: String? = nil, tolerance: ExactDecimal, priceTolerance: ExactDecimal? = nil) throws -> ReconciliationReport {
        if let currency {
            let known = Set(try ledger.instruments.all().map(\.instrument.settlementCurrency)).sorted()
            guard known.contains(currency) else { throw UnknownFilterValue(option: "--currency", value: currency, known: known) }
        }
        // By the names' comparison key (`VenuePositionReport.key`); shown as the ledger writes them.
        var held: [String: (quantity: ExactDecimal, average: ExactDecimal?, holders: Int)] = [:]
        var names: [String: String] = [:]
        for filter in books.isEmpty ? [PositionsReport.Filter()] : books.map({ PositionsReport.Filter(book: $0) }) {
            // An expired instrument is off the venue's books whether or not its settlement is known.
            for position in try PositionsReport.build(ledger: ledger, at: time, now: now, filter: filter).positions
            where !position.quantity.isZero && !position.instrument.isExpired(at: time)
                && (currency == nil || position.instrument.settlementCurrency == currency) {
                let symbol = position.instrument.symbol
                let key = VenuePositionReport.key(for: symbol)
                names[key] = symbol
                let before = held[key] ?? (.zero, nil, 0)
                do throws(ArithmeticOverflow) {
                    held[key] = (try before.quantity + position.quantity, before.holders == 0 ? position.averageEntryPrice : nil, before.holders + 1)
                } catch {
                    throw CorruptDatabase(detail: "the positions in \(symbol) cannot be summed exactly: \(error)")
                }
            }
        }
        var reported: [String: (size: ExactDecimal, average: ExactDecimal?, delta: Double?)] = [:]
        for entry in venue {
            let symbol = VenuePositionReport.key(for: entry.instrument)
            if names[symbol] == nil { names[symbol] = symbol }
            let before = reported[symbol]
            do throws(ArithmeticOverflow) {
                reported[symbol] = (try (before?.size ?? .zero) + entry.size, before == nil ? entry.averagePrice : nil,
                                    before == nil ? entry.delta : nil)
            } catch {
                throw CorruptDatabase(detail: "the report's sizes of \(symbol) cannot be summed exactly: \(error)")
            }
        }
        var lines: [Line] = []
        for symbol in Set(held.keys).union(reported.keys).sorted() {
            let ours = held[symbol], theirs = reported[symbol]
            let quantity = ours?.quantity ?? .zero
            if quantity.isZero && (theirs?.size.isZero ?? true) { continue }
            let difference: ExactDecimal
            do throws(ArithmeticOverflow) {
                difference = try quantity - (theirs?.size ?? .zero)
            } catch {
                throw CorruptDatabase(detail: "\(symbol): the difference cannot be computed exactly: \(error)")
            }
            let ledgerAverage = ours.flatMap { $0.holders == 1 ? $0.average : nil }
            var priceDifference: ExactDecimal?
            if let ledgerAverage, let venueAverage = theirs?.average {
                do throws(ArithmeticOverflow) { priceDifference = try ledgerAverage - venueAverage } catch {
                    throw CorruptDatabase(detail: "\(symbol): the difference in average price cannot be computed exactly: \(error)")
                }
            }
            let priceAgrees = priceTolerance.map { limit in priceDifference.map { $0.magnitude <= limit } ?? true } ?? true
            let status: Status = theirs == nil ? .ledgerOnly
                : ours == nil ? .venueOnly
                : difference.magnitude <= tolerance && priceAgrees ? .match : .differs
            lines.append(Line(instrument: names[symbol] ?? symbol, ledgerQuantity: quantity, venueQuantity: theirs?.size, difference: difference,
                              ledgerAveragePrice: ledgerAverage, venueAveragePrice: theirs?.average, priceDifference: priceDifference,
                              venueDelta: theirs?.delta, status: status))
        }
        return ReconciliationReport(asOf: time, books: books, currency: currency, tolerance: tolerance, priceTolerance: priceTolerance, lines: lines)
    }

    public var report: Report {
        var table = Table(name: "positions", title: "Ledger positions against the venue's report at \(asOf.iso8601)", columns: [
            .init("instrument"), .init("status"), .init("ledger_quantity"), .init("venue_quantity"), .init("difference"),
            .init("ledger_average_price", places: 8), .init("venue_average_price", places: 8), .init("price_difference", places: 8),
            .init("venue_delta", places: 6),
        ])
        for line in lines {
            table.rows.append([.text(line.instrument), .text(line.status.rawValue), .amount(line.ledgerQuantity),
                               line.venueQuantity.map(Table.Cell.amount) ?? .empty, .amount(line.difference),
                               line.ledgerAveragePrice.map(Table.Cell.amount) ?? .empty, line.venueAveragePrice.map(Table.Cell.amount) ?? .empty,
                               line.priceDifference.map(Table.Cell.amount) ?? .empty, .number(line.venueDelta)])
        }
        let count = { (status: Status) in lines.filter { $0.status == status }.count }
        return Report(schema: Self.schema, asOf: asOf, parameters: [
            ("books", .text(books.joined(separator: ","))), ("currency", currency.map(Table.Cell.text) ?? .empty), ("tolerance", .amount(tolerance)),
            ("price_tolerance", priceTolerance.map(Table.Cell.amount) ?? .empty),
        ], facts: [
            ("matches", .integer(count(.match))), ("differences", .integer(count(.differs))),
            ("ledger_only", .integer(count(.ledgerOnly))), ("venue_only", .integer(count(.venueOnly))),
        ], sections: [table])
    }
}
