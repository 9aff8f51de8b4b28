/// One hedge decision as the journal records it: when, for which book and underlying, under
/// which policy version, what it saw, what it decided (rebalance, hold, or skip with a reason),
/// the trade and its reference price, who decided and why.
public struct HedgeDecision: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Trade `quantity` of `instrument`.
        case rebalance
        /// Nothing to do: inside the band, or not yet due.
        case hold
        /// A trade was called for but not made (below the minimum size, no price ...): `reason` says why.
        case skip
    }

    /// How the decision reached the journal.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        case record, plan
        case importFile = "import"
    }

    /// What the decision saw. Filled from the ledger's exposure history when not given.
    public struct Inputs: Sendable, Hashable {
        /// Coin, of the hedged kind.
        public var netDelta: Double?
        public var gamma: Double?
        /// The band's edges in net delta (coin): target ∓ half-width.
        public var bandLow: Double?
        public var bandHigh: Double?
        public var underlyingPrice: Double?
        public var oldestMarkAgeSeconds: Double?
        /// The time of the exposure row the inputs come from, when they come from one.
        public var exposureTime: Timestamp?

        public init(netDelta: Double? = nil, gamma: Double? = nil, bandLow: Double? = nil, bandHigh: Double? = nil,
                    underlyingPrice: Double? = nil, oldestMarkAgeSeconds: Double? = nil, exposureTime: Timestamp? = nil) {
            self.netDelta = netDelta; self.gamma = gamma; self.bandLow = bandLow; self.bandHigh = bandHigh
            self.underlyingPrice = underlyingPrice; self.oldestMarkAgeSeconds = oldestMarkAgeSeconds; self.exposureTime = exposureTime
        }
    }

    /// The decision's id: given (an external hedger's), else `D` and a number.
    public var key: String
    public var time: Timestamp
    public var book: String
    public var underlying: String
    /// The policy version in force at `time`, if any.
    public var policyID: Int64?
    public var action: Action
    public var reason: String?
    public var instrument: String?
    /// Signed, in the instrument's amount unit (USD for inverse perpetuals).
    public var quantity: ExactDecimal?
    /// The price the trade was decided at, in the instrument's quote currency.
    public var referencePrice: ExactDecimal?
    public var inputs: Inputs
    public var decidedBy: String
    public var rationale: String
    public var source: Source
    /// The key of the decision this one corrects and replaces, if it is a correction.
    public var supersedes: String?

    public init(key: String, time: Timestamp, book: String, underlying: String, policyID: Int64? = nil, action: Action,
                reason: String? = nil, instrument: String? = nil, quantity: ExactDecimal? = nil,
                referencePrice: ExactDecimal? = nil, inputs: Inputs = .init(), decidedBy: String, rationale: String = "",
                source: Source, supersedes: String? = nil) {
        self.key = key; self.time = time; self.book = book; self.underlying = underlying; self.policyID = policyID
        self.action = action; self.reason = reason; self.instrument = instrument; self.quantity = quantity
        self.referencePrice = referencePrice; self.inputs = inputs; self.decidedBy = decidedBy; self.rationale = rationale
        self.source = source
        self.supersedes = supersedes
    }

    /// Why the fields cannot make a decision, if they cannot.
    public var problem: String? {
        switch action {
        case .rebalance:
            guard instrument != nil, let quantity else { return "a rebalance names its instrument and quantity" }
            if quantity.isZero { return "a rebalance of 0 trades nothing: record a hold" }
        case .skip:
            if (reason ?? "").isEmpty { return "a skip says why (--reason)" }
        case .hold:
            if quantity.map({ !$0.isZero }) ?? false { return "a hold trades nothing: give no quantity" }
        }
        if let price = referencePrice, !price.isPositive { return "the reference price \(price) is not positive" }
        return nil
    }
}
