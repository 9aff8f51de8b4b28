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

    public init(ledger: Ledger, options: NativeTradeFormat.Options = .init(), waitSeconds: Double = 0) {
        self.ledger = ledger
        self.options = options
        self.waitSeconds = waitSeconds
    }

    public func importTrades(from source: ByteSource, now: Timestamp,
                             progress: ((ImportProgress) -> Void)? = nil) throws -> ImportSummary {
        try ledger.write(waitSeconds: waitSeconds) {
            var run = ImportRun(ledger: ledger, file: source.name, options: options)
            try run.start()
            let table = CSVTable<NativeTradeFormat.Column>(source: source)
            try table.read(required: NativeTradeFormat.required, formatName: "the native trade format",
                           rowNoun: "trades") { row in
                switch NativeTradeFormat.read(row, options: options) {
                case .failure(let rowErrors): rowErrors.errors.forEach { table.errors.append($0) }
                case .success(let row): try run.accept(row, errors: &table.errors)
                }
                if let progress, table.rows % 50_000 == 0 {
                    progress(ImportProgress(rows: table.rows, bytes: table.reader.bytesRead, totalBytes: source.expectedSize))
                }
            }
            return try run.finish(errors: table.errors, rowsRead: table.rows, sha256: table.reader.sha256Hex, sizeBytes: table.reader.bytesRead, now: now)
        }
    }
}

/// The state of one file's import inside its transaction.
private struct ImportRun {
    let ledger: Ledger
    let file: String
    let options: NativeTradeFormat.Options
    var importID: Int64 = 0
    var accepted = 0
    var duplicates = 0
    var inserter: FillRepository.Inserter?
    var instruments: [String: StoredInstrument] = [:]
    var unknownInstruments: [String: String] = [:]
    var positions: [PositionBuilder.Key: Position] = [:]
    var needsRebuild: Set<PositionBuilder.Key> = []

    init(ledger: Ledger, file: String, options: NativeTradeFormat.Options) {
        self.ledger = ledger
        self.file = file
        self.options = options
    }

    mutating func start() throws {
        importID = try ledger.imports.nextID()
        inserter = try ledger.fills.inserter()
        for stored in try ledger.instruments.all() { instruments[stored.instrument.symbol] = stored }
    }

    mutating func accept(_ row: NativeTradeFormat.Row, errors: inout InputErrors) throws {
        var fill = row.fill
        guard let stored = try instrument(named: fill.instrument, at: row.instrumentPosition, errors: &errors) else { return }
        let instrument = stored.instrument
        if !row.feeCurrencyGiven { fill.feeCurrency = instrument.settlementCurrency }
        if let size = instrument.contractSize, !(fill.quantity / size).isInteger {
            errors.append(InputError(file: file, line: row.quantityPosition.line, column: row.quantityPosition.column,
                message: "quantity: '\(fill.quantity)' is not a multiple of \(instrument.symbol)'s contract size \(size) \(instrument.amountUnit) (its amounts are in \(instrument.amountUnit), not coin)"))
            return
        }
        guard try inserter!.insertIfNew(fill, instrumentID: stored.id, importID: importID, sourceLine: row.line) else {
            try compareWithExisting(fill, line: row.line, errors: &errors)
            return
        }
        accepted += 1
        let key = PositionBuilder.Key(book: fill.book, instrumentID: stored.id)
        if needsRebuild.contains(key) { return }
        var position = try positions[key] ?? ledger.positions.find(book: fill.book, instrument: stored)
            ?? Position(book: fill.book, instrument: instrument)
        if position.accepts(inOrder: fill.orderKey) {
            position.apply(fill)
            positions[key] = position
        } else {
            needsRebuild.insert(key)
            positions[key] = nil
        }
    }

    private mutating func instrument(named symbol: String, at position: (line: Int, column: Int),
                                     errors: inout InputErrors) throws -> StoredInstrument? {
        if let stored = instruments[symbol] { return stored }
        if let reason = unknownInstruments[symbol] {
            errors.append(InputError(file: file, line: position.line, column: position.column, message: "instrument: \(reason)"))
            return nil
        }
        switch InstrumentName.parse(symbol) {
        case .success(let instrument):
            let stored = try ledger.instruments.insert(instrument, importID: nil)
            instruments[symbol] = stored
            return stored
        case .failure(let problem):
            unknownInstruments[symbol] = problem.reason
            errors.append(InputError(file: file, line: position.line, column: position.column, message: "instrument: \(problem.reason)"))
            return nil
        }
    }

    private mutating func compareWithExisting(_ fill: Fill, line: Int, errors: inout InputErrors) throws {
        guard let existing = try ledger.fills.find(venue: fill.venue, tradeID: fill.tradeID) else { return }
        let differences = fill.differences(from: existing.fill)
        if differences.isEmpty {
            duplicates += 1
            return
        }
        let source: String
        if existing.importID == importID {
            source = "\(file):\(existing.sourceLine)"
        } else {
            let earlier = try ledger.imports.find(id: existing.importID)
            source = "\(earlier?.fileName ?? "import #\(existing.importID)"):\(existing.sourceLine) (import #\(existing.importID))"
        }
        errors.append(InputError(file: file, line: line, column: 1,
            message: "trade_id '\(fill.tradeID)' of venue '\(fill.venue)' was already imported from \(source) with a different \(differences.joined(separator: ", ")); a fill is never changed once recorded"))
    }

    mutating func finish(errors: InputErrors, rowsRead: Int, sha256: String, sizeBytes: Int64, now: Timestamp) throws -> ImportSummary {
        guard errors.isEmpty else { throw errors }

        if !needsRebuild.isEmpty {
            let rebuilt = try PositionBuilder.build(ledger: ledger, through: Timestamp(microseconds: .max)) { book, instrument in
                guard let id = instruments[instrument.symbol]?.id else { return false }
                return needsRebuild.contains(PositionBuilder.Key(book: book, instrumentID: id))
            }
            for (key, position) in rebuilt { positions[key] = position }
        }
        for (key, position) in positions { try ledger.positions.save(position, instrumentID: key.instrumentID) }

        try ledger.imports.insert(ImportRecord(
            id: importID, kind: "trades", fileName: file, sha256: sha256, sizeBytes: sizeBytes,
            format: NativeTradeFormat.name, rowsAccepted: accepted, rowsDuplicate: duplicates, rowsRejected: 0,
            importedAt: now))
        return ImportSummary(file: file, importID: importID, format: NativeTradeFormat.name, rowsRead: rowsRead,
                             accepted: accepted, duplicates: duplicates, positionsUpdated: positions.count,
                             positionsRebuilt: needsRebuild.count, sha256: sha256, sizeBytes: sizeBytes)
    }
}

extension ExactDecimal {
    public var isInteger: Bool { units % ExactDecimal.unitsPerOne == 0 }
}
