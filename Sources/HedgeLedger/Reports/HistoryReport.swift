/// The stored exposure history of the pairs a filter selects, between two times, optionally
/// thinned to the last row of each bucket (`--every`) with the bucket's largest |net delta|.
/// Reads what `recompute` wrote; computes nothing.
public struct HistoryReport: Sendable {
    public struct Entry: Sendable {
        public var row: ExposureRow
        public var run: Int64
        /// The largest |net delta| among the rows the entry stands for (itself without buckets).
        public var maxAbsNetDelta: Double
    }

    public var filter: PositionsReport.Filter
    public var from: Timestamp?
    public var to: Timestamp?
    /// Bucket width in seconds, when thinned.
    public var everySeconds: Int64?
    /// The last recompute run, and the changes recorded since: what the history is behind by.
    public var freshness: HistoryFreshness
    public var entries: [Entry]
    /// The hedge decisions in the range, with their execution (`hedge list`'s entries).
    public var decisions: [HedgeDecisionsReport.Entry] = []

    public static func build(ledger: Ledger, filter: PositionsReport.Filter, from: Timestamp?, to: Timestamp?,
                             everySeconds: Int64?) throws -> HistoryReport {
        var entries: [Entry] = []
        let book = filter.book, underlying = filter.underlying?.uppercased()
        if let everySeconds {
            try ledger.exposure.forEachBucket(width: everySeconds * 1_000_000, book: book, underlying: underlying, from: from, to: to) {
                entries.append(Entry(row: $0, run: $1, maxAbsNetDelta: $2))
            }
        } else {
            try ledger.exposure.forEachRow(book: book, underlying: underlying, from: from, to: to) { row, run in
                entries.append(Entry(row: row, run: run, maxAbsNetDelta: abs(row.netDelta)))
            }
        }
        let decisions = try HedgeDecisionsReport.journal(ledger: ledger, book: book, underlying: underlying, from: from, to: to).entries
        return HistoryReport(filter: filter, from: from, to: to, everySeconds: everySeconds,
                             freshness: try HistoryFreshness.of(ledger), entries: entries, decisions: decisions)
    }

    public static let schema = Report.Schema(name: "hedgeledger.history", version: 1)

    /// A few columns of the history, for a terminal: what the demo shows of the last day.
    public var compactTable: Table {
        var table = Table(name: "history", title: "Net delta and hedge ratio" + (everySeconds.map { ", last row of every \($0 / 3600) h" } ?? ""),
                          columns: [.init("time"), .init("book"), .init("underlying"), .init("net_delta", places: 4),
                                    .init("net_delta_usd", places: 0), .init("hedge_ratio", places: 3),
                                    .init("required_hedge", places: 2), .init("hedge_instrument")])
        for entry in entries {
            let row = entry.row
            table.rows.append([.time(row.time), .text(row.book), .text(row.underlying), .number(row.netDelta),
                               .number(row.netDeltaUSD), .number(row.hedgeRatio), .number(row.requiredHedge),
                               row.hedgeInstrument.map(Table.Cell.text) ?? .empty])
        }
        return table
    }

    /// The decisions beside the rows, with the fields the journal's readers look for first.
    var decisionsTable: Table {
        var table = Table(name: "decisions", title: "Hedge decisions in the same range", columns: [
            .init("time"), .init("book"), .init("underlying"), .init("decision_id"), .init("action"), .init("instrument"),
            .init("quantity"), .init("reference_price"), .init("net_delta", places: 6), .init("execution"),
            .init("executed_quantity"), .init("avg_fill_price", places: 8), .init("slippage", places: 8),
            .init("latency_s", places: 1), .init("residual_net_delta", places: 6),
        ])
        for entry in decisions {
            let d = entry.decision, e = entry.execution
            table.rows.append([
                .time(d.time), .text(d.book), .text(d.underlying), entry.stored.map { .text($0.decision.key) } ?? .empty,
                .text(d.action.rawValue), d.instrument.map(Table.Cell.text) ?? .empty, d.quantity.map(Table.Cell.amount) ?? .empty,
                d.referencePrice.map(Table.Cell.amount) ?? .empty, .number(d.inputs.netDelta),
                entry.supersededBy != nil ? .text("superseded") : e?.status.map { .text($0.rawValue) } ?? .empty,
                e.map { .amount($0.executedQuantity) } ?? .empty,
                e?.averagePrice.map(Table.Cell.amount) ?? .empty, e?.slippage.map(Table.Cell.amount) ?? .empty,
                .number(e?.latencyFirst), .number(entry.residualNetDelta),
            ])
        }
        return table
    }

    public var report: Report {
        var table = Table(name: "history", title: "Exposure history" + (everySeconds.map { " (last row of every \($0) s)" } ?? ""), columns: [
            .init("time"), .init("book"), .init("underlying"), .init("options_delta", places: 6),
            .init("options_net_delta", places: 6), .init("hedge_delta", places: 6), .init("net_delta", places: 6),
            .init("max_abs_net_delta", places: 6), .init("gamma", places: 8), .init("vega", places: 4), .init("theta", places: 4),
            .init("underlying_price", places: 2), .init("usd_per_coin", places: 2), .init("net_delta_usd", places: 2),
            .init("hedge_ratio", places: 4), .init("target_delta"), .init("required_hedge", places: 6), .init("hedge_instrument"),
            .init("oldest_mark_age_s", places: 0), .init("positions"), .init("unpriced"), .init("gross_options_delta", places: 6),
            .init("run"), .init("pnl_usd", places: 2), .init("pnl_delta_usd", places: 2), .init("pnl_gamma_usd", places: 2),
            .init("pnl_vega_usd", places: 2), .init("pnl_theta_usd", places: 2), .init("pnl_residual_usd", places: 2),
            .init("pnl_options_usd", places: 2), .init("pnl_hedges_usd", places: 2),
        ])
        for entry in entries {
            let row = entry.row
            table.rows.append([
                .time(row.time), .text(row.book), .text(row.underlying), .number(row.optionsDelta), .number(row.optionsNetDelta),
                .number(row.hedgeDelta), .number(row.netDelta), .number(entry.maxAbsNetDelta), .number(row.gamma),
                .number(row.vega), .number(row.theta), .number(row.underlyingPrice), .number(row.usdPerCoin),
                .number(row.netDeltaUSD), .number(row.hedgeRatio), .amount(row.targetDelta), .number(row.requiredHedge),
                row.hedgeInstrument.map(Table.Cell.text) ?? .empty, .number(row.oldestMarkAgeSeconds),
                .integer(row.positions), .integer(row.unpriced), .number(row.grossOptionsDelta), .integer(Int(entry.run)),
                .number(row.explain?.actual), .number(row.explain?.delta), .number(row.explain?.gamma), .number(row.explain?.vega),
                .number(row.explain?.theta), .number(row.explain?.residual), .number(row.explain?.options),
                .number(row.explain?.hedges),
            ])
        }
        return Report(schema: Self.schema, asOf: to, parameters: [
            ("book", filter.book.map(Table.Cell.text) ?? .empty),
            ("underlying", filter.underlying.map { .text($0.uppercased()) } ?? .empty),
            ("from", from.map(Table.Cell.time) ?? .empty), ("to", to.map(Table.Cell.time) ?? .empty),
            ("every_s", everySeconds.map { .integer(Int($0)) } ?? .empty),
        ], status: freshness.facts, sections: decisions.isEmpty ? [table] : [table, decisionsTable])
    }
}
