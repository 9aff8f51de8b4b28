/// Black-76 on the forward, in the conventions of `shared/reference/domain.md`:
///
/// - F: forward (the snapshot's underlying price), K: strike, both in USD
/// - T: years to expiry = seconds / (365 × 86 400); σ: volatility as a fraction; r: rate
/// - value: USD per 1 coin of underlying; delta: coin per contract of size 1;
///   gamma: per USD; vega: USD per vol point (σ + 0.01); theta: USD per calendar day;
///   rho: USD per percentage point of r (for Black-76, −T·value/100; Deribit's own rho is a
///   spot-model rho and is not comparable).
///
/// Numerically: the CDF goes through `erfc`, accurate in both tails, so deep in- and
/// out-of-the-money values keep their digits; at or after expiry, or at zero volatility, the
/// results are explicit (intrinsic value, step delta, zero gamma and vega), never NaN.
///
/// Pure functions of their inputs; no clock is read.
public enum Black76 {
    public struct Inputs: Sendable, Hashable {
        public var forward: Double
        public var strike: Double
        public var yearsToExpiry: Double
        public var volatility: Double
        public var rate: Double
        public var right: Instrument.Right

        public init(forward: Double, strike: Double, yearsToExpiry: Double, volatility: Double, rate: Double = 0,
                    right: Instrument.Right) {
            self.forward = forward; self.strike = strike; self.yearsToExpiry = yearsToExpiry
            self.volatility = volatility; self.rate = rate; self.right = right
        }
    }

    public struct Greeks: Sendable, Hashable {
        public var value: Double
        public var delta: Double
        public var gamma: Double
        public var vega: Double
        public var theta: Double
        public var rho: Double
    }

    public static let secondsPerYear = 365.0 * 86_400

    public static func yearsBetween(_ start: Timestamp, _ end: Timestamp) -> Double {
        end.seconds(since: start) / secondsPerYear
    }

    public static func greeks(_ p: Inputs) -> Greeks {
        let discount = exp(-p.rate * p.yearsToExpiry)
        let isCall = p.right == .call
        // At or past expiry, or with no volatility, the option is worth its discounted
        // intrinsic value and its delta is a step: no NaN from dividing by σ√T = 0.
        guard p.yearsToExpiry > 0, p.volatility > 0 else {
            let intrinsic = isCall ? max(p.forward - p.strike, 0) : max(p.strike - p.forward, 0)
            let inTheMoney = isCall ? p.forward > p.strike : p.forward < p.strike
            let delta = inTheMoney ? (isCall ? discount : -discount) : 0
            let value = discount * intrinsic
            return Greeks(value: value, delta: p.yearsToExpiry > 0 ? delta : 0, gamma: 0, vega: 0,
                          theta: p.yearsToExpiry > 0 ? p.rate * value / 365 : 0,
                          rho: -max(p.yearsToExpiry, 0) * value / 100)
        }
        let sqrtT = p.yearsToExpiry.squareRoot()
        let sigmaSqrtT = p.volatility * sqrtT
        let d1 = (log(p.forward / p.strike) + 0.5 * p.volatility * p.volatility * p.yearsToExpiry) / sigmaSqrtT
        let d2 = d1 - sigmaSqrtT
        let density = normalDensity(d1)
        let value = isCall
            ? discount * (p.forward * normalCDF(d1) - p.strike * normalCDF(d2))
            : discount * (p.strike * normalCDF(-d2) - p.forward * normalCDF(-d1))
        let delta = isCall ? discount * normalCDF(d1) : -discount * normalCDF(-d1)
        let gamma = discount * density / (p.forward * sigmaSqrtT)
        let vega = discount * p.forward * density * sqrtT / 100
        let theta = (-discount * p.forward * density * p.volatility / (2 * sqrtT) + p.rate * value) / 365
        let rho = -p.yearsToExpiry * value / 100
        return Greeks(value: value, delta: delta, gamma: gamma, vega: vega, theta: theta, rho: rho)
    }

    /// The value alone, for solvers that need many evaluations.
    public static func value(_ p: Inputs) -> Double { greeks(p).value }

    /// Standard normal CDF via erfc, accurate in both tails.
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    public static func normalDensity(_ x: Double) -> Double { exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
