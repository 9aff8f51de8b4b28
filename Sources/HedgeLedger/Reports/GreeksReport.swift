/// Greeks of every open position as of a moment, from the marks, with totals per book and
/// underlying in coin and USD. A position that cannot be valued (no mark, no forward, no
/// volatility) is a row with the reason, never an aborted report; stale marks and stale USD
/// prices are flagged; a total over positions that could not all be priced says so
/// (`complete: false` and the count), rather than summing the missing ones as 0.
public struct GreeksReport: Sendable {
    public struct Row: Sendable {
        public var position: Position
        public var mark: Mark?
        public var markAgeSeconds: Double?
        public var isStale: Bool
        public var valuation: PositionValuation?
        public var value: (amount: ExactDecimal, currency: String)?
        public var unrealisedPnL: ExactDecimal?
        public var usd: MarketView.USDPerCoin?
        public var problem: String?
    }

    public struct Total: Sendable {
        public var book: String
        public var underlying: String
        public var optionsDelta = 0.0, optionsNetDelta = 0.0, hedgeDelta = 0.0
        public var delta = 0.0, netDelta = 0.0, gamma = 0.0, vega = 0.0, theta = 0.0
        public var deltaUSD = 0.0, netDeltaUSD = 0.0, unrealisedUSD = 0.0
        public var positions = 0
        public var unpriced = 0
        public var stale = 0

        public var isComplete: Bool { unpriced == 0 }

        /// How much of the options' (premium-adjusted) delta the hedge instruments offset:
        /// 1 fully hedged, 0 unhedged; nil below `ExposureRow.ratioEpsilon` coin of options delta.
        public var hedgeRatio: Double? { ExposureRow.hedgeRatio(hedgeDelta: hedgeDelta, optionsDelta: optionsNetDelta) }
    }


    public var asOf: Timestamp
    public var filter: PositionsReport.Filter
    public var maxMarkAgeSeconds: Int64
    public var rows: [Row]
    public var totals: [Total]
    /// Settlements are read as `recompute` stored them: whether that is behind the ledger.
    public var freshness: HistoryFreshness
    public var settlementsMayBeBehind: Bool

    public static func build(ledger: Ledger, at time: Timestamp, now: Timestamp, filter: PositionsReport.Filter = .init(),
                             maxMarkAgeSeconds: Int64 = MarketView.defaultMaxMarkAgeSeconds) throws -> GreeksReport {
        let positions = try PositionsReport.build(ledger: ledger, at: time, now: now, filter: filter)
        let market = MarketView(ledger: ledger, time: time, maxMarkAgeSeconds: maxMarkAgeSeconds)
        var ids: [String: Int64] = [:]
        for stored in try ledger.instruments.all() { ids[stored.instrument.symbol] = stored.id }
        var rows: [Row] = []
        for position in positions.positions where [.open, .expired].contains(position.status(at: time)) {
            var row = Row(position: position, isStale: false)
            if position.status(at: time) == .expired {
                // Past expiry with no settlement price: no greeks, and its total is incomplete.
                row.problem = "expired at \(position.instrument.expiry?.iso8601 ?? "?") with no settlement price yet; import the settlement price of \(position.instrument.indexName)"
                rows.append(row)
                continue
            }
            guard let id = ids[position.instrument.symbol], let asOf = try market.mark(instrumentID: id) else {
                row.problem = "no mark at or before \(time.iso8601)"
                row.usd = try market.usdPerCoin(position.instrument, mark: nil)
                rows.append(row)
                continue
            }
            row.mark = asOf.mark
            row.markAgeSeconds = asOf.ageSeconds
            row.isStale = asOf.isStale
            row.value = try? position.marketValue(at: asOf.mark.markPrice)
            row.unrealisedPnL = try? position.unrealisedPnL(at: asOf.mark.markPrice)
            row.usd = try market.usdPerCoin(position.instrument, mark: asOf.mark)
            switch PositionValuation.value(position, mark: asOf.mark, at: time) {
            case .success(let valuation): row.valuation = valuation
            case .failure(let problem): row.problem = problem.description
            }
            rows.append(row)
        }
        return GreeksReport(asOf: time, filter: filter, maxMarkAgeSeconds: maxMarkAgeSeconds, rows: rows,
                            totals: totals(of: rows), freshness: positions.freshness,
                            settlementsMayBeBehind: positions.settlementsMayBeBehind)
    }

    static func totals(of rows: [Row]) -> [Total] {
        var totals: [String: Total] = [:]
        for row in rows {
            let key = row.position.book + "\u{0}" + row.position.instrument.underlying
            var total = totals[key] ?? Total(book: row.position.book, underlying: row.position.instrument.underlying)
            total.positions += 1
            guard let valuation = row.valuation else { total.unpriced += 1; totals[key] = total; continue }
            if row.isStale || row.usd?.isStale == true { total.stale += 1 }
            let usd = row.usd?.value ?? valuation.forward
            if row.position.instrument.kind == .option {
                total.optionsDelta += valuation.delta
                total.optionsNetDelta += valuation.netDelta
            } else {
                total.hedgeDelta += valuation.netDelta
            }
            total.delta += valuation.delta
            total.netDelta += valuation.netDelta
            total.gamma += valuation.gamma
            total.vega += valuation.vega
            total.theta += valuation.theta
            total.deltaUSD += valuation.delta * usd
            total.netDeltaUSD += valuation.netDelta * usd
            if let pnl = row.unrealisedPnL {
                let settlesInCoin = row.position.instrument.settlementCurrency == row.position.instrument.underlying
                total.unrealisedUSD += pnl.doubleValue * (settlesInCoin ? usd : 1)
            }
            totals[key] = total
        }
        return totals.values.sorted { ($0.book, $0.underlying) < ($1.book, $1.underlying) }
    }

    public static let schema = Report.Schema(name: "hedgeledger.greeks", version: 1)

    public var report: Report {
        var positions = Table(name: "positions", title: "Greeks per position at \(asOf.iso8601)", columns: [
            .init("book"), .init("underlying"), .init("instrument"), .init("quantity"), .init("mark"), .init("mark_time"),
            .init("mark_age_s", places: 0), .init("stale"), .init("iv_pct", places: 4), .init("iv_implied"),
            .init("value", places: 8), .init("value_ccy"), .init("delta", places: 6), .init("net_delta", places: 6),
            .init("usd_per_coin", places: 2), .init("usd_source"), .init("usd_age_s", places: 0), .init("usd_stale"),
            .init("delta_usd", places: 2), .init("net_delta_usd", places: 2), .init("gamma", places: 8),
            .init("vega", places: 4), .init("theta", places: 4), .init("unrealised_pnl", places: 8), .init("pnl_ccy"),
            .init("note"),
        ])
        for row in rows {
            let instrument = row.position.instrument
            let v = row.valuation
            let usd = v.map { row.usd?.value ?? $0.forward }
            positions.rows.append([
                .text(row.position.book), .text(instrument.underlying), .text(instrument.symbol), .amount(row.position.quantity),
                row.mark.map { .amount($0.markPrice) } ?? .empty, row.mark.map { .time($0.time) } ?? .empty,
                .number(row.markAgeSeconds), row.mark == nil ? .empty : .bool(row.isStale),
                .number(v?.volatilityImplied == false ? row.mark?.markIV : v?.volatility.map { $0 * 100 }),
                v?.volatility == nil ? .empty : .bool(v!.volatilityImplied),
                row.value.map { .amount($0.amount) } ?? .empty, row.value.map { .text($0.currency) } ?? .empty,
                .number(v?.delta), .number(v?.netDelta), .number(row.usd?.value), row.usd.map { .text($0.source) } ?? .empty,
                .number(row.usd?.ageSeconds), row.usd.map { .bool($0.isStale) } ?? .empty,
                .number(v.flatMap { v in usd.map { v.delta * $0 } }), .number(v.flatMap { v in usd.map { v.netDelta * $0 } }),
                .number(v?.gamma), .number(v?.vega), .number(v?.theta),
                row.unrealisedPnL.map(Table.Cell.amount) ?? .empty, .text(instrument.settlementCurrency),
                .text(row.problem ?? (v?.volatilityImplied == true ? "iv implied from mark_price" : "")),
            ])
        }
        var totalsTable = Table(name: "totals", title: "Totals per book and underlying (USD at each position's USD price)", columns: [
            .init("book"), .init("underlying"), .init("options_delta", places: 6), .init("options_net_delta", places: 6),
            .init("hedge_delta", places: 6), .init("hedge_ratio", places: 4), .init("delta", places: 6),
            .init("net_delta", places: 6), .init("delta_usd", places: 2), .init("net_delta_usd", places: 2),
            .init("gamma", places: 8), .init("vega", places: 4), .init("theta", places: 4),
            .init("unrealised_pnl_usd", places: 2), .init("positions"), .init("unpriced"), .init("stale"), .init("complete", warnsWhenFalse: true),
        ])
        for total in totals {
            totalsTable.rows.append([
                .text(total.book), .text(total.underlying), .number(total.optionsDelta), .number(total.optionsNetDelta),
                .number(total.hedgeDelta), .number(total.hedgeRatio), .number(total.delta), .number(total.netDelta),
                .number(total.deltaUSD), .number(total.netDeltaUSD), .number(total.gamma), .number(total.vega),
                .number(total.theta), .number(total.unrealisedUSD), .integer(total.positions), .integer(total.unpriced),
                .integer(total.stale), .bool(total.isComplete),
            ])
        }
        return Report(schema: Self.schema, asOf: asOf, parameters: [
            ("book", filter.book.map(Table.Cell.text) ?? .empty),
            ("underlying", filter.underlying.map { .text($0.uppercased()) } ?? .empty),
            ("max_mark_age_s", .integer(Int(maxMarkAgeSeconds))),
        ], status: freshness.facts, sections: [positions, totalsTable])
    }
}
