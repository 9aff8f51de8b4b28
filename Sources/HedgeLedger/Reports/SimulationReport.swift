/// `simulate`: candidate policies side by side on a book's stored exposure.
public struct SimulationReport: Sendable {
    public struct Entry: Sendable {
        public var book: String
        public var underlying: String
        public var spec: String
        public var outcome: PolicySimulator.Outcome
    }

    public var from: Timestamp
    public var to: Timestamp
    public var feeRate: Double
    public var entries: [Entry]

    /// Each policy (`specs` and their parsed values, in order) on each (book, underlying) the
    /// filter selects, over the stored exposure rows from `from` to `to`.
    public static func build(ledger: Ledger, policies: [(spec: String, policy: HedgePolicy)], from: Timestamp, to: Timestamp,
                             filter: PositionsReport.Filter, feeRate: Double) throws -> SimulationReport {
        var entries: [Entry] = []
        for pair in try ledger.positions.bookUnderlyings() where filter.includes(book: pair.book, underlying: pair.underlying) {
            let target = try ledger.bookSettings.inForce(book: pair.book, underlying: pair.underlying, at: from)?.settings.targetDelta ?? .zero
            var simulators = policies.map { spec in
                var policy = spec.policy
                policy.book = pair.book
                policy.underlying = pair.underlying
                return PolicySimulator(policy: policy, feeRate: feeRate, target: (policy.targetDelta ?? target).doubleValue)
            }
            try ledger.exposure.forEachRow(book: pair.book, underlying: pair.underlying, from: from, to: to) { row, _ in
                for index in simulators.indices { simulators[index].apply(row) }
            }
            for (index, simulator) in simulators.enumerated() where simulator.finish().rows > 0 {
                entries.append(Entry(book: pair.book, underlying: pair.underlying, spec: policies[index].spec, outcome: simulator.finish()))
            }
        }
        return SimulationReport(from: from, to: to, feeRate: feeRate, entries: entries)
    }

    public static let schema = Report.Schema(name: "hedgeledger.simulation", version: 1)

    public var report: Report {
        var table = Table(name: "policies", title: "Policies replayed on the stored exposure, \(from.iso8601) to \(to.iso8601) (USD; delta in coin)", columns: [
            .init("book"), .init("underlying"), .init("policy"), .init("hedges"), .init("traded_notional_usd", places: 0),
            .init("cost_usd", places: 2), .init("options_pnl_usd", places: 2), .init("hedged_pnl_usd", places: 2),
            .init("hedged_pnl_sd_usd", places: 2), .init("max_abs_net_delta", places: 4), .init("mean_abs_net_delta", places: 4),
            .init("time_outside_band_s", places: 0), .init("rows"),
        ])
        for entry in entries {
            let o = entry.outcome
            table.rows.append([.text(entry.book), .text(entry.underlying), .text(entry.spec), .integer(o.hedges),
                               .number(o.tradedNotional), .number(o.cost), .number(o.optionsPnL), .number(o.hedgedPnL),
                               .number(o.hedgedPnLStandardDeviation), .number(o.maxAbsNetDelta), .number(o.meanAbsNetDelta),
                               .number(o.secondsOutsideBand), .integer(o.rows)])
        }
        return Report(schema: Self.schema, asOf: to, parameters: [
            ("from", .time(from)), ("to", .time(to)), ("fee_rate", .number(feeRate)),
        ], sections: [table])
    }
}
