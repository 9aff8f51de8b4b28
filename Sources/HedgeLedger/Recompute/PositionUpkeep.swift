/// Keeps the stored positions (and their checkpoints and segments) equal to a replay of the
/// fills that count.
enum PositionUpkeep {
    /// Replays the positions of `keys` from their first fill, or from the last checkpoint
    /// before `changedFrom` when given, and stores them.
    static func rebuild(_ keys: Set<PositionBuilder.Key>, changedFrom: [PositionBuilder.Key: Timestamp] = [:],
                        ledger: Ledger) throws {
        for key in keys.sorted(by: { ($0.book, $0.instrumentID) < ($1.book, $1.instrumentID) }) {
            var rebuild = try PositionReplay.Rebuild(book: key.book, instrument: try instrument(key.instrumentID, ledger),
                                                     changedFrom: changedFrom[key], ledger: ledger)
            _ = try rebuild.finish(ledger: ledger)
        }
    }

    /// Merges the fills stored with ids from `firstID` on (one import's) into the positions
    /// `changedFrom` names, replaying each from the last checkpoint before its key's time (the
    /// earliest of its new fills). One sorted pass over the new fills, position after position,
    /// each merged with that position's stored fills: no index, and no fill read twice.
    static func merge(importedFrom firstID: Int64, into changedFrom: [PositionBuilder.Key: Timestamp],
                      ledger: Ledger) throws {
        guard !changedFrom.isEmpty else { return }
        let instruments = try Set(changedFrom.keys.map(\.instrumentID)).map { try instrument($0, ledger) }
        var current: (key: PositionBuilder.Key, rebuild: PositionReplay.Rebuild)?
        var done: Set<PositionBuilder.Key> = []
        try ledger.fills.forEachFill(fromID: firstID, instruments: instruments) { stored in
            let key = PositionBuilder.Key(book: stored.fill.book, instrumentID: stored.instrumentID)
            if current?.key != key {
                if var finished = current { _ = try finished.rebuild.finish(ledger: ledger); done.insert(finished.key) }
                current = nil
                guard let time = changedFrom[key] else { return }
                current = (key, try PositionReplay.Rebuild(book: key.book, instrument: try instrument(key.instrumentID, ledger),
                                                           changedFrom: time, newFromID: firstID, ledger: ledger))
            }
            try current!.rebuild.merge(stored, ledger: ledger)
        }
        if var finished = current { _ = try finished.rebuild.finish(ledger: ledger); done.insert(finished.key) }
        guard done.count == changedFrom.count else {
            throw CorruptDatabase(detail: "\(changedFrom.count - done.count) position(s) of this import have no fills from it")
        }
    }

    private static func instrument(_ id: Int64, _ ledger: Ledger) throws -> StoredInstrument {
        guard let instrument = try ledger.instruments.find(id: id) else {
            throw CorruptDatabase(detail: "a position references unknown instrument \(id)")
        }
        return instrument
    }
}
