/// The hedge journal's decisions: planned from a policy, recorded by a trader or a bot, with
/// the inputs they saw taken from the ledger's exposure history when not given.
public struct HedgeJournalService {
    /// Why a decision was not recorded.
    public enum Refusal: Error, CustomStringConvertible {
        case badDecision(String)
        case keyTaken(String, at: Timestamp)
        case badKey(String)
        case unknownPair(book: String, underlying: String, knownBooks: [String])
        case notAHedge(String)
        case unknownDecision(String, suggestion: String?)
        case unknownFill(venue: String, tradeID: String)
        case fillLinked(tradeID: String, decision: String)
        case fillOfAnotherInstrument(tradeID: String, instrument: String, decided: String)
        case notATrade(String)
        case alreadySuperseded(String, by: String)
        case correctionOfAnotherPair(String, book: String, underlying: String)
        case fillNotLinked(tradeID: String)
        case fillNamesDecision(tradeID: String, decision: String)
        case noReason
        case supersedesItself(String)

        public var description: String {
            switch self {
            case .badDecision(let reason): return reason
            case let .keyTaken(key, time): return "decision '\(key.escapingControlCharacters)' is already in the journal (at \(time.iso8601)); a decision is never changed once recorded"
            case .badKey(let key): return "decision id '\(key.escapingControlCharacters)' is empty or contains control characters"
            case let .unknownPair(book, underlying, known):
                return "book '\(book.escapingControlCharacters)' has no positions, settings or policy in \(underlying.escapingControlCharacters)\(Suggestion.hint(for: book, among: known)); check the names (`hedgeledger book list`, `hedgeledger policy list`)"
            case .notAHedge(let reason): return reason
            case let .unknownDecision(key, suggestion):
                return "no decision '\(key.escapingControlCharacters)' in the journal" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "; `hedgeledger hedge list` shows them")
            case let .unknownFill(venue, tradeID):
                return "no fill with trade id '\(tradeID.escapingControlCharacters)' at venue '\(venue.escapingControlCharacters)' that counts (never imported, or voided); give --venue if it is not '\(NativeTradeFormat.defaultVenue)'"
            case let .fillLinked(tradeID, decision):
                return "fill '\(tradeID.escapingControlCharacters)' already executes decision \(decision.escapingControlCharacters); if that link is wrong, withdraw it first with `hedgeledger hedge unlink`"
            case let .fillOfAnotherInstrument(tradeID, instrument, decided):
                return "fill '\(tradeID.escapingControlCharacters)' is in \(instrument), and the decision trades \(decided)"
            case .notATrade(let key): return "decision \(key.escapingControlCharacters) is not a rebalance: it traded nothing, so no fill executes it"
            case let .alreadySuperseded(key, by):
                return "decision '\(key.escapingControlCharacters)' was already superseded by '\(by.escapingControlCharacters)'; to correct it again, supersede '\(by.escapingControlCharacters)'"
            case let .correctionOfAnotherPair(key, book, underlying):
                return "decision '\(key.escapingControlCharacters)' is for book '\(book.escapingControlCharacters)' in \(underlying.escapingControlCharacters); a correction is for the same book and underlying as the decision it supersedes"
            case .fillNotLinked(let tradeID): return "fill '\(tradeID.escapingControlCharacters)' is not linked to a decision by `hedge link`: there is nothing to withdraw"
            case let .fillNamesDecision(tradeID, decision):
                return "fill '\(tradeID.escapingControlCharacters)' names decision '\(decision.escapingControlCharacters)' in its own hedge_decision column: that is part of the fill; void the fill and import it corrected instead"
            case .noReason: return "an unlink says why (--reason)"
            case .supersedesItself(let key):
                return "decision '\(key.escapingControlCharacters)' names itself as the decision it supersedes; a correction names an earlier decision (recorded before it: earlier in the file, or already in the journal)"
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

    /// Links fills (by venue and trade id) to the decision they execute, all or none.
    public func link(decision key: String, tradeIDs: [String], venue: String, recordedBy: String, now: Timestamp) throws
        -> (decision: StoredHedgeDecision, fills: [StoredFill]) {
        try ledger.write(waitSeconds: waitSeconds) {
            guard let stored = try ledger.hedgeDecisions.find(key: key) else {
                let keys = try ledger.hedgeDecisions.decisions().map(\.decision.key)
                throw Refusal.unknownDecision(key, suggestion: Suggestion.nearest(to: key, among: keys))
            }
            let decision = stored.decision
            guard decision.action == .rebalance, let instrument = decision.instrument else { throw Refusal.notATrade(key) }
            var linked: [StoredFill] = []
            for tradeID in tradeIDs {
                guard let fill = try ledger.fills.findLive(venue: venue, tradeID: tradeID) else {
                    throw Refusal.unknownFill(venue: venue, tradeID: tradeID)
                }
                if fill.fill.instrument != instrument {
                    throw Refusal.fillOfAnotherInstrument(tradeID: tradeID, instrument: fill.fill.instrument, decided: instrument)
                }
                if let named = fill.fill.hedgeDecision, !named.isEmpty { throw Refusal.fillNamesDecision(tradeID: tradeID, decision: named) }
                if let other = try ledger.hedgeLinks.decision(ofFill: fill.id) {
                    throw Refusal.fillLinked(tradeID: tradeID, decision: try ledger.hedgeDecisions.find(id: other)?.decision.key ?? "#\(other)")
                }
                try ledger.hedgeLinks.insert(decisionID: stored.id, fillID: fill.id, recordedAt: now, recordedBy: recordedBy)
                try JournalChain.append(.link, id: ledger.hedgeLinks.lastInsertedID, ledger: ledger)
                linked.append(fill)
            }
            return (stored, linked)
        }
    }

    /// Withdraws the links of fills linked in error (by venue and trade id), all or none. The
    /// links stay in the journal; each fill then executes no decision until linked again.
    /// Returns each fill with the key of the decision it was linked to.
    public func unlink(tradeIDs: [String], venue: String, reason: String, recordedBy: String, now: Timestamp) throws
        -> [(fill: StoredFill, decision: String)] {
        guard !reason.trimmingCharacters(in: " ").isEmpty else { throw Refusal.noReason }
        return try ledger.write(waitSeconds: waitSeconds) {
            var withdrawn: [(fill: StoredFill, decision: String)] = []
            for tradeID in tradeIDs {
                guard let fill = try ledger.fills.findLive(venue: venue, tradeID: tradeID) else {
                    throw Refusal.unknownFill(venue: venue, tradeID: tradeID)
                }
                if let named = fill.fill.hedgeDecision, !named.isEmpty { throw Refusal.fillNamesDecision(tradeID: tradeID, decision: named) }
                guard let decisionID = try ledger.hedgeLinks.decision(ofFill: fill.id) else { throw Refusal.fillNotLinked(tradeID: tradeID) }
                try ledger.hedgeLinks.insertUnlink(fillID: fill.id, reason: reason, recordedAt: now, recordedBy: recordedBy)
                try JournalChain.append(.link, id: ledger.hedgeLinks.lastInsertedID, ledger: ledger)
                withdrawn.append((fill, try ledger.hedgeDecisions.find(id: decisionID)?.decision.key ?? "#\(decisionID)"))
            }
            return withdrawn
        }
    }

    /// How a recorded decision was executed, and the net delta the exposure history shows right
    /// after its last fill. A correction counts the fills of the decisions it supersedes.
    public func execution(of stored: StoredHedgeDecision) throws -> (execution: HedgeExecution, residualNetDelta: Double?) {
        var fills = try ledger.fills.liveFills(executing: stored.decision.key, decisionID: stored.id)
        if stored.supersedesID != nil {
            for earlier in try ledger.hedgeDecisions.superseded(by: stored.id) {
                fills += try ledger.fills.liveFills(executing: earlier.decision.key, decisionID: earlier.id)
            }
            var seen = Set<Int64>()
            fills = fills.filter { seen.insert($0.id).inserted }.sorted { $0.fill.orderKey < $1.fill.orderKey }
        }
        let instrument = try stored.decision.instrument.flatMap { try ledger.instruments.find(symbol: $0)?.instrument }
        let execution: HedgeExecution
        do throws(ArithmeticOverflow) {
            execution = try HedgeExecution.of(stored.decision, instrument: instrument, fills: fills.map(\.fill))
        } catch {
            throw CorruptDatabase(detail: "the fills of decision \(stored.decision.key) cannot be summed exactly: \(error)")
        }
        let residual = try execution.lastFill.flatMap {
            try ledger.exposure.latest(book: stored.decision.book, underlying: stored.decision.underlying, atOrBefore: $0)?.row.netDelta
        }
        return (execution, residual)
    }

    /// Records `decisions` in one transaction, all or none: each gets a key (`D<n>` when it has
    /// none), the policy in force when it names none, and the inputs the ledger saw when it
    /// gives none.
    public func record(_ decisions: [HedgeDecision], now: Timestamp) throws -> [StoredHedgeDecision] {
        try ledger.write(waitSeconds: waitSeconds) {
            try decisions.map { try insert($0, now: now) }
        }
    }

    /// Records one decision inside the caller's transaction (`record`, an import of decisions).
    func insert(_ decision: HedgeDecision, now: Timestamp, importID: Int64? = nil, sourceLine: Int? = nil) throws -> StoredHedgeDecision {
        var decision = decision
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
        guard known else {
            let books = try ledger.knownBooks()
            throw Refusal.unknownPair(book: decision.book, underlying: decision.underlying, knownBooks: books)
        }
        var instrumentID: Int64?
        if let symbol = decision.instrument {
            let instrument = try ledger.instruments.findOrAdd(named: symbol)
            if decision.action == .rebalance && instrument.instrument.kind == .option {
                throw Refusal.notAHedge("\(instrument.instrument.symbol) is an option; a hedge trades a future, perpetual or spot")
            }
            if instrument.instrument.underlying != decision.underlying {
                throw Refusal.notAHedge("\(instrument.instrument.symbol) is an instrument of \(instrument.instrument.underlying), and the decision is for \(decision.underlying)")
            }
            decision.instrument = instrument.instrument.symbol
            instrumentID = instrument.id
        }
        var supersedesID: Int64?
        if let key = decision.supersedes {
            if key == decision.key { throw Refusal.supersedesItself(key) }
            guard let earlier = try ledger.hedgeDecisions.find(key: key) else {
                let keys = try ledger.hedgeDecisions.decisions().map(\.decision.key)
                throw Refusal.unknownDecision(key, suggestion: Suggestion.nearest(to: key, among: keys))
            }
            if let later = try ledger.hedgeDecisions.supersededBy(id: earlier.id) { throw Refusal.alreadySuperseded(key, by: later) }
            guard earlier.decision.book == decision.book, earlier.decision.underlying == decision.underlying else {
                throw Refusal.correctionOfAnotherPair(key, book: earlier.decision.book, underlying: earlier.decision.underlying)
            }
            decision.supersedes = earlier.decision.key
            supersedesID = earlier.id
        }
        if decision.policyID == nil || decision.inputs == .init() {
            let view = try view(book: decision.book, underlying: decision.underlying, at: decision.time)
            if decision.policyID == nil { decision.policyID = view.policy?.id }
            if decision.inputs == .init() { decision.inputs = view.inputs }
        }
        let id = try ledger.hedgeDecisions.insert(decision, instrumentID: instrumentID, recordedAt: now, importID: importID,
                                                  sourceLine: sourceLine, supersedesID: supersedesID)
        try JournalChain.append(.decision, id: id, ledger: ledger)
        return StoredHedgeDecision(id: id, decision: decision, recordedAt: now, importID: importID, sourceLine: sourceLine,
                                   supersedesID: supersedesID)
    }
}
