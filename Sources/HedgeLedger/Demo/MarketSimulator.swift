/// A simulated market for generated data: each coin's forward follows a geometric Brownian
/// motion, options are priced with Black-76 on a simple smile, and marks are written as rows
/// of the native snapshot format. Shared by the trade and snapshot generators so trades and
/// marks of one session follow the same prices.
struct MarketSimulator {
    struct Coin {
        let name: String
        var forward: Double
        let volatility: Double
        let strikeStep: Double
        let perpTick: Double
    }

    var coins: [Coin] = [
        Coin(name: "BTC", forward: 95_000, volatility: 0.55, strikeStep: 2500, perpTick: 0.5),
        Coin(name: "ETH", forward: 3_400, volatility: 0.70, strikeStep: 100, perpTick: 0.05),
    ]

    static let snapshotHeader = "timestamp,instrument,mark_price,underlying_price,mark_iv,index_price,kind,delta,gamma,vega,theta"

    /// Moves every forward by `microseconds` of time.
    mutating func step(microseconds: Double, random: inout SeededRandom) {
        let years = microseconds / 1e6 / Black76.secondsPerYear
        for index in coins.indices {
            let sigma = coins[index].volatility
            coins[index].forward *= exp(sigma * years.squareRoot() * random.normal() - 0.5 * sigma * sigma * years)
        }
    }

    /// The smile: volatility rises with squared log-moneyness.
    func volatility(coin: Int, strike: Double) -> Double {
        let moneyness = log(strike / coins[coin].forward)
        return coins[coin].volatility * (1 + 0.8 * moneyness * moneyness)
    }

    /// An option's price in coin, on the exchange's 0.0001 tick.
    func optionPriceInCoin(coin: Int, strike: Double, expiry: Timestamp, right: Instrument.Right, at time: Timestamp) -> Double {
        let greeks = Black76.greeks(.init(forward: coins[coin].forward, strike: strike,
                                          yearsToExpiry: Black76.yearsBetween(time, expiry),
                                          volatility: volatility(coin: coin, strike: strike), right: right))
        return max(0.0001, (greeks.value / coins[coin].forward / 0.0001).rounded() * 0.0001)
    }

    func perpetualPrice(coin: Int) -> Double {
        (coins[coin].forward / coins[coin].perpTick).rounded() * coins[coin].perpTick
    }

    /// A mark row for an inverse option, with the greeks a venue would publish (5 decimals).
    func optionMark(coin: Int, symbol: String, strike: Double, expiry: Timestamp, right: Instrument.Right,
                    at time: Timestamp) -> String {
        let forward = (coins[coin].forward * 100).rounded() / 100
        let sigma = volatility(coin: coin, strike: strike)
        let iv = (sigma * 10_000).rounded() / 100
        let greeks = Black76.greeks(.init(forward: forward, strike: strike, yearsToExpiry: Black76.yearsBetween(time, expiry),
                                          volatility: iv / 100, right: right))
        let price = greeks.value / forward
        return "\(time.iso8601),\(symbol),\(text(price, 8)),\(text(forward, 2)),\(text(iv, 2)),,mark,\(text(greeks.delta, 5)),\(text(greeks.gamma, 5)),\(text(greeks.vega, 5)),\(text(greeks.theta, 5))"
    }

    func perpetualMark(coin: Int, at time: Timestamp) -> String {
        let index = (coins[coin].forward * 100).rounded() / 100
        return "\(time.iso8601),\(coins[coin].name)-PERPETUAL,\(text(perpetualPrice(coin: coin), 2)),,,\(text(index, 2)),mark,,,,"
    }

    func indexRow(coin: Int, at time: Timestamp, kind: IndexPrice.Kind) -> String {
        let index = (coins[coin].forward * 100).rounded() / 100
        return "\(time.iso8601),\(coins[coin].name.lowercased())_usd,\(text(index, 2)),,,,\(kind == .settlement ? "settlement" : "mark"),,,,"
    }

    func text(_ value: Double, _ places: Int) -> String {
        ExactDecimal(approximating: value, places: places).description
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
