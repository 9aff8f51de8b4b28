/// What a policy implies for a book at one moment: pure, from the exposure it sees.
/// Formulas: domain.md, "Rebalancing policies"; README, "Hedge decisions".
public enum HedgePlanner {
    /// The book as the policy sees it.
    public struct Situation: Sendable {
        public var time: Timestamp
        /// Coin, of the hedged kind.
        public var netDelta: Double
        public var gamma: Double
        /// Σ |delta| of the option positions; nil when the exposure row predates it.
        public var grossOptionsDelta: Double?
        /// USD per coin, for the Whalley–Wilmott band.
        public var underlyingPrice: Double?
        /// Coin.
        public var target: Double
        /// Coin of delta one unit of the hedge instrument adds (1/F per USD of an inverse perpetual); nil without a mark.
        public var unitDelta: Double?
        /// The last rebalance decided for the pair before `time`, for schedules.
        public var lastRebalance: Timestamp?

        public init(time: Timestamp, netDelta: Double, gamma: Double, grossOptionsDelta: Double?, underlyingPrice: Double?,
                    target: Double, unitDelta: Double?, lastRebalance: Timestamp?) {
            self.time = time; self.netDelta = netDelta; self.gamma = gamma; self.grossOptionsDelta = grossOptionsDelta
            self.underlyingPrice = underlyingPrice; self.target = target; self.unitDelta = unitDelta; self.lastRebalance = lastRebalance
        }
    }

    public struct Plan: Sendable, Hashable {
        public var action: HedgeDecision.Action
        public var reason: String?
        /// Signed, in the hedge instrument's amount unit, rounded to the lot.
        public var quantity: ExactDecimal?
        public var bandLow: Double?
        public var bandHigh: Double?
    }

    /// Places kept when a trade is not rounded to a lot.
    public static let unroundedPlaces = 8

    public static func plan(_ policy: HedgePolicy, _ situation: Situation) -> Plan {
        let deviation = situation.netDelta - situation.target
        var halfWidth: Double?
        switch policy.band {
        case .relative where situation.grossOptionsDelta == nil:
            return Plan(action: .skip, reason: "the exposure row has no gross options delta (written before version 0.4): run `hedgeledger recompute`")
        default:
            halfWidth = policy.band.halfWidth(gamma: situation.gamma, grossOptionsDelta: situation.grossOptionsDelta ?? 0,
                                              price: situation.underlyingPrice)
        }
        var plan = Plan(action: .hold, bandLow: halfWidth.map { situation.target - $0 },
                        bandHigh: halfWidth.map { situation.target + $0 })
        if case .schedule(let seconds, _) = policy.band, let last = situation.lastRebalance,
           situation.time.microseconds - last.microseconds < seconds * 1_000_000 {
            plan.reason = "not due: the last rebalance was at \(last.iso8601), every \(seconds) s"
            return plan
        }
        if let halfWidth {
            guard abs(deviation) > halfWidth else {
                plan.reason = "inside the band: |net delta − target| = \(abs(deviation)) ≤ \(halfWidth) coin"
                return plan
            }
        } else if case .whalleyWilmott = policy.band {
            return Plan(action: .skip, reason: "no underlying price for the Whalley–Wilmott band")
        }
        // Outside the band (or due on schedule): trade to the target, or to the nearer band edge.
        let goal: Double
        switch (policy.hedgeTo, halfWidth) {
        case (.bandEdge, let width?): goal = situation.target + (deviation > 0 ? width : -width)
        default: goal = situation.target
        }
        guard let unit = situation.unitDelta, unit != 0, unit.isFinite else {
            plan.action = .skip
            plan.reason = "no mark of the hedge instrument to size the trade"
            return plan
        }
        let raw = (goal - situation.netDelta) / unit
        guard raw.isFinite, abs(raw) < 1e15 else {
            plan.action = .skip
            plan.reason = "the trade \(raw) is beyond any amount the ledger holds"
            return plan
        }
        var quantity = ExactDecimal(approximating: raw, places: unroundedPlaces)
        if let lot = policy.lot {
            // Toward zero when trading to the target (never past it); away from zero to the band
            // edge, or the rounded trade would stop short of it and leave the breach open.
            let lots = (raw / lot.doubleValue).rounded(policy.hedgeTo == .bandEdge && halfWidth != nil ? .awayFromZero : .towardZero)
            guard abs(lots) < 1e15 else {
                plan.action = .skip
                plan.reason = "the trade \(raw) is \(lots) lots of \(lot): beyond any amount the ledger holds"
                return plan
            }
            quantity = (try? ExactDecimal(approximating: lots, places: 0) * lot) ?? .zero
        }
        plan.action = .skip
        if quantity.isZero {
            plan.reason = "the trade \(raw) is smaller than one lot"
        } else if quantity.magnitude < policy.minTrade {
            plan.reason = "the trade \(quantity) is below the minimum trade \(policy.minTrade)"
        } else {
            plan.action = .rebalance
            plan.quantity = quantity
            plan.reason = nil
        }
        return plan
    }
}
