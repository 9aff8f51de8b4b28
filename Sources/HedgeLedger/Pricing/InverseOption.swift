/// Coin-settled (inverse) options, quoted and paid in the underlying coin
/// (`shared/reference/domain.md`):
///
/// - price in coin = Black-76 value (USD) / F
/// - net (premium-adjusted) delta = delta − price in coin: holding the option also holds its
///   premium in coin, whose USD value moves with F. Deribit's account `delta_total` uses it.
public enum InverseOption {
    public static func priceInCoin(valueUSD: Double, forward: Double) -> Double { valueUSD / forward }

    public static func netDelta(delta: Double, priceInCoin: Double) -> Double { delta - priceInCoin }
}
