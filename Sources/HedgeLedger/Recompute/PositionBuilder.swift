/// Positions rebuilt from the stored fills: the one place positions are derived from scratch,
/// used for `positions --at` and when an import brings fills older than ones applied.
public enum PositionBuilder {
    public struct Key: Hashable, Sendable {
        public let book: String
        public let instrumentID: Int64
    }

    /// Applies every fill at or before `time`, in time order, to the positions `wanted` selects.
    public static func build(ledger: Ledger, through time: Timestamp,
                             wanted: (_ book: String, _ instrument: Instrument) -> Bool) throws -> [Key: Position] {
        var instruments: [Int64: Instrument] = [:]
        for stored in try ledger.instruments.all() { instruments[stored.id] = stored.instrument }
        var positions: [Key: Position] = [:]
        var skipped: Set<Key> = []
        try ledger.fills.forEachFill(through: time) { stored in
            let key = Key(book: stored.fill.book, instrumentID: stored.instrumentID)
            if skipped.contains(key) { return }
            if positions[key] == nil {
                guard let instrument = instruments[stored.instrumentID] else {
                    throw CorruptDatabase(detail: "fill references unknown instrument \(stored.instrumentID)")
                }
                guard wanted(key.book, instrument) else { skipped.insert(key); return }
                positions[key] = Position(book: key.book, instrument: instrument)
            }
            positions[key]!.apply(stored.fill)
        }
        return positions
    }
}
