/// A book's holding of one instrument, derived from its fills by the average-cost method.
///
/// Average cost (what Deribit and most desks report): a fill that adds to the position adds
/// its quantity and its cost; a fill that reduces it realises P&L against the average entry
/// and removes a proportional share of the cost; a fill that crosses zero closes the old
/// position entirely and opens the remainder at the fill's price.
///
/// Cost is kept in the instrument's P&L space, so one rule serves both families:
/// - linear (options, USDC contracts, spot): cost = Σ quantity × price, P&L =
///   closed × (exit − average entry) × multiplier, in the settlement currency (inverse options
///   are priced in coin, so their premium P&L is in coin too);
/// - inverse futures and perpetuals (amount in USD): cost = Σ amount / price (coin),
///   P&L = closed amount × (1/entry − 1/exit), in coin; the average entry is the harmonic mean.
///
/// Fills must be applied in `FillOrderKey` order; the accumulator remembers the last key so
/// callers can tell when a late fill forces a recomputation.
public struct Position: Sendable, Hashable {
    public var book: String
    public var instrument: Instrument
    /// Signed: positive long, negative short; in the instrument's amount unit.
    public private(set) var quantity: ExactDecimal = .zero
    /// Signed like `quantity`; see the type's documentation for its units.
    public private(set) var costBasis: ExactDecimal = .zero
    /// In the instrument's settlement currency.
    public private(set) var realisedPnL: ExactDecimal = .zero
    /// Fees paid (positive) or rebated (negative), by currency.
    public private(set) var fees: [String: ExactDecimal] = [:]
    public private(set) var fillCount = 0
    public private(set) var firstFill: Timestamp?
    public private(set) var lastFill: Timestamp?
    public private(set) var lastKey: FillOrderKey?

    public init(book: String, instrument: Instrument) {
        self.book = book
        self.instrument = instrument
    }

    /// Restores a stored position so further fills can be applied to it.
    public init(book: String, instrument: Instrument, quantity: ExactDecimal, costBasis: ExactDecimal,
                realisedPnL: ExactDecimal, fees: [String: ExactDecimal], fillCount: Int,
                firstFill: Timestamp?, lastFill: Timestamp?, lastKey: FillOrderKey?) {
        self.book = book; self.instrument = instrument; self.quantity = quantity; self.costBasis = costBasis
        self.realisedPnL = realisedPnL; self.fees = fees; self.fillCount = fillCount
        self.firstFill = firstFill; self.lastFill = lastFill; self.lastKey = lastKey
    }

    /// Whether `fill` comes after every fill applied so far, so applying it keeps the order.
    public func accepts(inOrder key: FillOrderKey) -> Bool {
        guard let lastKey else { return true }
        return lastKey < key
    }

    /// Applies `fill`; throws, leaving the position unchanged, when an amount would leave the
    /// exact range.
    public mutating func apply(_ fill: Fill) throws(ArithmeticOverflow) {
        let fee = try (fees[fill.feeCurrency] ?? .zero) + fill.fee
        try trade(fill.signedQuantity, at: fill.price)
        fees[fill.feeCurrency] = fee
        fillCount += 1
        if firstFill == nil || fill.time < firstFill! { firstFill = fill.time }
        if lastFill == nil || fill.time > lastFill! { lastFill = fill.time }
        lastKey = fill.orderKey
    }

    /// The price an expired position settled at, in the instrument's quote currency.
    public struct Settlement: Sendable, Hashable {
        public var price: ExactDecimal
        public var time: Timestamp
        /// The index price the settlement price was derived from, and where it came from.
        public var indexPrice: ExactDecimal
        public var source: Source

        /// An imported settlement row of the index at expiry, or the last index price before it.
        public enum Source: Sendable, Hashable {
            case settlementRow
            case index(observedAt: Timestamp)

            /// The stored name: `settlement` or `index`.
            public var kind: String {
                switch self {
                case .settlementRow: "settlement"
                case .index: "index"
                }
            }
        }

        public init(price: ExactDecimal, time: Timestamp, indexPrice: ExactDecimal, source: Source) {
            self.price = price; self.time = time; self.indexPrice = indexPrice; self.source = source
        }
    }

    public private(set) var settlement: Settlement?

    /// Closes what is left at expiry at `settlement.price`, realising P&L like a closing
    /// trade without fees; not counted as a fill.
    public mutating func settle(_ settlement: Settlement) throws(ArithmeticOverflow) {
        guard !quantity.isZero else { return }
        try trade(-quantity, at: settlement.price)
        self.settlement = settlement
    }

    /// What the position is worth at `markPrice`, and in which currency: for options the
    /// premium (quantity × multiplier × mark, in coin for inverse options); for linear futures,
    /// perpetuals and spot the notional in the quote currency; for inverse futures and
    /// perpetuals the notional in coin (amount / mark).
    public func marketValue(at markPrice: ExactDecimal) throws(ArithmeticOverflow) -> (amount: ExactDecimal, currency: String) {
        if instrument.pnlIsInverseInPrice {
            return (markPrice.isPositive ? try quantity / markPrice : .zero, instrument.settlementCurrency)
        }
        return (try quantity * instrument.multiplier * markPrice, instrument.quoteCurrency)
    }

    /// P&L not yet realised if the position were closed at `markPrice` (quote currency), in
    /// the settlement currency.
    public func unrealisedPnL(at markPrice: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        guard !quantity.isZero else { return .zero }
        if instrument.pnlIsInverseInPrice {
            guard markPrice.isPositive else { return .zero }
            return try costBasis - cost(of: quantity, at: markPrice)
        }
        return try (cost(of: quantity, at: markPrice) - costBasis) * instrument.multiplier
    }

    /// Adds `delta` at `price`: the average-cost rule of the type's documentation.
    /// All or nothing: the new state is computed first and assigned only when every step fits.
    private mutating func trade(_ delta: ExactDecimal, at price: ExactDecimal) throws(ArithmeticOverflow) {
        if quantity.isZero || quantity.signum == delta.signum {
            let newQuantity = try quantity + delta
            costBasis = try costBasis + cost(of: delta, at: price)
            quantity = newQuantity
            return
        }
        let held = quantity.magnitude
        let closing = min(delta.magnitude, held)
        let closedSigned = quantity.isNegative ? -closing : closing
        let removedCost = closing == held ? costBasis : try costBasis * closing / held
        let pnl = instrument.pnlIsInverseInPrice
            ? try removedCost - cost(of: closedSigned, at: price)
            : try (cost(of: closedSigned, at: price) - removedCost) * instrument.multiplier
        let newRealised = try realisedPnL + pnl
        var newCost = try costBasis - removedCost
        var newQuantity = try quantity - closedSigned
        let remainder = try delta.magnitude - closing
        if remainder.isPositive {
            newQuantity = delta.isNegative ? -remainder : remainder
            newCost = try cost(of: newQuantity, at: price)
        }
        if newQuantity.isZero { newCost = .zero }
        realisedPnL = newRealised
        costBasis = newCost
        quantity = newQuantity
    }

    /// Nil too when the quotient leaves the exact range (possible only with hostile data).
    ///
    /// An inverse contract's average is amount ÷ cost, and its cost (amount ÷ price, in coin) is
    /// rounded at the 18th place on every fill: 100 USD at 95100 costs 0.001051524710830704 BTC,
    /// and 100 ÷ that is 95099.99999999995673. The quotient is therefore rounded to the digits
    /// the cost determines (the places above ten times its uncertainty, two roundings a fill), so
    /// one fill at 95100 averages 95100 and a venue's report of it matches exactly.
    public var averageEntryPrice: ExactDecimal? {
        guard !quantity.isZero, !costBasis.isZero else { return nil }
        guard instrument.pnlIsInverseInPrice else { return try? costBasis / quantity }
        guard let average = try? quantity / costBasis else { return nil }
        // Its uncertainty in units of 10⁻¹⁸: |average| × roundings ÷ |cost|; keep the places above ten times that.
        let roundings = UInt128(max(fillCount, 1)) * 2
        let (scaled, overflow) = average.units.magnitude.multipliedReportingOverflow(by: roundings)
        guard !overflow else { return average }
        let (tenfold, beyond) = (scaled / costBasis.units.magnitude).multipliedReportingOverflow(by: 10)
        if beyond { return average.rounded(toPlaces: 0) ?? average }
        var dropped = 0
        var step: UInt128 = 1
        while step < tenfold, dropped < ExactDecimal.fractionDigits { step *= 10; dropped += 1 }
        let places = ExactDecimal.fractionDigits - dropped
        return average.rounded(toPlaces: places) ?? average
    }

    public enum Status: String, Sendable { case open, flat, expired, settled }

    /// Open, flat, settled, or expired: an option or future past expiry with quantity left and
    /// no settlement price yet is `expired` (unsettled), never open.
    public func status(at time: Timestamp) -> Status {
        if settlement != nil { return .settled }
        if quantity.isZero { return .flat }
        return instrument.isExpired(at: time) ? .expired : .open
    }

    /// What `quantity` at `price` adds to the cost basis: quantity × price, or for inverse
    /// futures amount / price in coin, divided once so the rounding stays at the 18th place
    /// instead of being multiplied by the amount.
    private func cost(of quantity: ExactDecimal, at price: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        try instrument.pnlIsInverseInPrice ? quantity / price : quantity * price
    }
}
