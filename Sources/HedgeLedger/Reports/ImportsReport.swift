/// Every import on record, oldest first: what file, which bytes (SHA-256 and size), what
/// format, what came of it, and whether a void took its fills out.
public struct ImportsReport: Sendable {
    public struct Entry: Sendable {
        public var record: ImportRecord
        public var void: StoredVoid?
        public var fillsVoided: Int
    }

    public var entries: [Entry]

    public static func build(ledger: Ledger) throws -> ImportsReport {
        let voidedCounts = try ledger.voids.voidedFillCounts()
        var entries: [Entry] = []
        for record in try ledger.imports.all() {
            entries.append(Entry(record: record, void: try ledger.voids.findVoid(ofImport: record.id),
                                 fillsVoided: voidedCounts[record.id] ?? 0))
        }
        return ImportsReport(entries: entries)
    }

    public static let schema = Report.Schema(name: "hedgeledger.imports", version: 1)

    public var report: Report {
        var table = Table(name: "imports", title: "Imports", columns: [
            .init("id"), .init("imported_at"), .init("kind"), .init("file"), .init("sha256"), .init("size_bytes"),
            .init("format"), .init("rows_accepted"), .init("rows_duplicate"), .init("voided"), .init("fills_voided"),
            .init("void_reason"),
        ])
        for entry in entries {
            let record = entry.record
            table.rows.append([
                .integer(Int(record.id)), .time(record.importedAt), .text(record.kind), .text(record.fileName),
                .text(record.sha256), .integer(Int(record.sizeBytes)), .text(record.format), .integer(record.rowsAccepted),
                .integer(record.rowsDuplicate), .bool(entry.void != nil), .integer(entry.fillsVoided),
                entry.void.map { .text($0.reason) } ?? .empty,
            ])
        }
        return Report(schema: Self.schema, asOf: nil, sections: [table])
    }
}
