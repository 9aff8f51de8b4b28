/// One position as of any moment, and its upkeep when fills arrive out of order or are voided.
///
/// Average cost is path-dependent: a position as of T is its fills up to T applied in order.
/// Checkpoints (the state after every 64th fill of the position) bound that work, and segments
/// (the ids of the 64 fills between two checkpoints) say which fills follow one: the state as
/// of T is the last checkpoint at or before T plus at most 63 fills fetched by id. A fill older
/// than ones applied changes every later state, so the position is replayed from the last
/// checkpoint before it, merging the new fills into the stored ones, and its checkpoints and
/// segments after that point are written again.
public enum PositionReplay {
    /// The position (book, instrument) as of `time`, from its maintained state `current`: that
    /// state itself when its last fill is at or before `time`; nil when its first fill is after.
    public static func position(_ current: Position, instrument: StoredInstrument, asOf time: Timestamp,
                                ledger: Ledger) throws -> Position? {
        guard let first = current.firstFill, first <= time else { return nil }
        if let last = current.lastFill, last <= time { return current }
        var position = try ledger.checkpoints.latest(book: current.book, instrument: instrument, atOrBefore: time)
            ?? Position(book: current.book, instrument: instrument.instrument)
        // Usually one segment; more only where checkpoints are missing (a ledger migrated to
        // version 4 keeps none for fills it held before).
        var number = position.fillCount / CheckpointRepository.interval
        segments: while true {
            let ids = try ledger.segments.fillIDs(book: current.book, instrumentID: instrument.id, number: number)
            if ids.isEmpty { break }
            for stored in try ledger.fills.liveFills(ids: ids, book: current.book, instrument: instrument) {
                if stored.fill.time > time { break segments }
                try apply(stored, to: &position, instrument: instrument)
            }
            number += 1
        }
        return position.fillCount == 0 ? nil : position
    }

    /// Settles the positions past their expiry at `time` whose instrument has a stored settlement
    /// price (`recompute` derives them: `SettlementRepository`); the others stay expired, unsettled.
    static func settleExpired(_ positions: inout [(position: Position, instrumentID: Int64)], at time: Timestamp,
                              ledger: Ledger) throws {
        guard positions.contains(where: { $0.position.status(at: time) == .expired }) else { return }
        let prices = try ledger.settlements.prices(atOrBefore: time)
        for index in positions.indices where positions[index].position.status(at: time) == .expired {
            guard let settlement = prices[positions[index].instrumentID] else { continue }
            do throws(ArithmeticOverflow) {
                try positions[index].position.settle(settlement)
            } catch {
                let position = positions[index].position
                throw UncomputablePosition(book: position.book, instrument: position.instrument.symbol, cause: error,
                                           fill: "the stored settlement at \(settlement.price)")
            }
        }
    }

    /// Every position as of `time` (those with a fill by then), narrowed to a book and an
    /// underlying when given, settled where expired with a stored settlement price: what
    /// `positions --at` shows and what a recompute starting after `time` begins from.
    static func allPositions(asOf time: Timestamp, book: String? = nil, underlying: String? = nil,
                             ledger: Ledger) throws -> [(position: Position, instrumentID: Int64)] {
        var positions: [(position: Position, instrumentID: Int64)] = []
        for stored in try ledger.positions.all(book: book, underlying: underlying) {
            if let position = try position(stored.position, instrument: stored.instrument, asOf: time, ledger: ledger) {
                positions.append((position, stored.instrument.id))
            }
        }
        try settleExpired(&positions, at: time, ledger: ledger)
        return positions
    }

    private static func apply(_ stored: StoredFill, to position: inout Position, instrument: StoredInstrument) throws {
        do throws(ArithmeticOverflow) {
            try position.apply(stored.fill)
        } catch {
            throw uncomputable(position.book, instrument, error, stored)
        }
    }

    static func uncomputable(_ book: String, _ instrument: StoredInstrument, _ cause: ArithmeticOverflow,
                             _ stored: StoredFill) -> UncomputablePosition {
        UncomputablePosition(book: book, instrument: instrument.instrument.symbol, cause: cause,
                             fill: "\(stored.fill.venue) trade \(stored.fill.tradeID) (import #\(stored.importID), line \(stored.sourceLine))")
    }

    /// A position being replayed from a checkpoint: its stored fills after that point, with
    /// fills not yet part of it (an import's) merged in by apply order. Its checkpoints and
    /// segments after the start are removed when it begins and written again as it goes.
    struct Rebuild {
        let instrument: StoredInstrument
        private var track: PositionTrack
        /// The stored fills still to apply, by segment; the ids of the first are in `pending`.
        private var storedSegments: [[Int64]]
        private var pending: [StoredFill] = []
        private var pendingIndex = 0

        /// Starts from the last checkpoint before `changedFrom` (from nothing when nil). Stored
        /// fills with ids from `newFromID` on are left out: they come through `merge`.
        init(book: String, instrument: StoredInstrument, changedFrom: Timestamp?, newFromID: Int64 = .max,
             ledger: Ledger) throws {
            self.instrument = instrument
            let start = try changedFrom.flatMap {
                try ledger.checkpoints.latest(book: book, instrument: instrument, atOrBefore: $0, strictlyBefore: true)
            } ?? Position(book: book, instrument: instrument.instrument)
            let first = start.fillCount / CheckpointRepository.interval
            // Every stored id is read before any segment is rewritten: a few bytes a fill.
            storedSegments = Array(try ledger.segments.fillIDs(book: book, instrumentID: instrument.id, from: first)
                .map { $0.filter { $0 < newFromID } }.reversed())
            try ledger.checkpoints.delete(book: book, instrumentID: instrument.id, after: start.fillCount)
            try ledger.segments.delete(book: book, instrumentID: instrument.id, from: first)
            track = PositionTrack(position: start, instrumentID: instrument.id)
        }

        /// Applies `fill` after the stored fills that come before it.
        mutating func merge(_ fill: StoredFill, ledger: Ledger) throws {
            while let next = try nextStored(ledger: ledger), next.fill.orderKey < fill.fill.orderKey {
                try apply(next, ledger: ledger)
                pendingIndex += 1
            }
            try apply(fill, ledger: ledger)
        }

        /// Applies the stored fills left and stores the result. Returns the position, if any fill still counts.
        mutating func finish(ledger: Ledger) throws -> Position? {
            while let next = try nextStored(ledger: ledger) {
                try apply(next, ledger: ledger)
                pendingIndex += 1
            }
            return try track.save(ledger: ledger)
        }

        private mutating func nextStored(ledger: Ledger) throws -> StoredFill? {
            while pendingIndex == pending.count {
                guard let ids = storedSegments.popLast() else { return nil }
                pending = try ledger.fills.liveFills(ids: ids, book: track.position.book, instrument: instrument)
                pendingIndex = 0
            }
            return pending[pendingIndex]
        }

        private mutating func apply(_ stored: StoredFill, ledger: Ledger) throws {
            do {
                try track.apply(stored.fill, id: stored.id, ledger: ledger)
            } catch let error as ArithmeticOverflow {
                throw PositionReplay.uncomputable(track.position.book, instrument, error, stored)
            }
        }
    }
}
