/// Imports an external hedger's decision log:
///
///     decision_id,time,book,underlying,action[,instrument,quantity,reference_price,reason,rationale,decided_by,
///                                             net_delta,gamma,band_low,band_high,underlying_price,supersedes]
///
/// All or nothing per file, like trades, with every bad cell located. Idempotent on the
/// decision id: the same decision again is a duplicate, skipped; a different one with that id
/// is an error naming where the first came from. Inputs not given are taken from the ledger's
/// exposure history at the decision's time, as `hedge record` does.
public struct DecisionImporter {
    public static let formatName = "hedgeledger-decisions-csv"

    public enum Column: Int, CSVColumn {
        case decisionID, time, book, underlying, action
        case instrument, quantity, referencePrice, reason, rationale, decidedBy
        case netDelta, gamma, bandLow, bandHigh, underlyingPrice, supersedes

        public var name: String {
            switch self {
            case .decisionID: "decision_id"
            case .time: "time"
            case .book: "book"
            case .underlying: "underlying"
            case .action: "action"
            case .instrument: "instrument"
            case .quantity: "quantity"
            case .referencePrice: "reference_price"
            case .reason: "reason"
            case .rationale: "rationale"
            case .decidedBy: "decided_by"
            case .netDelta: "net_delta"
            case .gamma: "gamma"
            case .bandLow: "band_low"
            case .bandHigh: "band_high"
            case .underlyingPrice: "underlying_price"
            case .supersedes: "supersedes"
            }
        }
    }

    public struct Summary: Sendable {
        public var file: String
        public var importID: Int64
        public var added: Int
        public var duplicates: Int
        public var line: String {
            "\(file): \(added) decision\(added == 1 ? "" : "s") imported, \(duplicates) duplicate\(duplicates == 1 ? "" : "s") skipped (import #\(importID))"
        }
    }

    public let ledger: Ledger
    public var assumeUTC: Bool
    public var waitSeconds: Double

    public init(ledger: Ledger, assumeUTC: Bool = false, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.assumeUTC = assumeUTC
        self.waitSeconds = waitSeconds
    }

    /// A row read into a decision (its key given, source `import`), or every problem with it.
    static func decision(from row: CSVRow<Column>, assumeUTC: Bool) -> Result<HedgeDecision, RowErrors> {
        var row = row
        let key = row.required(.decisionID)
        let time = row.timestamp(.time, row.required(.time), assumeUTC: assumeUTC)
        let book = row.required(.book), underlying = row.required(.underlying)
        var action: HedgeDecision.Action?
        if let text = row.required(.action) {
            action = HedgeDecision.Action(rawValue: text.lowercased())
            if action == nil { row.problem(.action, "'\(text.escapingControlCharacters)' is not rebalance, hold or skip") }
        }
        let quantity = row.value(.quantity).flatMap { row.decimal(.quantity, $0) }
        let price = row.value(.referencePrice).flatMap { row.decimal(.referencePrice, $0) }
        func number(_ column: Column) -> Double? {
            guard let text = row.value(column) else { return nil }
            guard let value = Double(text), value.isFinite, abs(value) < 1e15 else {
                row.problem(column, "'\(text.escapingControlCharacters)' is not a finite number")
                return nil
            }
            return value
        }
        let inputs = HedgeDecision.Inputs(netDelta: number(.netDelta), gamma: number(.gamma), bandLow: number(.bandLow),
                                          bandHigh: number(.bandHigh), underlyingPrice: number(.underlyingPrice))
        guard row.errors.isEmpty, let key, let time, let book, let underlying, let action else {
            return .failure(RowErrors(errors: row.errors))
        }
        let decision = HedgeDecision(key: key, time: time, book: book, underlying: underlying.uppercased(), action: action,
                                     reason: row.value(.reason), instrument: row.value(.instrument), quantity: quantity,
                                     referencePrice: price, inputs: inputs, decidedBy: row.value(.decidedBy) ?? "imported",
                                     rationale: row.value(.rationale) ?? "", source: .importFile, supersedes: row.value(.supersedes))
        if let problem = decision.problem {
            row.problem(.action, problem)
            return .failure(RowErrors(errors: row.errors))
        }
        return .success(decision)
    }

    public func importDecisions(from source: ByteSource, now: Timestamp) throws -> Summary {
        try ledger.write(waitSeconds: waitSeconds) {
            let file = source.name
            let importID = try ledger.imports.nextID()
            let journal = HedgeJournalService(ledger: ledger)
            var added = 0, duplicates = 0
            let assumeUTC = assumeUTC
            let outcome = try ImportPipeline.run(
                source: source, rowNoun: "decisions", example: "decision_id,time,book,underlying,action,instrument,quantity,reference_price",
                parserFor: { header, file in
                    RowParser.columns(Column.self, header: header, required: [.decisionID, .time, .book, .underlying, .action],
                                      file: file, formatName: Self.formatName, describedAs: "the decision format") { row in
                        Self.decision(from: row, assumeUTC: assumeUTC).map {
                            (decision: $0, line: row.line, supersedesColumn: row.header.index(of: .supersedes) == nil ? 1 : row.cell(.supersedes).column)
                        }
                    }
                },
                progress: nil
            ) { item, errors in
                if let existing = try ledger.hedgeDecisions.find(key: item.decision.key) {
                    var same = existing.decision
                    same.source = item.decision.source
                    same.inputs = item.decision.inputs == .init() ? .init() : same.inputs
                    same.policyID = nil
                    var given = item.decision
                    given.policyID = nil
                    if same == given {
                        duplicates += 1
                    } else {
                        let origin = try earlierSource(importID: existing.importID ?? -1, line: existing.sourceLine, currentImportID: importID,
                                                       currentFile: file, ledger: ledger)
                        errors.append(InputError(file: file, line: item.line, column: 1,
                            message: "decision_id '\(item.decision.key.escapingControlCharacters)' was already recorded (\(existing.importID == nil ? "by `hedge \(existing.decision.source.rawValue)`" : "from \(origin)")) with different content; a decision is never changed once recorded"))
                    }
                    return
                }
                do {
                    _ = try journal.insert(item.decision, now: now, importID: importID, sourceLine: item.line)
                    added += 1
                } catch let refusal as HedgeJournalService.Refusal {
                    // A refusal about the decision it supersedes points at that cell.
                    let column = switch refusal {
                    case .unknownDecision, .alreadySuperseded, .correctionOfAnotherPair, .supersedesItself: item.supersedesColumn
                    default: 1
                    }
                    errors.append(InputError(file: file, line: item.line, column: column,
                                             message: (column == 1 ? "" : "supersedes: ") + refusal.description))
                } catch let unknown as UnknownInstrument {
                    errors.append(InputError(file: file, line: item.line, column: 1, message: "instrument: \(unknown.description)"))
                }
            }
            guard outcome.errors.isEmpty else { throw outcome.errors }
            try ledger.imports.insert(ImportRecord(
                id: importID, kind: "decisions", fileName: file, sha256: outcome.sha256, sizeBytes: outcome.sizeBytes,
                format: outcome.format, rowsAccepted: added, rowsDuplicate: duplicates, rowsRejected: 0, importedAt: now))
            try JournalChain.append(.importRun, id: importID, ledger: ledger)
            return Summary(file: file, importID: importID, added: added, duplicates: duplicates)
        }
    }
}
