/// What a fill trades: an option, future, perpetual or spot pair, with the facts the ledger
/// needs to value it and to read its quantities.
public struct Instrument: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case option, future, perpetual, spot }
    public enum Right: String, Sendable, CaseIterable { case call, put }

    public var symbol: String
    public var kind: Kind
    /// The coin whose price drives the value: `BTC` for `BTC-PERPETUAL` and `BTC_USDC`.
    public var underlying: String
    /// The currency prices are quoted in: the underlying coin for inverse options, USD for
    /// inverse futures, the quote coin (USDC) for linear instruments.
    public var quoteCurrency: String
    /// The currency P&L and premium settle in: the coin for inverse, USDC for linear.
    public var settlementCurrency: String
    /// Inverse (coin-margined) instruments: futures and perpetuals have amounts in USD and
    /// P&L of amount × (1/entry − 1/exit) in coin; options are priced and paid in coin.
    public var isInverse: Bool
    public var right: Right?
    public var strike: ExactDecimal?
    public var expiry: Timestamp?
    /// Underlying coins per unit of quantity, for options and linear contracts.
    public var multiplier: ExactDecimal
    /// The amount step, where the venue enforces one (USD 10 for BTC inverse futures):
    /// a quantity that is not a multiple of it is almost always coin typed where USD was meant.
    public var contractSize: ExactDecimal?

    public init(symbol: String, kind: Kind, underlying: String, quoteCurrency: String, settlementCurrency: String,
                isInverse: Bool, right: Right? = nil, strike: ExactDecimal? = nil, expiry: Timestamp? = nil,
                multiplier: ExactDecimal = .one, contractSize: ExactDecimal? = nil) {
        self.symbol = symbol; self.kind = kind; self.underlying = underlying
        self.quoteCurrency = quoteCurrency; self.settlementCurrency = settlementCurrency
        self.isInverse = isInverse; self.right = right; self.strike = strike; self.expiry = expiry
        self.multiplier = multiplier; self.contractSize = contractSize
    }

    /// The unit a fill's quantity is written in.
    /// USD for inverse futures and perpetuals; `contracts` for options of more than one coin
    /// each (SOL_USDC options: 10 SOL); the coin otherwise.
    public var amountUnit: String {
        if isInverse && (kind == .future || kind == .perpetual) { return "USD" }
        return kind == .option && multiplier != .one ? "contracts" : underlying
    }

    /// How realised P&L is computed: linear in price, or linear in 1/price (inverse futures).
    public var pnlIsInverseInPrice: Bool { isInverse && (kind == .future || kind == .perpetual) }

    public func isExpired(at time: Timestamp) -> Bool {
        guard let expiry else { return false }
        return time >= expiry
    }
}

extension Instrument {
    /// What one unit pays at expiry, in the quote currency, when the index settles at `index`:
    /// an option's intrinsic value (in coin for inverse options: intrinsic / index), a
    /// future's index price. Nil for instruments that do not expire.
    public func settlementPrice(index: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal? {
        switch kind {
        case .future: return index
        case .option:
            guard let strike, let right, index.isPositive else { return nil }
            let intrinsic = right == .call ? max(try index - strike, .zero) : max(try strike - index, .zero)
            return isInverse ? try intrinsic / index : intrinsic
        case .perpetual, .spot: return nil
        }
    }
}
