/// Records voids: corrections that take fills out of positions and everything derived from
/// them without editing or deleting a fill. A void names a whole import or one fill, with a
/// reason, who voided and when; the positions it touches are rebuilt from the fills that
/// still count, in the same transaction. Importing a corrected file afterwards works: the
/// same (venue, trade id) gets a new revision.
public struct VoidService {
    public enum Target: Sendable, Hashable {
        case importRun(Int64)
        case fill(venue: String, tradeID: String)
    }

    /// Why a void was not recorded.
    public enum Refusal: Error, CustomStringConvertible {
        case emptyReason
        case unknownImport(Int64, highest: Int64)
        case notATradeImport(Int64, kind: String)
        case importAlreadyVoided(Int64, voidID: Int64)
        /// The import brought no fill that still counts: every row was a duplicate, or each of
        /// its fills was voided on its own.
        case importHasNoLiveFills(Int64, accepted: Int, duplicates: Int)
        case unknownFill(venue: String, tradeID: String)
        case fillAlreadyVoided(venue: String, tradeID: String)

        public var description: String {
            switch self {
            case .emptyReason: return "a void needs a reason (--reason TEXT): it is kept forever beside the fills"
            case let .unknownImport(id, highest):
                return "there is no import #\(id)\(highest > 0 ? "; imports are numbered 1 to \(highest) (see `hedgeledger imports`)" : "; the ledger has no imports yet")"
            case let .notATradeImport(id, kind):
                return "import #\(id) imported \(kind); only trade imports can be voided"
            case let .importAlreadyVoided(id, voidID): return "import #\(id) was already voided (void #\(voidID))"
            case let .importHasNoLiveFills(id, accepted, duplicates):
                if accepted == 0 {
                    return "import #\(id) brought no fills: its \(duplicates) row\(duplicates == 1 ? " was a duplicate" : "s were duplicates") of fills imported earlier, which still count; void the import that brought them (see `hedgeledger imports`)"
                }
                return "every fill import #\(id) brought is already voided (see `hedgeledger voids`); nothing to void"
            case let .unknownFill(venue, tradeID):
                return "no fill of venue '\(venue)' has trade id '\(tradeID)' (see `hedgeledger positions` and the imports; the default venue is 'unspecified')"
            case let .fillAlreadyVoided(venue, tradeID): return "the fill of venue '\(venue)' with trade id '\(tradeID)' is already voided"
            }
        }
    }

    public struct Summary: Sendable {
        public var voidID: Int64
        public var fills: Int
        public var positionsRebuilt: Int

        public var line: String {
            "void #\(voidID) recorded: \(fills) fill\(fills == 1 ? " no longer counts" : "s no longer count"), \(positionsRebuilt) position\(positionsRebuilt == 1 ? "" : "s") rebuilt"
        }
    }

    public let ledger: Ledger
    public var waitSeconds: Double

    public init(ledger: Ledger, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.waitSeconds = waitSeconds
    }

    public func void(_ target: Target, reason: String, voidedBy: String, now: Timestamp) throws -> Summary {
        let reason = reason.trimmingCharacters(in: " \t\n\r")
        guard !reason.isEmpty else { throw Refusal.emptyReason }
        return try ledger.write(waitSeconds: waitSeconds) {
            var fills: [(id: Int64, book: String, instrumentID: Int64, time: Timestamp)]
            var importID: Int64?, fillID: Int64?
            switch target {
            case .importRun(let id):
                guard let record = try ledger.imports.find(id: id) else {
                    throw Refusal.unknownImport(id, highest: try ledger.imports.nextID() - 1)
                }
                guard record.kind == "trades" else { throw Refusal.notATradeImport(id, kind: record.kind) }
                if let earlier = try ledger.voids.findVoid(ofImport: id) { throw Refusal.importAlreadyVoided(id, voidID: earlier.id) }
                fills = try ledger.fills.liveFills(importID: id)
                guard !fills.isEmpty else {
                    throw Refusal.importHasNoLiveFills(id, accepted: record.rowsAccepted, duplicates: record.rowsDuplicate)
                }
                importID = id
            case let .fill(venue, tradeID):
                guard let stored = try ledger.fills.findLive(venue: venue, tradeID: tradeID) else {
                    if try ledger.fills.revisions(venue: venue, tradeID: tradeID) > 0 {
                        throw Refusal.fillAlreadyVoided(venue: venue, tradeID: tradeID)
                    }
                    throw Refusal.unknownFill(venue: venue, tradeID: tradeID)
                }
                fills = [(stored.id, stored.fill.book, stored.instrumentID, stored.fill.time)]
                fillID = stored.id
            }
            let voidID = try ledger.voids.insert(importID: importID, fillID: fillID, reason: reason, voidedBy: voidedBy,
                                                 time: now, fillIDs: fills.map(\.id))
            try JournalChain.append(.void, id: voidID, ledger: ledger)
            // Each position replays from its last checkpoint before its earliest voided fill.
            var earliest: [PositionBuilder.Key: Timestamp] = [:]
            for fill in fills {
                let key = PositionBuilder.Key(book: fill.book, instrumentID: fill.instrumentID)
                earliest[key] = min(earliest[key] ?? fill.time, fill.time)
            }
            let touched = Set(earliest.keys)
            try PositionUpkeep.rebuild(touched, changedFrom: earliest, ledger: ledger)
            if let first = earliest.values.min() {
                try ledger.exposure.recordChange(earliest: first, cause: "void #\(voidID)", at: now)
            }
            return Summary(voidID: voidID, fills: fills.count, positionsRebuilt: touched.count)
        }
    }
}
