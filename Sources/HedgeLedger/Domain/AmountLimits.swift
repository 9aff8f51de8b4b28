/// The largest magnitude the ledger accepts for any amount read from a file (quantity, price,
/// fee, mark, index, strike) and for a fill's notional: 10¹⁵. No instrument trades in larger
/// amounts, and it leaves five orders of magnitude below the exact range (±1.7 × 10²⁰) for
/// sums of many such amounts, which are checked all the same.
public enum AmountLimits {
    public static let maximum = ExactDecimal(units: 1_000_000_000_000_000 * 1_000_000_000_000_000_000)
    public static let maximumText = "10^15"

    /// The largest magnitude accepted for a market-data double (a venue's greek).
    public static let maximumDouble = 1e15

    public static func accepts(_ value: ExactDecimal) -> Bool { value.magnitude <= maximum }

    /// Whether a fill's notional (quantity × price × multiplier, or quantity ÷ price for
    /// inverse futures) is within the limit. A Double estimate decides when it is clearly
    /// inside or outside; the exact product is computed only near the limit (this runs for
    /// every fill of an import).
    public static func acceptsNotional(quantity: ExactDecimal, price: ExactDecimal, instrument: Instrument) -> Bool {
        let estimate = instrument.pnlIsInverseInPrice
            ? quantity.doubleValue / price.doubleValue
            : quantity.doubleValue * price.doubleValue * instrument.multiplier.doubleValue
        if abs(estimate) < 0.999e15 { return true }
        if abs(estimate) > 1.001e15 { return false }
        let exact = instrument.pnlIsInverseInPrice ? try? quantity / price : try? quantity * price * instrument.multiplier
        return exact.map(accepts) ?? false
    }
}

/// What is wrong with a fill given the instrument it trades, by the field to blame.
public struct FillProblem: Sendable, Hashable {
    public enum Field: Sendable, Hashable { case timestamp, quantity, price }
    public let field: Field
    public let message: String
}

extension Instrument {
    /// The most an inverse option's premium can be, in coin: a call is worth less than one
    /// coin; a put less than ten (which would need the coin to fall to a tenth of the strike).
    public var premiumCeiling: ExactDecimal? {
        guard kind == .option, isInverse else { return nil }
        return ExactDecimal(right == .put ? 10 : 1)
    }

    /// Why `price` cannot be this inverse option's premium (a USD price in a coin column), if so.
    public func premiumProblem(_ price: ExactDecimal) -> String? {
        guard let ceiling = premiumCeiling, price >= ceiling else { return nil }
        return "'\(price)' \(quoteCurrency) is not a possible premium for \(symbol): inverse options are quoted in \(quoteCurrency), not USD (a \(right == .put ? "put" : "call") is worth less than \(ceiling) \(quoteCurrency)); was a USD price written?"
    }
}

extension Fill {
    /// The checks that need the instrument: a fill after expiry cannot have happened; an
    /// inverse option's premium is in coin (`Instrument.premiumCeiling`), which catches USD
    /// prices typed into coin columns; and the fill's notional must be within `AmountLimits`.
    public func problems(trading instrument: Instrument) -> [FillProblem] {
        var problems: [FillProblem] = []
        if let expiry = instrument.expiry, time >= expiry {
            problems.append(FillProblem(field: .timestamp,
                message: "\(time.iso8601) is at or after \(instrument.symbol)'s expiry \(expiry.iso8601): a fill then cannot have happened"))
        }
        if let problem = instrument.premiumProblem(price) {
            problems.append(FillProblem(field: .price, message: problem))
        }
        if instrument.pnlIsInverseInPrice && !price.isPositive {
            // Its notional is amount ÷ price: the price is the cell that is wrong.
            problems.append(FillProblem(field: .price,
                message: "'\(price)': \(instrument.symbol) is an inverse contract (amount in \(instrument.amountUnit), worth amount ÷ price in coin), so its price must be above zero"))
        } else if !AmountLimits.acceptsNotional(quantity: quantity, price: price, instrument: instrument) {
            problems.append(FillProblem(field: .quantity,
                message: "'\(quantity)' at price \(price) is a notional beyond \(AmountLimits.maximumText), more than any fill can be"))
        }
        return problems
    }
}
