/// Generates a realistic trading session of a BTC and ETH options desk hedged with inverse
/// perpetuals, as fills in the native trade CSV format: the data behind `demo`,
/// `generate trades`, the tests' larger fixtures and the benchmarks.
///
/// The underlying follows a geometric Brownian motion; clients trade listed options (weekly
/// and monthly expiries at 08:00 UTC, strikes around the forward) priced with Black-76 from
/// a simple smile, paying Deribit-like fees; whenever the book's option delta leaves a band
/// the desk trades the perpetual (in USD lots of the contract size, sometimes in several
/// partial fills) back to neutral. Deterministic for a given seed.
public struct TradeGenerator {
    public struct Settings: Sendable {
        public var seed: UInt64 = 1
        public var rows = 3000
        public var start = Timestamp(year: 2026, month: 11, day: 16)
        /// How long the session lasts; rows are spread across it.
        public var days = 5
        public var books = ["main"]
        public init() {}
    }

    public static let header = "trade_id,timestamp,instrument,side,quantity,price,fee,fee_currency,book,venue,order_id,note"

    private struct Market {
        let coin: String
        var forward: Double
        let volatility: Double
        let strikeStep: Double
        let lot: Double
        let maxLots: Int
        let band: Double
        let perpContractUSD: Double
    }

    private struct Holding { var quantity: Double; let strike: Double; let expiry: Timestamp; let right: Instrument.Right }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Produces `settings.rows` CSV lines (after the header) in time order, handing each to
    /// `emit`; returns the time of the last one.
    @discardableResult
    public func generate(_ emit: (String) throws -> Void) rethrows -> Timestamp {
        var random = SeededRandom(seed: settings.seed)
        var markets = [
            Market(coin: "BTC", forward: 95_000, volatility: 0.55, strikeStep: 2500, lot: 0.1, maxLots: 50, band: 0.5, perpContractUSD: 10),
            Market(coin: "ETH", forward: 3_400, volatility: 0.70, strikeStep: 100, lot: 1, maxLots: 40, band: 8, perpContractUSD: 1),
        ]
        // Option holdings per book and market, to know the delta to hedge.
        var holdings: [[String: Holding]] = Array(repeating: [:], count: markets.count * settings.books.count)
        var hedges = Array(repeating: 0.0, count: markets.count * settings.books.count)
        let span = Double(settings.days) * 86_400e6
        // About half the rows are client option trades and half the hedge fills they cause;
        // only client trades advance the clock noticeably.
        let meanGap = span / (Double(max(settings.rows, 1)) * 0.55)
        var time = Double(settings.start.microseconds)
        var produced = 0, tradeNumber = 0, orderNumber = 0
        var last = settings.start

        func line(_ instrument: String, _ side: Fill.Side, _ quantity: String, _ price: String, _ fee: String,
                  _ feeCurrency: String, _ book: String, _ order: Int, _ note: String) -> String {
            tradeNumber += 1
            let stamp = Timestamp(microseconds: Int64(time) / 1000 * 1000)
            last = stamp
            return "\(100_000_000 + tradeNumber),\(stamp.iso8601),\(instrument),\(side.rawValue),\(quantity),\(price),\(fee),\(feeCurrency),\(book),deribit,\(order),\(note)"
        }

        while produced < settings.rows {
            let step = -log(max(random.unit(), 1e-12)) * meanGap
            time += step
            for index in markets.indices {
                let years = step / 1e6 / Black76.secondsPerYear
                markets[index].forward *= exp(markets[index].volatility * years.squareRoot() * random.normal() - 0.5 * markets[index].volatility * markets[index].volatility * years)
            }
            let marketIndex = random.unit() < 0.65 ? 0 : 1
            let bookIndex = Int(random.unit() * Double(settings.books.count)) % settings.books.count
            let slot = bookIndex * markets.count + marketIndex
            let market = markets[marketIndex]
            let book = settings.books[bookIndex]
            let now = Timestamp(microseconds: Int64(time))

            // A client option trade.
            let expiry = Self.listedExpiry(after: now, pick: random.unit())
            let moneyness = random.normal() * 0.06
            let strike = max(market.strikeStep, (market.forward * exp(moneyness) / market.strikeStep).rounded() * market.strikeStep)
            let right: Instrument.Right = random.unit() < 0.5 ? .call : .put
            let years = Black76.yearsBetween(now, expiry)
            let smileVol = market.volatility * (1 + 0.8 * log(strike / market.forward) * log(strike / market.forward))
            let greeks = Black76.greeks(.init(forward: market.forward, strike: strike, yearsToExpiry: years, volatility: smileVol, right: right))
            let premium = max(0.0001, (greeks.value / market.forward / 0.0001).rounded() * 0.0001)
            let lots = 1 + Int(random.unit() * random.unit() * Double(market.maxLots))
            let quantity = Double(lots) * market.lot
            let side: Fill.Side = random.unit() < 0.5 ? .buy : .sell
            let fee = min(0.0003 * quantity, 0.125 * premium * quantity)
            let symbol = "\(market.coin)-\(Self.expiryCode(expiry))-\(Int(strike))-\(right == .call ? "C" : "P")"
            orderNumber += 1
            try emit(line(symbol, side, Self.text(quantity, 4), Self.text(premium, 4), Self.text(fee, 8), market.coin, book, orderNumber, "client flow"))
            produced += 1
            let signed = side == .buy ? quantity : -quantity
            holdings[slot][symbol, default: Holding(quantity: 0, strike: strike, expiry: expiry, right: right)].quantity += signed

            // Re-hedge when the book's delta leaves the band.
            var optionsDelta = 0.0
            for (key, holding) in holdings[slot] {
                if holding.expiry <= now { holdings[slot][key] = nil; continue }
                if holding.quantity == 0 { continue }
                let d = Black76.greeks(.init(forward: market.forward, strike: holding.strike,
                                             yearsToExpiry: Black76.yearsBetween(now, holding.expiry),
                                             volatility: market.volatility, right: holding.right)).delta
                optionsDelta += holding.quantity * d
            }
            let netDelta = optionsDelta + hedges[slot]
            guard abs(netDelta) > market.band, produced < settings.rows else { continue }
            let contracts = (abs(netDelta) * market.forward / market.perpContractUSD).rounded()
            guard contracts >= 1 else { continue }
            let hedgeSide: Fill.Side = netDelta > 0 ? .sell : .buy
            var remaining = contracts
            orderNumber += 1
            let parts = 1 + Int(random.unit() * 3)
            for part in 0..<parts where remaining > 0 && produced < settings.rows {
                let size = part == parts - 1 ? remaining : max(1, (remaining * random.unit()).rounded())
                remaining -= size
                time += 1000 + random.unit() * 200_000
                let slip = (hedgeSide == .buy ? 1 : -1) * market.forward * 0.0001 * random.unit()
                let price = ((market.forward + slip) * 2).rounded() / 2
                let usd = size * market.perpContractUSD
                let hedgeFee = usd / price * 0.0005
                try emit(line("\(market.coin)-PERPETUAL", hedgeSide, Self.text(usd, 0), Self.text(price, 1), Self.text(hedgeFee, 8),
                              market.coin, book, orderNumber, "delta hedge"))
                produced += 1
                hedges[slot] += (hedgeSide == .buy ? 1 : -1) * usd / price
            }
        }
        return last
    }

    /// Fridays 08:00 UTC: one of the next four weeklies, or a later monthly (last Friday).
    static func listedExpiry(after time: Timestamp, pick: Double) -> Timestamp {
        let day = Int(time.microseconds / Timestamp.microsecondsPerDay)
        // 1970-01-01 was a Thursday: weekday 0 = Thursday, Friday = 1.
        var friday = day + ((1 - day % 7) + 7) % 7
        var expiry = Timestamp(microseconds: Int64(friday) * Timestamp.microsecondsPerDay + 8 * 3_600_000_000)
        if expiry <= time.adding(seconds: 3600) { friday += 7; expiry = expiry.adding(seconds: 7 * 86_400) }
        let weeks = pick < 0.85 ? Int(pick / 0.3) : 4 + Int((pick - 0.85) / 0.075) * 4
        return expiry.adding(seconds: Int64(weeks) * 7 * 86_400)
    }

    static func expiryCode(_ expiry: Timestamp) -> String {
        let date = expiry.dateString
        let year = date.dropFirst(2).prefix(2), month = Int(date.dropFirst(5).prefix(2))!, day = Int(date.suffix(2))!
        return "\(day)\(InstrumentName.months[month - 1])\(year)"
    }

    static func text(_ value: Double, _ places: Int) -> String {
        ExactDecimal(approximating: value, places: places).description
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
