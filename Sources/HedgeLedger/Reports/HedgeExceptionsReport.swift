/// `hedge exceptions`: the journal's exceptions as a table.
public struct HedgeExceptionsReport: Sendable {
    public var parameters: [(name: String, value: Table.Cell)]
    public var to: Timestamp?
    public var entries: [HedgeExceptions.Entry]

    public static func build(ledger: Ledger, book: String?, underlying: String?, from: Timestamp?, to: Timestamp?) throws
        -> HedgeExceptionsReport {
        HedgeExceptionsReport(parameters: [
            ("book", book.map(Table.Cell.text) ?? .empty), ("underlying", underlying.map { .text($0.uppercased()) } ?? .empty),
            ("from", from.map(Table.Cell.time) ?? .empty), ("to", to.map(Table.Cell.time) ?? .empty),
        ], to: to, entries: try HedgeExceptions(ledger: ledger).list(book: book, underlying: underlying, from: from, to: to))
    }

    public static let schema = Report.Schema(name: "hedgeledger.exceptions", version: 1)

    public var report: Report {
        var table = Table(name: "exceptions", title: "Hedge exceptions", columns: [
            .init("kind"), .init("time"), .init("book"), .init("underlying"), .init("decision_id"), .init("fill"), .init("detail"),
        ])
        for entry in entries {
            table.rows.append([.text(entry.kind.rawValue), .time(entry.time), .text(entry.book), .text(entry.underlying),
                               entry.decision.map(Table.Cell.text) ?? .empty, entry.fill.map(Table.Cell.text) ?? .empty,
                               .text(entry.detail)])
        }
        return Report(schema: Self.schema, asOf: to, parameters: parameters, facts: [("count", .integer(entries.count))],
                      sections: [table])
    }
}
