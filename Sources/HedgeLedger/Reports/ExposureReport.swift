/// The book at one moment: for each (book, underlying), the exposure row `recompute` stored
/// last at or before that moment (net delta, hedge ratio, required hedge), and the positions
/// behind it with their greeks, the marks used and their age.
///
/// A row holds until the next one: nothing that moves exposure (a fill, a mark of a held
/// instrument, an expiry, a settings change) happened between the row's time and the moment
/// asked, so the positions are valued as the row was, at the row's time with the marks as of
/// then (`GreeksReport`), and their sums are the row's. Mark ages are given at the moment
/// asked: how old the numbers a trader would have looked at were.
public struct ExposureReport: Sendable {
    public struct Pair: Sendable {
        public var row: ExposureRow
        public var run: Int64
        public var settings: HedgeSettings
        public var positions: [GreeksReport.Row]

        /// Whether a position counts as a hedge under the settings in force (options never do).
        public func isHedge(_ instrument: Instrument) -> Bool {
            instrument.kind != .option && (settings.hedgeInstruments?.contains(instrument.symbol) ?? true)
        }

        /// The listed positions' net delta of the hedged kind, summed as the row was: it equals the
        /// row's net delta unless the history is behind the ledger.
        public var positionsNetDelta: Double {
            var options = 0.0, others = 0.0
            for position in positions {
                guard let valuation = position.valuation else { continue }
                let instrument = position.position.instrument
                if instrument.kind == .option {
                    options += settings.hedgedDelta(inverseOption: instrument.isInverse) == .net ? valuation.netDelta : valuation.delta
                } else {
                    others += valuation.delta
                }
            }
            return others + options
        }

        public var positionsAgree: Bool {
            abs(positionsNetDelta - row.netDelta) <= 1e-9 * max(1, abs(row.netDelta))
        }
    }

    public var asOf: Timestamp
    public var filter: PositionsReport.Filter
    public var maxMarkAgeSeconds: Int64
    public var pairs: [Pair]
    public var freshness: HistoryFreshness

    public static func build(ledger: Ledger, at time: Timestamp, now: Timestamp, filter: PositionsReport.Filter = .init(),
                             maxMarkAgeSeconds: Int64 = MarketView.defaultMaxMarkAgeSeconds) throws -> ExposureReport {
        let underlying = filter.underlying?.uppercased()
        var keys = Set(try ledger.positions.bookUnderlyings().map { "\($0.book)\u{0}\($0.underlying)" })
        for version in try ledger.bookSettings.versions(book: filter.book, underlying: underlying) {
            keys.insert("\(version.settings.book)\u{0}\(version.settings.underlying)")
        }
        var pairs: [Pair] = []
        for key in keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let (book, coin) = (parts[0], parts[1])
            guard filter.includes(book: book, underlying: coin),
                  let (row, run) = try ledger.exposure.latest(book: book, underlying: coin, atOrBefore: time) else { continue }
            let settings = try ledger.bookSettings.inForce(book: book, underlying: coin, at: row.time)?.settings
                ?? .defaults(book: book, underlying: coin)
            let greeks = try GreeksReport.build(ledger: ledger, at: row.time, now: now,
                                                filter: .init(book: book, underlying: coin), maxMarkAgeSeconds: maxMarkAgeSeconds)
            let positions = greeks.rows.map { position in
                var position = position
                position.markAgeSeconds = position.mark.map { time.seconds(since: $0.time) }
                position.isStale = position.markAgeSeconds.map { $0 > Double(maxMarkAgeSeconds) } ?? false
                return position
            }
            pairs.append(Pair(row: row, run: run, settings: settings, positions: positions))
        }
        return ExposureReport(asOf: time, filter: filter, maxMarkAgeSeconds: maxMarkAgeSeconds, pairs: pairs, freshness: try HistoryFreshness.of(ledger))
    }

    public static let schema = Report.Schema(name: "hedgeledger.exposure", version: 1)

    public var report: Report {
        var totals = Table(name: "exposure", title: "Exposure per book and underlying at \(asOf.iso8601) (the last change at or before it)", columns: [
            .init("book"), .init("underlying"), .init("row_time"), .init("options_delta", places: 6),
            .init("options_net_delta", places: 6), .init("gross_options_delta", places: 6), .init("hedge_delta", places: 6),
            .init("net_delta", places: 6), .init("net_delta_usd", places: 2), .init("hedge_ratio", places: 4), .init("target_delta"),
            .init("required_hedge", places: 6), .init("hedge_instrument"), .init("hedged_delta"), .init("gamma", places: 8),
            .init("vega", places: 4), .init("theta", places: 4), .init("underlying_price", places: 2),
            .init("usd_per_coin", places: 2), .init("oldest_mark_age_s", places: 0), .init("positions"), .init("unpriced"),
            .init("positions_agree"), .init("run"),
        ])
        var positions = Table(name: "positions", title: "Positions behind it, valued at the row's time", columns: [
            .init("book"), .init("underlying"), .init("instrument"), .init("role"), .init("quantity"), .init("mark"),
            .init("mark_time"), .init("mark_age_s", places: 0), .init("stale"), .init("iv_pct", places: 4),
            .init("delta", places: 6), .init("net_delta", places: 6), .init("gamma", places: 8), .init("vega", places: 4),
            .init("theta", places: 4), .init("note"),
        ])
        for pair in pairs {
            let row = pair.row
            // The oldest mark's age now, not at the row's time.
            let oldest = row.oldestMarkAgeSeconds.map { $0 + asOf.seconds(since: row.time) }
            let hedged = pair.settings.hedgedDelta.map(\.rawValue) ?? "default"
            totals.rows.append([
                .text(row.book), .text(row.underlying), .time(row.time), .number(row.optionsDelta), .number(row.optionsNetDelta),
                .number(row.grossOptionsDelta), .number(row.hedgeDelta), .number(row.netDelta), .number(row.netDeltaUSD), .number(row.hedgeRatio),
                .amount(row.targetDelta), .number(row.requiredHedge), row.hedgeInstrument.map(Table.Cell.text) ?? .empty,
                .text(hedged), .number(row.gamma), .number(row.vega), .number(row.theta), .number(row.underlyingPrice),
                .number(row.usdPerCoin), .number(oldest), .integer(row.positions), .integer(row.unpriced),
                .bool(pair.positionsAgree), .integer(Int(pair.run)),
            ])
            for entry in pair.positions {
                let instrument = entry.position.instrument
                let role = instrument.kind == .option ? "option" : pair.isHedge(instrument) ? "hedge" : "other"
                let v = entry.valuation
                positions.rows.append([
                    .text(row.book), .text(row.underlying), .text(instrument.symbol), .text(role), .amount(entry.position.quantity),
                    entry.mark.map { .amount($0.markPrice) } ?? .empty, entry.mark.map { .time($0.time) } ?? .empty,
                    .number(entry.markAgeSeconds), entry.mark == nil ? .empty : .bool(entry.isStale),
                    .number(v?.volatilityImplied == false ? entry.mark?.markIV : v?.volatility.map { $0 * 100 }), .number(v?.delta), .number(v?.netDelta), .number(v?.gamma),
                    .number(v?.vega), .number(v?.theta), .text(entry.problem ?? ""),
                ])
            }
        }
        return Report(schema: Self.schema, asOf: asOf, parameters: [
            ("book", filter.book.map(Table.Cell.text) ?? .empty),
            ("underlying", filter.underlying.map { .text($0.uppercased()) } ?? .empty),
            ("max_mark_age_s", .integer(Int(maxMarkAgeSeconds))),
        ], status: freshness.facts, sections: [totals, positions])
    }
}
