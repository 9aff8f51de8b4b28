/// The greeks of one position from one mark: pure, from explicit inputs.
///
/// Units (domain.md): delta and net delta in coin of the underlying; gamma in coin per USD;
/// vega in USD per vol point; theta in USD per calendar day. For options the position holds
/// n = quantity × multiplier coins of exposure; inverse futures and perpetuals hold
/// amount / F coins; linear futures, perpetuals and spot hold quantity × multiplier coins.
public struct PositionValuation: Sendable, Hashable {
    public var delta: Double
    /// Premium-adjusted for inverse options (delta − price in coin); equal to delta otherwise.
    public var netDelta: Double
    public var gamma: Double
    public var vega: Double
    public var theta: Double
    /// The volatility used (a fraction), and whether it was implied from the mark price.
    public var volatility: Double?
    public var volatilityImplied: Bool
    /// The forward the option was priced on, or the futures price.
    public var forward: Double
    /// Options: the position's Black-76 value, USD. Futures, perpetuals, spot: 0 (their P&L
    /// comes from the price, `forward`).
    public var value: Double = 0

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case noForward
        case expired
        case impliedVolatility(ImpliedVolatility.Failure)
        case nonPositivePrice

        public var description: String {
            switch self {
            case .noForward: return "the mark has no underlying_price to price the option on"
            case .expired: return "expired: it has no greeks, only a settlement"
            case .impliedVolatility(let failure): return "no volatility: the mark has no mark_iv and implying one failed: \(failure)"
            case .nonPositivePrice: return "the mark price is not positive"
            }
        }
    }

    /// A mark's prices as doubles: what valuing needs, converted once per mark rather than once
    /// per position valued (a recompute values every held position at every row).
    public struct MarkPrices: Sendable, Hashable {
        public var time: Timestamp
        public var markPrice: Double
        public var underlyingPrice: Double?
        public var markIV: Double?
        public var interestRate: Double?

        public init(_ mark: Mark) {
            time = mark.time
            markPrice = mark.markPrice.doubleValue
            underlyingPrice = mark.underlyingPrice?.doubleValue
            markIV = mark.markIV
            interestRate = mark.interestRate
        }
    }

    /// An instrument's terms as valuing reads them: numbers and flags, no strings to copy.
    public struct Terms: Sendable, Hashable {
        public var kind: Instrument.Kind
        public var right: Instrument.Right?
        public var isInverse: Bool
        public var pnlIsInverseInPrice: Bool
        public var strike: Double?
        public var expiry: Timestamp?
        public var multiplier: Double

        public init(_ instrument: Instrument) {
            kind = instrument.kind
            right = instrument.right
            isInverse = instrument.isInverse
            pnlIsInverseInPrice = instrument.pnlIsInverseInPrice
            strike = instrument.strike?.doubleValue
            expiry = instrument.expiry
            multiplier = instrument.multiplier.doubleValue
        }
    }

    /// The same instrument's valuation for `factor` times the quantity: every figure but the
    /// volatility and the forward is linear in it.
    public func scaled(by factor: Double) -> PositionValuation {
        var scaled = self
        scaled.delta *= factor; scaled.netDelta *= factor; scaled.gamma *= factor; scaled.vega *= factor
        scaled.theta *= factor; scaled.value *= factor
        return scaled
    }

    public static func value(_ position: Position, mark: Mark, at time: Timestamp) -> Result<PositionValuation, Problem> {
        value(Terms(position.instrument), quantity: position.quantity.doubleValue, mark: MarkPrices(mark), at: time)
    }

    /// Values `quantity` (signed, in the instrument's amount unit) of an instrument.
    public static func value(_ instrument: Terms, quantity amount: Double, mark: MarkPrices,
                             at time: Timestamp) -> Result<PositionValuation, Problem> {
        let quantity = amount * instrument.multiplier
        let markPrice = mark.markPrice
        switch instrument.kind {
        case .option:
            guard let forward = mark.underlyingPrice, forward > 0 else { return .failure(.noForward) }
            guard let expiry = instrument.expiry, let strike = instrument.strike, let right = instrument.right,
                  time < expiry else { return .failure(.expired) }
            let years = Black76.yearsBetween(time, expiry)
            let rate = mark.interestRate ?? 0
            var sigma = (mark.markIV ?? 0) / 100
            var implied = false
            if sigma <= 0 {
                let priceUSD = instrument.isInverse ? markPrice * forward : markPrice
                switch ImpliedVolatility.solve(price: priceUSD, forward: forward, strike: strike,
                                               yearsToExpiry: years, rate: rate, right: right) {
                case .success(let solved): sigma = solved; implied = true
                case .failure(let failure): return .failure(.impliedVolatility(failure))
                }
            }
            let g = Black76.greeks(.init(forward: forward, strike: strike, yearsToExpiry: years,
                                         volatility: sigma, rate: rate, right: right))
            let delta = quantity * g.delta
            // Premium-adjusted with the model's price in coin, value / F (domain.md): the price the
            // greeks come from, not a mark price that may disagree with mark_iv or have gone stale.
            let netDelta = instrument.isInverse
                ? quantity * InverseOption.netDelta(delta: g.delta, priceInCoin: g.value / forward)
                : delta
            return .success(PositionValuation(delta: delta, netDelta: netDelta, gamma: quantity * g.gamma,
                                              vega: quantity * g.vega, theta: quantity * g.theta, volatility: sigma,
                                              volatilityImplied: implied, forward: forward, value: quantity * g.value))
        case .future, .perpetual, .spot:
            if let expiry = instrument.expiry, time >= expiry { return .failure(.expired) }
            guard markPrice > 0 else { return .failure(.nonPositivePrice) }
            let delta = instrument.pnlIsInverseInPrice ? amount / markPrice : quantity
            return .success(PositionValuation(delta: delta, netDelta: delta, gamma: 0, vega: 0, theta: 0, volatility: nil,
                                              volatilityImplied: false, forward: markPrice))
        }
    }
}
