/// What a head of risk asks about the journal: decisions not executed as decided, hedge fills
/// no decision explains, fills naming a decision the journal lacks, band breaches not answered
/// by a rebalance within the policy's maximum reaction time, and records written after the
/// time they claim: decisions recorded by hand later than the policy allowed for reacting, and
/// policy versions made effective from before they were recorded. Superseded decisions are
/// judged through the corrections that replaced them.
public struct HedgeExceptions {
    public struct Entry: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case unfilled, partial, overfilled, unexpected
            case unlinkedFill = "unlinked-fill"
            case unknownDecision = "unknown-decision"
            case unansweredBreach = "unanswered-breach"
            case lateRecord = "late-record"
            case backdatedPolicy = "backdated-policy"
        }
        public var kind: Kind
        public var time: Timestamp
        public var book: String
        public var underlying: String
        public var decision: String?
        public var fill: String?
        public var detail: String
    }

    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    public func list(book: String? = nil, underlying: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) throws -> [Entry] {
        let coin = underlying?.uppercased()
        var entries: [Entry] = []
        let journal = HedgeJournalService(ledger: ledger)
        let superseded = try ledger.hedgeDecisions.supersededIDs()
        for stored in try ledger.hedgeDecisions.decisions(book: book, underlying: coin, from: from, to: to) {
            let d = stored.decision
            if let late = try lateRecord(stored) { entries.append(late) }
            if superseded.contains(stored.id) { continue }
            let execution = try journal.execution(of: stored).execution
            guard let status = execution.status, status != .filled else { continue }
            let kind: Entry.Kind = switch status {
            case .unfilled: .unfilled
            case .partial: .partial
            case .overfilled, .filled: .overfilled
            case .unexpected: .unexpected
            }
            let executed = execution.executedQuantity
            entries.append(Entry(kind: kind, time: d.time, book: d.book, underlying: d.underlying, decision: d.key, fill: nil,
                                 detail: "\(d.action.rawValue) \(d.quantity.map { "\($0)" } ?? "nothing") \(d.instrument ?? ""), executed \(executed)"))
        }
        // Hedge fills with no decision, for pairs that hedge under a policy.
        var instruments: [String: Instrument] = [:]
        for stored in try ledger.instruments.all() { instruments[stored.instrument.symbol] = stored.instrument }
        for stored in try ledger.fills.liveFillsWithoutDecision(book: book, from: from, to: to) {
            guard let instrument = instruments[stored.fill.instrument], coin == nil || instrument.underlying == coin else { continue }
            let fill = stored.fill
            guard try ledger.hedgePolicies.inForce(book: fill.book, underlying: instrument.underlying, at: fill.time) != nil else { continue }
            let settings = try ledger.bookSettings.inForce(book: fill.book, underlying: instrument.underlying, at: fill.time)?.settings
            guard settings?.hedgeInstruments?.contains(instrument.symbol) ?? true else { continue }
            entries.append(Entry(kind: .unlinkedFill, time: fill.time, book: fill.book, underlying: instrument.underlying, decision: nil,
                                 fill: "\(fill.venue) \(fill.tradeID)",
                                 detail: "\(fill.side.rawValue) \(fill.quantity) \(fill.instrument) at \(fill.price): no decision names it (hedge_decision column) or is linked to it (hedge link)"))
        }
        for stored in try ledger.fills.liveFillsNamingUnknownDecisions() {
            let fill = stored.fill
            guard book == nil || fill.book == book, from.map({ fill.time >= $0 }) ?? true, to.map({ fill.time <= $0 }) ?? true,
                  let instrument = instruments[fill.instrument], coin == nil || instrument.underlying == coin else { continue }
            entries.append(Entry(kind: .unknownDecision, time: fill.time, book: fill.book, underlying: instrument.underlying,
                                 decision: fill.hedgeDecision, fill: "\(fill.venue) \(fill.tradeID)",
                                 detail: "the fill names decision '\(fill.hedgeDecision ?? "")', which is not in the journal"))
        }
        entries += try unansweredBreaches(book: book, underlying: coin, from: from, to: to, superseded: superseded)
        for stored in try ledger.hedgePolicies.versions(book: book) where coin == nil || stored.policy.underlying == coin {
            let policy = stored.policy
            // Like every kind, by the time it gives: here the time the policy is effective from.
            guard stored.recordedAt > policy.effective, from.map({ policy.effective >= $0 }) ?? true,
                  to.map({ policy.effective <= $0 }) ?? true else { continue }
            entries.append(Entry(kind: .backdatedPolicy, time: policy.effective, book: policy.book, underlying: policy.underlying,
                                 decision: nil, fill: nil,
                                 detail: "policy #\(stored.id) was recorded at \(stored.recordedAt.iso8601) by \(stored.recordedBy), effective from \(policy.effective.iso8601), \(stored.recordedAt.seconds(since: policy.effective)) s earlier: what happened in between is judged by a policy nobody had then"))
        }
        return entries.sorted { ($0.time, $0.book, $0.underlying, $0.kind.rawValue) < ($1.time, $1.book, $1.underlying, $1.kind.rawValue) }
    }

    /// A decision recorded by hand (`hedge record`) later after its time than its policy's
    /// maximum reaction time, or than 15 minutes without a policy: plans are recorded as they
    /// are made, and an import is a hedger's own log with its file's provenance.
    private func lateRecord(_ stored: StoredHedgeDecision) throws -> Entry? {
        let d = stored.decision
        guard d.source == .record else { return nil }
        let allowed = try d.policyID.flatMap { try ledger.hedgePolicies.find(id: $0) }?.policy.maxReactionSeconds ?? 900
        let lag = stored.recordedAt.microseconds - d.time.microseconds
        guard lag > allowed * 1_000_000 else { return nil }
        return Entry(kind: .lateRecord, time: d.time, book: d.book, underlying: d.underlying, decision: d.key, fill: nil,
                     detail: "recorded at \(stored.recordedAt.iso8601), \(Double(lag) / 1_000_000) s after the time it gives (more than the \(allowed) s allowed for reacting)")
    }

    /// Walks each policy pair's exposure rows: a breach starts at the first row outside the band
    /// and ends at the first back inside; it is answered by a rebalance decided within the
    /// policy's maximum reaction time of its start.
    private func unansweredBreaches(book: String?, underlying: String?, from: Timestamp?, to: Timestamp?,
                                    superseded: Set<Int64>) throws -> [Entry] {
        var pairs = Set<String>()
        for stored in try ledger.hedgePolicies.versions(book: book) where underlying == nil || stored.policy.underlying == underlying {
            pairs.insert("\(stored.policy.book)\u{0}\(stored.policy.underlying)")
        }
        var entries: [Entry] = []
        for key in pairs.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let (pairBook, coin) = (parts[0], parts[1])
            let rebalances = try ledger.hedgeDecisions.decisions(book: pairBook, underlying: coin)
                .filter { $0.decision.action == .rebalance && !superseded.contains($0.id) }
                .map(\.decision.time)
            var breach: (start: Timestamp, policy: StoredHedgePolicy, worst: Double, halfWidth: Double)?
            func close(at end: Timestamp?) {
                guard let open = breach else { return }
                breach = nil
                let deadline = Timestamp(microseconds: open.start.microseconds + open.policy.policy.maxReactionSeconds * 1_000_000)
                if rebalances.contains(where: { $0 >= open.start && $0 <= deadline }) { return }
                // Still open at the end of the range with time left to react: not (yet) unanswered.
                if end == nil, let to, deadline > to { return }
                let lasted = end.map { "for \($0.seconds(since: open.start)) s" } ?? "still at the end of the range"
                entries.append(Entry(kind: .unansweredBreach, time: open.start, book: pairBook, underlying: coin, decision: nil, fill: nil,
                                     detail: "net delta outside the band ±\(open.halfWidth) around the target \(lasted) (largest deviation \(open.worst)); no rebalance within \(open.policy.policy.maxReactionSeconds) s (policy #\(open.policy.id))"))
            }
            var policies: [StoredHedgePolicy] = try ledger.hedgePolicies.versions(book: pairBook).filter { $0.policy.underlying == coin }
            policies.sort { ($0.policy.effective, $0.id) < ($1.policy.effective, $1.id) }
            // The book settings' target applies where the policy names none.
            let settings = try ledger.bookSettings.versions(book: pairBook, underlying: coin)
                .sorted { ($0.settings.effective, $0.id) < ($1.settings.effective, $1.id) }
            try ledger.exposure.forEachRow(book: pairBook, underlying: coin, from: from, to: to) { row, _ in
                guard let policy = policies.last(where: { $0.policy.effective <= row.time }) else { close(at: row.time); return }
                let target = policy.policy.targetDelta
                    ?? settings.last(where: { $0.settings.effective <= row.time })?.settings.targetDelta ?? .zero
                guard let halfWidth = policy.policy.band.halfWidth(gamma: row.gamma, grossOptionsDelta: row.grossOptionsDelta ?? 0,
                                                                   price: row.underlyingPrice ?? row.usdPerCoin) else { close(at: row.time); return }
                let deviation = abs(row.netDelta - target.doubleValue)
                if deviation > halfWidth + ExposureRow.ratioEpsilon {
                    if breach == nil { breach = (row.time, policy, deviation, halfWidth) }
                    breach!.worst = max(breach!.worst, deviation)
                } else {
                    close(at: row.time)
                }
            }
            close(at: nil)
        }
        return entries
    }
}
