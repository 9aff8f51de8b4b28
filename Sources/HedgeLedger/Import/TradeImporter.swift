/// What one file's import did.
public struct ImportSummary: Sendable {
    public var file: String
    public var importID: Int64
    public var format: String
    public var rowsRead: Int
    public var accepted: Int
    public var duplicates: Int
    public var positionsUpdated: Int
    /// Positions replayed from a checkpoint because this file brought fills older than ones
    /// already applied.
    public var positionsRebuilt: Int
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
/// Positions of the touched (book, instrument) pairs are extended in the same transaction.
/// When the file brings fills older than ones applied (a shuffled export, a late file), those
/// positions are replayed at the end from their last checkpoint before its earliest fill,
/// with its fills, sorted once, merged into the stored ones.
public struct TradeImporter {
    public let ledger: Ledger
    public var options: NativeTradeFormat.Options
    public var waitSeconds: Double

    public init(ledger: Ledger, options: NativeTradeFormat.Options = .init(), waitSeconds: Double = 0) {
        self.ledger = ledger
        self.options = options
        self.waitSeconds = waitSeconds
    }

    public func importTrades(from source: ByteSource, now: Timestamp,
                             progress: ((ImportProgress) -> Void)? = nil) throws -> ImportSummary {
        try ledger.sizeCache(forImportOf: source.expectedSize)
        // SQLite's per-row foreign-key checks cost a tenth of the import, and the deferred one
        // on import_id made writing the import row scan every fill in the ledger. The import
        // resolves every instrument itself, and `finish` checks the instruments it used once.
        try ledger.connection.execute("PRAGMA foreign_keys = OFF")
        defer { try? ledger.connection.execute("PRAGMA foreign_keys = ON") }
        return try ledger.write(waitSeconds: waitSeconds) {
            var run = try ImportRun(ledger: ledger, file: source.name)
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
    /// The id of this file's first fill: fills are appended, so its fills are those from here on.
    let firstFillID: Int64
    let inserter: FillRepository.Inserter
    var instruments: InstrumentResolver
    var accepted = 0
    var duplicates = 0
    /// The digests of this file's fills, for the journal chain.
    var digester: JournalChain.FillDigester
    /// The positions this file touches, in the order first touched, found through `slots`.
    var touched: [TouchedPosition] = []
    var slots: [PositionBuilder.Key: Int] = [:]

    struct TouchedPosition {
        let key: PositionBuilder.Key
        var track: PositionTrack
        /// The earliest time among this file's fills of the position.
        var earliest: Timestamp
        /// A fill older than ones already applied arrived: replay from before `earliest` at the end.
        var needsRebuild = false
    }

    init(ledger: Ledger, file: String) throws {
        self.ledger = ledger
        self.file = file
        importID = try ledger.imports.nextID()
        digester = JournalChain.FillDigester(importID: importID)
        firstFillID = try ledger.fills.highestID() + 1
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
        guard let id = try inserter.insertIfNew(fill, amounts: amounts, instrumentID: stored.id, importID: importID,
                                                sourceLine: row.line) else {
            try insertRevisionOrCompare(fill, row: row, amounts: amounts, stored: stored, errors: &errors)
            return
        }
        try applyToPosition(fill, id: id, revision: 0, row: row, instrument: stored, amounts: amounts, errors: &errors)
    }

    private mutating func applyToPosition(_ fill: Fill, id: Int64, revision: Int, row: NativeTradeFormat.Row,
                                          instrument: StoredInstrument, amounts: FillRepository.EncodedAmounts,
                                          errors: inout InputErrors) throws {
        accepted += 1
        // What was just stored, as verify will read it back.
        digester.add(StoredFillText(id: id, venue: fill.venue, tradeID: fill.tradeID, revision: revision,
                                    timeMicroseconds: fill.time.microseconds, instrument: instrument.instrument.symbol, book: fill.book,
                                    side: fill.side.rawValue, quantity: amounts.quantity, price: amounts.price, fee: amounts.fee,
                                    feeCurrency: fill.feeCurrency, orderID: fill.orderID, hedgeDecision: fill.hedgeDecision,
                                    note: fill.note, importID: importID, sourceLine: Int64(row.line)))
        let held = PositionBuilder.Key(book: fill.book, instrumentID: instrument.id)
        let slot: Int
        if let existing = slots[held] {
            slot = existing
        } else {
            let track = try PositionTrack.resume(book: fill.book, instrument: instrument, ledger: ledger)
            slot = touched.count
            touched.append(TouchedPosition(key: held, track: track, earliest: fill.time))
            slots[held] = slot
        }
        // Mutated in place: this runs for every fill.
        if fill.time < touched[slot].earliest { touched[slot].earliest = fill.time }
        let key = fill.orderKey
        if touched[slot].needsRebuild { return }
        if touched[slot].track.position.accepts(inOrder: key) {
            do {
                try touched[slot].track.apply(fill, id: id, ledger: ledger)
            } catch let error as ArithmeticOverflow {
                errors.append(InputError(file: file, line: row.line, column: row.quantityPosition.column,
                    message: "quantity: applying this fill to book '\(fill.book)' in \(fill.instrument) makes \(error)"))
                return
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
        guard let id = try inserter.insertIfNew(fill, amounts: amounts, instrumentID: stored.id, importID: importID,
                                                sourceLine: row.line, revision: revision) else { return }
        try applyToPosition(fill, id: id, revision: revision, row: row, instrument: stored, amounts: amounts, errors: &errors)
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

        let late = touched.filter(\.needsRebuild)
        do {
            try PositionUpkeep.merge(importedFrom: firstFillID, into: Dictionary(uniqueKeysWithValues: late.map { ($0.key, $0.earliest) }),
                                     ledger: ledger)
        } catch let error as UncomputablePosition {
            var errors = InputErrors(file: file)
            errors.append(InputError(file: file, line: 1, column: 1, message: error.description))
            throw errors
        }
        for entry in touched where !entry.needsRebuild {
            try entry.track.save(ledger: ledger)
        }

        // What foreign keys would have checked row by row: every fill went to a touched
        // position, so its instrument is one of theirs; its import is this one, written next.
        for instrumentID in Set(touched.map(\.key.instrumentID)) where try ledger.instruments.find(id: instrumentID) == nil {
            throw CorruptDatabase(detail: "imported fills reference instrument \(instrumentID), which does not exist")
        }
        if let earliest = touched.map(\.earliest).min() {
            try ledger.exposure.recordChange(earliest: earliest, cause: "trades import #\(importID)", at: now)
        }
        try ledger.imports.insert(ImportRecord(
            id: importID, kind: "trades", fileName: file, sha256: outcome.sha256, sizeBytes: outcome.sizeBytes,
            format: outcome.format, rowsAccepted: accepted, rowsDuplicate: duplicates, rowsRejected: 0,
            importedAt: now))
        try JournalChain.appendImport(id: importID, blocks: digester.finish(), ledger: ledger)
        return ImportSummary(file: file, importID: importID, format: outcome.format, rowsRead: outcome.rows,
                             accepted: accepted, duplicates: duplicates, positionsUpdated: touched.count,
                             positionsRebuilt: late.count, sha256: outcome.sha256,
                             sizeBytes: outcome.sizeBytes)
    }
}

