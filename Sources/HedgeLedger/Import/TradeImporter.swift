#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// Set when the file was a venue transaction log.
    public var venueLog: VenueLogOutcome?
    /// Rows a mapping's `only` or `skip` left out, by the filter's column and cell (`Type FUNDING`).
    public var skippedByMapping: [String: Int] = [:]
    /// Duplicates whose fill is stored in another book than this import's, by that book.
    public var duplicatesInOtherBooks: [String: Int] = [:]
    /// The latest of the file's fills, when it is dated after the import ran (a mistyped year?):
    /// positions and reports as of now leave such fills out.
    public var latestFillAfterNow: Timestamp?

    public var line: String {
        if let log = venueLog { return venueLogLine(log) }
        let news = accepted == 0 && duplicates > 0 ? "nothing new: " : ""
        let leftOut = skippedByMapping.values.reduce(0, +)
        // Named by kind: a position-changing row type the mapping does not import (a liquidation) must show.
        let kinds = skippedByMapping.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8)
            .map { "\($0.value) with \($0.key.escapingControlCharacters)" }.joined(separator: ", ") + (skippedByMapping.count > 8 ? ", …" : "")
        let left = leftOut > 0 ? ", \(leftOut) row\(leftOut == 1 ? "" : "s") left out by the mapping (\(kinds))" : ""
        let elsewhere = duplicatesInOtherBooks.sorted { $0.key < $1.key }.map { "\($0.value) in book '\($0.key)'" }
        let books = elsewhere.isEmpty ? "" : " (\(elsewhere.joined(separator: ", ")): a fill keeps the book it was first imported into; to move it, void that import and import the file again)"
        return "\(file): \(news)\(accepted) fill\(accepted == 1 ? "" : "s") imported, \(duplicates) duplicate\(duplicates == 1 ? "" : "s") skipped\(books)\(left), \(positionsUpdated) position\(positionsUpdated == 1 ? "" : "s") updated (import #\(importID))\(afterNow)"
    }

    /// A note on fills dated after the import ran, if any.
    var afterNow: String { afterNowNote.map { "; note: \($0)" } ?? "" }

    /// The same note on its own line, printed even with `--quiet`.
    public var afterNowWarning: String? { afterNowNote.map { "warning: \(file): \($0)" } }

    private var afterNowNote: String? {
        latestFillAfterNow.map { "its fills run to \($0.iso8601), after now: positions and reports as of now leave the later ones out (a mistyped date?)" }
    }
}

extension ImportSummary {
    private func venueLogLine(_ log: VenueLogOutcome) -> String {
        let news = log.rowsImported == 0 && log.duplicates > 0 ? "nothing new: " : ""
        let types = DeribitTransactionLog.EntryType.allCases.compactMap { type in
            log.rowsByType[type].map { "\($0) \(type.rawValue)" }
        }.joined(separator: ", ")
        var parts = ["\(file): \(news)\(log.rowsImported) log row\(log.rowsImported == 1 ? "" : "s") of account \(log.account) \(log.currency) imported\(types.isEmpty ? "" : " (\(types))")"]
        parts.append("\(log.fills) fill\(log.fills == 1 ? "" : "s") added\(log.fillsAlreadyInLedger > 0 ? " (\(log.fillsAlreadyInLedger) more trade\(log.fillsAlreadyInLedger == 1 ? "" : "s") matched fills already in the ledger)" : "")")
        parts.append("\(log.duplicates) duplicate row\(log.duplicates == 1 ? "" : "s") skipped")
        parts.append("\(positionsUpdated) position\(positionsUpdated == 1 ? "" : "s") updated")
        if log.mismatches > 0 { parts.append("\(log.mismatches) check mismatch\(log.mismatches == 1 ? "" : "es") recorded (see `hedgeledger balances`)") }
        if let balance = log.balance { parts.append("balance \(balance) \(log.currency) after its last row") }
        return parts.joined(separator: ", ") + " (import #\(importID))\(afterNow)"
    }
}

/// A data row of a trade file: the native format's, or a venue transaction log's.
enum TradeFileRow: Sendable {
    case native(NativeTradeFormat.Item)
    case venueLog(DeribitTransactionLog.Entry)
    /// A row read through a mapping file, with the instrument it defines when its name is not one hedgeledger reads.
    case mapped(MappedTradeFormat.Item)
    /// A row the mapping leaves out, because of a filter's column and its cell (`Type FUNDING`).
    case skipped(because: String)
    /// A venue log's row refused while reading (its line): the rows after it miss its change.
    case refusedLogRow(line: Int)
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
    public var venueLogOptions: VenueLogOptions
    /// Read every file through this mapping instead of detecting its format.
    public var mapping: TradeMapping?
    public var waitSeconds: Double

    public init(ledger: Ledger, options: NativeTradeFormat.Options = .init(), venueLogOptions: VenueLogOptions = .init(),
                mapping: TradeMapping? = nil, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.options = options
        self.venueLogOptions = venueLogOptions
        self.mapping = mapping
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
        // A venue log is applied as it streams while its UserSeq rises. One that goes back (Deribit
        // writes newest first) is imported again from the start, read in UserSeq order: from the
        // file in place when it is a regular file (from an inflated copy for gzip), from a copy made
        // as it was read for standard input, which cannot be read twice (an unlinked temporary
        // file). Only when no copy can be made are its rows gathered and sorted in memory.
        var spool: Int32?
        if !source.canReopen, mapping == nil, let copy = try? RecordOrder.temporaryCopy(of: source.name) {
            source.spool = copy
            source.spoolIsOptional = true  // only a log that goes back needs it: a full disk must not refuse the rest
            spool = copy
        }
        defer { if let spool { close(spool) } }
        do {
            return try ledger.write(waitSeconds: waitSeconds) {
                try importOnce(source, now: now, gatherLog: !source.canReopen && spool == nil, progress: progress)
            }
        } catch is VenueLogImport.OutOfOrder {
            if let copy = spool {
                try source.readToEnd()
                if let failure = source.spoolFailure {
                    throw ByteSource.OpenError(path: source.name, reason: "its rows go back (a newest-first log) and \(failure); save it to a file and import that")
                }
                source.spool = nil
                spool = nil  // the order owns it now
                if let order = try RecordOrder.sorted(standardInput: source, spool: copy, keyFor: DeribitTransactionLog.sequenceKey) {
                    return try ledger.write(waitSeconds: waitSeconds) {
                        try importOnce(ByteSource(order), now: now, gatherLog: false, progress: progress)
                    }
                }
                throw ByteSource.OpenError(path: source.name, reason: "its rows go back and cannot be put in UserSeq order")
            }
            if let order = try RecordOrder.sorted(path: source.name, compressed: source.isCompressed,
                                                  keyFor: DeribitTransactionLog.sequenceKey) {
                do {
                    return try ledger.write(waitSeconds: waitSeconds) {
                        try importOnce(ByteSource(order), now: now, gatherLog: false, progress: progress)
                    }
                } catch is VenueLogImport.OutOfOrder {
                    // Not expected (the rows are sorted by the UserSeq they are read with); gathering still orders them.
                }
            }
            let again = try source.reopened()
            return try ledger.write(waitSeconds: waitSeconds) {
                try importOnce(again, now: now, gatherLog: true, progress: progress)
            }
        }
    }

    private func importOnce(_ source: ByteSource, now: Timestamp, gatherLog: Bool,
                            progress: ((ImportProgress) -> Void)?) throws -> ImportSummary {
        var run = try ImportRun(ledger: ledger, file: source.name)
        let options = options, mapping = mapping
        var log: VenueLogImport?
        func startLog() throws {
            guard log == nil else { return }
            try ledger.sizeCacheForOrderedImport()
            log = VenueLogImport(ledger: ledger, file: source.name, book: options.defaultBook, options: venueLogOptions,
                                 gather: gatherLog, expectedSize: source.expectedSize)
        }
        var skipped: [String: Int] = [:]
        var outcome = try ImportPipeline.run(
            source: source, rowNoun: "trades", example: "trade_id,timestamp,instrument,side,quantity,price",
            recogniseExports: mapping == nil,
            parserFor: { header, file in
                if let mapping { return MappedTradeFormat.parser(mapping: mapping, header: header, file: file, options: options) }
                return DeribitTransactionLog.recognises(header)
                    ? DeribitTransactionLog.parser(for: header, file: file).map {
                        $0.mapped(TradeFileRow.venueLog).refusing { TradeFileRow.refusedLogRow(line: $0) }
                    }
                    : NativeTradeFormat.parser(for: header, file: file, options: options).map { $0.mapped(TradeFileRow.native) }
            },
            progress: progress
        ) { row, errors in
            switch row {
            case .native(let item): try run.accept(item.row, amounts: item.amounts, errors: &errors)
            case .venueLog(let entry):
                try startLog()
                try log!.add(entry, run: &run)
            case .refusedLogRow:
                try startLog()
                log!.rowRefused()
            case .mapped(let item):
                var found = InputErrors(file: source.name)
                try run.accept(item.native.row, amounts: item.native.amounts, definition: item.definition, errors: &found)
                for error in found.errors { errors.append(item.annotated(error)) }
            case .skipped(let reason): skipped[reason, default: 0] += 1
            }
        }
        guard var log else {
            var summary = try run.finish(outcome, now: now)
            summary.skippedByMapping = skipped
            return summary
        }
        let applied = outcome.errors.isEmpty ? try log.finish(run: &run) : nil
        outcome.errors = outcome.errors.merged(with: log.errors)
        var summary = try run.finish(outcome, now: now, rowsAccepted: applied?.rowsImported, rowsDuplicate: applied?.duplicates)
        summary.venueLog = applied
        return summary
    }
}
