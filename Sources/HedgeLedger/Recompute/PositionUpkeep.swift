/// Keeps the stored positions (and their checkpoints) equal to a replay of the fills that count.
enum PositionUpkeep {
    /// Replays the positions of `keys` from their first fill, or from the last checkpoint
    /// before `changedFrom` when given, and stores them.
    static func rebuild(_ keys: Set<PositionBuilder.Key>, changedFrom: [PositionBuilder.Key: Timestamp] = [:],
                        ledger: Ledger) throws {
        for key in keys.sorted(by: { ($0.book, $0.instrumentID) < ($1.book, $1.instrumentID) }) {
            guard let instrument = try ledger.instruments.find(id: key.instrumentID) else {
                throw CorruptDatabase(detail: "a position references unknown instrument \(key.instrumentID)")
            }
            try PositionReplay.rebuild(book: key.book, instrument: instrument, changedFrom: changedFrom[key], ledger: ledger)
        }
    }
}
