/// The state of one time-ordered pass over the ledger: the positions now, the latest mark of
/// each instrument, each coin's latest USD index, the settings in force. Pure: the caller feeds
/// events in time order and asks for the rows of the (book, underlying) pairs they changed.
/// Nothing is rebuilt per row: a row values the pair's open positions at its time.
///
/// A row values every position of its pair, so that loop avoids hashing and copying:
/// instruments get dense slots, marks are kept as doubles by slot, and each pair keeps its
/// held positions as an array sorted by symbol (the order sums run in, so they never depend
/// on the order instruments were first imported).
struct ExposureTimeline {
    struct PairKey: Hashable, Comparable {
        let book: String
        let underlying: String
        /// Byte order, as SQLite orders the stored rows (`recompute --check` walks both together).
        static func < (a: PairKey, b: PairKey) -> Bool {
            if a.book != b.book { return a.book.utf8.lexicographicallyPrecedes(b.book.utf8) }
            return a.underlying.utf8.lexicographicallyPrecedes(b.underlying.utf8)
        }
    }

    /// One held position of a pair, as a row values it.
    /// No strings: the row loop copies these, and a string would be retained and released each time.
    private struct Held {
        let slot: Int
        /// Signed, in the instrument's amount unit.
        var quantity: Double
        /// A hedge instrument under the pair's settings in force (kept current when they change).
        var isHedge: Bool
    }

    /// The settings in force for a pair, with the hedge instruments as a set for the row loop.
    private struct InForce {
        var settings: HedgeSettings
        var hedges: Set<String>?
    }

    private(set) var positions: [PositionBuilder.Key: Position] = [:]
    private var slots: [String: Int] = [:]
    /// The same slots by instrument id: marks come by id, and an integer hashes faster than a symbol.
    private var slotsByID: [Int64: Int] = [:]
    private var instruments: [Instrument] = []
    private var terms: [PositionValuation.Terms] = []
    private var marks: [PositionValuation.MarkPrices?] = []
    /// Expired instruments with no settlement price: held, but no longer priced.
    private var unsettled: [Bool] = []
    /// The pairs holding each instrument: whom a mark concerns, without scanning every holding.
    private var holders: [Set<PairKey>] = []
    private var holdings: [PairKey: [Held]] = [:]
    private var usdIndexes: [String: Double] = [:]
    private var settings: [PairKey: InForce] = [:]
    /// Pairs whose row must be written at the current time.
    private(set) var changed: Set<PairKey> = []
    /// A position as a row valued it: where the next row's P&L explain starts from.
    private struct Valued {
        let slot: Int
        let quantity: Double
        let valuation: PositionValuation
    }
    /// Each pair's last row: its time and the positions it valued (nil: it could not value them all).
    private var previous: [PairKey: (time: Timestamp, held: [Valued]?)] = [:]
    /// By slot, where a row's valued position is in its list (-1: not there): the explain's
    /// lookup without a dictionary per row. Reset after each use.
    private var valuedIndex: [Int] = []
    /// How many positions the rows valued (priced): the work a recompute does.
    private(set) var valuations = 0

    private mutating func slot(of instrument: Instrument) -> Int {
        if let slot = slots[instrument.symbol] { return slot }
        slots[instrument.symbol] = instruments.count
        instruments.append(instrument)
        terms.append(PositionValuation.Terms(instrument))
        marks.append(nil)
        unsettled.append(false)
        holders.append([])
        return instruments.count - 1
    }

    /// Applies a fill (in apply order); its pair gets a row.
    private mutating func slot(of instrument: Instrument, id: Int64) -> Int {
        if let slot = slotsByID[id] { return slot }
        let slot = slot(of: instrument)
        slotsByID[id] = slot
        return slot
    }

    /// Whether the instrument in `slot` is one of `pair`'s hedge instruments under its settings in force.
    private func isHedge(slot: Int, of pair: PairKey) -> Bool {
        terms[slot].kind != .option && (settings[pair]?.hedges?.contains(instruments[slot].symbol) ?? true)
    }

    mutating func apply(_ fill: Fill, instrument: Instrument, instrumentID: Int64) throws(ArithmeticOverflow) {
        let key = PositionBuilder.Key(book: fill.book, instrumentID: instrumentID)
        var position = positions[key] ?? Position(book: fill.book, instrument: instrument)
        try position.apply(fill)
        positions[key] = position
        let pair = PairKey(book: fill.book, underlying: instrument.underlying)
        let slot = slot(of: instrument, id: instrumentID)
        // Mutated in place in the dictionary: a copy out and back would copy the array per fill.
        let index = insertionIndex(of: instrument.symbol, in: holdings[pair] ?? [])
        let present = holdings[pair].map { index < $0.count && $0[index].slot == slot } ?? false
        switch (present, position.quantity.isZero) {
        case (true, true):
            holdings[pair, default: []].remove(at: index)
            holders[slot].remove(pair)
        case (true, false): holdings[pair, default: []][index].quantity = position.quantity.doubleValue
        case (false, false):
            holdings[pair, default: []].insert(Held(slot: slot, quantity: position.quantity.doubleValue,
                                                    isHedge: isHedge(slot: slot, of: pair)), at: index)
            holders[slot].insert(pair)
        case (false, true): break
        }
        changed.insert(pair)
    }

    /// Where `symbol` is, or would go, in `held` (sorted by symbol's bytes).
    private func insertionIndex(of symbol: String, in held: [Held]) -> Int {
        var low = 0, high = held.count
        while low < high {
            let middle = (low + high) / 2
            if instruments[held[middle].slot].symbol.utf8.lexicographicallyPrecedes(symbol.utf8) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Starts a pass later than the first event: `position` is as it stood just before, and no
    /// row is owed for it (the caller restores marks, indexes and settings with the `apply`
    /// functions, then calls `forgetChanges()`).
    mutating func restore(_ position: Position, instrumentID: Int64) {
        let key = PositionBuilder.Key(book: position.book, instrumentID: instrumentID)
        positions[key] = position
        guard !position.quantity.isZero else { return }
        let instrument = position.instrument
        let pair = PairKey(book: position.book, underlying: instrument.underlying)
        let slot = slot(of: instrument, id: instrumentID)
        let index = insertionIndex(of: instrument.symbol, in: holdings[pair] ?? [])
        holdings[pair, default: []].insert(Held(slot: slot, quantity: position.quantity.doubleValue,
                                                isHedge: isHedge(slot: slot, of: pair)), at: index)
        holders[slot].insert(pair)
    }

    /// An instrument that expired before the pass starts with no settlement price.
    mutating func restoreUnsettled(_ instrument: Instrument) {
        unsettled[slot(of: instrument)] = true
    }

    mutating func forgetChanges() { changed.removeAll() }

    /// Starts each restored pair's P&L explain from its last stored row before the pass (at
    /// `lastRowTime`): the restored positions valued then, with the restored marks. Nothing that
    /// moves a pair happened between its last row and the pass's start, or it would have a later
    /// row, so this is what that row valued.
    mutating func restorePrevious(lastRowTime: (PairKey) throws -> Timestamp?) rethrows {
        for (pair, held) in holdings {
            guard let time = try lastRowTime(pair) else { continue }
            var valued: [Valued] = []
            let row = row(for: pair, held: held, at: time, valued: &valued)
            previous[pair] = (time, row.unpriced == 0 ? valued : nil)
        }
    }

    /// A new mark: every pair holding the instrument gets a row.
    mutating func apply(_ mark: Mark, instrument: Instrument, instrumentID: Int64) {
        let slot = slot(of: instrument, id: instrumentID)
        marks[slot] = PositionValuation.MarkPrices(mark)
        changed.formUnion(holders[slot])
    }

    /// A coin's USD index (`btc_usd`): used by the rows written from now on.
    mutating func apply(usdIndex price: IndexPrice, underlying: String) {
        usdIndexes[underlying] = price.price.doubleValue
    }

    /// A settings version coming into force: its pair gets a row.
    mutating func apply(_ version: HedgeSettings) {
        let pair = PairKey(book: version.book, underlying: version.underlying)
        settings[pair] = InForce(settings: version, hedges: version.hedgeInstruments.map(Set.init))
        if var held = holdings[pair] {
            holdings[pair] = nil  // so the array is not shared while it is updated
            for index in held.indices { held[index].isHedge = isHedge(slot: held[index].slot, of: pair) }
            holdings[pair] = held
        }
        changed.insert(pair)
    }

    /// An instrument reaches its expiry: positions in it settle at `settlement` and leave the
    /// book, or with no settlement price stay held but unpriced. Pairs holding it get a row.
    /// Returns what each position settled, by book.
    mutating func expire(_ instrument: Instrument, settlement: Position.Settlement?) throws(ArithmeticOverflow)
        -> [PositionSettlement] {
        guard let slot = slots[instrument.symbol] else { return [] }
        var settled: [PositionSettlement] = []
        for pair in holders[slot].sorted() {
            changed.insert(pair)
            guard let settlement else { unsettled[slot] = true; continue }
            for key in positions.keys where key.book == pair.book && positions[key]?.instrument.symbol == instrument.symbol {
                guard let before = positions[key], !before.quantity.isZero else { continue }
                var after = before
                try after.settle(settlement)
                settled.append(PositionSettlement(book: pair.book, instrument: instrument.symbol, time: settlement.time,
                                                  quantity: before.quantity, price: settlement.price,
                                                  realisedPnL: try after.realisedPnL - before.realisedPnL))
                positions[key] = after
            }
            holdings[pair]?.removeAll { $0.slot == slot }
            holders[slot].remove(pair)
        }
        return settled
    }

    /// The rows of the pairs changed since the last call, at `time`, by book then underlying.
    mutating func takeRows(at time: Timestamp) -> [ExposureRow] {
        defer { changed.removeAll(keepingCapacity: true) }
        var rows: [ExposureRow] = []
        for pair in changed.sorted() {
            var valued: [Valued] = []
            var row = row(for: pair, held: holdings[pair] ?? [], at: time, valued: &valued)
            row.explain = explain(since: previous[pair].map { ($0.time, $0.held) }, now: valued, at: time)
            previous[pair] = (time, row.unpriced == 0 ? valued : nil)
            valuations += row.positions - row.unpriced
            rows.append(row)
        }
        return rows
    }

    /// The P&L, since the pair's previous row, of the positions it held, each revalued at this
    /// row's marks, and what the previous row's greeks explain of it (domain.md). nil for the
    /// first row, after a row that could not value every position, or when a position held then
    /// cannot be valued now (expired, or no mark).
    private mutating func explain(since before: (time: Timestamp, held: [Valued]?)?, now: [Valued], at time: Timestamp)
        -> ExposureRow.PnLExplain? {
        guard let before, let held = before.held else { return nil }
        var explain = ExposureRow.PnLExplain()
        let days = time.seconds(since: before.time) / 86_400
        if valuedIndex.count < instruments.count { valuedIndex += Array(repeating: -1, count: instruments.count - valuedIndex.count) }
        for (index, entry) in now.enumerated() { valuedIndex[entry.slot] = index }
        defer { for entry in now { valuedIndex[entry.slot] = -1 } }
        for old in held {
            // The same position now: valuations are linear in quantity, so a changed one scales.
            let revalued: PositionValuation
            let at = valuedIndex[old.slot]
            if at >= 0, case let entry = now[at], entry.quantity != 0 {
                revalued = entry.quantity == old.quantity ? entry.valuation : entry.valuation.scaled(by: old.quantity / entry.quantity)
            } else {
                guard !unsettled[old.slot], let mark = marks[old.slot],
                      case .success(let value) = PositionValuation.value(terms[old.slot], quantity: old.quantity, mark: mark, at: time)
                else { return nil }
                revalued = value
            }
            let was = old.valuation
            let move = revalued.forward - was.forward
            explain.delta += was.delta * move
            if terms[old.slot].kind == .option {
                let actual = revalued.value - was.value
                explain.actual += actual
                explain.options += actual
                explain.gamma += 0.5 * was.gamma * move * move
                explain.vega += was.vega * ((revalued.volatility ?? 0) - (was.volatility ?? 0)) * 100
                explain.theta += was.theta * days
            } else {
                // Linear: quantity × ΔF; inverse: amount × (F/F₀ − 1), which is the delta (amount / F₀) × ΔF.
                let actual = was.delta * move
                explain.actual += actual
                explain.hedges += actual
            }
        }
        return explain
    }

    private func row(for pair: PairKey, held: [Held], at time: Timestamp, valued: inout [Valued]) -> ExposureRow {
        let inForce = settings[pair] ?? InForce(settings: .defaults(book: pair.book, underlying: pair.underlying), hedges: nil)
        let settings = inForce.settings
        var row = ExposureRow(time: time, book: pair.book, underlying: pair.underlying, optionsDelta: 0, optionsNetDelta: 0,
                              hedgeDelta: 0, netDelta: 0, gamma: 0, vega: 0, theta: 0, targetDelta: settings.targetDelta,
                              positions: held.count, unpriced: 0)
        var optionsHedgedDelta = 0.0, grossOptionsDelta = 0.0
        var firstForward: Double?
        var oldestMark: Timestamp?
        for entry in held {
            guard !unsettled[entry.slot], let mark = marks[entry.slot],
                  case .success(let valuation) = PositionValuation.value(terms[entry.slot], quantity: entry.quantity,
                                                                        mark: mark, at: time) else {
                row.unpriced += 1
                continue
            }
            valued.append(Valued(slot: entry.slot, quantity: entry.quantity, valuation: valuation))
            if oldestMark.map({ mark.time < $0 }) ?? true { oldestMark = mark.time }
            if firstForward == nil { firstForward = valuation.forward }
            row.gamma += valuation.gamma
            row.vega += valuation.vega
            row.theta += valuation.theta
            let instrument = terms[entry.slot]
            if instrument.kind == .option {
                row.optionsDelta += valuation.delta
                row.optionsNetDelta += valuation.netDelta
                let hedged = settings.hedgedDelta(inverseOption: instrument.isInverse) == .net ? valuation.netDelta : valuation.delta
                optionsHedgedDelta += hedged
                grossOptionsDelta += abs(hedged)
            } else {
                if entry.isHedge { row.hedgeDelta += valuation.delta }
                row.netDelta += valuation.delta
            }
        }
        row.oldestMarkAgeSeconds = oldestMark.map { time.seconds(since: $0) }
        row.netDelta += optionsHedgedDelta
        row.grossOptionsDelta = grossOptionsDelta
        row.hedgeRatio = ExposureRow.hedgeRatio(hedgeDelta: row.hedgeDelta, optionsDelta: optionsHedgedDelta)
        let index = usdIndexes[pair.underlying]
        row.usdPerCoin = index ?? firstForward
        row.netDeltaUSD = row.usdPerCoin.map { row.netDelta * $0 }
        // The required hedge is expressed in the first hedge instrument: the settings' first, or
        // by default the book's perpetual, else its first other non-option instrument by symbol.
        let hedge = settings.hedgeInstruments?.first
            ?? held.first { terms[$0.slot].kind == .perpetual }.map { instruments[$0.slot].symbol }
            ?? held.first { terms[$0.slot].kind != .option }.map { instruments[$0.slot].symbol }
        row.hedgeInstrument = hedge
        row.underlyingPrice = index
        if let hedge, let slot = slots[hedge], let mark = marks[slot],
           case .success(let unit) = PositionValuation.value(terms[slot], quantity: 1, mark: mark, at: time), unit.delta != 0 {
            row.underlyingPrice = mark.markPrice
            row.requiredHedge = (settings.targetDelta.doubleValue - row.netDelta) / unit.delta
        }
        return row
    }
}
