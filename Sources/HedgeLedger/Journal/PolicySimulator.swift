/// Replays a book's stored exposure under candidate hedge policies, without touching the
/// journal: what each would have traded, what it would have cost, and how much delta it would
/// have left. Pure: it is fed the exposure rows of one book and underlying in time order.
///
/// The options are the book's own (their delta of the hedged kind is the row's net delta less
/// its hedge delta: every hedge position is replaced by the simulated one); the simulated hedge
/// is an inverse perpetual (amounts in USD, delta amount / F), traded at the row's price. Per interval between rows the
/// options' P&L is explained by the earlier row's greeks, δ·ΔF + ½Γ·ΔF² + θ·Δt (USD), and the
/// hedge's is h·ΔF; hedged P&L is their sum less the trading cost: the fee rate × notional, plus
/// half the hedge instrument's bid-ask spread where its quote is known (`chargeSpread`).
public struct PolicySimulator {
    public struct Outcome: Sendable, Hashable {
        public var hedges = 0
        /// USD.
        public var tradedNotional = 0.0
        /// USD: fees plus spread.
        public var cost = 0.0
        /// USD: fees at the given rate on the traded notional.
        public var fees = 0.0
        /// USD: half the spread on each hedge traded while the hedge instrument had a quote.
        public var spreadCost = 0.0
        /// Hedges charged half a spread (the others had no quote).
        public var quotedHedges = 0
        /// USD per interval.
        public var hedgedPnLStandardDeviation = 0.0
        public var optionsPnL = 0.0
        public var hedgedPnL = 0.0
        public var maxAbsNetDelta = 0.0
        /// Weighted by the time each net delta held.
        public var meanAbsNetDelta = 0.0
        public var secondsOutsideBand = 0.0
        public var rows = 0
    }

    public let policy: HedgePolicy
    public let feeRate: Double
    public let target: Double

    private var hedge = 0.0
    private var lastRebalance: Timestamp?
    private var previous: (row: ExposureRow, optionsDelta: Double, price: Double)?
    private var outcome = Outcome()
    private var pnls: [Double] = []
    private var weightedAbs = 0.0, seconds = 0.0

    public init(policy: HedgePolicy, feeRate: Double, target: Double) {
        self.policy = policy
        self.feeRate = feeRate
        self.target = target
    }

    /// Replays one row; returns the simulated trade (USD of the perpetual, signed) if it hedged.
    @discardableResult
    public mutating func apply(_ row: ExposureRow) -> Double? {
        guard let price = row.underlyingPrice ?? row.usdPerCoin, price > 0 else { return nil }
        let optionsDelta = row.netDelta - row.hedgeDelta
        outcome.rows += 1
        if let previous {
            let dt = row.time.seconds(since: previous.row.time)
            let move = price - previous.price
            let optionsPnL = previous.optionsDelta * move + 0.5 * previous.row.gamma * move * move + previous.row.theta * dt / 86_400
            let pnl = optionsPnL + hedge * move
            outcome.optionsPnL += optionsPnL
            outcome.hedgedPnL += pnl
            pnls.append(pnl)
            let net = previous.optionsDelta + hedge
            weightedAbs += abs(net) * dt
            seconds += dt
            if let width = policy.band.halfWidth(gamma: previous.row.gamma, grossOptionsDelta: previous.row.grossOptionsDelta ?? 0,
                                                 price: previous.price), abs(net - target) > width + ExposureRow.ratioEpsilon {
                outcome.secondsOutsideBand += dt
            }
        }
        var net = optionsDelta + hedge
        let situation = HedgePlanner.Situation(time: row.time, netDelta: net, gamma: row.gamma, grossOptionsDelta: row.grossOptionsDelta,
                                               underlyingPrice: price, target: target, unitDelta: 1 / price,
                                               lastRebalance: lastRebalance)
        let plan = HedgePlanner.plan(policy, situation)
        var traded: Double?
        if plan.action == .rebalance, let quantity = plan.quantity {
            let usd = quantity.doubleValue
            traded = usd
            hedge += usd / price
            outcome.hedges += 1
            outcome.tradedNotional += abs(usd)
            let fee = abs(usd) * feeRate
            outcome.cost += fee
            outcome.fees += fee
            outcome.hedgedPnL -= fee
            if !pnls.isEmpty { pnls[pnls.count - 1] -= fee }
            lastRebalance = row.time
            net = optionsDelta + hedge
        }
        outcome.maxAbsNetDelta = max(outcome.maxAbsNetDelta, abs(net))
        previous = (row, optionsDelta, price)
        return traded
    }

    /// Charges the trade just made half the spread: crossing from the mid to the bid or ask on
    /// `usd` of an inverse perpetual costs |usd| × (half-spread / mid) USD.
    public mutating func chargeSpread(bid: Double, ask: Double, onTrade usd: Double) {
        let mid = (bid + ask) / 2
        guard mid > 0, ask >= bid else { return }
        let cost = abs(usd) * (ask - bid) / 2 / mid
        outcome.spreadCost += cost
        outcome.cost += cost
        outcome.hedgedPnL -= cost
        outcome.quotedHedges += 1
        if !pnls.isEmpty { pnls[pnls.count - 1] -= cost }
    }

    public func finish() -> Outcome {
        var result = outcome
        result.meanAbsNetDelta = seconds > 0 ? weightedAbs / seconds : abs(previous.map { $0.optionsDelta + hedge } ?? 0)
        result.hedgedPnLStandardDeviation = SampleStatistics.standardDeviation(pnls) ?? 0
        return result
    }
}
