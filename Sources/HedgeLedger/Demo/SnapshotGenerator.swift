/// Generates market snapshots of a fixed option chain, in the native snapshot format: a month
/// of one-minute marks of 200 options is the ~9 million rows the snapshot benchmark imports.
/// Expiries lie after the period, so every option is marked at every interval; each interval
/// also marks the BTC and ETH index and perpetuals. Deterministic for a given seed.
public struct SnapshotGenerator {
    public struct Settings: Sendable {
        public var seed: UInt64 = 1
        public var start = Timestamp(year: 2026, month: 11, day: 16)
        public var days = 30
        public var intervalSeconds: Int64 = 60
        public var options = 200
        public init() {}
    }

    public static let header = MarketSimulator.snapshotHeader

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Hands each line (after the header) to `emit`; returns how many there were.
    @discardableResult
    public func generate(_ emit: (String) throws -> Void) rethrows -> Int {
        var random = SeededRandom(seed: settings.seed)
        var market = MarketSimulator()
        let end = settings.start.adding(seconds: Int64(settings.days) * 86_400)
        // Four Friday expiries, four weeks apart, all after the period.
        let firstExpiry = TradeGenerator.listedExpiry(after: end, pick: 0)
        let expiries = (0..<4).map { firstExpiry.adding(seconds: Int64($0) * 28 * 86_400) }
        var chain: [(coin: Int, symbol: String, strike: Double, expiry: Timestamp, right: Instrument.Right)] = []
        var offset = 0
        while chain.count < settings.options {
            for coin in market.coins.indices where chain.count < settings.options {
                for expiry in expiries where chain.count < settings.options {
                    for right in [Instrument.Right.call, .put] where chain.count < settings.options {
                        let step = market.coins[coin].strikeStep
                        let atm = (market.coins[coin].forward / step).rounded() * step
                        let strike = atm + Double(offset % 2 == 0 ? offset / 2 : -(offset + 1) / 2) * step
                        guard strike > 0 else { continue }
                        let symbol = "\(market.coins[coin].name)-\(TradeGenerator.expiryCode(expiry))-\(Int(strike))-\(right == .call ? "C" : "P")"
                        chain.append((coin, symbol, strike, expiry, right))
                    }
                }
            }
            offset += 1
        }
        var rows = 0
        var time = settings.start
        while time < end {
            for coin in market.coins.indices {
                try emit(market.indexRow(coin: coin, at: time, kind: .observation))
                try emit(market.perpetualMark(coin: coin, at: time))
                rows += 2
            }
            for option in chain {
                try emit(market.optionMark(coin: option.coin, symbol: option.symbol, strike: option.strike,
                                           expiry: option.expiry, right: option.right, at: time))
                rows += 1
            }
            market.step(microseconds: Double(settings.intervalSeconds) * 1e6, random: &random)
            time = time.adding(seconds: settings.intervalSeconds)
        }
        return rows
    }
}
