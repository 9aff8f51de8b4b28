/// What one snapshot file's import did.
public struct SnapshotImportSummary: Sendable {
    public var file: String
    public var importID: Int64
    public var format: String
    public var marks: Int
    public var indexPrices: Int
    public var settlements: Int
    public var duplicates: Int

    public var line: String {
        let added = marks + indexPrices + settlements
        let news = added == 0 && duplicates > 0 ? "nothing new: " : ""
        return "\(file): \(news)\(marks) mark\(marks == 1 ? "" : "s"), \(indexPrices) index price\(indexPrices == 1 ? "" : "s") and \(settlements) settlement price\(settlements == 1 ? "" : "s") imported, \(duplicates) duplicate\(duplicates == 1 ? "" : "s") skipped (\(format), import #\(importID))"
    }
}

/// Imports market snapshots, one file per transaction, with the trade import's rules: all or
/// nothing per file, every bad row reported, the same snapshot twice skipped as a duplicate,
/// the same instrument and moment with different content an error naming both sources.
public struct SnapshotImporter {
    public let ledger: Ledger
    public var assumeUTC: Bool
    public var waitSeconds: Double

    public init(ledger: Ledger, assumeUTC: Bool = false, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.assumeUTC = assumeUTC
        self.waitSeconds = waitSeconds
    }

    public func importSnapshots(from source: ByteSource, now: Timestamp,
                                progress: ((ImportProgress) -> Void)? = nil) throws -> SnapshotImportSummary {
        try ledger.sizeCache(forImportOf: source.expectedSize)
        return try ledger.write(waitSeconds: waitSeconds) {
            let file = source.name
            let importID = try ledger.imports.nextID()
            var instruments = try InstrumentResolver(ledger: ledger)
            let marks = try ledger.marks.inserter()
            var counts = (marks: 0, index: 0, settlements: 0, duplicates: 0)
            var coverage: [Int64: (first: Timestamp, last: Timestamp, added: Int)] = [:]
            var earliest: Timestamp?  // of what this file added: where the exposure history can change from
            var digester = JournalChain.MarketDigester(importID: importID)  // the rows it stored, for its record
            let assumeUTC = assumeUTC
            let outcome = try ImportPipeline.run(
                source: source, rowNoun: "snapshots", example: "timestamp,instrument,mark_price,underlying_price,mark_iv",
                parserFor: { header, file in SnapshotFormat.parser(for: header, file: file, assumeUTC: assumeUTC) },
                progress: progress
            ) { item, errors in
                switch item {
                case let .mark(encoded, line, instrumentAt, underlyingAt, markPriceAt):
                    let mark = encoded.mark
                    guard let stored = try instruments.resolve(mark.instrument, at: (instrumentAt.line, instrumentAt.column),
                                                               file: file, errors: &errors) else { return }
                    if let problem = stored.instrument.premiumProblem(mark.markPrice) {
                        errors.append(InputError(file: file, line: markPriceAt.line, column: markPriceAt.column,
                                                 message: "mark_price: \(problem)"))
                        return
                    }
                    if stored.instrument.kind == .option && mark.underlyingPrice == nil {
                        errors.append(InputError(file: file, line: underlyingAt.line, column: underlyingAt.column,
                            message: "underlying_price: options need the forward they are priced on"))
                        return
                    }
                    if try marks.insertIfNew(encoded, instrumentID: stored.id, importID: importID) {
                        digester.add(encoded, instrumentID: stored.id, symbol: stored.instrument.symbol)
                        counts.marks += 1
                        earliest = min(earliest ?? mark.time, mark.time)
                        if let seen = coverage[stored.id] {
                            coverage[stored.id] = (min(seen.first, mark.time), max(seen.last, mark.time), seen.added + 1)
                        } else {
                            coverage[stored.id] = (mark.time, mark.time, 1)
                        }
                    } else if let existing = try ledger.marks.find(instrumentID: stored.id, time: mark.time) {
                        let differences = mark.differences(from: existing.mark)
                        if differences.isEmpty {
                            counts.duplicates += 1
                        } else {
                            errors.append(InputError(file: file, line: line, column: 1,
                                message: "\(mark.instrument) at \(mark.time.iso8601) was already imported from \(try earlierSource(importID: existing.importID, line: nil, currentImportID: importID, currentFile: file, ledger: ledger)) with a different \(differences.joined(separator: ", ")); a snapshot is never changed once recorded"))
                        }
                    }
                case let .index(price, line):
                    if try ledger.indexPrices.insertIfNew(price, importID: importID) {
                        digester.add(price)
                        earliest = min(earliest ?? price.time, price.time)
                        if price.kind == .settlement { counts.settlements += 1 } else { counts.index += 1 }
                    } else if let existing = try ledger.indexPrices.find(price.kind, index: price.index, time: price.time) {
                        if existing.price.price == price.price {
                            counts.duplicates += 1
                        } else {
                            errors.append(InputError(file: file, line: line, column: 1,
                                message: "\(price.kind == .settlement ? "the settlement price" : "the price") of \(price.index) at \(price.time.iso8601) was already imported from \(try earlierSource(importID: existing.importID, line: nil, currentImportID: importID, currentFile: file, ledger: ledger)) as \(existing.price.price)"))
                        }
                    }
                }
            }
            guard outcome.errors.isEmpty else { throw outcome.errors }
            for (instrumentID, range) in coverage {
                try ledger.marks.extendCoverage(instrumentID: instrumentID, first: range.first, last: range.last, added: range.added)
            }
            if let earliest {
                try ledger.exposure.recordChange(earliest: earliest, cause: "snapshots import #\(importID)", at: now)
            }
            try ledger.imports.insert(ImportRecord(
                id: importID, kind: "snapshots", fileName: file, sha256: outcome.sha256, sizeBytes: outcome.sizeBytes,
                format: outcome.format, rowsAccepted: counts.marks + counts.index + counts.settlements,
                rowsDuplicate: counts.duplicates, rowsRejected: 0, importedAt: now))
            try JournalChain.appendSnapshotImport(id: importID, digester: digester, ledger: ledger)
            return SnapshotImportSummary(file: file, importID: importID, format: outcome.format, marks: counts.marks,
                                         indexPrices: counts.index, settlements: counts.settlements,
                                         duplicates: counts.duplicates)
        }
    }
}
