/// One position as of any moment, and its upkeep when fills arrive out of order or are voided.
///
/// Average cost is path-dependent: a position as of T is its fills up to T applied in order.
/// Checkpoints (the state after every 64th fill of the position) bound that work: the state
/// as of T is the last checkpoint at or before T plus at most 63 fills, read through the
/// `fills_by_position` index. A fill older than ones applied changes every later state, so
/// the position is replayed from the last checkpoint before it, and the checkpoints after it
/// are written again.
public enum PositionReplay {
    /// The position (book, instrument) as of `time`, from its maintained state `current`: that
    /// state itself when its last fill is at or before `time`; nil when its first fill is after.
    public static func position(_ current: Position, instrument: StoredInstrument, asOf time: Timestamp,
                                ledger: Ledger) throws -> Position? {
        guard let first = current.firstFill, first <= time else { return nil }
        if let last = current.lastFill, last <= time { return current }
        let start = try ledger.checkpoints.latest(book: current.book, instrument: instrument, atOrBefore: time)
            ?? Position(book: current.book, instrument: instrument.instrument)
        let replayed = try replay(from: start, instrument: instrument, through: time, checkpointing: false, ledger: ledger)
        return replayed.fillCount == 0 ? nil : replayed
    }

    /// Replays (book, instrument) from the last checkpoint before `changedFrom` (from its first
    /// fill when nil), rewriting the checkpoints after it, and stores the result; a position
    /// with no counting fill left is removed. Returns the position, if any.
    @discardableResult
    public static func rebuild(book: String, instrument: StoredInstrument, changedFrom: Timestamp?,
                               ledger: Ledger) throws -> Position? {
        let start = try changedFrom.flatMap {
            try ledger.checkpoints.latest(book: book, instrument: instrument, atOrBefore: $0, strictlyBefore: true)
        } ?? Position(book: book, instrument: instrument.instrument)
        try ledger.checkpoints.delete(book: book, instrumentID: instrument.id, after: start.fillCount)
        let position = try replay(from: start, instrument: instrument, through: Timestamp(microseconds: .max),
                                  checkpointing: true, ledger: ledger)
        if position.fillCount == 0 {
            try ledger.positions.delete(book: book, instrumentID: instrument.id)
            return nil
        }
        try ledger.positions.save(position, instrumentID: instrument.id)
        return position
    }

    /// Applies the fills after `start`'s last one, up to `through`, writing a checkpoint
    /// after every `CheckpointRepository.interval`-th fill when `checkpointing`.
    static func replay(from start: Position, instrument: StoredInstrument, through: Timestamp, checkpointing: Bool,
                       ledger: Ledger) throws -> Position {
        var position = start
        let after = start.lastKey
        try ledger.fills.forEachFill(book: start.book, instrument: instrument, from: after?.time ?? Timestamp(microseconds: 0),
                                     through: through) { stored in
            if let after, !(after < stored.fill.orderKey) { return }  // at or before the checkpoint
            do throws(ArithmeticOverflow) {
                try position.apply(stored.fill)
            } catch {
                throw UncomputablePosition(book: start.book, instrument: instrument.instrument.symbol, cause: error,
                                           fill: "\(stored.fill.venue) trade \(stored.fill.tradeID) (import #\(stored.importID), line \(stored.sourceLine))")
            }
            if checkpointing, position.fillCount % CheckpointRepository.interval == 0 {
                try ledger.checkpoints.insert(position, instrumentID: instrument.id)
            }
        }
        return position
    }
}
