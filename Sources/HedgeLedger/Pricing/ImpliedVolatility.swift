/// Implied volatility of a Black-76 price: the σ at which `Black76.value` equals it.
///
/// Bracketed Newton: the value rises strictly with σ, so a bracket [low, high] always holds
/// the root; each step tries Newton (fast near the root) and falls back to bisection when
/// Newton would leave the bracket or vega is too small to trust (deep in or out of the
/// money, near expiry). Converges to |value(σ) − price| ≤ 1e-10 in the price's own units, or
/// says why it cannot: expired, a price at or below the discounted intrinsic value (no time
/// value: any σ, or none, fits), or at or above the no-arbitrage maximum.
public enum ImpliedVolatility {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case expired
        case belowIntrinsic(price: Double, intrinsic: Double)
        case aboveMaximum(price: Double, maximum: Double)
        case noConvergence(residual: Double)
        case invalidInput(String)

        public var description: String {
            switch self {
            case .expired: return "the option has expired: no time value to imply a volatility from"
            case let .belowIntrinsic(price, intrinsic): return "price \(price) is at or below the discounted intrinsic value \(intrinsic)"
            case let .aboveMaximum(price, maximum): return "price \(price) is at or above the no-arbitrage maximum \(maximum)"
            case let .noConvergence(residual): return "did not converge (residual \(residual))"
            case let .invalidInput(what): return what
            }
        }
    }

    public static let tolerance = 1e-10
    public static let lowestVolatility = 1e-6
    public static let highestVolatility = 20.0  // 2000%: beyond any listed crypto option

    /// - Parameter price: the option's value in USD per coin (for inverse options, coin price × F).
    public static func solve(price: Double, forward: Double, strike: Double, yearsToExpiry: Double, rate: Double = 0,
                             right: Instrument.Right) -> Result<Double, Failure> {
        guard price.isFinite, forward.isFinite, forward > 0, strike.isFinite, strike > 0, rate.isFinite else {
            return .failure(.invalidInput("inputs must be finite and positive (price \(price), forward \(forward), strike \(strike))"))
        }
        guard yearsToExpiry > 0 else { return .failure(.expired) }
        func inputs(_ sigma: Double) -> Black76.Inputs {
            .init(forward: forward, strike: strike, yearsToExpiry: yearsToExpiry, volatility: sigma, rate: rate, right: right)
        }
        let discount = exp(-rate * yearsToExpiry)
        let intrinsic = discount * (right == .call ? max(forward - strike, 0) : max(strike - forward, 0))
        let maximum = discount * (right == .call ? forward : strike)
        guard price > intrinsic else { return .failure(.belowIntrinsic(price: price, intrinsic: intrinsic)) }
        guard price < maximum else { return .failure(.aboveMaximum(price: price, maximum: maximum)) }

        var low = lowestVolatility, high = highestVolatility
        if Black76.value(inputs(low)) - price > 0 { return .success(low) }  // time value below what σ = 1e-6 gives
        guard Black76.value(inputs(high)) - price >= 0 else {
            return .failure(.aboveMaximum(price: price, maximum: Black76.value(inputs(high))))
        }
        // Brenner–Subrahmanyam's at-the-money estimate as a start, kept inside the bracket.
        var sigma = min(max((2 * Double.pi / yearsToExpiry).squareRoot() * price / (discount * forward), 0.05), 5)
        var bestSigma = sigma, bestResidual = Double.infinity
        for _ in 0..<200 {
            let greeks = Black76.greeks(inputs(sigma))
            let residual = greeks.value - price
            if abs(residual) < bestResidual { bestResidual = abs(residual); bestSigma = sigma }
            if abs(residual) <= tolerance { return .success(sigma) }
            if residual > 0 { high = sigma } else { low = sigma }
            let vegaPerUnit = greeks.vega * 100
            var next = vegaPerUnit > 1e-300 ? sigma - residual / vegaPerUnit : .nan
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            if high - low <= 1e-15 * high { break }
            sigma = next
        }
        return bestResidual <= tolerance ? .success(bestSigma) : .failure(.noConvergence(residual: bestResidual))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
