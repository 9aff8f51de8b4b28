/// `assert position`: a desk's statement that a book held a quantity of an instrument at a
/// time, recorded once (append-only, chained) and checked by every `verify` and end-of-day
/// report after. The position is the book's live fills at or before the time; an instrument
/// past its expiry is flat.
public struct PositionAssertionService {
    public let ledger: Ledger
    public var waitSeconds: Double

    public init(ledger: Ledger, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.waitSeconds = waitSeconds
    }

    /// An assertion and what the ledger holds.
    public struct Outcome: Sendable {
        public var assertion: PositionAssertion
        public var held: ExactDecimal
        public var holds: Bool { held == assertion.quantity }

        public var description: String {
            let a = assertion
            return "assertion #\(a.id): book '\(a.book)' \(a.instrument) at \(a.time.iso8601): asserted \(a.quantity), the ledger holds \(held)"
        }
    }

    public enum Refusal: Error, CustomStringConvertible {
        case tooLarge(ExactDecimal)
        case unknown(Int64, count: Int)
        case alreadyWithdrawn(AssertionWithdrawal)
        case noReason
        case future(Timestamp, now: Timestamp)
        case notMultiple(ExactDecimal, instrument: Instrument, size: ExactDecimal)

        public var description: String {
            switch self {
            case .tooLarge(let quantity): "quantity \(quantity) is too large: amounts are at most \(AmountLimits.maximumText) in magnitude"
            case let .unknown(id, count):
                "there is no assertion #\(id)" + (count == 0 ? "; the ledger has none" : "; the ledger's are #1 to #\(count) (`hedgeledger assert list` lists them)")
            case .alreadyWithdrawn(let w):
                "assertion #\(w.assertionID) was already withdrawn by \(w.recordedBy) at \(w.recordedAt.iso8601): \(w.reason)"
            case .noReason: "--reason is empty; say why the assertion is withdrawn (it is kept in the journal)"
            case let .notMultiple(quantity, instrument, size):
                "quantity \(quantity) is not a multiple of \(instrument.symbol)'s contract size \(size) \(instrument.amountUnit) (its amounts are in \(instrument.amountUnit))"
            case let .future(time, now):
                "--at \(time.iso8601) is after now (\(now.iso8601)): an assertion states what a book held at a time that has passed"
            }
        }
    }

    /// Records the assertion, whether or not it holds now, and says whether it does.
    public func record(book: String, instrument symbol: String, quantity: ExactDecimal, at time: Timestamp, note: String?,
                       recordedBy: String, now: Timestamp) throws -> Outcome {
        try ledger.write(waitSeconds: waitSeconds) {
            try recordInTransaction(book: book, instrument: symbol, quantity: quantity, at: time, note: note,
                                    recordedBy: recordedBy, now: now)
        }
    }

    private func recordInTransaction(book: String, instrument symbol: String, quantity: ExactDecimal, at time: Timestamp,
                                     note: String?, recordedBy: String, now: Timestamp) throws -> Outcome {
        try PositionsReport.Filter(book: book).validate(in: ledger)
        guard AmountLimits.accepts(quantity) else { throw Refusal.tooLarge(quantity) }
        guard time <= now else { throw Refusal.future(time, now: now) }
        let instrument = try ledger.instruments.findOrAdd(named: symbol)
        if let size = instrument.instrument.contractSize, !quantity.isMultiple(of: size) {
            throw Refusal.notMultiple(quantity, instrument: instrument.instrument, size: size)
        }
        var assertion = PositionAssertion(id: 0, book: book, instrument: instrument.instrument.symbol, instrumentID: instrument.id,
                                          quantity: quantity, time: time, note: note, recordedAt: now, recordedBy: recordedBy)
        assertion.id = try ledger.positionAssertions.insert(assertion)
        try JournalChain.append(.assertion, id: assertion.id, ledger: ledger)
        return try check(assertion)
    }

    /// Withdraws an assertion recorded by mistake: a record of its own, chained, that takes it out
    /// of the checks from then on. The assertion itself is kept, as every record is.
    public func withdraw(id: Int64, reason: String, recordedBy: String, now: Timestamp) throws -> PositionAssertion {
        let reason = reason.trimmingCharacters(in: " \t")
        guard !reason.isEmpty else { throw Refusal.noReason }
        return try ledger.write(waitSeconds: waitSeconds) {
            guard let assertion = try ledger.positionAssertions.find(id: id) else {
                throw Refusal.unknown(id, count: try ledger.chain.recordIDs(of: .assertion).count)
            }
            if let earlier = try ledger.positionAssertions.withdrawal(ofAssertion: id) { throw Refusal.alreadyWithdrawn(earlier) }
            let withdrawal = AssertionWithdrawal(id: 0, assertionID: id, reason: reason, recordedAt: now, recordedBy: recordedBy)
            try JournalChain.append(.assertionWithdrawal, id: try ledger.positionAssertions.insert(withdrawal), ledger: ledger)
            return assertion
        }
    }

    /// Every assertion about a time at or before `time` that was not withdrawn, each with what the ledger holds.
    public func checkAll(through time: Timestamp = Timestamp.supported.upperBound) throws -> [Outcome] {
        try ledger.positionAssertions.all(through: time).map(check)
    }

    public func check(_ assertion: PositionAssertion) throws -> Outcome {
        guard let instrument = try ledger.instruments.find(id: assertion.instrumentID) else {
            throw CorruptDatabase(detail: "position assertion #\(assertion.id) names instrument \(assertion.instrumentID), which does not exist")
        }
        if instrument.instrument.isExpired(at: assertion.time) { return Outcome(assertion: assertion, held: .zero) }
        let through = Timestamp(microseconds: assertion.time.microseconds + 1)
        let held = try ledger.fills.liveQuantity(book: assertion.book, instrumentID: assertion.instrumentID, before: through)
        return Outcome(assertion: assertion, held: held)
    }
}
