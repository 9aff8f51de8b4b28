/// Greeks of every open position as of a moment, from the marks, with totals per book and
/// underlying in coin and USD. A position that cannot be valued (no mark, no forward, no
/// volatility) is a row with the reason, never an aborted report; stale marks are flagged.
public struct GreeksReport: Sendable {
    public struct Row: Sendable {
        public var position: Position
        public var mark: Mark?
        public var markAgeSeconds: Double?
        public var isStale: Bool
        public var valuation: PositionValuation?
        public var unrealisedPnL: ExactDecimal?
        public var usdPerCoin: Double?
        public var problem: String?
    }

    public struct Total: Sendable {
        public var book: String
        public var underlying: String
        public var delta = 0.0, netDelta = 0.0, gamma = 0.0, vega = 0.0, theta = 0.0
        public var deltaUSD = 0.0, netDeltaUSD = 0.0, unrealisedUSD = 0.0
        public var unpriced = 0
        public var stale = 0
    }

    public var asOf: Timestamp
    public var rows: [Row]
    public var totals: [Total]

    public static func build(ledger: Ledger, at time: Timestamp, now: Timestamp, filter: PositionsReport.Filter = .init(),
                             maxMarkAgeSeconds: Int64 = MarketView.defaultMaxMarkAgeSeconds) throws -> GreeksReport {
        let positions = try PositionsReport.build(ledger: ledger, at: time, now: now, filter: filter)
        let market = MarketView(ledger: ledger, time: time, maxMarkAgeSeconds: maxMarkAgeSeconds)
        var ids: [String: Int64] = [:]
        for stored in try ledger.instruments.all() { ids[stored.instrument.symbol] = stored.id }
        var rows: [Row] = []
        for position in positions.positions where position.status(at: time) == .open {
            var row = Row(position: position, isStale: false)
            guard let id = ids[position.instrument.symbol], let asOf = try market.mark(instrumentID: id) else {
                row.problem = "no mark at or before \(time.iso8601)"
                row.usdPerCoin = try market.usdPerCoin(position.instrument, mark: nil)
                rows.append(row)
                continue
            }
            row.mark = asOf.mark
            row.markAgeSeconds = asOf.ageSeconds
            row.isStale = asOf.isStale
            row.unrealisedPnL = position.unrealisedPnL(at: asOf.mark.markPrice)
            row.usdPerCoin = try market.usdPerCoin(position.instrument, mark: asOf.mark)
            switch PositionValuation.value(position, mark: asOf.mark, at: time) {
            case .success(let valuation): row.valuation = valuation
            case .failure(let problem): row.problem = problem.description
            }
            rows.append(row)
        }
        return GreeksReport(asOf: time, rows: rows, totals: totals(of: rows))
    }

    static func totals(of rows: [Row]) -> [Total] {
        var totals: [String: Total] = [:]
        for row in rows {
            let key = row.position.book + "\u{0}" + row.position.instrument.underlying
            var total = totals[key] ?? Total(book: row.position.book, underlying: row.position.instrument.underlying)
            if row.isStale { total.stale += 1 }
            guard let valuation = row.valuation else { total.unpriced += 1; totals[key] = total; continue }
            let usd = row.usdPerCoin ?? valuation.forward
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

    /// Positions and totals in one table: `level` says which a row is, so CSV and JSON carry both.
    public var table: Table {
        var table = Table(columns: ["level", "book", "underlying", "instrument", "quantity", "mark", "mark_time", "mark_age_s",
                                    "stale", "iv_pct", "value", "value_ccy", "delta", "net_delta", "delta_usd",
                                    "net_delta_usd", "gamma", "vega", "theta", "unrealised_pnl", "pnl_ccy", "note"])
        func number(_ value: Double?, _ places: Int) -> Table.Cell {
            guard let value, value.isFinite else { return .empty }
            return .amount(ExactDecimal(approximating: value, places: places))
        }
        for row in rows {
            let instrument = row.position.instrument
            let v = row.valuation
            var note = row.problem ?? ""
            if let v, v.volatilityImplied { note = "iv implied from mark_price" }
            let value = row.mark.map { row.position.marketValue(at: $0.markPrice) }
            let usd = v.map { row.usdPerCoin ?? $0.forward }
            table.rows.append([
                .text("position"), .text(row.position.book), .text(instrument.underlying), .text(instrument.symbol),
                .amount(row.position.quantity), row.mark.map { .amount($0.markPrice) } ?? .empty,
                row.mark.map { .time($0.time) } ?? .empty, number(row.markAgeSeconds, 0), .text(row.isStale ? "yes" : ""),
                number(v?.volatility.map { $0 * 100 }, 4), value.map { .amount($0.amount.rounded(toPlaces: 8)) } ?? .empty,
                value.map { .text($0.currency) } ?? .empty, number(v?.delta, 6), number(v?.netDelta, 6),
                number(v.flatMap { v in usd.map { v.delta * $0 } }, 2), number(v.flatMap { v in usd.map { v.netDelta * $0 } }, 2),
                number(v?.gamma, 8), number(v?.vega, 4),
                number(v?.theta, 4), row.unrealisedPnL.map { .amount($0.rounded(toPlaces: 8)) } ?? .empty,
                .text(instrument.settlementCurrency), .text(note),
            ])
        }
        for total in totals {
            var notes: [String] = []
            if total.unpriced > 0 { notes.append("\(total.unpriced) position\(total.unpriced == 1 ? "" : "s") not priced") }
            if total.stale > 0 { notes.append("\(total.stale) stale mark\(total.stale == 1 ? "" : "s")") }
            table.rows.append([
                .text("total"), .text(total.book), .text(total.underlying), .empty, .empty, .empty, .empty, .empty,
                .text(total.stale > 0 ? "yes" : ""), .empty, .empty, .empty, number(total.delta, 6), number(total.netDelta, 6),
                number(total.deltaUSD, 2), number(total.netDeltaUSD, 2), number(total.gamma, 8), number(total.vega, 4),
                number(total.theta, 4),
                number(total.unrealisedUSD, 2), .text("USD"), .text(notes.joined(separator: "; ")),
            ])
        }
        return table
    }
}
