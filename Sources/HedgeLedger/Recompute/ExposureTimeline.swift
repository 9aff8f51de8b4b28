/// The state of one time-ordered pass over the ledger: the positions now, the latest mark of
/// each instrument, each coin's latest USD index, the settings in force. Pure: the caller feeds
/// events in time order and asks for the rows of the (book, underlying) pairs they changed.
/// Nothing is rebuilt per row: a row values the pair's open positions at its time.
struct ExposureTimeline {
    struct PairKey: Hashable, Comparable {
        let book: String
        let underlying: String
        static func < (a: PairKey, b: PairKey) -> Bool { (a.book, a.underlying) < (b.book, b.underlying) }
    }

    private(set) var positions: [PositionBuilder.Key: Position] = [:]
    /// Each pair's positions with a quantity, by instrument symbol: the order rows sum in, so
    /// sums never depend on the order instruments were first imported.
    private var holdings: [PairKey: [String: PositionBuilder.Key]] = [:]
    /// `holdings` sorted by symbol, kept until the pair's holdings change.
    private var sortedHoldings: [PairKey: [(symbol: String, key: PositionBuilder.Key)]] = [:]
    private var instruments: [String: Instrument] = [:]
    private var marks: [String: Mark] = [:]
    private var usdIndexes: [String: IndexPrice] = [:]
    private var settings: [PairKey: HedgeSettings] = [:]
    /// Expired instruments with no settlement price: held, but no longer priced.
    private var unsettled: Set<String> = []
    /// Pairs whose row must be written at the current time.
    private(set) var changed: Set<PairKey> = []

    /// Applies a fill (in apply order); its pair gets a row.
    mutating func apply(_ fill: Fill, instrument: Instrument, instrumentID: Int64) throws(ArithmeticOverflow) {
        let key = PositionBuilder.Key(book: fill.book, instrumentID: instrumentID)
        var position = positions[key] ?? Position(book: fill.book, instrument: instrument)
        try position.apply(fill)
        positions[key] = position
        instruments[instrument.symbol] = instrument
        let pair = PairKey(book: fill.book, underlying: instrument.underlying)
        let wasHeld = holdings[pair]?[instrument.symbol] != nil
        if position.quantity.isZero {
            holdings[pair]?[instrument.symbol] = nil
        } else {
            holdings[pair, default: [:]][instrument.symbol] = key
        }
        if wasHeld == position.quantity.isZero { sortedHoldings[pair] = nil }
        changed.insert(pair)
    }

    /// A new mark: every pair holding the instrument gets a row.
    mutating func apply(_ mark: Mark, instrument: Instrument) {
        marks[mark.instrument] = mark
        instruments[instrument.symbol] = instrument
        for (pair, held) in holdings where pair.underlying == instrument.underlying && held[mark.instrument] != nil {
            changed.insert(pair)
        }
    }

    /// A coin's USD index (`btc_usd`): used by the rows written from now on.
    mutating func apply(usdIndex price: IndexPrice, underlying: String) {
        usdIndexes[underlying] = price
    }

    /// A settings version coming into force: its pair gets a row.
    mutating func apply(_ version: HedgeSettings) {
        let pair = PairKey(book: version.book, underlying: version.underlying)
        settings[pair] = version
        changed.insert(pair)
    }

    /// An instrument reaches its expiry: positions in it settle at `settlement` and leave the
    /// book, or with no settlement price stay held but unpriced. Pairs holding it get a row.
    mutating func expire(_ instrument: Instrument, settlement: Position.Settlement?) throws(ArithmeticOverflow) {
        for (pair, held) in holdings where pair.underlying == instrument.underlying {
            guard let key = held[instrument.symbol] else { continue }
            changed.insert(pair)
            guard let settlement else { unsettled.insert(instrument.symbol); continue }
            try positions[key]?.settle(settlement)
            holdings[pair]?[instrument.symbol] = nil
            sortedHoldings[pair] = nil
        }
    }

    /// The rows of the pairs changed since the last call, at `time`, by book then underlying.
    mutating func takeRows(at time: Timestamp) -> [ExposureRow] {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed.sorted().map { pair in
            if sortedHoldings[pair] == nil {
                sortedHoldings[pair] = (holdings[pair] ?? [:]).map { (symbol: $0.key, key: $0.value) }
                    .sorted { $0.symbol.utf8.lexicographicallyPrecedes($1.symbol.utf8) }
            }
            return row(for: pair, held: sortedHoldings[pair]!, at: time)
        }
    }

    private func row(for pair: PairKey, held: [(symbol: String, key: PositionBuilder.Key)], at time: Timestamp) -> ExposureRow {
        let settings = settings[pair] ?? .defaults(book: pair.book, underlying: pair.underlying)
        var row = ExposureRow(time: time, book: pair.book, underlying: pair.underlying, optionsDelta: 0, optionsNetDelta: 0,
                              hedgeDelta: 0, netDelta: 0, gamma: 0, vega: 0, theta: 0, targetDelta: settings.targetDelta,
                              positions: held.count, unpriced: 0)
        let hedges = settings.hedgeInstruments.map(Set.init)
        var optionsHedgedDelta = 0.0
        var firstForward: Double?
        for (symbol, key) in held {
            guard let position = positions[key] else { continue }
            guard !unsettled.contains(symbol), let mark = marks[symbol],
                  case .success(let valuation) = PositionValuation.value(position, mark: mark, at: time) else {
                row.unpriced += 1
                continue
            }
            let age = time.seconds(since: mark.time)
            row.oldestMarkAgeSeconds = max(row.oldestMarkAgeSeconds ?? age, age)
            if firstForward == nil { firstForward = valuation.forward }
            row.gamma += valuation.gamma
            row.vega += valuation.vega
            row.theta += valuation.theta
            if position.instrument.kind == .option {
                row.optionsDelta += valuation.delta
                row.optionsNetDelta += valuation.netDelta
                optionsHedgedDelta += settings.hedgedDelta(for: position.instrument) == .net ? valuation.netDelta : valuation.delta
            } else {
                if hedges?.contains(symbol) ?? true { row.hedgeDelta += valuation.delta }
                row.netDelta += valuation.delta
            }
        }
        row.netDelta += optionsHedgedDelta
        if abs(optionsHedgedDelta) >= ExposureRow.ratioEpsilon {
            let ratio = -row.hedgeDelta / optionsHedgedDelta
            row.hedgeRatio = ratio == 0 ? 0 : ratio  // no hedge is 0, not -0
        }
        let index = usdIndexes[pair.underlying]?.price.doubleValue
        row.usdPerCoin = index ?? firstForward
        row.netDeltaUSD = row.usdPerCoin.map { row.netDelta * $0 }
        // The required hedge is expressed in the first hedge instrument: the settings' first, or
        // by default the book's perpetual, else its first other non-option instrument by symbol.
        let hedge = settings.hedgeInstruments?.first ?? held.lazy.compactMap { symbol, key -> (String, Instrument)? in
            guard let instrument = positions[key]?.instrument, instrument.kind != .option else { return nil }
            return (symbol, instrument)
        }.min { ($0.1.kind == .perpetual ? 0 : 1, $0.0) < ($1.1.kind == .perpetual ? 0 : 1, $1.0) }?.0
        row.hedgeInstrument = hedge
        row.underlyingPrice = index
        if let hedge, let mark = marks[hedge], let instrument = instruments[hedge],
           let unitDelta = Self.unitDelta(of: instrument, mark: mark, at: time) {
            row.underlyingPrice = mark.markPrice.doubleValue
            row.requiredHedge = (settings.targetDelta.doubleValue - row.netDelta) / unitDelta
        }
        return row
    }

    /// The delta of one unit of the hedge instrument (1 for amounts in coin; 1/F per USD for an
    /// inverse future or perpetual), from its mark.
    private static func unitDelta(of instrument: Instrument, mark: Mark, at time: Timestamp) -> Double? {
        let unit = Position(book: "", instrument: instrument, quantity: .one, costBasis: .zero, realisedPnL: .zero, fees: [:],
                            fillCount: 1, firstFill: nil, lastFill: nil, lastKey: nil)
        guard case .success(let valuation) = PositionValuation.value(unit, mark: mark, at: time), valuation.delta != 0 else { return nil }
        return valuation.delta
    }
}
