/// How a decision was executed, from the fills that name it or were linked to it: pure.
///
/// Executed quantity is the signed sum of the fills in the decision's instrument. The average
/// fill price weights by quantity (harmonically, by amount / price, for inverse futures and
/// perpetuals, whose amounts are USD). Slippage is signed so that positive is worse than the
/// reference price: a buy above it, a sell below it; in the settlement currency it is
/// |executed| × multiplier × slippage for linear instruments and options, and
/// |executed| × (1/reference − 1/average) × direction, in coin, for inverse ones.
public struct HedgeExecution: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case unfilled, partial, filled
        /// More than decided, or the other way.
        case overfilled
        /// Fills executing a decision that traded nothing (hold or skip).
        case unexpected
    }

    public var fills: Int
    public var executedQuantity: ExactDecimal
    public var averagePrice: ExactDecimal?
    public var slippage: ExactDecimal?
    public var slippageCost: ExactDecimal?
    /// Seconds from the decision to its first and last fill.
    public var latencyFirst: Double?
    public var latencyLast: Double?
    public var lastFill: Timestamp?
    public var fees: [String: ExactDecimal]
    /// nil: nothing was to be done and nothing was.
    public var status: Status?

    public static func of(_ decision: HedgeDecision, instrument: Instrument?, fills: [Fill]) throws(ArithmeticOverflow) -> HedgeExecution {
        // A rebalance is executed by fills of its instrument; any fill naming a hold or skip is unexpected.
        let own = decision.action == .rebalance ? fills.filter { $0.instrument == decision.instrument } : fills
        var execution = HedgeExecution(fills: own.count, executedQuantity: .zero, fees: [:])
        var weight = ExactDecimal.zero, weighted = ExactDecimal.zero
        let inverse = instrument?.pnlIsInverseInPrice ?? false
        for fill in own {
            execution.executedQuantity = try execution.executedQuantity + fill.signedQuantity
            execution.fees[fill.feeCurrency] = try (execution.fees[fill.feeCurrency] ?? .zero) + fill.fee
            weight = try weight + fill.quantity
            weighted = try weighted + (inverse ? try fill.quantity / fill.price : try fill.quantity * fill.price)
            let latency = fill.time.seconds(since: decision.time)
            execution.latencyFirst = min(execution.latencyFirst ?? latency, latency)
            execution.latencyLast = max(execution.latencyLast ?? latency, latency)
            execution.lastFill = max(execution.lastFill ?? fill.time, fill.time)
        }
        if weight.isPositive, weighted.isPositive {
            let average = inverse ? try weight / weighted : try weighted / weight
            execution.averagePrice = average
            if let reference = decision.referencePrice, let decided = decision.quantity, !decided.isZero {
                let direction = decided.isNegative ? ExactDecimal(-1) : .one
                let slippage = try (average - reference) * direction
                execution.slippage = slippage
                let size = execution.executedQuantity.magnitude
                execution.slippageCost = inverse
                    ? try size * (try ExactDecimal.one / reference - (try ExactDecimal.one / average)) * direction
                    : try size * (instrument?.multiplier ?? .one) * slippage
            }
        }
        switch (decision.action, decision.quantity) {
        case (.rebalance, let decided?):
            let executed = execution.executedQuantity
            if own.isEmpty || executed.isZero {
                execution.status = own.isEmpty ? .unfilled : .overfilled
            } else if executed.signum != decided.signum || executed.magnitude > decided.magnitude {
                execution.status = .overfilled
            } else {
                execution.status = executed == decided ? .filled : .partial
            }
        default:
            execution.status = own.isEmpty ? nil : .unexpected
        }
        return execution
    }
}
