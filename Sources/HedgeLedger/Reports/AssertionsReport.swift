/// Every position assertion on record, in the order recorded: what was asserted, what the
/// ledger's fills hold at its time now, and its withdrawal when it was withdrawn.
public struct AssertionsReport: Sendable {
    public struct Entry: Sendable {
        public var outcome: PositionAssertionService.Outcome
        public var withdrawal: AssertionWithdrawal?
    }

    public var entries: [Entry]

    public static func build(ledger: Ledger) throws -> AssertionsReport {
        let service = PositionAssertionService(ledger: ledger)
        return AssertionsReport(entries: try ledger.positionAssertions.everyAssertion().map {
            Entry(outcome: try service.check($0.assertion), withdrawal: $0.withdrawal)
        })
    }

    public static let schema = Report.Schema(name: "hedgeledger.assertions", version: 1)

    public var report: Report {
        var table = Table(name: "assertions", title: "Position assertions", columns: [
            .init("id"), .init("book"), .init("instrument"), .init("time"), .init("asserted"),
            .init("held"), .init("holds"), .init("recorded_at"), .init("recorded_by"), .init("note"),
            .init("withdrawn"), .init("withdrawn_at"), .init("withdrawn_by"), .init("withdrawal_reason"),
        ])
        for entry in entries {
            let a = entry.outcome.assertion, w = entry.withdrawal
            table.rows.append([
                .integer(Int(a.id)), .text(a.book), .text(a.instrument), .time(a.time), .amount(a.quantity),
                .amount(entry.outcome.held), .bool(entry.outcome.holds), .time(a.recordedAt), .text(a.recordedBy),
                a.note.map(Table.Cell.text) ?? .empty, .bool(w != nil), w.map { .time($0.recordedAt) } ?? .empty,
                w.map { .text($0.recordedBy) } ?? .empty, w.map { .text($0.reason) } ?? .empty,
            ])
        }
        return Report(schema: Self.schema, asOf: nil, sections: [table])
    }
}
