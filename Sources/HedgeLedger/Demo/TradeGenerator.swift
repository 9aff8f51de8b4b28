/// Generates a realistic session of a BTC and ETH options desk hedged with inverse
/// perpetuals, as fills in the native trade CSV format and, optionally, the market snapshots
/// of the same session: the data behind `demo`, `generate trades`, the tests' larger
/// fixtures and the benchmarks.
///
/// Forwards follow a geometric Brownian motion; clients trade listed options (weekly and
/// monthly expiries at 08:00 UTC, strikes around the forward) priced with Black-76 on a
/// smile, paying Deribit-like fees; whenever the book's option delta leaves a band the desk
/// trades the perpetual (in USD lots of the contract size, sometimes in several partial
/// fills) back to neutral. Marks, when asked for, come every `markIntervalSeconds` for the
/// index, the perpetuals and every option traded so far, and each Friday 08:00 expiry gets
/// its settlement price. Deterministic for a given seed.
public struct TradeGenerator {
    public struct Settings: Sendable {
        public var seed: UInt64 = 1
        public var rows = 3000
        public var start = Timestamp(year: 2026, month: 11, day: 16)
        /// How long the session lasts; rows are spread across it.
        public var days = 5
        public var books = ["main"]
        /// How often marks are written, when a mark sink is given.
        public var markIntervalSeconds: Int64 = 900
        public init() {}
    }

    /// The band (coin of the desk's own delta) outside which the simulated desk re-hedges, per coin.
    public static let hedgeBands: [String: Double] = ["BTC": 0.5, "ETH": 8]

    public static let header = "trade_id,timestamp,instrument,side,quantity,price,fee,fee_currency,book,venue,order_id,note"
    public static let snapshotHeader = MarketSimulator.snapshotHeader

    private struct Desk {
        let lot: Double
        let maxLots: Int
        let band: Double
        let perpContractUSD: Double
    }

    private struct Listed { let coin: Int; let strike: Double; let expiry: Timestamp; let right: Instrument.Right }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Produces `settings.rows` fill lines (after the header) in time order, handing each to
    /// `fills`, and, if `marks` is given, snapshot lines to it; returns the last fill's time.
    @discardableResult
    public func generate(_ fills: (String) throws -> Void, marks: ((String) throws -> Void)? = nil) rethrows -> Timestamp {
        var random = SeededRandom(seed: settings.seed)
        var market = MarketSimulator()
        let desks = [Desk(lot: 0.1, maxLots: 50, band: Self.hedgeBands["BTC"]!, perpContractUSD: 10),
                     Desk(lot: 1, maxLots: 40, band: Self.hedgeBands["ETH"]!, perpContractUSD: 1)]
        let slots = market.coins.count * settings.books.count
        var holdings: [[String: Double]] = Array(repeating: [:], count: slots)
        var hedges = Array(repeating: 0.0, count: slots)
        var listed: [String: Listed] = [:]
        var listedOrder: [String] = []
        let span = Double(settings.days) * 86_400e6
        // About half the rows are client option trades, half the hedge fills they cause; only
        // client trades advance the clock noticeably.
        let meanGap = span / (Double(max(settings.rows, 1)) * 0.55)
        var time = Double(settings.start.microseconds)
        let interval = Double(settings.markIntervalSeconds) * 1e6
        var nextMark = Double(settings.start.microseconds)
        var nextExpiry = Self.listedExpiry(after: settings.start, pick: 0)
        var produced = 0, tradeNumber = 0, orderNumber = 0
        var last = settings.start

        func line(_ instrument: String, _ side: Fill.Side, _ quantity: String, _ price: String, _ fee: String,
                  _ feeCurrency: String, _ book: String, _ order: Int, _ note: String) -> String {
            tradeNumber += 1
            let stamp = Timestamp(microseconds: Int64(time) / 1000 * 1000)
            last = stamp
            return "\(100_000_000 + tradeNumber),\(stamp.iso8601),\(instrument),\(side.rawValue),\(quantity),\(price),\(fee),\(feeCurrency),\(book),deribit,\(order),\(note)"
        }

        func writeMarks(upTo limit: Double) throws {
            guard let marks else { return }
            while nextMark <= limit {
                let stamp = Timestamp(microseconds: Int64(nextMark))
                while nextExpiry <= stamp {
                    for coin in market.coins.indices { try marks(market.indexRow(coin: coin, at: nextExpiry, kind: .settlement)) }
                    nextExpiry = nextExpiry.adding(seconds: 7 * 86_400)
                }
                for coin in market.coins.indices {
                    try marks(market.indexRow(coin: coin, at: stamp, kind: .observation))
                    try marks(market.perpetualMark(coin: coin, at: stamp))
                }
                for symbol in listedOrder {
                    let option = listed[symbol]!
                    guard option.expiry > stamp else { continue }
                    try marks(market.optionMark(coin: option.coin, symbol: symbol, strike: option.strike,
                                                expiry: option.expiry, right: option.right, at: stamp))
                }
                nextMark += interval
            }
        }

        while produced < settings.rows {
            let step = -log(max(random.unit(), 1e-12)) * meanGap
            try writeMarks(upTo: time + step)
            time += step
            market.step(microseconds: step, random: &random)
            let coin = random.unit() < 0.65 ? 0 : 1
            let bookIndex = Int(random.unit() * Double(settings.books.count)) % settings.books.count
            let slot = bookIndex * market.coins.count + coin
            let desk = desks[coin]
            let name = market.coins[coin].name
            let forward = market.coins[coin].forward
            let book = settings.books[bookIndex]
            let now = Timestamp(microseconds: Int64(time))

            // A client option trade.
            let expiry = Self.listedExpiry(after: now, pick: random.unit())
            let strikeStep = market.coins[coin].strikeStep
            let strike = max(strikeStep, (forward * exp(random.normal() * 0.06) / strikeStep).rounded() * strikeStep)
            let right: Instrument.Right = random.unit() < 0.5 ? .call : .put
            let premium = market.optionPriceInCoin(coin: coin, strike: strike, expiry: expiry, right: right, at: now)
            let lots = 1 + Int(random.unit() * random.unit() * Double(desk.maxLots))
            let quantity = Double(lots) * desk.lot
            let side: Fill.Side = random.unit() < 0.5 ? .buy : .sell
            let fee = min(0.0003 * quantity, 0.125 * premium * quantity)
            let symbol = "\(name)-\(Self.expiryCode(expiry))-\(Int(strike))-\(right == .call ? "C" : "P")"
            orderNumber += 1
            try fills(line(symbol, side, market.text(quantity, 4), market.text(premium, 4), market.text(fee, 8), name, book,
                           orderNumber, "client flow"))
            produced += 1
            if listed[symbol] == nil {
                listed[symbol] = Listed(coin: coin, strike: strike, expiry: expiry, right: right)
                listedOrder.append(symbol)
            }
            holdings[slot][symbol, default: 0] += side == .buy ? quantity : -quantity

            // Re-hedge when the book's delta leaves the band.
            var optionsDelta = 0.0
            for (key, held) in holdings[slot] where held != 0 {
                let option = listed[key]!
                if option.expiry <= now { holdings[slot][key] = nil; continue }
                optionsDelta += held * Black76.greeks(.init(forward: forward, strike: option.strike,
                                                            yearsToExpiry: Black76.yearsBetween(now, option.expiry),
                                                            volatility: market.coins[coin].volatility, right: option.right)).delta
            }
            let netDelta = optionsDelta + hedges[slot]
            guard abs(netDelta) > desk.band, produced < settings.rows else { continue }
            let contracts = (abs(netDelta) * forward / desk.perpContractUSD).rounded()
            guard contracts >= 1 else { continue }
            let hedgeSide: Fill.Side = netDelta > 0 ? .sell : .buy
            var remaining = contracts
            orderNumber += 1
            let parts = 1 + Int(random.unit() * 3)
            for part in 0..<parts where remaining > 0 && produced < settings.rows {
                let size = part == parts - 1 ? remaining : max(1, (remaining * random.unit()).rounded())
                remaining -= size
                time += 1000 + random.unit() * 200_000
                let slip = (hedgeSide == .buy ? 1 : -1) * forward * 0.0001 * random.unit()
                let tick = market.coins[coin].perpTick
                let price = ((forward + slip) / tick).rounded() * tick
                let usd = size * desk.perpContractUSD
                try fills(line("\(name)-PERPETUAL", hedgeSide, market.text(usd, 0), market.text(price, 2),
                               market.text(usd / price * 0.0005, 8), name, book, orderNumber, "delta hedge"))
                produced += 1
                hedges[slot] += (hedgeSide == .buy ? 1 : -1) * usd / price
            }
        }
        try writeMarks(upTo: time)
        return last
    }

    /// Fridays 08:00 UTC: one of the next weeklies, or a later monthly.
    static func listedExpiry(after time: Timestamp, pick: Double) -> Timestamp {
        let day = Int(time.microseconds / Timestamp.microsecondsPerDay)
        // 1970-01-01 was a Thursday, so day % 7 == 1 is a Friday.
        let friday = day + ((1 - day % 7) + 7) % 7
        var expiry = Timestamp(microseconds: Int64(friday) * Timestamp.microsecondsPerDay + 8 * 3_600_000_000)
        if expiry <= time.adding(seconds: 3600) { expiry = expiry.adding(seconds: 7 * 86_400) }
        let weeks = pick < 0.85 ? Int(pick / 0.3) : 4 + Int((pick - 0.85) / 0.075) * 4
        return expiry.adding(seconds: Int64(weeks) * 7 * 86_400)
    }

    static func expiryCode(_ expiry: Timestamp) -> String {
        let date = expiry.dateString
        let year = date.dropFirst(2).prefix(2), month = Int(date.dropFirst(5).prefix(2))!, day = Int(date.suffix(2))!
        return "\(day)\(InstrumentName.months[month - 1])\(year)"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
