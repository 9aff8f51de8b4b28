/// Positions rebuilt from the stored fills: the one place positions are derived from scratch,
/// used for `positions --at`, when an import brings fills older than ones applied, and when
/// a void takes fills out.
public enum PositionBuilder {
    public struct Key: Hashable, Sendable {
        public let book: String
        public let instrumentID: Int64

        public init(book: String, instrumentID: Int64) {
            self.book = book
            self.instrumentID = instrumentID
        }
    }

    /// Applies every fill at or before `time`, in time order, to the positions `wanted`
    /// selects; voided fills are left out unless `includeVoided`.
    public static func build(ledger: Ledger, through time: Timestamp, includeVoided: Bool = false,
                             wanted: (_ book: String, _ instrument: Instrument) -> Bool) throws -> [Key: Position] {
        var instruments: [Int64: Instrument] = [:]
        for stored in try ledger.instruments.all() { instruments[stored.id] = stored.instrument }
        var positions: [Key: Position] = [:]
        var skipped: Set<Key> = []
        try ledger.fills.forEachFill(through: time, includeVoided: includeVoided) { stored in
            let key = Key(book: stored.fill.book, instrumentID: stored.instrumentID)
            if skipped.contains(key) { return }
            if positions[key] == nil {
                guard let instrument = instruments[stored.instrumentID] else {
                    throw CorruptDatabase(detail: "fill references unknown instrument \(stored.instrumentID)")
                }
                guard wanted(key.book, instrument) else { skipped.insert(key); return }
                positions[key] = Position(book: key.book, instrument: instrument)
            }
            do throws(ArithmeticOverflow) {
                try positions[key]!.apply(stored.fill)
            } catch {
                throw UncomputablePosition(book: key.book, instrument: stored.fill.instrument, cause: error,
                                           fill: "\(stored.fill.venue) trade \(stored.fill.tradeID) (import #\(stored.importID), line \(stored.sourceLine))")
            }
        }
        return positions
    }
}

/// Stored fills whose position cannot be computed exactly: a sum or product outside the
/// range of exact amounts. Imports refuse such fills, so only data written outside
/// hedgeledger (or an astronomical number of maximal fills) gets here.
public struct UncomputablePosition: Error, CustomStringConvertible {
    public let book: String
    public let instrument: String
    public let cause: ArithmeticOverflow
    public let fill: String

    public var description: String {
        "the position of book '\(book)' in \(instrument) cannot be computed exactly: applying \(fill): \(cause)"
    }
}
