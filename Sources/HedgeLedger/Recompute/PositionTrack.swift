/// A position extended fill by fill in apply order, keeping its derived records as it goes:
/// after every 64th fill its segment (the ids of those 64 fills) and its checkpoint (the state
/// they lead to). Imports extend positions this way; replays rebuild them this way.
struct PositionTrack {
    let instrumentID: Int64
    private(set) var position: Position
    /// The ids of the fills applied since the last checkpoint: the position's last segment so far.
    private(set) var segment: [Int64]

    /// Continues `position`, whose last segment so far lists `segment` (empty at a checkpoint).
    init(position: Position, instrumentID: Int64, segment: [Int64] = []) {
        self.position = position
        self.instrumentID = instrumentID
        self.segment = segment
    }

    /// Continues the stored position (book, instrument), or starts it when it has no fill yet.
    static func resume(book: String, instrument: StoredInstrument, ledger: Ledger) throws -> PositionTrack {
        guard let position = try ledger.positions.find(book: book, instrument: instrument) else {
            return PositionTrack(position: Position(book: book, instrument: instrument.instrument), instrumentID: instrument.id)
        }
        let pending = position.fillCount % CheckpointRepository.interval
        let segment = pending == 0 ? [] : try ledger.segments.fillIDs(book: book, instrumentID: instrument.id,
                                                                      number: position.fillCount / CheckpointRepository.interval)
        guard segment.count == pending else {
            throw CorruptDatabase(detail: "the last segment of book '\(book)' in \(instrument.instrument.symbol) lists \(segment.count) fills where its position has \(pending) since its last checkpoint")
        }
        return PositionTrack(position: position, instrumentID: instrument.id, segment: segment)
    }

    /// Applies the fill stored as `id`. An amount leaving the exact range throws
    /// `ArithmeticOverflow` and leaves the track unchanged.
    mutating func apply(_ fill: Fill, id: Int64, ledger: Ledger) throws {
        try position.apply(fill)
        segment.append(id)
        if segment.count == CheckpointRepository.interval {
            try ledger.segments.save(book: position.book, instrumentID: instrumentID,
                                     number: position.fillCount / CheckpointRepository.interval - 1, fillIDs: segment)
            try ledger.checkpoints.insert(position, instrumentID: instrumentID)
            segment.removeAll(keepingCapacity: true)
        }
    }

    /// Stores the position and its last, unfinished segment; a position with no fill that
    /// counts is removed. Returns the position, if any.
    @discardableResult
    func save(ledger: Ledger) throws -> Position? {
        guard position.fillCount > 0 else {
            try ledger.positions.delete(book: position.book, instrumentID: instrumentID)
            return nil
        }
        try ledger.segments.save(book: position.book, instrumentID: instrumentID,
                                 number: position.fillCount / CheckpointRepository.interval, fillIDs: segment)
        try ledger.positions.save(position, instrumentID: instrumentID)
        return position
    }
}
