import Crypto

/// The end-of-day audit report (`report eod`): what a desk hands its head of risk and its
/// auditor for one day. It reads what the ledger stores and `recompute` derived, never writes,
/// and is built as one value (`report`) that every format renders.
///
/// The day of `date` runs from `date` at the cutoff to the next day's cutoff (default 00:00 UTC,
/// the calendar day; 08:00 is Deribit's settlement). Regenerated from the same ledger it is the
/// same report, line for line, except `generated_at`; `inputs_sha256` says so in one value.
public struct EndOfDayReport: Sendable {
    /// Per book and underlying, the day in a line.
    public struct Summary: Sendable {
        public var book: String
        public var underlying: String
        /// From the row in force at the cutoff.
        public var netDelta: Double?
        public var netDeltaUSD: Double?
        /// Positions the row in force at the cutoff could not price (no mark): its net delta leaves them out.
        public var unpriced: Int?
        public var maxAbsNetDelta: Double?
        /// Seconds of the day the net delta spent outside the policy's band (nil: no policy).
        public var secondsOutsideBand: Double?
        /// Rebalances decided during the day (corrections counted once).
        public var hedges: Int
        /// Fees of the fills that executed them, and their slippage cost, by currency.
        public var hedgeFees: [String: ExactDecimal]
        public var slippageCost: [String: ExactDecimal]
        public var rows: Int
        /// The P&L explain of the intervals ending during the day, summed; `intervals` of them had
        /// one, `unexplained` did not (a pair's first row, an expiry).
        public var explain = ExposureRow.PnLExplain()
        public var intervals = 0
        public var unexplained = 0
        /// Fees of all the pair's fills of the day, by currency.
        public var fees: [String: ExactDecimal] = [:]
        /// Hedge effectiveness (domain.md): −hedge P&L ÷ options P&L (nil when the options' is
        /// under 1 USD); 1 − Var(hedged) ÷ Var(unhedged) across the intervals; the hedging cost
        /// (fees and slippage, USD) per USD of standard deviation removed.
        public var dollarOffset: Double?
        public var varianceReduction: Double?
        public var hedgingCostUSD: Double?
        public var costPerRiskRemoved: Double?

        public var highlyEffective: Bool? { dollarOffset.map { (0.80...1.25).contains($0) } }
    }

    /// A residual above this share of the day's P&L (and above 1 USD) is an exception.
    public static let residualShare = 0.10

    public var date: String
    public var cutoffMinutes: Int
    /// The timeline's bucket width in seconds; nil: every row.
    public var timelineSeconds: Int64?
    public var from: Timestamp
    public var to: Timestamp
    /// The books asked for; empty: every book.
    public var books: [String]
    public var ledgerFile: String
    public var codeVersion: String
    public var generatedAt: Timestamp
    public var freshness: HistoryFreshness
    public var chainHead: ChainEntry?
    public var chainRecords: Int
    public var inputsSHA256: String
    public var summaries: [Summary]
    public var exposure: Table
    public var positions: Table
    public var settlements: [PositionSettlement]
    public var timeline: Table
    public var decisions: Table
    public var exceptions: [Exception]
    public var verification: LedgerVerifier.Result
    public var imports: [ImportsReport.Entry]
    /// The day's fills of the books reported, voided ones included and marked: what was traded.
    public var fills: [(fill: StoredFill, voided: Bool)]
    /// Cash per venue account at the cutoff, from the transaction logs (every account).
    public var cash: BalancesReport
    /// What the HTML report draws, per book and underlying.
    public var charts: [Chart]

    /// A pair's day as a picture: net delta against the band, hedge trades, the hedge ratio.
    public struct Chart: Sendable {
        public struct Point: Sendable {
            public var time: Timestamp
            public var netDelta: Double
            public var bandLow: Double?
            public var bandHigh: Double?
            public var hedgeRatio: Double?
            /// The row priced every position (its net delta counts them all).
            public var complete = true
        }
        public var book: String
        public var underlying: String
        public var from: Timestamp
        public var to: Timestamp
        public var points: [Point]
        /// The day's rebalance decisions: when, and what they traded.
        public var trades: [(time: Timestamp, label: String)]
        /// The day's P&L explain, when some interval had one.
        public var explain: ExposureRow.PnLExplain?

        /// At most four points per `buckets`-th of the day (its first, lowest, highest and last
        /// net delta), in time order: what a chart of that width can show of a day of many rows.
        static func thinned(_ points: [Point], from: Timestamp, to: Timestamp, buckets: Int = 900) -> [Point] {
            guard points.count > 4 * buckets else { return points }
            let span = max(1, to.microseconds - from.microseconds)
            var kept: [Point] = [], bucket: [Point] = [], current = -1
            func flush() {
                guard let first = bucket.first else { return }
                let low = bucket.min { $0.netDelta < $1.netDelta }!, high = bucket.max { $0.netDelta < $1.netDelta }!
                var chosen = [first, low, high, bucket.last!]
                chosen.sort { $0.time < $1.time }
                for point in chosen where kept.last?.time != point.time { kept.append(point) }
                bucket.removeAll(keepingCapacity: true)
            }
            for point in points {
                let index = Int((point.time.microseconds - from.microseconds) * Int64(buckets) / span)
                if index != current { flush(); current = index }
                bucket.append(point)
            }
            flush()
            return kept
        }
    }

    /// One finding of the day, whatever produced it.
    public struct Exception: Sendable {
        public var kind: String
        public var time: Timestamp
        public var book: String
        public var underlying: String
        public var subject: String
        public var detail: String
    }

    public static let schema = Report.Schema(name: "hedgeledger.eod", version: 1)

    /// Minutes after midnight as HH:MM.
    static func clock(_ minutes: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(minutes / 60)):\(two(minutes % 60))"
    }

    /// Why the report was not made.
    public enum Refusal: Error, CustomStringConvertible {
        case behind(HistoryFreshness)

        public var description: String {
            switch self {
            case .behind(let freshness):
                let what = freshness.latestRun.map { "is behind the ledger by \(freshness.pendingChanges) change\(freshness.pendingChanges == 1 ? "" : "s") since recompute run #\($0.id)" }
                    ?? "has never been computed"
                return "the exposure history \(what): an end-of-day report would not show them. Run `hedgeledger recompute` first, or pass --allow-stale to make it anyway, marked STALE"
            }
        }
    }

    /// The day of `date` (a calendar date, UTC) ending at the next day's cutoff.
    public static func window(date: Timestamp, cutoffMinutes: Int) -> (from: Timestamp, to: Timestamp) {
        let from = Timestamp(microseconds: date.microseconds + Int64(cutoffMinutes) * 60_000_000)
        return (from, Timestamp(microseconds: from.microseconds + 86_400_000_000))
    }

    /// The timeline's default: the last row of every 5 minutes, with the largest |net delta|
    /// among the rows it stands for (a busy day has a row per fill; `history` has them all).
    public static let defaultTimelineSeconds: Int64 = 300

    /// `timelineSeconds`: the timeline's bucket width; nil: every stored row.
    public static func build(ledger: Ledger, date: Timestamp, cutoffMinutes: Int, books asked: [String], codeVersion: String,
                             generatedAt: Timestamp, allowStale: Bool,
                             timelineSeconds: Int64? = defaultTimelineSeconds) throws -> EndOfDayReport {
        let freshness = try HistoryFreshness.of(ledger)
        if freshness.isBehind && !allowStale { throw Refusal.behind(freshness) }
        let (from, to) = window(date: date, cutoffMinutes: cutoffMinutes)
        // The cutoff itself belongs to the next day: everything here is before it.
        let last = Timestamp(microseconds: to.microseconds - 1)
        let filters = asked.isEmpty ? [PositionsReport.Filter()] : asked.map { PositionsReport.Filter(book: $0) }
        let includes = { (book: String) in asked.isEmpty || asked.contains(book) }

        var exposureReports: [Report] = [], timelineReports: [Report] = [], decisionReports: [Report] = []
        var exceptions: [Exception] = []
        for filter in filters {
            let exposure = try ExposureReport.build(ledger: ledger, at: last, now: last, filter: filter)
            exposureReports.append(exposure.report)
            for pair in exposure.pairs {
                if pair.row.unpriced > 0 {
                    exceptions.append(Exception(kind: "unpriced", time: pair.row.time, book: pair.row.book, underlying: pair.row.underlying,
                                                subject: "\(pair.row.unpriced) position\(pair.row.unpriced == 1 ? "" : "s")",
                                                detail: "positions with no usable mark, or expired and not settled, count for nothing in the net delta at the cutoff"))
                }
                // One line per pair: a chain of options marked together goes stale together.
                let stale = pair.positions.filter(\.isStale)
                if let oldest = stale.compactMap({ $0.mark?.time }).min() {
                    let symbols = stale.map(\.position.instrument.symbol)
                    exceptions.append(Exception(kind: "stale-mark", time: last, book: pair.row.book, underlying: pair.row.underlying,
                                                subject: "\(stale.count) position\(stale.count == 1 ? "" : "s")",
                                                detail: "marks older than \(exposure.maxMarkAgeSeconds) s at the cutoff (the oldest from \(oldest.iso8601)): "
                                                    + symbols.prefix(10).joined(separator: ", ") + (symbols.count > 10 ? " and \(symbols.count - 10) more" : "")))
                }
                let unmarked = pair.positions.filter { $0.mark == nil }.map(\.position.instrument.symbol)
                if !unmarked.isEmpty {
                    exceptions.append(Exception(kind: "missing-mark", time: last, book: pair.row.book, underlying: pair.row.underlying,
                                                subject: "\(unmarked.count) position\(unmarked.count == 1 ? "" : "s")",
                                                detail: "no mark at or before the cutoff: " + unmarked.joined(separator: ", ")))
                }
            }
            timelineReports.append(try HistoryReport.build(ledger: ledger, filter: filter, from: from, to: last,
                                                           everySeconds: timelineSeconds).report)
            decisionReports.append(try HedgeDecisionsReport.journal(ledger: ledger, book: filter.book, underlying: nil, from: from, to: last).report)
            // Unexplained hedge fills are one line per book and underlying: a day may have thousands.
            var unlinked: [String: [HedgeExceptions.Entry]] = [:]
            for entry in try HedgeExceptions(ledger: ledger).list(book: filter.book, from: from, to: last) {
                if entry.kind == .unlinkedFill {
                    unlinked["\(entry.book)\u{0}\(entry.underlying)", default: []].append(entry)
                    continue
                }
                exceptions.append(Exception(kind: entry.kind.rawValue, time: entry.time, book: entry.book, underlying: entry.underlying,
                                            subject: entry.decision ?? entry.fill ?? "", detail: entry.detail))
            }
            for (_, entries) in unlinked {
                let first = entries[0], count = entries.count
                exceptions.append(Exception(kind: HedgeExceptions.Entry.Kind.unlinkedFill.rawValue, time: first.time, book: first.book,
                                            underlying: first.underlying, subject: "\(count) fill\(count == 1 ? "" : "s")",
                                            detail: "hedge-instrument fills from \(first.time.iso8601) to \(entries.last!.time.iso8601) that no decision names or is linked to; the first: \(first.fill ?? "") \(first.detail). `hedgeledger hedge exceptions --book \(first.book) --from \(from.iso8601) --to \(last.iso8601)` lists each"))
            }
        }
        for discrepancy in try MarksCheckReport.build(ledger: ledger, at: last).discrepancies where discrepancy.time >= from {
            exceptions.append(Exception(kind: "venue-greeks", time: discrepancy.time, book: "", underlying: "", subject: discrepancy.instrument,
                                        detail: "the venue's \(discrepancy.greek) \(discrepancy.venue) against ours \(discrepancy.ours) (tolerance \(discrepancy.tolerance))"))
        }
        for entry in try VoidsReport.build(ledger: ledger).entries where entry.void.time >= from && entry.void.time <= last {
            exceptions.append(Exception(kind: "void", time: entry.void.time, book: "", underlying: "",
                                        subject: entry.void.importID.map { "import #\($0)" } ?? "\(entry.venue ?? "") \(entry.tradeID ?? "")",
                                        detail: "\(entry.fills) fill\(entry.fills == 1 ? "" : "s") voided by \(entry.void.voidedBy): \(entry.void.reason)"))
        }
        // What the checks of a log imported with --no-check found on the day's rows: recorded, not refused.
        for (mismatch, entry) in try ledger.venueLog.mismatches(through: last, account: nil)
        where entry.record.timeMicroseconds >= from.microseconds && includes(entry.book) {
            let r = entry.record
            exceptions.append(Exception(kind: "log-mismatch", time: Timestamp(microseconds: r.timeMicroseconds), book: entry.book,
                                        underlying: "", subject: "\(r.venue) \(r.account) \(r.currency) ID \(r.entryID)",
                                        detail: "\(mismatch.rule.rawValue): the log says \(mismatch.venueValue), the ledger \(mismatch.ledgerValue) (recorded by import #\(entry.importID), imported with --no-check)"))
        }
        // Checkpoints hold forever after: a failing one is listed every day from its time on.
        for outcome in try PositionAssertionService(ledger: ledger).checkAll(through: last)
        where !outcome.holds && includes(outcome.assertion.book) {
            let a = outcome.assertion
            exceptions.append(Exception(kind: "assertion", time: a.time, book: a.book,
                                        underlying: try ledger.instruments.find(id: a.instrumentID)?.instrument.underlying ?? "",
                                        subject: a.instrument,
                                        detail: "assertion #\(a.id) by \(a.recordedBy): asserted \(a.quantity), the ledger holds \(outcome.held)"))
        }
        let (summaries, charts) = try summarize(ledger: ledger, from: from, last: last, includes: includes)
        for s in summaries where abs(s.explain.residual) > max(1, residualShare * abs(s.explain.actual)) {
            exceptions.append(Exception(kind: "pnl-residual", time: last, book: s.book, underlying: s.underlying, subject: "residual",
                                        detail: "the greeks leave \(s.explain.residual) USD of the day's \(s.explain.actual) USD P&L unexplained (more than \(Int(residualShare * 100))% of it)"))
        }
        exceptions.sort { ($0.time, $0.book, $0.underlying, $0.kind, $0.subject) < ($1.time, $1.book, $1.underlying, $1.kind, $1.subject) }

        let verification = try LedgerVerifier(ledger: ledger, codeVersion: codeVersion).verify(quick: true)
        let settlements = try ledger.settlements.settlements(from: from, to: last).filter { includes($0.book) }
        let imports = try ImportsReport.build(ledger: ledger).entries.filter { $0.record.importedAt >= from && $0.record.importedAt <= last }
        let fills = try ledger.fills.list(book: nil, underlying: nil, instrumentID: nil, from: from, to: last, includeVoided: true)
            .filter { includes($0.fill.fill.book) }
        let cash = try BalancesReport.build(ledger: ledger, at: last, account: nil)

        var report = EndOfDayReport(
            date: String(date.iso8601.prefix(10)), cutoffMinutes: cutoffMinutes, timelineSeconds: timelineSeconds, from: from, to: to, books: asked,
            ledgerFile: ledger.path, codeVersion: codeVersion, generatedAt: generatedAt, freshness: freshness,
            chainHead: verification.head, chainRecords: verification.records, inputsSHA256: "", summaries: summaries,
            exposure: merged(exposureReports, "exposure"), positions: merged(exposureReports, "positions"), settlements: settlements,
            timeline: merged(timelineReports, "history"), decisions: merged(decisionReports, "decisions"), exceptions: exceptions,
            verification: verification, imports: imports, fills: fills, cash: cash, charts: charts)
        report.inputsSHA256 = report.computeInputsSHA256()
        return report
    }

    /// The heading of the report's human formats: the day, its cutoff and the books it covers
    /// (the parameter `books` is empty for every book, as JSON keeps it).
    public var title: String {
        "End of day \(date), cutoff \(to.iso8601), " + (books.isEmpty ? "every book" : (books.count == 1 ? "book " : "books ") + books.joined(separator: ", "))
    }

    /// The rows of the section `name` of every report, under the first one's columns.
    private static func merged(_ reports: [Report], _ name: String) -> Table {
        var table = reports.first!.sections.first { $0.name == name }!
        for other in reports.dropFirst() { table.rows += other.sections.first { $0.name == name }!.rows }
        return table
    }

    /// The spread (standard deviation) of interval P&L below which a ratio of spreads is noise, and null: a cent.
    static let minimumSpreadUSD = 0.01

    /// What the hedges did to the spread of the interval P&L (USD): 1 − Var(hedged) ÷ Var(unhedged),
    /// and the standard deviation they removed. Each nil with fewer than two intervals, or when the
    /// spread it divides by is under a cent: options whose P&L barely moved (rounding noise of
    /// 4.5e-12 USD) made a variance reduction of −2.5e24.
    static func spreads(unhedged: [Double], hedged: [Double]) -> (varianceReduction: Double?, removed: Double?) {
        guard let unhedgedSD = SampleStatistics.standardDeviation(unhedged),
              let hedgedSD = SampleStatistics.standardDeviation(hedged) else { return (nil, nil) }
        let reduction = unhedgedSD >= minimumSpreadUSD ? 1 - (hedgedSD * hedgedSD) / (unhedgedSD * unhedgedSD) : nil
        let removed = unhedgedSD - hedgedSD >= minimumSpreadUSD ? unhedgedSD - hedgedSD : nil
        return (reduction, removed)
    }

    /// What the report was made from, in one hash: the day and books asked, the journal chain's
    /// head (which covers every import with its fills and marks, void, setting, policy,
    /// decision and link) and the recompute run whose history it read (with its outputs' hash).
    func computeInputsSHA256() -> String {
        var bytes = CanonicalBytes(tag: "E")
        bytes.text(Self.schema.name); bytes.integer(Int64(Self.schema.version)); bytes.text(date); bytes.integer(Int64(cutoffMinutes))
        bytes.integer(timelineSeconds ?? 0)
        for book in books.sorted() { bytes.text(book) }
        bytes.text(chainHead?.hash ?? ""); bytes.integer(Int64(chainRecords))
        bytes.integer(freshness.latestRun?.id ?? -1); bytes.text(freshness.latestRun?.outputsSHA256 ?? "")
        bytes.integer(Int64(freshness.pendingChanges))
        return SHA256.hash(data: bytes.bytes).hexString
    }

    /// Each pair's day from its stored rows: the row in force at the start, then every row of the day.
    private static func summarize(ledger: Ledger, from: Timestamp, last: Timestamp, includes: (String) -> Bool) throws
        -> ([Summary], [Chart]) {
        var summaries: [Summary] = [], charts: [Chart] = []
        let superseded = try ledger.hedgeDecisions.supersededIDs()
        let journal = HedgeJournalService(ledger: ledger)
        for pair in try ledger.positions.bookUnderlyings() where includes(pair.book) {
            var rows: [ExposureRow] = []
            if let opening = try ledger.exposure.latest(book: pair.book, underlying: pair.underlying, atOrBefore: from) { rows.append(opening.row) }
            try ledger.exposure.forEachRow(book: pair.book, underlying: pair.underlying, from: from, to: last) { row, _ in
                if row.time > from || rows.isEmpty { rows.append(row) }
            }
            var summary = Summary(book: pair.book, underlying: pair.underlying, netDelta: rows.last?.netDelta,
                                  netDeltaUSD: rows.last?.netDeltaUSD, unpriced: rows.last?.unpriced,
                                  maxAbsNetDelta: rows.map { abs($0.netDelta) }.max(),
                                  secondsOutsideBand: nil, hedges: 0, hedgeFees: [:], slippageCost: [:], rows: rows.count)
            let policies = try ledger.hedgePolicies.versions(book: pair.book).filter { $0.policy.underlying == pair.underlying }
                .sorted { ($0.policy.effective, $0.id) < ($1.policy.effective, $1.id) }
            var chart = Chart(book: pair.book, underlying: pair.underlying, from: from, to: Timestamp(microseconds: last.microseconds + 1),
                              points: [], trades: [])
            var outside = 0.0
            for (index, row) in rows.enumerated() {
                let start = max(row.time, from)
                var point = Chart.Point(time: start, netDelta: row.netDelta, hedgeRatio: row.hedgeRatio)
                point.complete = row.unpriced == 0
                defer { chart.points.append(point) }
                let end = index + 1 < rows.count ? rows[index + 1].time : chart.to
                guard let policy = policies.last(where: { $0.policy.effective <= row.time })?.policy,
                      let halfWidth = policy.band.halfWidth(gamma: row.gamma, grossOptionsDelta: row.grossOptionsDelta ?? 0,
                                                            price: row.underlyingPrice ?? row.usdPerCoin) else { continue }
                let target = (policy.targetDelta ?? row.targetDelta).doubleValue
                point.bandLow = target - halfWidth
                point.bandHigh = target + halfWidth
                if end > start && abs(row.netDelta - target) > halfWidth + ExposureRow.ratioEpsilon { outside += end.seconds(since: start) }
            }
            if !policies.isEmpty { summary.secondsOutsideBand = outside }
            chart.points = Chart.thinned(chart.points, from: from, to: chart.to)
            // The explain of every interval ending in the day, and what it says of the hedge.
            var unhedged: [Double] = [], hedged: [Double] = []
            // The rows of the day, [from, to): an interval belongs to the day its ending row is in,
            // so a row at a cutoff counts once, in the day it starts.
            for row in rows where row.time >= from {
                guard let e = row.explain else { summary.unexplained += 1; continue }
                summary.intervals += 1
                summary.explain.actual += e.actual; summary.explain.delta += e.delta; summary.explain.gamma += e.gamma
                summary.explain.vega += e.vega; summary.explain.theta += e.theta
                summary.explain.options += e.options; summary.explain.hedges += e.hedges
                unhedged.append(e.options)
                hedged.append(e.options + e.hedges)
            }
            if abs(summary.explain.options) >= 1 { summary.dollarOffset = -summary.explain.hedges / summary.explain.options }
            let spreads = Self.spreads(unhedged: unhedged, hedged: hedged)
            summary.varianceReduction = spreads.varianceReduction
            summary.fees = try ledger.fills.fees(book: pair.book, underlying: pair.underlying, from: from, to: last)
            for stored in try ledger.hedgeDecisions.decisions(book: pair.book, underlying: pair.underlying, from: from, to: last)
            where stored.decision.action == .rebalance && !superseded.contains(stored.id) {
                summary.hedges += 1
                let d = stored.decision
                chart.trades.append((d.time, "\(d.key): \(d.quantity.map { "\($0)" } ?? "") \(d.instrument ?? "")"))
                let execution = try journal.execution(of: stored).execution
                let currency = try stored.decision.instrument.flatMap { try ledger.instruments.find(symbol: $0)?.instrument.settlementCurrency }
                do throws(ArithmeticOverflow) {
                    for (currency, fee) in execution.fees { summary.hedgeFees[currency] = try (summary.hedgeFees[currency] ?? .zero) + fee }
                    if let cost = execution.slippageCost, let currency {
                        summary.slippageCost[currency] = try (summary.slippageCost[currency] ?? .zero) + cost
                    }
                } catch {
                    throw CorruptDatabase(detail: "the hedging cost of \(pair.book) \(pair.underlying) on \(from.iso8601) cannot be summed exactly: \(error)")
                }
            }
            // The hedging cost in USD: coin amounts at the cutoff's USD price, dollar stablecoins as dollars.
            let usdPerCoin = rows.last?.usdPerCoin
            func usd(_ amounts: [String: ExactDecimal]) -> Double? {
                var total = 0.0
                for (currency, amount) in amounts {
                    if currency == pair.underlying, let usdPerCoin { total += amount.doubleValue * usdPerCoin }
                    else if ["USD", "USDC", "USDT"].contains(currency) { total += amount.doubleValue }
                    else { return nil }
                }
                return total
            }
            if let fees = usd(summary.hedgeFees), let slippage = usd(summary.slippageCost) {
                summary.hedgingCostUSD = fees + slippage
                if let removed = spreads.removed { summary.costPerRiskRemoved = (fees + slippage) / removed }
            }
            summaries.append(summary)
            if summary.intervals > 0 { chart.explain = summary.explain }
            charts.append(chart)
        }
        return (summaries, charts)
    }

    public var report: Report {
        var summary = Table(name: "summary", title: "Summary per book and underlying", columns: [
            .init("book"), .init("underlying"), .init("complete", warnsWhenFalse: true), .init("unpriced"), .init("net_delta", places: 6),
            .init("net_delta_usd", places: 2), .init("max_abs_net_delta", places: 6), .init("time_outside_band_s", places: 0), .init("hedges"),
            .init("hedge_fees"), .init("slippage_cost"), .init("exposure_rows"),
        ])
        for s in summaries {
            // Whether the figures after it count every position comes first: a reader meets it before the net delta.
            summary.rows.append([.text(s.book), .text(s.underlying), s.unpriced.map { .bool($0 == 0) } ?? .empty,
                                 s.unpriced.map { .integer($0) } ?? .empty, .number(s.netDelta), .number(s.netDeltaUSD), .number(s.maxAbsNetDelta),
                                 .number(s.secondsOutsideBand), .integer(s.hedges), .amounts(s.hedgeFees), .amounts(s.slippageCost),
                                 .integer(s.rows)])
        }
        var explain = Table(name: "pnl_explain", title: "P&L explain of the day, USD (the intervals between exposure rows, summed)", columns: [
            .init("book"), .init("underlying"), .init("pnl_usd", places: 2), .init("delta_usd", places: 2), .init("gamma_usd", places: 2),
            .init("vega_usd", places: 2), .init("theta_usd", places: 2), .init("residual_usd", places: 2), .init("fees"),
            .init("options_pnl_usd", places: 2), .init("hedges_pnl_usd", places: 2), .init("intervals"), .init("unexplained_intervals"),
        ])
        var effectiveness = Table(name: "effectiveness", title: "Hedge effectiveness", columns: [
            .init("book"), .init("underlying"), .init("dollar_offset", places: 4), .init("highly_effective"),
            .init("variance_reduction", places: 4), .init("hedging_cost_usd", places: 2), .init("cost_per_risk_removed", places: 4),
        ])
        for s in summaries {
            let e = s.explain
            // No interval explained: the day's P&L is unknown, not 0.
            func explained(_ value: Double) -> Table.Cell { s.intervals > 0 ? .number(value) : .empty }
            explain.rows.append([.text(s.book), .text(s.underlying), explained(e.actual), explained(e.delta), explained(e.gamma),
                                 explained(e.vega), explained(e.theta), explained(e.residual), .amounts(s.fees), explained(e.options),
                                 explained(e.hedges), .integer(s.intervals), .integer(s.unexplained)])
            effectiveness.rows.append([.text(s.book), .text(s.underlying), .number(s.dollarOffset), s.highlyEffective.map(Table.Cell.bool) ?? .empty,
                                       .number(s.varianceReduction), .number(s.hedgingCostUSD), .number(s.costPerRiskRemoved)])
        }
        var exposure = self.exposure
        exposure.name = "exposure_at_cutoff"
        exposure.title = "Exposure at the cutoff, \(to.iso8601) (the last row before it)"
        var positions = self.positions
        positions.title = "Positions at the cutoff, valued as that row was"
        var settled = Table(name: "settlements", title: "Expiries and settlements of the day", columns: [
            .init("time"), .init("book"), .init("instrument"), .init("quantity"), .init("settlement_price", places: 8),
            .init("realised_pnl", places: 8),
        ])
        for s in settlements {
            settled.rows.append([.time(s.time), .text(s.book), .text(s.instrument), .amount(s.quantity), .amount(s.price), .amount(s.realisedPnL)])
        }
        var timeline = self.timeline
        timeline.name = "timeline"
        timeline.title = "Exposure and hedge ratio over the day" + (timelineSeconds.map { ", the last row of every \($0) s" } ?? ", every row")
        var decisions = self.decisions
        decisions.title = "Hedge decisions of the day"
        var found = Table(name: "exceptions", title: "Exceptions", columns: [
            .init("kind"), .init("time"), .init("book"), .init("underlying"), .init("subject"), .init("detail"),
        ])
        for e in exceptions {
            found.rows.append([.text(e.kind), .time(e.time), .text(e.book), .text(e.underlying), .text(e.subject), .text(e.detail)])
        }
        var integrity = VerifyReport(result: verification).report.sections[0]
        integrity.name = "integrity"
        integrity.title = "Integrity: verify --quick on the ledger read"
        var imported = Table(name: "imports", title: "Imports of the day", columns: [
            .init("id"), .init("imported_at"), .init("kind"), .init("file"), .init("sha256"), .init("rows_accepted"),
            .init("rows_duplicate"), .init("voided"),
        ])
        for entry in imports {
            let r = entry.record
            imported.rows.append([.integer(Int(r.id)), .time(r.importedAt), .text(r.kind), .text(r.fileName), .text(r.sha256),
                                  .integer(r.rowsAccepted), .integer(r.rowsDuplicate), .bool(entry.void != nil)])
        }
        var traded = FillsReport(filter: .init(includeVoided: true), fills: fills).report.sections[0]
        traded.title = "Fills of the day (voided ones marked)"
        var money = cash.report.sections[0]
        money.name = "cash"
        money.title = "Cash per venue account at the cutoff, from the transaction logs (every account)"
        let cutoff = Self.clock(cutoffMinutes)
        return Report(schema: Self.schema, asOf: to, parameters: [
            ("date", .text(date)), ("cutoff", .text(cutoff)), ("books", .text(books.joined(separator: ","))),
            ("timeline_every_s", timelineSeconds.map { .integer(Int($0)) } ?? .empty),
        ], facts: [
            ("from", .time(from)), ("to", .time(to)), ("ledger", .text(ledgerFile)), ("tool_version", .text(codeVersion)),
            ("recompute_run", freshness.latestRun.map { .integer(Int($0.id)) } ?? .empty), ("stale", .bool(freshness.isBehind)),
            ("chain_head", chainHead.map { .text($0.hash) } ?? .empty), ("chain_records", .integer(chainRecords)),
            ("quick_verify_passed", .bool(verification.unchanged)), ("inputs_sha256", .text(inputsSHA256)), ("generated_at", .time(generatedAt)),
        ], sections: [summary, exposure, positions, settled] + (cash.balances.isEmpty ? [] : [money])
            + [timeline, decisions, traded, found, explain, effectiveness, integrity, imported])
    }
}
