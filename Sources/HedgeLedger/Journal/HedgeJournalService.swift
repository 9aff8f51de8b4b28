/// The hedge journal's decisions: planned from a policy, recorded by a trader or a bot, with
/// the inputs they saw taken from the ledger's exposure history when not given.
public struct HedgeJournalService {
    /// Why a decision was not recorded.
    public enum Refusal: Error, CustomStringConvertible {
        case badDecision(String)
        case keyTaken(String, at: Timestamp)
        case badKey(String)
        case unknownPair(book: String, underlying: String)
        case notAHedge(String)

        public var description: String {
            switch self {
            case .badDecision(let reason): return reason
            case let .keyTaken(key, time): return "decision '\(key.escapingControlCharacters)' is already in the journal (at \(time.iso8601)); a decision is never changed once recorded"
            case .badKey(let key): return "decision id '\(key.escapingControlCharacters)' is empty or contains control characters"
            case let .unknownPair(book, underlying):
                return "book '\(book.escapingControlCharacters)' has no positions, settings or policy in \(underlying.escapingControlCharacters); check the names (`hedgeledger book list`, `hedgeledger policy list`)"
            case .notAHedge(let reason): return reason
            }
        }
    }

    public let ledger: Ledger
    public var waitSeconds: Double

    public init(ledger: Ledger, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.waitSeconds = waitSeconds
    }

    /// What the book looked like to a decision at `time`: the last exposure row at or before it,
    /// the policy in force and its band. Its `inputs` are what a decision records.
    public struct View: Sendable {
        public var row: ExposureRow?
        public var policy: StoredHedgePolicy?
        public var settings: HedgeSettings
        public var target: ExactDecimal
        public var hedgeInstrument: String?
        public var inputs: HedgeDecision.Inputs
        public var plan: HedgePlanner.Plan?
        /// The hedge instrument's mark price at the row's time.
        public var referencePrice: ExactDecimal?
    }

    public func view(book: String, underlying: String, at time: Timestamp) throws -> View {
        let policy = try ledger.hedgePolicies.inForce(book: book, underlying: underlying, at: time)
        let settings = try ledger.bookSettings.inForce(book: book, underlying: underlying, at: time)?.settings
            ?? .defaults(book: book, underlying: underlying)
        let target = policy?.policy.targetDelta ?? settings.targetDelta
        let row = try ledger.exposure.latest(book: book, underlying: underlying, atOrBefore: time)?.row
        var view = View(row: row, policy: policy, settings: settings, target: target,
                        hedgeInstrument: policy?.policy.hedgeInstrument ?? row?.hedgeInstrument, inputs: .init())
        guard let row else { return view }
        view.inputs = HedgeDecision.Inputs(netDelta: row.netDelta, gamma: row.gamma, underlyingPrice: row.underlyingPrice ?? row.usdPerCoin,
                                           oldestMarkAgeSeconds: row.oldestMarkAgeSeconds.map { $0 + time.seconds(since: row.time) },
                                           exposureTime: row.time)
        var unitDelta: Double?
        if let symbol = view.hedgeInstrument, let stored = try ledger.instruments.find(symbol: symbol),
           let mark = try MarketView(ledger: ledger, time: row.time).mark(instrumentID: stored.id)?.mark {
            view.referencePrice = mark.markPrice
            if case .success(let unit) = PositionValuation.value(.init(stored.instrument), quantity: 1, mark: .init(mark), at: row.time) {
                unitDelta = unit.delta
            }
        }
        if let policy {
            let situation = HedgePlanner.Situation(
                time: time, netDelta: row.netDelta, gamma: row.gamma, grossOptionsDelta: row.grossOptionsDelta,
                underlyingPrice: row.underlyingPrice ?? row.usdPerCoin, target: target.doubleValue, unitDelta: unitDelta,
                lastRebalance: try ledger.hedgeDecisions.lastRebalance(book: book, underlying: underlying, before: time))
            let plan = HedgePlanner.plan(policy.policy, situation)
            view.plan = plan
            view.inputs.bandLow = plan.bandLow
            view.inputs.bandHigh = plan.bandHigh
        }
        return view
    }

    /// The decision each policy in force at `time` implies, per book and underlying (narrowed by
    /// the filters), not recorded.
    public func plan(at time: Timestamp, book: String? = nil, underlying: String? = nil, decidedBy: String) throws -> [HedgeDecision] {
        var pairs: [String: (book: String, underlying: String)] = [:]
        for stored in try ledger.hedgePolicies.versions(book: book) where stored.policy.effective <= time {
            if let underlying, stored.policy.underlying != underlying.uppercased() { continue }
            pairs["\(stored.policy.book)\u{0}\(stored.policy.underlying)"] = (stored.policy.book, stored.policy.underlying)
        }
        return try pairs.sorted { $0.key < $1.key }.map { _, pair in
            let view = try view(book: pair.book, underlying: pair.underlying, at: time)
            var decision = HedgeDecision(key: "", time: time, book: pair.book, underlying: pair.underlying, policyID: view.policy?.id,
                                         action: .skip, instrument: view.hedgeInstrument, inputs: view.inputs,
                                         decidedBy: decidedBy, source: .plan)
            guard view.row != nil, let plan = view.plan else {
                decision.reason = "no exposure history at or before \(time.iso8601): run `hedgeledger recompute`"
                return decision
            }
            decision.action = plan.action
            decision.reason = plan.reason
            decision.quantity = plan.quantity
            decision.referencePrice = plan.action == .rebalance ? view.referencePrice : nil
            if plan.action != .rebalance && decision.instrument != nil && plan.action == .hold { decision.instrument = nil }
            decision.rationale = rationale(view)
            return decision
        }
    }

    private func rationale(_ view: View) -> String {
        guard let policy = view.policy?.policy, let row = view.row else { return "" }
        let band = view.plan.flatMap { plan in plan.bandLow.map { low in "band [\(low), \(plan.bandHigh!)]" } } ?? "no band"
        return "policy #\(view.policy!.id) (\(policy.band.kind), hedge to \(policy.hedgeTo.rawValue)): net delta \(row.netDelta) against target \(view.target), \(band), exposure at \(row.time.iso8601)"
    }

    /// Records `decisions` in one transaction, all or none: each gets a key (`D<n>` when it has
    /// none), the policy in force when it names none, and the inputs the ledger saw when it
    /// gives none.
    public func record(_ decisions: [HedgeDecision], now: Timestamp) throws -> [StoredHedgeDecision] {
        try ledger.write(waitSeconds: waitSeconds) {
            var stored: [StoredHedgeDecision] = []
            for var decision in decisions {
                if let problem = decision.problem { throw Refusal.badDecision(problem) }
                if decision.key.isEmpty {
                    decision.key = try ledger.hedgeDecisions.nextKey()
                } else if decision.key.escapingControlCharacters != decision.key || decision.key.trimmingCharacters(in: " ").isEmpty {
                    throw Refusal.badKey(decision.key)
                } else if let existing = try ledger.hedgeDecisions.find(key: decision.key) {
                    throw Refusal.keyTaken(decision.key, at: existing.decision.time)
                }
                decision.underlying = decision.underlying.uppercased()
                let known = try ledger.positions.bookUnderlyings().contains { $0.book == decision.book && $0.underlying == decision.underlying }
                    || (try ledger.hedgePolicies.inForce(book: decision.book, underlying: decision.underlying, at: .init(microseconds: .max))) != nil
                    || (try ledger.bookSettings.inForce(book: decision.book, underlying: decision.underlying, at: .init(microseconds: .max))) != nil
                guard known else { throw Refusal.unknownPair(book: decision.book, underlying: decision.underlying) }
                var instrumentID: Int64?
                if let symbol = decision.instrument {
                    let instrument = try ledger.instruments.findOrAdd(named: symbol)
                    if instrument.instrument.underlying != decision.underlying {
                        throw Refusal.notAHedge("\(instrument.instrument.symbol) is an instrument of \(instrument.instrument.underlying), and the decision is for \(decision.underlying)")
                    }
                    decision.instrument = instrument.instrument.symbol
                    instrumentID = instrument.id
                }
                if decision.policyID == nil || decision.inputs == .init() {
                    let view = try view(book: decision.book, underlying: decision.underlying, at: decision.time)
                    if decision.policyID == nil { decision.policyID = view.policy?.id }
                    if decision.inputs == .init() { decision.inputs = view.inputs }
                }
                let id = try ledger.hedgeDecisions.insert(decision, instrumentID: instrumentID, recordedAt: now)
                stored.append(StoredHedgeDecision(id: id, decision: decision, recordedAt: now, importID: nil, sourceLine: nil))
            }
            return stored
        }
    }
}
