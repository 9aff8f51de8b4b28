/// Records versions of a book's hedge policy. Unlike book settings, a version is whole: it
/// names its band rule and trade rules, so reading one never depends on the versions before it.
public struct HedgePolicyService {
    /// Why a version was not recorded.
    public enum Refusal: Error, CustomStringConvertible {
        case emptyBook
        case badBookName(String)
        case unknownBook(String, known: [String])
        case unknownUnderlying(String, known: [String])
        case badParameters(String)
        case notAHedge(String)
        case underlyingsDiffer(instrument: String, underlying: String, policy: String)
        case expiredHedge(String, expiry: Timestamp, effective: Timestamp)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .emptyBook: return "a policy needs a book"
            case .badBookName(let name): return "book name '\(name.escapingControlCharacters)' contains control characters"
            case let .unknownBook(name, known): return Suggestion.unknownBook(name, known: known)
            case let .unknownUnderlying(name, known): return Suggestion.unknownUnderlying(name, known: known)
            case .badParameters(let reason): return reason
            case .notAHedge(let reason): return reason
            case let .underlyingsDiffer(instrument, underlying, policy):
                return "\(instrument) is an instrument of \(underlying), and this policy is for \(policy)"
            case let .expiredHedge(symbol, expiry, effective):
                return "\(symbol) expires at \(expiry.iso8601), not after \(effective.iso8601) when this policy takes effect"
            case .tooLarge(let what): return "\(what) is too large: at most \(AmountLimits.maximumText)"
            }
        }
    }

    public let ledger: Ledger
    public var waitSeconds: Double

    public init(ledger: Ledger, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.waitSeconds = waitSeconds
    }

    /// Records `policy` (its effective time given by the caller, `now` by default) unless it is
    /// refused; `newBook` allows a book the ledger has not seen.
    public func set(_ policy: HedgePolicy, newBook: Bool = false, recordedBy: String, now: Timestamp) throws -> StoredHedgePolicy {
        var policy = policy
        policy.book = policy.book.trimmingCharacters(in: " \t\n\r")
        policy.underlying = policy.underlying.trimmingCharacters(in: " \t\n\r").uppercased()
        guard !policy.book.isEmpty else { throw Refusal.emptyBook }
        guard policy.book.escapingControlCharacters == policy.book else { throw Refusal.badBookName(policy.book) }
        if let problem = policy.problem { throw Refusal.badParameters(problem) }
        let amounts: [(String, ExactDecimal?)] = [("--target-delta", policy.targetDelta), ("--min-trade", policy.minTrade), ("--lot", policy.lot)]
        for case let (name, value?) in amounts where !AmountLimits.accepts(value) { throw Refusal.tooLarge("\(name) \(value)") }
        return try ledger.write(waitSeconds: waitSeconds) {
            let knownUnderlyings = try ledger.instruments.underlyings()
            guard knownUnderlyings.contains(policy.underlying) else {
                throw Refusal.unknownUnderlying(policy.underlying, known: knownUnderlyings)
            }
            if !newBook {
                let known = try ledger.knownBooks()
                guard known.contains(policy.book) else { throw Refusal.unknownBook(policy.book, known: known) }
            }
            var hedgeID: Int64?
            if let symbol = policy.hedgeInstrument {
                let stored = try ledger.instruments.findOrAdd(named: symbol)
                let instrument = stored.instrument
                if instrument.kind == .option {
                    throw Refusal.notAHedge("\(instrument.symbol) is an option; a policy hedges with a future, perpetual or spot")
                }
                if instrument.underlying != policy.underlying {
                    throw Refusal.underlyingsDiffer(instrument: instrument.symbol, underlying: instrument.underlying, policy: policy.underlying)
                }
                if let expiry = instrument.expiry, expiry <= policy.effective {
                    throw Refusal.expiredHedge(instrument.symbol, expiry: expiry, effective: policy.effective)
                }
                policy.hedgeInstrument = instrument.symbol
                hedgeID = stored.id
            }
            let id = try ledger.hedgePolicies.insert(policy, hedgeInstrumentID: hedgeID, recordedAt: now, recordedBy: recordedBy)
            try JournalChain.append(.policy, id: id, ledger: ledger)
            return StoredHedgePolicy(id: id, policy: policy, recordedAt: now, recordedBy: recordedBy)
        }
    }
}
