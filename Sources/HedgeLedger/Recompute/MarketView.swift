/// The market as of one moment, read from the ledger: marks with their age, USD prices of
/// coins, and settlement prices of expiries. Caches what it has looked up.
public final class MarketView {
    public let ledger: Ledger
    public let time: Timestamp
    /// Marks older than this are stale: still used, always flagged.
    public let maxMarkAgeSeconds: Int64

    public static let defaultMaxMarkAgeSeconds: Int64 = 900
    /// How old an index price may be at expiry and still settle it, when no explicit
    /// settlement price was imported.
    public static let settlementIndexWindowSeconds: Int64 = 3600

    private var marks: [Int64: StoredMark?] = [:]
    private var usdIndexes: [String: IndexPrice?] = [:]

    public init(ledger: Ledger, time: Timestamp, maxMarkAgeSeconds: Int64 = MarketView.defaultMaxMarkAgeSeconds) {
        self.ledger = ledger
        self.time = time
        self.maxMarkAgeSeconds = maxMarkAgeSeconds
    }

    public struct MarkAsOf: Sendable {
        public var mark: Mark
        public var ageSeconds: Double
        public var isStale: Bool
    }

    /// The latest mark at or before the view's time.
    public func mark(instrumentID: Int64) throws -> MarkAsOf? {
        if marks[instrumentID] == nil { marks[instrumentID] = try ledger.marks.latest(instrumentID: instrumentID, atOrBefore: time) }
        guard let stored = marks[instrumentID] ?? nil else { return nil }
        let age = time.seconds(since: stored.mark.time)
        return MarkAsOf(mark: stored.mark, ageSeconds: age, isStale: age > Double(maxMarkAgeSeconds))
    }

    /// USD per coin, where it came from, and how old it is.
    public struct USDPerCoin: Sendable {
        public var value: Double
        /// `btc_usd` (the coin's index), or the mark's `index_price`, `underlying_price` or futures price.
        public var source: String
        public var ageSeconds: Double
        /// Older than the mark-age limit: used, and flagged like a stale mark.
        public var isStale: Bool
    }

    /// USD per coin of the instrument's underlying: the coin's USD index (`btc_usd`) as of the
    /// view's time, the same for every instrument on it; else the mark's own index, forward,
    /// or futures price. Its age is the index's (or the mark's), flagged stale past the
    /// mark-age limit.
    public func usdPerCoin(_ instrument: Instrument, mark: Mark?) throws -> USDPerCoin? {
        let usdIndex = instrument.underlying.lowercased() + "_usd"
        if usdIndexes[usdIndex] == nil { usdIndexes[usdIndex] = try ledger.indexPrices.latest(index: usdIndex, atOrBefore: time) }
        func priced(_ value: ExactDecimal, _ source: String, at observed: Timestamp) -> USDPerCoin {
            let age = time.seconds(since: observed)
            return USDPerCoin(value: value.doubleValue, source: source, ageSeconds: age, isStale: age > Double(maxMarkAgeSeconds))
        }
        if let observed = usdIndexes[usdIndex] ?? nil { return priced(observed.price, usdIndex, at: observed.time) }
        guard let mark else { return nil }
        if let index = mark.indexPrice { return priced(index, "index_price of the mark", at: mark.time) }
        if let forward = mark.underlyingPrice { return priced(forward, "underlying_price of the mark", at: mark.time) }
        if instrument.kind != .option { return priced(mark.markPrice, "mark price", at: mark.time) }
        return nil
    }

    /// The settlement of an expired instrument: an imported settlement price at its expiry,
    /// else the last index price at or before expiry if no more than an hour old.
    public func settlement(of instrument: Instrument) throws -> Position.Settlement? {
        guard let expiry = instrument.expiry, expiry <= time else { return nil }
        let index: ExactDecimal, source: Position.Settlement.Source
        if let explicit = try ledger.indexPrices.find(.settlement, index: instrument.indexName, time: expiry) {
            index = explicit.price.price
            source = .settlementRow
        } else if let observed = try ledger.indexPrices.latest(index: instrument.indexName, atOrBefore: expiry),
                  expiry.seconds(since: observed.time) <= Double(Self.settlementIndexWindowSeconds) {
            index = observed.price
            source = .index(observedAt: observed.time)
        } else {
            return nil
        }
        guard let price = try instrument.settlementPrice(index: index) else { return nil }
        return Position.Settlement(price: price, time: expiry, indexPrice: index, source: source)
    }
}
