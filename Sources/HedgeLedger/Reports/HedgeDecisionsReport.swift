/// Hedge decisions as a table: the journal (`hedge list`), or what `hedge plan` proposes.
public struct HedgeDecisionsReport: Sendable {
    public struct Entry: Sendable {
        public var decision: HedgeDecision
        /// nil: planned, not recorded.
        public var stored: StoredHedgeDecision?
        /// How a recorded decision was executed, and the net delta after its last fill.
        public var execution: HedgeExecution?
        public var residualNetDelta: Double?
        /// The key of the correction that replaced a recorded decision.
        public var supersededBy: String?
    }

    public var schema: Report.Schema
    public var asOf: Timestamp?
    public var title: String
    public var parameters: [(name: String, value: Table.Cell)]
    public var entries: [Entry]

    public static let journalSchema = Report.Schema(name: "hedgeledger.decisions", version: 1)
    public static let planSchema = Report.Schema(name: "hedgeledger.plan", version: 1)

    /// The journal between two times, narrowed to a book and an underlying.
    public static func journal(ledger: Ledger, book: String?, underlying: String?, from: Timestamp?, to: Timestamp?) throws
        -> HedgeDecisionsReport {
        let stored = try ledger.hedgeDecisions.decisions(book: book, underlying: underlying?.uppercased(), from: from, to: to)
        let journal = HedgeJournalService(ledger: ledger)
        let superseded = try ledger.hedgeDecisions.supersededIDs()
        let entries = try stored.map { stored in
            // A superseded decision's fills count for its correction, so it shows none itself.
            if superseded.contains(stored.id) {
                return Entry(decision: stored.decision, stored: stored, supersededBy: try ledger.hedgeDecisions.supersededBy(id: stored.id))
            }
            let executed = try journal.execution(of: stored)
            return Entry(decision: stored.decision, stored: stored, execution: executed.execution, residualNetDelta: executed.residualNetDelta)
        }
        return HedgeDecisionsReport(schema: journalSchema, asOf: to, title: "Hedge decisions and their execution", parameters: [
            ("book", book.map(Table.Cell.text) ?? .empty), ("underlying", underlying.map { .text($0.uppercased()) } ?? .empty),
            ("from", from.map(Table.Cell.time) ?? .empty), ("to", to.map(Table.Cell.time) ?? .empty),
        ], entries: entries)
    }

    /// What the policies imply at `time`; `recorded` when they were written to the journal.
    public static func plan(_ decisions: [HedgeDecision], recorded: [StoredHedgeDecision]?, at time: Timestamp,
                            book: String?, underlying: String?) -> HedgeDecisionsReport {
        let entries = recorded.map { $0.map { Entry(decision: $0.decision, stored: $0) } }
            ?? decisions.map { Entry(decision: $0, stored: nil) }
        return HedgeDecisionsReport(schema: planSchema, asOf: time,
                                    title: "What the hedge policies imply at \(time.iso8601)" + (recorded == nil ? " (not recorded: --record writes them to the journal)" : ", recorded"),
                                    parameters: [("book", book.map(Table.Cell.text) ?? .empty),
                                                 ("underlying", underlying.map { .text($0.uppercased()) } ?? .empty),
                                                 ("recorded", .bool(recorded != nil))],
                                    entries: entries)
    }

    public var report: Report {
        var table = Table(name: "decisions", title: title, columns: [
            .init("decision_id"), .init("time"), .init("book"), .init("underlying"), .init("policy"), .init("action"),
            .init("instrument"), .init("quantity"), .init("reference_price"), .init("net_delta", places: 6),
            .init("gamma", places: 8), .init("band_low", places: 6), .init("band_high", places: 6),
            .init("underlying_price", places: 2), .init("oldest_mark_age_s", places: 0), .init("exposure_time"),
            .init("reason"), .init("decided_by"), .init("source"), .init("rationale"), .init("recorded_at"), .init("supersedes"),
        ])
        let executionColumns: [Table.Column] = [
            .init("execution"), .init("fills"), .init("executed_quantity"), .init("avg_fill_price", places: 8),
            .init("slippage", places: 8), .init("slippage_cost", places: 8), .init("latency_s", places: 1),
            .init("latency_last_s", places: 1), .init("fees"), .init("residual_net_delta", places: 6), .init("superseded_by"),
        ]
        if schema == Self.journalSchema { table.columns += executionColumns }
        for entry in entries {
            let d = entry.decision, inputs = d.inputs
            table.rows.append([
                entry.stored.map { .text($0.decision.key) } ?? .empty, .time(d.time), .text(d.book), .text(d.underlying),
                d.policyID.map { .integer(Int($0)) } ?? .empty, .text(d.action.rawValue), d.instrument.map(Table.Cell.text) ?? .empty,
                d.quantity.map(Table.Cell.amount) ?? .empty, d.referencePrice.map(Table.Cell.amount) ?? .empty,
                .number(inputs.netDelta), .number(inputs.gamma), .number(inputs.bandLow), .number(inputs.bandHigh),
                .number(inputs.underlyingPrice), .number(inputs.oldestMarkAgeSeconds), inputs.exposureTime.map(Table.Cell.time) ?? .empty,
                .text(d.reason ?? ""), .text(d.decidedBy), .text(d.source.rawValue), .text(d.rationale),
                entry.stored.map { .time($0.recordedAt) } ?? .empty, d.supersedes.map(Table.Cell.text) ?? .empty,
            ])
            if schema == Self.journalSchema {
                let e = entry.execution
                table.rows[table.rows.count - 1] += [
                    entry.supersededBy != nil ? .text("superseded") : e?.status.map { .text($0.rawValue) } ?? .empty, .integer(e?.fills ?? 0), e.map { .amount($0.executedQuantity) } ?? .empty,
                    e?.averagePrice.map(Table.Cell.amount) ?? .empty, e?.slippage.map(Table.Cell.amount) ?? .empty,
                    e?.slippageCost.map(Table.Cell.amount) ?? .empty, .number(e?.latencyFirst), .number(e?.latencyLast),
                    .amounts(e?.fees ?? [:]), .number(entry.residualNetDelta), entry.supersededBy.map(Table.Cell.text) ?? .empty,
                ]
            }
        }
        return Report(schema: schema, asOf: asOf, parameters: parameters, sections: [table])
    }
}
