import Crypto

/// Derives the exposure history: one pass over fills, marks, USD indexes, settings and expiries
/// in time order, holding only the current positions and marks, writing a row for each
/// (book, underlying) at every moment its exposure can change. The same inputs give the same
/// rows, byte for byte, whatever order they were imported in: every input is read in a
/// canonical order and every sum runs over positions by symbol.
public struct RecomputeService {
    public let ledger: Ledger
    /// Recorded with each run, so a history can be traced to the code that wrote it.
    public let codeVersion: String
    public var waitSeconds: Double

    public init(ledger: Ledger, codeVersion: String, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.codeVersion = codeVersion
        self.waitSeconds = waitSeconds
    }

    public struct Summary: Sendable {
        /// nil: the history already took in every change, and nothing was done.
        public var run: RecomputeRun?
        /// Position valuations the rows took.
        public var valuations: Int

        public var line: String {
            guard let run else { return "the exposure history is up to date: no import, void or settings change since the last recompute" }
            let range = run.through.map { "through \($0.iso8601)" } ?? "no events"
            let from = run.from.map { "from \($0.iso8601)" } ?? "full"
            return "recompute run #\(run.id): \(run.rowsWritten) exposure row\(run.rowsWritten == 1 ? "" : "s") written from \(valuations) position valuation\(valuations == 1 ? "" : "s") (\(from), \(range)); inputs SHA-256 \(run.inputsSHA256.prefix(12))…, outputs SHA-256 \(run.outputsSHA256.prefix(12))…"
        }
    }

    /// Brings the history up to date: from the earliest time the changes recorded since the last
    /// run affect (or `from`, if earlier), or all of it when `full` or when there was no run yet.
    /// Rows before that time are kept; rows from it on are rewritten.
    public func recompute(full: Bool = false, from: Timestamp? = nil, now: Timestamp) throws -> Summary {
        try ledger.write(waitSeconds: waitSeconds) {
            let latest = try ledger.exposure.latestRun()
            let pending = try ledger.exposure.changes(after: latest?.changesThrough ?? 0)
            var start: Timestamp?
            if !full, latest != nil {
                guard let earliest = [from, pending.earliest].compactMap({ $0 }).min() else {
                    return Summary(run: nil, valuations: 0)
                }
                start = earliest
            }
            try ledger.exposure.deleteHistory(from: start)
            try ledger.settlements.delete(from: start)
            let runID = try ledger.exposure.nextRunID()
            var outputs = SHA256()
            var rows = 0
            let pass = try Self.pass(ledger: ledger, from: start) { output in
                switch output {
                case .row(let row):
                    try ledger.exposure.insert(row, run: runID)
                    rows += 1
                case let .price(settlement, _, instrumentID):
                    try ledger.settlements.insertPrice(settlement, instrumentID: instrumentID, run: runID)
                case let .settled(settlement, instrumentID):
                    try ledger.settlements.insert(settlement, instrumentID: instrumentID, run: runID)
                }
                Self.hash(output, into: &outputs)
            }
            var run = RecomputeRun(id: runID, startedAt: now, finishedAt: now, from: start, through: pass.through, rowsWritten: rows,
                                   inputsSHA256: pass.inputsSHA256, outputsSHA256: outputs.finalize().hexString,
                                   codeVersion: codeVersion, changesThrough: pending.lastID)
            run.id = try ledger.exposure.insertRun(run)
            return Summary(run: run, valuations: pass.valuations)
        }
    }

    /// Whether the history is behind the ledger: the changes recorded since the last run.
    public static func pendingChanges(ledger: Ledger) throws -> (latest: RecomputeRun?, changes: Int) {
        let latest = try ledger.exposure.latestRun()
        return (latest, try ledger.exposure.changes(after: latest?.changesThrough ?? 0).count)
    }

    /// Where the stored history differs from a recompute in memory.
    public struct Difference: Sendable, CustomStringConvertible {
        public var time: Timestamp
        public var book: String
        public var underlying: String
        public var detail: String

        public var description: String { "\(time.iso8601) \(book) \(underlying): \(detail)" }
    }

    /// Recomputes in memory and compares with the stored history and settlements; the first
    /// difference, if any.
    public func check() throws -> (rows: Int, difference: Difference?) {
        let stored = try ledger.exposure.cursorInTimeOrder()
        let storedPrices = try ledger.settlements.allPrices()
        let storedSettlements = try ledger.settlements.settlements()
        var computedPrices: [(instrument: String, settlement: Position.Settlement)] = []
        var computedSettlements: [PositionSettlement] = []
        var rows = 0
        var difference: Difference?
        struct Found: Error {}
        do {
            _ = try Self.pass(ledger: ledger, from: nil) { output in
                let row: ExposureRow
                switch output {
                case .row(let emitted): row = emitted
                case let .price(settlement, instrument, _): computedPrices.append((instrument, settlement)); return
                case .settled(let settlement, _): computedSettlements.append(settlement); return
                }
                rows += 1
                guard let (storedRow, _) = try stored.next() else {
                    difference = Difference(time: row.time, book: row.book, underlying: row.underlying, detail: "missing from the stored history")
                    throw Found()
                }
                func precedes(_ a: ExposureRow, _ b: ExposureRow) -> Bool {
                    if a.time != b.time { return a.time < b.time }
                    return ExposureTimeline.PairKey(book: a.book, underlying: a.underlying) < .init(book: b.book, underlying: b.underlying)
                }
                if precedes(storedRow, row) {
                    difference = Difference(time: storedRow.time, book: storedRow.book, underlying: storedRow.underlying,
                                            detail: "stored, but a recompute writes no such row")
                    throw Found()
                }
                if precedes(row, storedRow) {
                    difference = Difference(time: row.time, book: row.book, underlying: row.underlying, detail: "missing from the stored history")
                    throw Found()
                }
                if let detail = Self.compare(stored: storedRow, computed: row) {
                    difference = Difference(time: storedRow.time, book: storedRow.book, underlying: storedRow.underlying, detail: detail)
                    throw Found()
                }
            }
            if let (extra, _) = try stored.next() {
                difference = Difference(time: extra.time, book: extra.book, underlying: extra.underlying,
                                        detail: "stored, but a recompute writes no such row")
            }
        } catch is Found {}
        return (rows, difference ?? Self.compare(storedPrices: storedPrices, computedPrices: computedPrices,
                                                 storedSettlements: storedSettlements, computedSettlements: computedSettlements))
    }

    /// The first settlement price or position settlement stored differently from a recompute's.
    static func compare(storedPrices: [(instrument: String, settlement: Position.Settlement)],
                        computedPrices: [(instrument: String, settlement: Position.Settlement)],
                        storedSettlements: [PositionSettlement], computedSettlements: [PositionSettlement]) -> Difference? {
        let computedPrices = computedPrices.sorted { ($0.settlement.time, $0.instrument) < ($1.settlement.time, $1.instrument) }
        for index in 0..<max(storedPrices.count, computedPrices.count) {
            let stored = index < storedPrices.count ? storedPrices[index] : nil
            let computed = index < computedPrices.count ? computedPrices[index] : nil
            if stored?.instrument == computed?.instrument, stored?.settlement == computed?.settlement { continue }
            let first = [stored, computed].compactMap { $0 }.min { ($0.settlement.time, $0.instrument) < ($1.settlement.time, $1.instrument) }!
            func describe(_ price: (instrument: String, settlement: Position.Settlement)?) -> String {
                guard let price, price.instrument == first.instrument else { return "none" }
                return "\(price.settlement.price) (\(price.settlement.source.kind), index \(price.settlement.indexPrice))"
            }
            return Difference(time: first.settlement.time, book: "*", underlying: first.instrument,
                              detail: "settlement price is \(describe(stored)) stored, \(describe(computed)) recomputed")
        }
        let key = { (s: PositionSettlement) in (s.time, s.book, s.instrument) }
        let computedSettlements = computedSettlements.sorted { key($0) < key($1) }
        for index in 0..<max(storedSettlements.count, computedSettlements.count) {
            let stored = index < storedSettlements.count ? storedSettlements[index] : nil
            let computed = index < computedSettlements.count ? computedSettlements[index] : nil
            if stored == computed { continue }
            let first = [stored, computed].compactMap { $0 }.min { key($0) < key($1) }!
            func describe(_ settlement: PositionSettlement?) -> String {
                guard let settlement, key(settlement) == key(first) else { return "none" }
                return "\(settlement.quantity) at \(settlement.price), realised \(settlement.realisedPnL)"
            }
            return Difference(time: first.time, book: first.book, underlying: first.instrument,
                              detail: "settlement is \(describe(stored)) stored, \(describe(computed)) recomputed")
        }
        return nil
    }

    static func compare(stored: ExposureRow, computed: ExposureRow) -> String? {
        let fields: [(String, Double?, Double?)] = [
            ("options_delta", stored.optionsDelta, computed.optionsDelta),
            ("options_net_delta", stored.optionsNetDelta, computed.optionsNetDelta),
            ("hedge_delta", stored.hedgeDelta, computed.hedgeDelta), ("net_delta", stored.netDelta, computed.netDelta),
            ("gamma", stored.gamma, computed.gamma), ("vega", stored.vega, computed.vega), ("theta", stored.theta, computed.theta),
            ("underlying_price", stored.underlyingPrice, computed.underlyingPrice),
            ("usd_per_coin", stored.usdPerCoin, computed.usdPerCoin), ("net_delta_usd", stored.netDeltaUSD, computed.netDeltaUSD),
            ("hedge_ratio", stored.hedgeRatio, computed.hedgeRatio), ("required_hedge", stored.requiredHedge, computed.requiredHedge),
            ("oldest_mark_age_s", stored.oldestMarkAgeSeconds, computed.oldestMarkAgeSeconds),
            ("gross_options_delta", stored.grossOptionsDelta, computed.grossOptionsDelta),
        ]
        for (name, a, b) in fields where a?.bitPattern != b?.bitPattern {
            return "\(name) is \(a.map { "\($0)" } ?? "null") stored, \(b.map { "\($0)" } ?? "null") recomputed"
        }
        if stored.targetDelta != computed.targetDelta { return "target_delta is \(stored.targetDelta) stored, \(computed.targetDelta) recomputed" }
        if stored.hedgeInstrument != computed.hedgeInstrument {
            return "hedge_instrument is \(stored.hedgeInstrument ?? "null") stored, \(computed.hedgeInstrument ?? "null") recomputed"
        }
        if (stored.positions, stored.unpriced) != (computed.positions, computed.unpriced) {
            return "positions/unpriced are \(stored.positions)/\(stored.unpriced) stored, \(computed.positions)/\(computed.unpriced) recomputed"
        }
        return nil
    }

    /// What a pass derives: exposure rows, the settlement price of each instrument reaching its
    /// expiry with one, and what each position settled.
    enum Output {
        case row(ExposureRow)
        case price(Position.Settlement, instrument: String, instrumentID: Int64)
        case settled(PositionSettlement, instrumentID: Int64)
    }

    /// The time-ordered pass: feeds every event to an `ExposureTimeline` and hands what it derives
    /// to `emit`. Returns the SHA-256 of the inputs in their canonical order, and the last event time.
    static func pass(ledger: Ledger, from start: Timestamp?, emit: (Output) throws -> Void) throws
        -> (inputsSHA256: String, through: Timestamp?, valuations: Int) {
        var instruments: [Int64: Instrument] = [:]
        for stored in try ledger.instruments.all() {
            instruments[stored.id] = stored.instrument
        }
        // Each instrument's place in symbol order: marks of one moment come by instrument id,
        // which depends on import order, and are taken in this order instead.
        let symbolRank = Dictionary(uniqueKeysWithValues: instruments.sorted { $0.value.symbol.utf8.lexicographicallyPrecedes($1.value.symbol.utf8) }
            .enumerated().map { ($0.element.key, $0.offset) })
        let underlyings = Set(instruments.values.map(\.underlying)).sorted()
        let indexUnderlying = Dictionary(uniqueKeysWithValues: underlyings.map { ($0.lowercased() + "_usd", $0) })
        var fills = try PeekingCursor(try ledger.fills.cursorInApplyOrder(from: start))
        var marks = try PeekingCursor(try ledger.marks.cursorByTime(from: start))
        var indexes = try PeekingCursor(try ledger.indexPrices.cursorByTime(indexes: indexUnderlying.keys.sorted(), from: start))
        let allSettings = try ledger.bookSettings.versions().sorted { ($0.settings.effective, $0.id) < ($1.settings.effective, $1.id) }
        let settings = allSettings.filter { version in start.map { version.settings.effective >= $0 } ?? true }
        let allExpiries = instruments.compactMap { id, instrument in instrument.expiry.map { (time: $0, id: id, instrument: instrument) } }
            .sorted { ($0.time, $0.instrument.symbol) < ($1.time, $1.instrument.symbol) }
        let expiries = allExpiries.filter { expiry in start.map { expiry.time >= $0 } ?? true }
        var nextSetting = 0, nextExpiry = 0
        var moment: [StoredMark] = [], order: [(rank: Int, index: Int)] = []
        var timeline = ExposureTimeline()
        var inputs = SHA256()
        var through: Timestamp?

        if let start {
            // The state just before `start`, as the events before it left it: positions as of then
            // (from checkpoints, settled where expired), the latest marks and USD indexes, the
            // settings in force, and the expiries that found no settlement price.
            let before = Timestamp(microseconds: start.microseconds - 1)
            for (position, instrumentID) in try PositionReplay.allPositions(asOf: before, ledger: ledger)
                .sorted(by: { ($0.position.book, $0.position.instrument.symbol) < ($1.position.book, $1.position.instrument.symbol) }) {
                timeline.restore(position, instrumentID: instrumentID)
                var bytes = CanonicalBytes(tag: "P")
                bytes.text(position.book); bytes.text(position.instrument.symbol); bytes.exact(position.quantity)
                inputs.update(data: bytes.bytes)
            }
            for stored in try ledger.marks.latestForAll(atOrBefore: before) {
                guard let instrument = instruments[stored.instrumentID] else { continue }
                timeline.apply(stored.mark, instrument: instrument, instrumentID: stored.instrumentID)
                hash(stored.mark, into: &inputs)
            }
            for (index, underlying) in indexUnderlying.sorted(by: { $0.key < $1.key }) {
                if let price = try ledger.indexPrices.latest(index: index, atOrBefore: before) {
                    timeline.apply(usdIndex: price, underlying: underlying)
                    hash(price, into: &inputs)
                }
            }
            for version in allSettings where version.settings.effective < start {
                timeline.apply(version.settings)  // later versions of a pair replace earlier ones
                hash(version.settings, into: &inputs)
            }
            let settled = try ledger.settlements.prices(atOrBefore: before)
            for (time, id, instrument) in allExpiries where time < start && settled[id] == nil {
                timeline.restoreUnsettled(instrument)
            }
            try timeline.restorePrevious { pair in
                try ledger.exposure.latest(book: pair.book, underlying: pair.underlying, atOrBefore: before)?.row.time
            }
            timeline.forgetChanges()
        }

        while true {
            let candidates = [fills.peek?.fill.time, marks.peek?.mark.time, indexes.peek?.time,
                              nextSetting < settings.count ? settings[nextSetting].settings.effective : nil,
                              nextExpiry < expiries.count ? expiries[nextExpiry].time : nil]
            guard let time = candidates.compactMap({ $0 }).min() else { break }
            through = time
            while let stored = fills.peek, stored.fill.time == time {
                _ = try fills.take()
                guard let instrument = instruments[stored.instrumentID] else {
                    throw CorruptDatabase(detail: "fill \(stored.id) references unknown instrument \(stored.instrumentID)")
                }
                do throws(ArithmeticOverflow) {
                    try timeline.apply(stored.fill, instrument: instrument, instrumentID: stored.instrumentID)
                } catch {
                    throw UncomputablePosition(book: stored.fill.book, instrument: instrument.symbol, cause: error,
                                               fill: "\(stored.fill.venue) trade \(stored.fill.tradeID) (import #\(stored.importID), line \(stored.sourceLine))")
                }
                hash(stored.fill, into: &inputs)
            }
            // Sorted as (rank, index) pairs: moving whole marks about costs more than the sort.
            moment.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            while let stored = marks.peek, stored.mark.time == time {
                _ = try marks.take()
                order.append((symbolRank[stored.instrumentID] ?? .max, moment.count))
                moment.append(stored)
            }
            order.sort { $0.rank < $1.rank }
            for (_, index) in order {
                let stored = moment[index]
                guard let instrument = instruments[stored.instrumentID] else { continue }
                timeline.apply(stored.mark, instrument: instrument, instrumentID: stored.instrumentID)
                hash(stored.mark, into: &inputs)
            }
            while let price = indexes.peek, price.time == time {
                _ = try indexes.take()
                if let underlying = indexUnderlying[price.index] { timeline.apply(usdIndex: price, underlying: underlying) }
                hash(price, into: &inputs)
            }
            while nextSetting < settings.count, settings[nextSetting].settings.effective == time {
                let version = settings[nextSetting].settings
                timeline.apply(version)
                hash(version, into: &inputs)
                nextSetting += 1
            }
            while nextExpiry < expiries.count, expiries[nextExpiry].time == time {
                let (_, instrumentID, instrument) = expiries[nextExpiry]
                let settlement = try MarketView(ledger: ledger, time: time).settlement(of: instrument)
                if let settlement { try emit(.price(settlement, instrument: instrument.symbol, instrumentID: instrumentID)) }
                let settled: [PositionSettlement]
                do throws(ArithmeticOverflow) {
                    settled = try timeline.expire(instrument, settlement: settlement)
                } catch {
                    throw UncomputablePosition(book: "*", instrument: instrument.symbol, cause: error,
                                               fill: "the settlement at \(settlement.map { "\($0.price)" } ?? "?")")
                }
                for position in settled { try emit(.settled(position, instrumentID: instrumentID)) }
                hash(expiry: instrument, at: time, settlement: settlement, into: &inputs)
                nextExpiry += 1
            }
            for row in timeline.takeRows(at: time) { try emit(.row(row)) }
        }
        return (inputs.finalize().hexString, through, timeline.valuations)
    }

    private static func hash(_ fill: Fill, into hasher: inout SHA256) {
        var bytes = CanonicalBytes(tag: "F")
        bytes.text(fill.venue); bytes.text(fill.tradeID); bytes.time(fill.time); bytes.text(fill.instrument)
        bytes.text(fill.book); bytes.text(fill.side.rawValue); bytes.exact(fill.quantity); bytes.exact(fill.price)
        bytes.exact(fill.fee); bytes.text(fill.feeCurrency)
        hasher.update(data: bytes.bytes)
    }

    private static func hash(_ mark: Mark, into hasher: inout SHA256) {
        var bytes = CanonicalBytes(tag: "M")
        bytes.text(mark.instrument); bytes.time(mark.time); bytes.exact(mark.markPrice); bytes.exact(mark.underlyingPrice)
        bytes.exact(mark.indexPrice); bytes.number(mark.markIV); bytes.number(mark.interestRate)
        hasher.update(data: bytes.bytes)
    }

    private static func hash(_ price: IndexPrice, into hasher: inout SHA256) {
        var bytes = CanonicalBytes(tag: "I")
        bytes.text(price.index); bytes.time(price.time); bytes.exact(price.price)
        hasher.update(data: bytes.bytes)
    }

    private static func hash(_ version: HedgeSettings, into hasher: inout SHA256) {
        var bytes = CanonicalBytes(tag: "S")
        bytes.text(version.book); bytes.text(version.underlying); bytes.time(version.effective)
        bytes.text(version.hedgedDelta?.rawValue); bytes.exact(version.targetDelta)
        bytes.text(version.hedgeInstruments?.joined(separator: ","))
        hasher.update(data: bytes.bytes)
    }

    private static func hash(expiry instrument: Instrument, at time: Timestamp, settlement: Position.Settlement?,
                             into hasher: inout SHA256) {
        var bytes = CanonicalBytes(tag: "X")
        bytes.text(instrument.symbol); bytes.time(time); bytes.exact(settlement?.price)
        hasher.update(data: bytes.bytes)
    }

    /// An output in the canonical byte form, so equal checksums mean equal outputs.
    static func hash(_ output: Output, into hasher: inout SHA256) {
        switch output {
        case .row(let row): hash(row, into: &hasher)
        case let .price(settlement, instrument, _):
            var bytes = CanonicalBytes(tag: "P")
            bytes.text(instrument); bytes.time(settlement.time); bytes.exact(settlement.price); bytes.exact(settlement.indexPrice)
            bytes.text(settlement.source.kind)
            if case .index(let observed) = settlement.source { bytes.time(observed) }
            hasher.update(data: bytes.bytes)
        case .settled(let settlement, _):
            var bytes = CanonicalBytes(tag: "S")
            bytes.text(settlement.book); bytes.text(settlement.instrument); bytes.time(settlement.time)
            bytes.exact(settlement.quantity); bytes.exact(settlement.price); bytes.exact(settlement.realisedPnL)
            hasher.update(data: bytes.bytes)
        }
    }

    /// A row in the canonical byte form, so equal checksums mean equal rows.
    static func hash(_ row: ExposureRow, into hasher: inout SHA256) {
        var bytes = CanonicalBytes(tag: "R")
        bytes.time(row.time); bytes.text(row.book); bytes.text(row.underlying)
        for value in [row.optionsDelta, row.optionsNetDelta, row.hedgeDelta, row.netDelta, row.gamma, row.vega, row.theta] {
            bytes.number(value)
        }
        for value in [row.underlyingPrice, row.usdPerCoin, row.netDeltaUSD, row.hedgeRatio, row.requiredHedge, row.oldestMarkAgeSeconds,
                      row.grossOptionsDelta] {
            bytes.number(value)
        }
        bytes.exact(row.targetDelta); bytes.text(row.hedgeInstrument)
        bytes.integer(Int64(row.positions)); bytes.integer(Int64(row.unpriced))
        let e = row.explain
        for value in [e?.actual, e?.delta, e?.gamma, e?.vega, e?.theta, e?.options, e?.hedges] { bytes.number(value) }
        hasher.update(data: bytes.bytes)
    }

}
