/// What one file's import did.
public struct ImportSummary: Sendable {
    public var file: String
    public var importID: Int64
    public var format: String
    public var rowsRead: Int
    public var accepted: Int
    public var duplicates: Int
    public var positionsUpdated: Int
    /// Positions rebuilt from all their fills because this file brought fills older than
    /// ones already applied.
    public var positionsRebuilt: Int
    /// The file was out of time order and large: the replay index was built once at the end.
    public var indexBuiltInBulk: Bool
    public var sha256: String
    public var sizeBytes: Int64

    public var line: String {
        let news = accepted == 0 && duplicates > 0 ? "nothing new: " : ""
        return "\(file): \(news)\(accepted) fill\(accepted == 1 ? "" : "s") imported, \(duplicates) duplicate\(duplicates == 1 ? "" : "s") skipped, \(positionsUpdated) position\(positionsUpdated == 1 ? "" : "s") updated (import #\(importID))"
    }
}

/// Progress of a long import, for a terminal's status line.
public struct ImportProgress: Sendable {
    public var rows: Int
    public var bytes: Int64
    public var totalBytes: Int64?
}

/// Imports trade files into the ledger, one file per transaction.
///
/// Each file is all or nothing: rows are validated and written inside one write transaction,
/// and if any row is bad the transaction is rolled back and every bad row is reported. Fills
/// already in the ledger with the same (venue, trade id) and the same content are skipped as
/// duplicates; the same key with different content is an error naming both sources.
/// Positions of the touched (book, instrument) pairs are extended in the same transaction,
/// or rebuilt from all their fills when the file brings fills older than ones applied.
public struct TradeImporter {
    public let ledger: Ledger
    public var options: NativeTradeFormat.Options
    public var waitSeconds: Double
    /// A file at least this large, bringing at least a quarter as many fills as the ledger
    /// holds (at about 100 bytes a fill), may become a bulk import: once it has brought
    /// `ImportRun.lateFillsForBulk` fills older than ones applied (it is not in time order),
    /// the replay index is dropped and built once at the end, which costs far less than
    /// inserting every out-of-order fill into it. Files in time order keep the index as they go.
    public var bulkMinimumBytes: Int64 = 4 << 20

    public init(ledger: Ledger, options: NativeTradeFormat.Options = .init(), waitSeconds: Double = 0) {
        self.ledger = ledger
        self.options = options
        self.waitSeconds = waitSeconds
    }

    public func importTrades(from source: ByteSource, now: Timestamp,
                             progress: ((ImportProgress) -> Void)? = nil) throws -> ImportSummary {
        try ledger.sizeCache(forImportOf: source.expectedSize)
        return try ledger.write(waitSeconds: waitSeconds) {
            let bulk = source.expectedSize.map { $0 >= bulkMinimumBytes } ?? false
            var run = try ImportRun(ledger: ledger, file: source.name, bulkBytes: bulk ? source.expectedSize : nil)
            let options = options
            let outcome = try ImportPipeline.run(
                source: source, rowNoun: "trades", example: "trade_id,timestamp,instrument,side,quantity,price",
                parserFor: { header, file in NativeTradeFormat.parser(for: header, file: file, options: options) },
                progress: progress
            ) { item, errors in
                try run.accept(item.row, amounts: item.amounts, errors: &errors)
            }
            return try run.finish(outcome, now: now)
        }
    }
}

/// The state of one file's import inside its transaction.
private struct ImportRun {
    let ledger: Ledger
    let file: String
    let importID: Int64
    let inserter: FillRepository.Inserter
    var instruments: InstrumentResolver
    var accepted = 0
    var duplicates = 0
    /// The positions this file touches, in the order first touched, found through `slots`.
    var touched: [TouchedPosition] = []
    var slots: [PositionBuilder.Key: Int] = [:]

    struct TouchedPosition {
        let key: PositionBuilder.Key
        var position: Position
        /// The earliest time among this file's fills of the position.
        var earliest: Timestamp
        /// The key of this file's previous fill of the position: a fill before it means the
        /// file is not in time order.
        var previous: FillOrderKey
        /// A fill older than ones already applied arrived: replay from before `earliest` at the end.
        var needsRebuild = false
    }

    /// Whether the file is large enough, against the ledger, to build the replay index in bulk.
    let mayGoBulk: Bool
    /// The replay index was dropped for this import and is built again at the end.
    var bulk = false
    var lateFills = 0
    static let lateFillsForBulk = 1000

    /// `bulkBytes`: the size of a file large enough for a bulk import, if it is one.
    init(ledger: Ledger, file: String, bulkBytes: Int64?) throws {
        self.ledger = ledger
        self.file = file
        importID = try ledger.imports.nextID()
        if let size = bulkBytes { mayGoBulk = size / 100 >= (try ledger.fills.highestID()) / 4 } else { mayGoBulk = false }
        inserter = try ledger.fills.inserter()
        instruments = try InstrumentResolver(ledger: ledger)
    }

    mutating func accept(_ row: NativeTradeFormat.Row, amounts: FillRepository.EncodedAmounts,
                         errors: inout InputErrors) throws {
        var fill = row.fill
        guard let stored = try instruments.resolve(fill.instrument, at: row.instrumentPosition, file: file, errors: &errors) else {
            return
        }
        let instrument = stored.instrument
        if !row.feeCurrencyGiven { fill.feeCurrency = instrument.settlementCurrency }
        if let size = instrument.contractSize, !fill.quantity.isMultiple(of: size) {
            errors.append(InputError(file: file, line: row.quantityPosition.line, column: row.quantityPosition.column,
                message: "quantity: '\(fill.quantity)' is not a multiple of \(instrument.symbol)'s contract size \(size) \(instrument.amountUnit) (its amounts are in \(instrument.amountUnit), not coin)"))
            return
        }
        let problems = fill.problems(trading: instrument)
        guard problems.isEmpty else {
            for problem in problems {
                let (line, column) = row.position(of: problem.field)
                let name = switch problem.field { case .timestamp: "timestamp"; case .quantity: "quantity"; case .price: "price" }
                errors.append(InputError(file: file, line: line, column: column, message: "\(name): \(problem.message)"))
            }
            return
        }
        guard try inserter.insertIfNew(fill, amounts: amounts, instrumentID: stored.id, importID: importID, sourceLine: row.line) else {
            try insertRevisionOrCompare(fill, row: row, amounts: amounts, stored: stored, errors: &errors)
            return
        }
        try applyToPosition(fill, row: row, instrumentID: stored.id, instrument: instrument, errors: &errors)
    }

    private mutating func applyToPosition(_ fill: Fill, row: NativeTradeFormat.Row, instrumentID: Int64,
                                          instrument: Instrument, errors: inout InputErrors) throws {
        accepted += 1
        let held = PositionBuilder.Key(book: fill.book, instrumentID: instrumentID)
        let slot: Int
        if let existing = slots[held] {
            slot = existing
        } else {
            let position = try ledger.positions.find(book: fill.book, instrument: StoredInstrument(id: instrumentID, instrument: instrument))
                ?? Position(book: fill.book, instrument: instrument)
            slot = touched.count
            touched.append(TouchedPosition(key: held, position: position, earliest: fill.time, previous: fill.orderKey))
            slots[held] = slot
        }
        // Mutated in place: this runs for every fill.
        if fill.time < touched[slot].earliest { touched[slot].earliest = fill.time }
        let key = fill.orderKey
        if key < touched[slot].previous {
            lateFills += 1
            if mayGoBulk && !bulk && lateFills >= Self.lateFillsForBulk {
                try ledger.fills.dropPositionIndex()
                bulk = true
            }
        }
        touched[slot].previous = key
        if touched[slot].needsRebuild { return }
        if touched[slot].position.accepts(inOrder: key) {
            do {
                try touched[slot].position.apply(fill)
            } catch {
                errors.append(InputError(file: file, line: row.line, column: row.quantityPosition.column,
                    message: "quantity: applying this fill to book '\(fill.book)' in \(fill.instrument) makes \(error)"))
                return
            }
            if touched[slot].position.fillCount % CheckpointRepository.interval == 0 {
                try ledger.checkpoints.insert(touched[slot].position, instrumentID: instrumentID)
            }
        } else {
            touched[slot].needsRebuild = true
        }
    }

    /// The (venue, trade id) is already in the ledger: the same fill again is a duplicate, a
    /// different one a conflict, unless every earlier fill with that key was voided: then
    /// this one is the correction, stored as the next revision.
    private mutating func insertRevisionOrCompare(_ fill: Fill, row: NativeTradeFormat.Row,
                                                  amounts: FillRepository.EncodedAmounts, stored: StoredInstrument,
                                                  errors: inout InputErrors) throws {
        guard try ledger.fills.findLive(venue: fill.venue, tradeID: fill.tradeID) == nil else {
            try compareWithExisting(fill, line: row.line, errors: &errors)
            return
        }
        let revision = try ledger.fills.revisions(venue: fill.venue, tradeID: fill.tradeID)
        guard try inserter.insertIfNew(fill, amounts: amounts, instrumentID: stored.id, importID: importID,
                                       sourceLine: row.line, revision: revision) else { return }
        try applyToPosition(fill, row: row, instrumentID: stored.id, instrument: stored.instrument, errors: &errors)
    }

    private mutating func compareWithExisting(_ fill: Fill, line: Int, errors: inout InputErrors) throws {
        guard let existing = try ledger.fills.findLive(venue: fill.venue, tradeID: fill.tradeID) else { return }
        let differences = fill.differences(from: existing.fill)
        if differences.isEmpty {
            duplicates += 1
            return
        }
        let source = try earlierSource(importID: existing.importID, line: existing.sourceLine, currentImportID: importID,
                                       currentFile: file, ledger: ledger)
        errors.append(InputError(file: file, line: line, column: 1,
            message: "trade_id '\(fill.tradeID)' of venue '\(fill.venue)' was already imported from \(source) with a different \(differences.joined(separator: ", ")); a fill is never changed once recorded"))
    }

    mutating func finish(_ outcome: ReadOutcome, now: Timestamp) throws -> ImportSummary {
        guard outcome.errors.isEmpty else { throw outcome.errors }

        if bulk { try ledger.fills.createPositionIndex() }
        let late = touched.filter(\.needsRebuild)
        let rebuild = Set(late.map(\.key))
        do {
            try PositionUpkeep.rebuild(rebuild, changedFrom: Dictionary(uniqueKeysWithValues: late.map { ($0.key, $0.earliest) }),
                                       ledger: ledger)
        } catch let error as UncomputablePosition {
            var errors = InputErrors(file: file)
            errors.append(InputError(file: file, line: 1, column: 1, message: error.description))
            throw errors
        }
        for entry in touched where !entry.needsRebuild {
            try ledger.positions.save(entry.position, instrumentID: entry.key.instrumentID)
        }

        try ledger.imports.insert(ImportRecord(
            id: importID, kind: "trades", fileName: file, sha256: outcome.sha256, sizeBytes: outcome.sizeBytes,
            format: outcome.format, rowsAccepted: accepted, rowsDuplicate: duplicates, rowsRejected: 0,
            importedAt: now))
        return ImportSummary(file: file, importID: importID, format: outcome.format, rowsRead: outcome.rows,
                             accepted: accepted, duplicates: duplicates, positionsUpdated: touched.count,
                             positionsRebuilt: rebuild.count, indexBuiltInBulk: bulk, sha256: outcome.sha256,
                             sizeBytes: outcome.sizeBytes)
    }
}

