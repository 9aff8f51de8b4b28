/// Records versions of a book's hedge settings. A change names only what changes: the other
/// settings carry over from the version in force at its effective time (or the defaults), so
/// changing the target does not forget the hedge instruments. Every version is kept.
public struct BookSettingsService {
    /// What `book set` was asked to change; nil leaves a setting as it is.
    public struct Change: Sendable {
        public enum Hedges: Sendable, Equatable {
            case keep
            case instruments([String])
            /// Back to the default: the book's non-option instruments of the underlying.
            case defaults
        }

        public enum HedgedDelta: Sendable, Equatable {
            case keep
            case set(HedgeSettings.HedgedDelta)
            case defaults
        }

        public var book: String
        public var underlying: String?
        public var hedges: Hedges = .keep
        public var hedgedDelta: HedgedDelta = .keep
        public var targetDelta: ExactDecimal?
        public var effective: Timestamp?
        /// The book has no fills or settings yet: set it up. Without this a name the ledger does
        /// not know is refused as a likely typo.
        public var newBook = false

        public init(book: String, underlying: String? = nil) {
            self.book = book
            self.underlying = underlying
        }

        var changesSomething: Bool { hedges != .keep || hedgedDelta != .keep || targetDelta != nil }
    }

    /// Why a version was not recorded.
    public enum Refusal: Error, CustomStringConvertible {
        case emptyBook
        case badBookName(String)
        case unknownBook(String, known: [String])
        case unknownUnderlying(String, known: [String])
        case expiredHedge(String, expiry: Timestamp, effective: Timestamp)
        case nothingToChange
        case noUnderlying
        case notAHedge(String)
        case underlyingsDiffer(given: String, instrument: String, underlying: String)
        case repeatedInstrument(String)
        case targetTooLarge(String)

        public var description: String {
            switch self {
            case .emptyBook: return "a book needs a name"
            case .badBookName(let name): return "book name '\(name.escapingControlCharacters)' contains control characters"
            case let .unknownBook(name, known): return Suggestion.unknownBook(name, known: known)
            case let .unknownUnderlying(name, known):
                return Suggestion.unknownUnderlying(name, known: known) + ". Name a hedge instrument to add one"
            case let .expiredHedge(symbol, expiry, effective):
                return "\(symbol) expires at \(expiry.iso8601), not after \(effective.iso8601) when this version takes effect"
            case .nothingToChange:
                return "nothing to set: give --hedge-instrument, --default-hedges, --hedged-delta or --target-delta"
            case .noUnderlying:
                return "name the underlying (--underlying BTC) or a hedge instrument: settings are per book and underlying"
            case .notAHedge(let reason): return reason
            case let .underlyingsDiffer(given, instrument, underlying):
                return "--underlying is \(given) but \(instrument) is an instrument of \(underlying)"
            case .repeatedInstrument(let symbol): return "\(symbol) is named twice as a hedge instrument"
            case .targetTooLarge(let text): return "--target-delta \(text) is too large: at most \(AmountLimits.maximumText) coin"
            }
        }
    }

    public let ledger: Ledger
    public var waitSeconds: Double

    public init(ledger: Ledger, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.waitSeconds = waitSeconds
    }

    /// Records the version `change` makes, effective from its time (default `now`), and returns it.
    public func set(_ change: Change, recordedBy: String, now: Timestamp) throws -> StoredHedgeSettings {
        let book = change.book.trimmingCharacters(in: " \t\n\r")
        guard !book.isEmpty else { throw Refusal.emptyBook }
        guard book.escapingControlCharacters == book else { throw Refusal.badBookName(book) }
        guard change.changesSomething else { throw Refusal.nothingToChange }
        if let target = change.targetDelta, !AmountLimits.accepts(target) { throw Refusal.targetTooLarge("\(target)") }
        return try ledger.write(waitSeconds: waitSeconds) {
            var hedges: [StoredInstrument] = []
            if case .instruments(let symbols) = change.hedges {
                for symbol in symbols {
                    let stored = try ledger.instruments.findOrAdd(named: symbol)
                    if hedges.contains(where: { $0.id == stored.id }) { throw Refusal.repeatedInstrument(stored.instrument.symbol) }
                    hedges.append(stored)
                }
            }
            let given = change.underlying.map { $0.trimmingCharacters(in: " \t\n\r").uppercased() }
            guard let underlying = given ?? hedges.first?.instrument.underlying, !underlying.isEmpty else { throw Refusal.noUnderlying }
            let knownUnderlyings = try ledger.instruments.underlyings()
            guard knownUnderlyings.contains(underlying) else { throw Refusal.unknownUnderlying(underlying, known: knownUnderlyings) }
            if !change.newBook {
                let known = try ledger.knownBooks()
                guard known.contains(book) else { throw Refusal.unknownBook(book, known: known) }
            }
            var settings = try ledger.bookSettings.inForce(book: book, underlying: underlying, at: change.effective ?? now)?.settings
                ?? .defaults(book: book, underlying: underlying)
            settings.effective = change.effective ?? now
            for stored in hedges {
                if let expiry = stored.instrument.expiry, expiry <= settings.effective {
                    throw Refusal.expiredHedge(stored.instrument.symbol, expiry: expiry, effective: settings.effective)
                }
                if let given, stored.instrument.underlying != given {
                    throw Refusal.underlyingsDiffer(given: given, instrument: stored.instrument.symbol, underlying: stored.instrument.underlying)
                }
                if let problem = settings.hedgeProblem(stored.instrument) { throw Refusal.notAHedge(problem) }
            }
            var hedgeIDs: [Int64] = []
            switch change.hedges {
            case .keep:
                if let symbols = settings.hedgeInstruments {
                    hedgeIDs = try symbols.map { symbol in
                        guard let stored = try ledger.instruments.find(symbol: symbol) else { throw UnknownInstrument(symbol: symbol, suggestion: nil) }
                        return stored.id
                    }
                }
            case .instruments:
                settings.hedgeInstruments = hedges.map(\.instrument.symbol)
                hedgeIDs = hedges.map(\.id)
            case .defaults:
                settings.hedgeInstruments = nil
            }
            switch change.hedgedDelta {
            case .keep: break
            case .set(let kind): settings.hedgedDelta = kind
            case .defaults: settings.hedgedDelta = nil
            }
            if let target = change.targetDelta { settings.targetDelta = target }
            let id = try ledger.bookSettings.insert(settings, hedgeIDs: hedgeIDs, recordedAt: now, recordedBy: recordedBy)
            try JournalChain.append(.bookSetting, id: id, ledger: ledger)
            try ledger.exposure.recordChange(earliest: settings.effective, cause: "book setting #\(id)", at: now)
            return StoredHedgeSettings(id: id, settings: settings, recordedAt: now, recordedBy: recordedBy)
        }
    }
}
