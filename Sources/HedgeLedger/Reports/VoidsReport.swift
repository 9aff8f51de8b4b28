/// Every void on record, oldest first: what it took out (a whole import or one fill), how
/// many fills, who, when and why.
public struct VoidsReport: Sendable {
    public struct Entry: Sendable {
        public var void: StoredVoid
        public var venue: String?
        public var tradeID: String?
        public var fills: Int
    }

    public var entries: [Entry]

    public static func build(ledger: Ledger) throws -> VoidsReport {
        VoidsReport(entries: try ledger.voids.all().map { Entry(void: $0.void, venue: $0.venue, tradeID: $0.tradeID, fills: $0.fills) })
    }

    public static let schema = Report.Schema(name: "hedgeledger.voids", version: 1)

    public var report: Report {
        var table = Table(name: "voids", title: "Voids", columns: [
            .init("id"), .init("voided_at"), .init("voided_by"), .init("target"), .init("import_id"), .init("venue"),
            .init("trade_id"), .init("fills"), .init("reason"),
        ])
        for entry in entries {
            let void = entry.void
            table.rows.append([
                .integer(Int(void.id)), .time(void.time), .text(void.voidedBy), .text(void.importID == nil ? "fill" : "import"),
                void.importID.map { .integer(Int($0)) } ?? .empty, entry.venue.map(Table.Cell.text) ?? .empty,
                entry.tradeID.map(Table.Cell.text) ?? .empty, .integer(entry.fills), .text(void.reason),
            ])
        }
        return Report(schema: Self.schema, asOf: nil, sections: [table])
    }
}
