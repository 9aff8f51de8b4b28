/// `simulate`: candidate policies side by side on a book's stored exposure.
public struct SimulationReport: Sendable {
    public struct Entry: Sendable {
        public var book: String
        public var underlying: String
        public var spec: String
        public var outcome: PolicySimulator.Outcome
        /// The instrument whose quotes priced the spread.
        public var hedgeInstrument: String
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
            // The spread is that of the hedge instrument the book names (settings, else its policy), else the perpetual.
            let named = try ledger.bookSettings.inForce(book: pair.book, underlying: pair.underlying, at: from)?.settings.hedgeInstruments?.first
                ?? ledger.hedgePolicies.inForce(book: pair.book, underlying: pair.underlying, at: from)?.policy.hedgeInstrument
            let hedgeSymbol = named ?? "\(pair.underlying)-PERPETUAL"
            let hedgeID = try ledger.instruments.find(symbol: hedgeSymbol)?.id
            var quoteAt: (time: Timestamp, quote: (bid: Double, ask: Double)?)?
            func quote(at time: Timestamp) throws -> (bid: Double, ask: Double)? {
                if let cached = quoteAt, cached.time == time { return cached.quote }
                var found: (bid: Double, ask: Double)?
                if let hedgeID, let mark = try ledger.marks.latest(instrumentID: hedgeID, atOrBefore: time)?.mark,
                   time.seconds(since: mark.time) <= Self.maxQuoteAgeSeconds, let bid = mark.bidPrice, let ask = mark.askPrice {
                    found = (bid.doubleValue, ask.doubleValue)
                }
                quoteAt = (time, found)
                return found
            }
            try ledger.exposure.forEachRow(book: pair.book, underlying: pair.underlying, from: from, to: to) { row, _ in
                for index in simulators.indices {
                    // Quotes are looked up only where a policy trades.
                    if let traded = simulators[index].apply(row), let quote = try quote(at: row.time) {
                        simulators[index].chargeSpread(bid: quote.bid, ask: quote.ask, onTrade: traded)
                    }
                }
            }
            for (index, simulator) in simulators.enumerated() where simulator.finish().rows > 0 {
                entries.append(Entry(book: pair.book, underlying: pair.underlying, spec: policies[index].spec, outcome: simulator.finish(),
                                     hedgeInstrument: hedgeSymbol))
            }
        }
        return SimulationReport(from: from, to: to, feeRate: feeRate, entries: entries)
    }

    /// A quote older than this at a simulated trade is not used: the spread is then unknown.
    public static let maxQuoteAgeSeconds = 3600.0

    public static let schema = Report.Schema(name: "hedgeledger.simulation", version: 1)

    public var report: Report {
        var table = Table(name: "policies", title: "Policies replayed on the stored exposure, \(from.iso8601) to \(to.iso8601) (USD; delta in coin)", columns: [
            .init("book"), .init("underlying"), .init("policy"), .init("hedges"), .init("traded_notional_usd", places: 0),
            .init("cost_usd", places: 2), .init("fees_usd", places: 2), .init("spread_cost_usd", places: 2), .init("quoted_hedges"),
            .init("hedge_instrument"), .init("options_pnl_usd", places: 2), .init("hedged_pnl_usd", places: 2),
            .init("hedged_pnl_sd_usd", places: 2), .init("max_abs_net_delta", places: 4), .init("mean_abs_net_delta", places: 4),
            .init("time_outside_band_s", places: 0), .init("rows"),
        ])
        for entry in entries {
            let o = entry.outcome
            table.rows.append([.text(entry.book), .text(entry.underlying), .text(entry.spec), .integer(o.hedges),
                               .number(o.tradedNotional), .number(o.cost), .number(o.fees), .number(o.spreadCost),
                               .integer(o.quotedHedges), .text(entry.hedgeInstrument), .number(o.optionsPnL), .number(o.hedgedPnL),
                               .number(o.hedgedPnLStandardDeviation), .number(o.maxAbsNetDelta), .number(o.meanAbsNetDelta),
                               .number(o.secondsOutsideBand), .integer(o.rows)])
        }
        return Report(schema: Self.schema, asOf: to, parameters: [
            ("from", .time(from)), ("to", .time(to)), ("fee_rate", .number(feeRate)),
        ], sections: [table])
    }
}
