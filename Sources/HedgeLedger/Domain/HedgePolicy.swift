import Foundation

/// When a book rebalances its delta in one underlying, and how: a band rule, the trade size
/// rules, and how long a breach may stay unanswered before it is a compliance exception.
/// Versioned like `HedgeSettings`: a change is a new version effective from its time.
/// Formulas: domain.md, "Rebalancing policies".
public struct HedgePolicy: Sendable, Hashable {
    /// The band around the target inside which the book is left alone.
    public enum Band: Sendable, Hashable {
        /// Rehedge when |net delta − target| > `width` coin.
        case fixed(width: ExactDecimal)
        /// Rehedge when |net delta − target| > `fraction` × the gross options delta (Σ |delta| of
        /// the option positions, coin).
        case relative(fraction: ExactDecimal)
        /// Rehedge every `seconds`, regardless of the band, or only when outside `width` coin
        /// when one is given.
        case schedule(seconds: Int64, width: ExactDecimal?)
        /// Whalley–Wilmott (1997) asymptotic half-width H = (3/2 · λ · F · Γ² / γ)^(1/3) coin,
        /// with λ the proportional cost of trading the hedge (a fraction of notional), F the
        /// underlying price (USD per coin), Γ the book's gamma (coin² per USD: coin of delta per
        /// USD of price) and γ an absolute risk aversion per USD; the discount factor of the
        /// paper's e^(−r(T−t)) is 1, as rates are 0 in our pricing.
        case whalleyWilmott(cost: ExactDecimal, riskAversion: ExactDecimal)

        /// The stored name: `fixed`, `relative`, `schedule` or `whalley-wilmott`.
        public var kind: String {
            switch self {
            case .fixed: "fixed"
            case .relative: "relative"
            case .schedule: "schedule"
            case .whalleyWilmott: "whalley-wilmott"
            }
        }

        /// The half-width in coin for a book with this gamma, gross options delta and price;
        /// nil when the rule has no band (a schedule without one) or cannot say (no price).
        public func halfWidth(gamma: Double, grossOptionsDelta: Double, price: Double?) -> Double? {
            switch self {
            case .fixed(let width): return width.doubleValue
            case .relative(let fraction): return fraction.doubleValue * grossOptionsDelta
            case .schedule(_, let width): return width?.doubleValue
            case let .whalleyWilmott(cost, riskAversion):
                guard let price, price > 0 else { return nil }
                return Self.whalleyWilmottHalfWidth(cost: cost.doubleValue, price: price, gamma: gamma,
                                                    riskAversion: riskAversion.doubleValue)
            }
        }

        /// H = (3/2 · λ · F · Γ² / γ)^(1/3): zero gamma, zero band.
        public static func whalleyWilmottHalfWidth(cost: Double, price: Double, gamma: Double, riskAversion: Double) -> Double {
            Foundation.cbrt(1.5 * cost * price * gamma * gamma / riskAversion)
        }
    }

    /// What a rebalance trades to.
    public enum HedgeTo: String, Sendable, Hashable, CaseIterable {
        /// Back to the target: what most desks expect.
        case target
        /// To the nearer edge of the band: the smallest trade that ends the breach.
        case bandEdge = "band-edge"
    }

    public var book: String
    public var underlying: String
    public var effective: Timestamp
    /// Coin; nil: the book settings' target in force.
    public var targetDelta: ExactDecimal?
    /// nil: the book settings' first hedge instrument in force.
    public var hedgeInstrument: String?
    public var band: Band
    /// Trades smaller than this (in the hedge instrument's amount unit) are skipped.
    public var minTrade: ExactDecimal
    /// Trades are rounded to a whole number of lots (toward zero); nil: not rounded.
    public var lot: ExactDecimal?
    /// How long a breach may stay unanswered.
    public var maxReactionSeconds: Int64
    public var hedgeTo: HedgeTo

    public init(book: String, underlying: String, effective: Timestamp, targetDelta: ExactDecimal? = nil,
                hedgeInstrument: String? = nil, band: Band, minTrade: ExactDecimal = .zero, lot: ExactDecimal? = nil,
                maxReactionSeconds: Int64 = 300, hedgeTo: HedgeTo = .target) {
        self.book = book; self.underlying = underlying; self.effective = effective; self.targetDelta = targetDelta
        self.hedgeInstrument = hedgeInstrument; self.band = band; self.minTrade = minTrade; self.lot = lot
        self.maxReactionSeconds = maxReactionSeconds; self.hedgeTo = hedgeTo
    }

    /// Why the parameters cannot make a policy, if they cannot (instruments aside).
    public var problem: String? {
        switch band {
        case .fixed(let width) where width.isNegative: return "the band width \(width) coin is negative"
        case .relative(let fraction) where fraction.isNegative: return "the relative band \(fraction) is negative"
        case .schedule(let seconds, _) where seconds <= 0: return "the schedule interval must be at least a second"
        case .schedule(_, let width?) where width.isNegative: return "the band width \(width) coin is negative"
        case .whalleyWilmott(let cost, _) where cost.isNegative || cost >= .one:
            return "the proportional cost \(cost) must be at least 0 and below 1 (a fraction of notional: 0.0005 is 5 bp)"
        case .whalleyWilmott(_, let riskAversion) where !riskAversion.isPositive:
            return "the risk aversion \(riskAversion) must be positive (per USD)"
        default: break
        }
        if minTrade.isNegative { return "the minimum trade \(minTrade) is negative" }
        if let lot, !lot.isPositive { return "the lot \(lot) must be positive" }
        if maxReactionSeconds <= 0 { return "the maximum reaction time must be at least a second" }
        return nil
    }
}
