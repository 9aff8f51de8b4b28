/// Reads Deribit-style instrument names into `Instrument`s.
///
///     BTC-PERPETUAL            inverse perpetual, amount in USD (contract USD 10)
///     BTC_USDC-PERPETUAL       linear perpetual, amount in BTC, settled in USDC
///     BTC-27DEC26, BTC-5AUG26  inverse future expiring 08:00 UTC on that day
///     BTC-27DEC26-100000-C     inverse option, premium in BTC, multiplier 1
///     SOL_USDC-27DEC26-200-C   linear option settled in USDC (SOL multiplier 10)
///     XRP_USDC-27DEC26-0d625-P a `d` stands for the decimal point in a strike
///     BTC_USDC                 spot pair
///
/// Anything else is refused with the reason; `import instruments` describes the rest.
public enum InstrumentName {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Contract sizes of inverse futures and perpetuals, in USD.
    static let inverseContractSizeUSD: [String: ExactDecimal] = ["BTC": ExactDecimal(10), "ETH": ExactDecimal(1)]
    /// Coins per contract of linear USDC options where it is not 1.
    static let linearOptionMultiplier: [String: ExactDecimal] = ["SOL": ExactDecimal(10), "XRP": ExactDecimal(1000)]

    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    public static func parse(_ symbol: String) -> Result<Instrument, Problem> {
        func fail(_ reason: String) -> Result<Instrument, Problem> { .failure(Problem(reason: reason)) }
        guard !symbol.isEmpty else { return fail("instrument name is empty") }
        let parts = symbol.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let pair = parts[0].split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard pair.count <= 2, pair.allSatisfy(isCurrencyCode) else {
            return fail("'\(parts[0])' is not a currency or a pair such as BTC or BTC_USDC")
        }
        let underlying = pair[0]
        let linearQuote = pair.count == 2 ? pair[1] : nil

        switch parts.count {
        case 1:
            guard let quote = linearQuote else {
                return fail("'\(symbol)' names a currency, not an instrument; spot pairs look like BTC_USDC")
            }
            return .success(Instrument(symbol: symbol, kind: .spot, underlying: underlying, quoteCurrency: quote,
                                       settlementCurrency: quote, isInverse: false))
        case 2 where parts[1] == "PERPETUAL":
            return futureLike(symbol, .perpetual, underlying, linearQuote, expiry: nil)
        case 2:
            switch expiry(parts[1]) {
            case .success(let expiry): return futureLike(symbol, .future, underlying, linearQuote, expiry: expiry)
            case .failure(let problem): return .failure(problem)
            }
        case 4:
            let expiryResult = expiry(parts[1])
            guard case .success(let expiry) = expiryResult else {
                if case .failure(let problem) = expiryResult { return .failure(problem) }
                fatalError("unreachable")
            }
            let strikeText = String(parts[2].map { $0 == "d" ? "." : $0 })
            guard case .success(let strike) = DecimalSyntax.parse(strikeText), strike.isPositive else {
                return fail("strike '\(parts[2])' of '\(symbol)' is not a positive number")
            }
            let right: Instrument.Right
            switch parts[3] {
            case "C": right = .call
            case "P": right = .put
            default: return fail("'\(parts[3])' in '\(symbol)' is not C (call) or P (put)")
            }
            if let quote = linearQuote {
                return .success(Instrument(symbol: symbol, kind: .option, underlying: underlying, quoteCurrency: quote,
                                           settlementCurrency: quote, isInverse: false, right: right, strike: strike,
                                           expiry: expiry, multiplier: linearOptionMultiplier[underlying] ?? .one))
            }
            return .success(Instrument(symbol: symbol, kind: .option, underlying: underlying, quoteCurrency: underlying,
                                       settlementCurrency: underlying, isInverse: true, right: right, strike: strike,
                                       expiry: expiry))
        default:
            return fail("'\(symbol)' is not a Deribit-style name (BTC-PERPETUAL, BTC-27DEC26, BTC-27DEC26-100000-C, BTC_USDC); describe it with `hedgeledger import instruments`")
        }
    }

    private static func futureLike(_ symbol: String, _ kind: Instrument.Kind, _ underlying: String, _ linearQuote: String?,
                                   expiry: Timestamp?) -> Result<Instrument, Problem> {
        if let quote = linearQuote {
            return .success(Instrument(symbol: symbol, kind: kind, underlying: underlying, quoteCurrency: quote,
                                       settlementCurrency: quote, isInverse: false, expiry: expiry))
        }
        guard let size = inverseContractSizeUSD[underlying] else {
            return .failure(Problem(reason: "no known contract size for inverse \(underlying) \(kind.rawValue)s ('\(symbol)'); describe it with `hedgeledger import instruments`"))
        }
        return .success(Instrument(symbol: symbol, kind: kind, underlying: underlying, quoteCurrency: "USD",
                                   settlementCurrency: underlying, isInverse: true, expiry: expiry, contractSize: size))
    }

    /// `27DEC26` or `5AUG26`: 08:00 UTC on that day of 20YY.
    static func expiry(_ text: String) -> Result<Timestamp, Problem> {
        let chars = Array(text)
        guard chars.count == 6 || chars.count == 7 else {
            return .failure(Problem(reason: "'\(text)' is not an expiry such as 27DEC26 or 5AUG26"))
        }
        let dayDigits = chars.count - 5
        guard let day = Int(String(chars[0..<dayDigits])), let year = Int(String(chars[(dayDigits + 3)...])),
              chars[(dayDigits + 3)...].allSatisfy(\.isASCII),
              let monthIndex = months.firstIndex(of: String(chars[dayDigits..<(dayDigits + 3)])) else {
            return .failure(Problem(reason: "'\(text)' is not an expiry such as 27DEC26 or 5AUG26"))
        }
        let month = monthIndex + 1
        guard day >= 1, day <= CivilCalendar.daysInMonth(year: 2000 + year, month: month) else {
            return .failure(Problem(reason: "expiry '\(text)' is not a real date"))
        }
        return .success(Timestamp(year: 2000 + year, month: month, day: day, hour: 8))
    }

    public static func isCurrencyCode(_ text: String) -> Bool {
        (2...10).contains(text.utf8.count) && text.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }
}
