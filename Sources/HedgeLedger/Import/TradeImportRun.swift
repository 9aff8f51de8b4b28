/// The state of one file's import inside its transaction.
struct ImportRun {
    /// The trade id to store a fill under when the one stored with its trade id is the other side
    /// of the same trade (`differences` names what differs), or nil when it is not.
    typealias OtherSide = (_ new: Fill, _ stored: StoredFill, _ differences: [String]) throws -> String?

    let ledger: Ledger
    let file: String
    let importID: Int64
    /// The id of this file's first fill: fills are appended, so its fills are those from here on.
    let firstFillID: Int64
    let inserter: FillRepository.Inserter
    var instruments: InstrumentResolver
    var accepted = 0
    var duplicates = 0
    /// Duplicates of fills stored in another book than the one this import puts its rows in
    /// (a row without a book takes `--book`, and its book is then not compared), by that book.
    private(set) var duplicatesInOtherBooks: [String: Int] = [:]
    /// Books whose stored fills this file would put in another book, once reported.
    private var booksReported: Set<String> = []
    /// The stored fill the last duplicate row was found to be, and the import it came from.
    private(set) var lastMatch: (fillID: Int64, importID: Int64)?
    /// The digests of this file's fills, for the journal chain.
    var digester: JournalChain.FillDigester
    /// The positions this file touches, in the order first touched, found through `slots`.
    var touched: [TouchedPosition] = []
    var slots: [PositionBuilder.Key: Int] = [:]

    struct TouchedPosition {
        let key: PositionBuilder.Key
        var track: PositionTrack
        /// The earliest and latest times among this file's fills of the position.
        var earliest: Timestamp
        var latest: Timestamp
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

    /// Stores a row's fill, or finds it already stored. Returns the fill's id, or nil when the
    /// row is refused (its errors appended). `differences` names what makes a stored fill with
    /// the same (venue, trade id) another fill; by default, any field.
    @discardableResult
    mutating func accept(_ row: NativeTradeFormat.Row, amounts: FillRepository.EncodedAmounts,
                         differences: ((_ new: Fill, _ stored: Fill) -> [String])? = nil,
                         otherSide: OtherSide? = nil,
                         definition: Instrument? = nil, errors: inout InputErrors) throws -> Int64? {
        let unset = row.unset
        let differences = differences ?? { new, stored in new.differences(from: stored).filter { !unset.contains($0) } }
        var fill = row.fill
        guard let stored = try instruments.resolve(fill.instrument, at: row.instrumentPosition, file: file, errors: &errors,
                                                   definition: definition, importID: importID) else {
            return nil
        }
        let instrument = stored.instrument
        if !row.feeCurrencyGiven { fill.feeCurrency = instrument.settlementCurrency }
        if let size = instrument.contractSize, !fill.quantity.isMultiple(of: size) {
            errors.append(InputError(file: file, line: row.quantityPosition.line, column: row.quantityPosition.column,
                message: "quantity: '\(fill.quantity)' is not a multiple of \(instrument.symbol)'s contract size \(size) \(instrument.amountUnit) (its amounts are in \(instrument.amountUnit), not coin)"))
            return nil
        }
        let problems = fill.problems(trading: instrument)
        guard problems.isEmpty else {
            for problem in problems {
                let (line, column) = row.position(of: problem.field)
                let name = switch problem.field { case .timestamp: "timestamp"; case .quantity: "quantity"; case .price: "price" }
                errors.append(InputError(file: file, line: line, column: column, message: "\(name): \(problem.message)"))
            }
            return nil
        }
        guard let id = try inserter.insertIfNew(fill, amounts: amounts, instrumentID: stored.id, importID: importID,
                                                sourceLine: row.line) else {
            return try insertRevisionOrCompare(fill, row: row, amounts: amounts, stored: stored, differences: differences,
                                               otherSide: otherSide, errors: &errors)
        }
        try applyToPosition(fill, id: id, revision: 0, row: row, instrument: stored, amounts: amounts, errors: &errors)
        return id
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
            touched.append(TouchedPosition(key: held, track: track, earliest: fill.time, latest: fill.time))
            slots[held] = slot
        }
        // Mutated in place: this runs for every fill.
        if fill.time < touched[slot].earliest { touched[slot].earliest = fill.time }
        if fill.time > touched[slot].latest { touched[slot].latest = fill.time }
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
                                                  differences: @escaping (Fill, Fill) -> [String], otherSide: OtherSide?,
                                                  errors: inout InputErrors) throws -> Int64? {
        if let existing = try ledger.fills.findLive(venue: fill.venue, tradeID: fill.tradeID) {
            var found = differences(fill, existing.fill)
            // A venue log's time has no fractions: a native row matches its fill to the second, as
            // the log matches a native fill (the same fill whichever file came first).
            if found.contains("timestamp"), existing.fill.time.microseconds % 1_000_000 == 0,
               fill.time.microseconds / 1_000_000 == existing.fill.time.microseconds / 1_000_000,
               try ledger.venueLog.account(ofImport: existing.importID) != nil {
                found.removeAll { $0 == "timestamp" }
            }
            if !found.isEmpty, let key = try otherSide?(fill, existing, found) {
                var other = row
                other.fill.tradeID = key
                return try accept(other, amounts: amounts, differences: differences, errors: &errors)
            }
            return try compare(fill, with: existing, row: row, differences: found, errors: &errors)
        }
        let revision = try ledger.fills.revisions(venue: fill.venue, tradeID: fill.tradeID)
        guard let id = try inserter.insertIfNew(fill, amounts: amounts, instrumentID: stored.id, importID: importID,
                                                sourceLine: row.line, revision: revision) else { return nil }
        try applyToPosition(fill, id: id, revision: revision, row: row, instrument: stored, amounts: amounts, errors: &errors)
        return id
    }

    private mutating func compare(_ fill: Fill, with existing: StoredFill, row: NativeTradeFormat.Row, differences: [String],
                                  errors: inout InputErrors) throws -> Int64? {
        let line = row.line
        if differences.isEmpty {
            duplicates += 1
            if existing.fill.book != fill.book { duplicatesInOtherBooks[existing.fill.book, default: 0] += 1 }
            lastMatch = (existing.id, existing.importID)
            return existing.id
        }
        let source = try earlierSource(importID: existing.importID, line: existing.sourceLine, currentImportID: importID,
                                       currentFile: file, ledger: ledger)
        if differences == ["book"], existing.importID != importID {
            // A file imported again into another book: one error says it all, not one per fill.
            if booksReported.insert(existing.fill.book).inserted {
                errors.append(InputError(file: file, line: line, column: 1,
                    message: "trade_id '\(fill.tradeID)' of venue '\(fill.venue)' is already in the ledger in book '\(existing.fill.book)' (from \(source)), and this import puts it in book '\(fill.book)'; a fill keeps the book it was first imported into: to move this file's fills, void that import (`hedgeledger void import \(existing.importID) --reason ...`) and import the file again. Further fills like it are not listed"))
            }
            return nil
        }
        let described = differences.map { "\($0) (\(existing.fill.value(of: $0)) there, \(fill.value(of: $0)) here)" }
        // At the first differing cell the row knows the place of; else at the row.
        let cell: (line: Int, column: Int) = switch differences[0] {
        case let name where name.hasPrefix("timestamp"): row.timestampPosition
        case "instrument": row.instrumentPosition
        case "quantity": row.quantityPosition
        case "price": row.pricePosition
        default: (line, 1)
        }
        errors.append(InputError(file: file, line: cell.line, column: cell.column,
            message: "trade_id '\(fill.tradeID)' of venue '\(fill.venue)' was already imported from \(source) with a different \(described.joined(separator: ", ")); a fill is never changed once recorded"))
        return nil
    }

    mutating func finish(_ outcome: ReadOutcome, now: Timestamp, rowsAccepted: Int? = nil, rowsDuplicate: Int? = nil) throws -> ImportSummary {
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
            format: outcome.format, rowsAccepted: rowsAccepted ?? accepted, rowsDuplicate: rowsDuplicate ?? duplicates, rowsRejected: 0,
            importedAt: now))
        try JournalChain.appendImport(id: importID, blocks: digester.finish(), ledger: ledger)
        return ImportSummary(file: file, importID: importID, format: outcome.format, rowsRead: outcome.rows,
                             accepted: accepted, duplicates: duplicates, positionsUpdated: touched.count,
                             positionsRebuilt: late.count, sha256: outcome.sha256,
                             sizeBytes: outcome.sizeBytes, duplicatesInOtherBooks: duplicatesInOtherBooks,
                             latestFillAfterNow: touched.map(\.latest).max().flatMap { $0 > now ? $0 : nil })
    }
}

