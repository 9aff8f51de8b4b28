import Crypto
import Dispatch

/// `verify`: whether the ledger is whole and unchanged. SQLite's own integrity and foreign-key
/// checks, the schema (checked on every open), every chain entry recomputed from the records as
/// they are stored now, every record chained, every fill in its import's digests, the stored
/// positions against a rebuild from the fills, and the stored exposure history against a
/// recompute. Each check names the first thing wrong.
public struct LedgerVerifier {
    public struct Check: Sendable {
        public var name: String
        /// nil: not checked (the detail says why).
        public var passed: Bool?
        public var detail: String
        /// How long the check took, by the clock the verifier was given.
        public var seconds: Double = 0
    }

    public struct Result: Sendable {
        public var checks: [Check]
        public var head: ChainEntry?
        public var records: Int
        public var fills: Int
        /// With `--head`: the entry the given head is, if it is in the chain.
        public var givenHead: (hash: String, entry: ChainEntry?)?
        /// How long the whole verification took (the chain and fills checks overlap).
        public var seconds: Double = 0

        public var passed: Bool { checks.allSatisfy { $0.passed != false } && (givenHead.map { $0.entry != nil } ?? true) }

        /// Whether the ledger is whole and unchanged: every check but the assertions', whose failure
        /// is a disagreement with a statement (an exception of the day), not a change behind the tool's back.
        public var unchanged: Bool {
            checks.allSatisfy { $0.passed != false || $0.name == LedgerVerifier.assertionsCheck } && (givenHead.map { $0.entry != nil } ?? true)
        }
    }

    static let assertionsCheck = "position assertions"

    public let ledger: Ledger
    public let codeVersion: String
    /// Times each check (the CLI passes the wall clock; tests need none).
    public let clock: @Sendable () -> Timestamp

    public init(ledger: Ledger, codeVersion: String, clock: @escaping @Sendable () -> Timestamp = { Timestamp(microseconds: 0) }) {
        self.ledger = ledger
        self.codeVersion = codeVersion
        self.clock = clock
    }

    private static func timed<T>(_ clock: () -> Timestamp, _ body: () throws -> T) rethrows -> (T, Double) {
        let start = clock()
        let value = try body()
        return (value, clock().seconds(since: start))
    }

    private func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = clock()
        let value = try body()
        return (value, clock().seconds(since: start))
    }

    /// `quick`: SQLite's checks, the schema, the chain and the fills only (no positions rebuild,
    /// no history recompute).
    public func verify(head given: String? = nil, quick: Bool = false) throws -> Result {
        var checks: [Check] = []
        let started = clock()
        let (integrity, integritySeconds) = try timed { try ledger.chain.integrityCheck() }
        checks.append(Check(name: "sqlite integrity", passed: integrity == ["ok"], detail: integrity.prefix(3).joined(separator: "; "),
                            seconds: integritySeconds))
        let (foreign, foreignSeconds) = try timed { try ledger.chain.foreignKeyViolations() }
        checks.append(Check(name: "foreign keys", passed: foreign.isEmpty,
                            detail: foreign.isEmpty ? "every reference resolves" : "\(foreign.count) violation\(foreign.count == 1 ? "" : "s"), first: \(foreign[0])",
                            seconds: foreignSeconds))
        checks.append(Check(name: "schema", passed: true,
                            detail: "tables, indexes and triggers are exactly those of migrations 1 to \(Schema.migrations.count)"))
        let (instruments, instrumentSeconds) = try timed { try checkInstruments() }
        checks.append(with(instruments, seconds: instrumentSeconds))
        // The chain and the fills are the two long checks and independent: the chain is checked
        // on a second read-only connection on another thread meanwhile, when one can be opened.
        let clock = self.clock
        let chainRun: Background<((Check, [ChainEntry]), Double)>
        if let second = try? Ledger(path: ledger.path, access: .read, now: clock()) {
            let owned = Owned(second)
            chainRun = Background { try Self.timed(clock) { try Self.checkChain(ledger: owned.value) } }
        } else {
            let inline = Swift.Result { try timed { try Self.checkChain(ledger: ledger) } }
            chainRun = Background(finished: inline)
        }
        let fillOutcome = Swift.Result { try timed { try checkFills() } }
        let ((chainCheck, entries), chainSeconds) = try chainRun.wait()
        let ((fillCheck, fills), fillSeconds) = try fillOutcome.get()
        checks.append(with(chainCheck, seconds: chainSeconds))
        checks.append(with(fillCheck, seconds: fillSeconds))
        let (venueLogs, venueLogSeconds) = try timed { try checkVenueLogs() }
        checks.append(with(venueLogs, seconds: venueLogSeconds))
        let (assertions, assertionSeconds) = try timed { try checkAssertions() }
        checks.append(with(assertions, seconds: assertionSeconds))
        if quick {
            checks.append(Check(name: "market data", passed: nil, detail: "not checked (--quick)"))
            checks.append(Check(name: "positions", passed: nil, detail: "not checked (--quick)"))
            checks.append(Check(name: "exposure history", passed: nil, detail: "not checked (--quick)"))
        } else {
            let (market, marketSeconds) = try timed { try checkMarketData() }
            checks.append(with(market, seconds: marketSeconds))
            let (positions, positionSeconds) = try timed { try checkPositions() }
            checks.append(with(positions, seconds: positionSeconds))
            let (history, historySeconds) = try timed { try checkHistory() }
            checks.append(with(history, seconds: historySeconds))
        }
        var result = Result(checks: checks, head: entries.last, records: entries.count, fills: fills)
        result.seconds = clock().seconds(since: started)
        if let given {
            let wanted = given.lowercased()
            result.givenHead = (wanted, chainCheck.passed == true && fillCheck.passed == true ? entries.first { $0.hash == wanted } : nil)
        }
        return result
    }

    private func with(_ check: Check, seconds: Double) -> Check {
        var check = check
        check.seconds = seconds
        return check
    }

    /// Instruments are not chained, but a Deribit-style symbol says what its instrument is: the
    /// stored terms must be what the symbol reads as (strike, expiry, kind, settlement ...).
    private func checkInstruments() throws -> Check {
        var read = 0, described = 0
        for stored in try ledger.instruments.all() {
            guard case .success(let parsed) = InstrumentName.parse(stored.instrument.symbol) else { described += 1; continue }
            read += 1
            if parsed != stored.instrument {
                return Check(name: "instruments", passed: false,
                             detail: "\(stored.instrument.symbol) is stored with terms its name does not give (changed outside hedgeledger): strike \(stored.instrument.strike.map { "\($0)" } ?? "-"), expiry \(stored.instrument.expiry?.iso8601 ?? "-")")
            }
        }
        return Check(name: "instruments", passed: true,
                     detail: "\(read) instruments' terms match their names" + (described > 0 ? "; \(described) described by an instruments import are covered by its record only" : ""))
    }

    /// Recomputes every entry from the records as stored now, in order.
    private static func checkChain(ledger: Ledger) throws -> (Check, [ChainEntry]) {
        let entries = try ledger.chain.all()
        // Decisions can number hundreds of thousands: hashed in one pass over their columns.
        var decisions: [Int64: String] = [:]
        try ledger.hedgeDecisions.forEachDecisionColumns { decisions[$0.id] = SHA256.hash(data: JournalChain.bytes(of: $0)).hexString }
        var previous: ChainEntry?
        var chained: [ChainEntry.Kind: Set<Int64>] = [:]
        func failed(_ detail: String) -> (Check, [ChainEntry]) { (Check(name: "journal chain", passed: false, detail: detail), entries) }
        for entry in entries {
            if entry.seq != (previous?.seq ?? 0) + 1 {
                return failed("entries \((previous?.seq ?? 0) + 1) to \(entry.seq - 1) are missing from the chain (removed outside hedgeledger)")
            }
            let recordSHA256 = entry.kind == .decision
                ? decisions[entry.recordID]
                : try JournalChain.recordBytes(entry.kind, id: entry.recordID, ledger: ledger).map { SHA256.hash(data: $0).hexString }
            guard let recordSHA256 else {
                return failed("\(entry.kind.rawValue) #\(entry.recordID), chained as entry \(entry.seq), is gone (deleted outside hedgeledger)")
            }
            if recordSHA256 != entry.recordSHA256 {
                return failed("\(entry.kind.rawValue) #\(entry.recordID) differs from what was chained as entry \(entry.seq) (changed outside hedgeledger)")
            }
            let expected = JournalChain.entry(after: previous, kind: entry.kind, recordID: entry.recordID, recordSHA256: entry.recordSHA256)
            if expected.hash != entry.hash {
                return failed("entry \(entry.seq) (\(entry.kind.rawValue) #\(entry.recordID)) does not follow from the entry before it: the chain was rewritten or reordered from there")
            }
            chained[entry.kind, default: []].insert(entry.recordID)
            previous = entry
        }
        for kind in ChainEntry.Kind.allCases {
            if let missing = try ledger.chain.recordIDs(of: kind).first(where: { !(chained[kind]?.contains($0) ?? false) }) {
                return failed("\(kind.rawValue) #\(missing) is not in the chain (added outside hedgeledger)")
            }
        }
        let head = entries.last.map { "\(entries.count) records, head \($0.hash) (entry \($0.seq))" } ?? "no records yet"
        return (Check(name: "journal chain", passed: true, detail: "recomputed: \(head)"), entries)
    }

    /// Every fill, in id order, against its import's block digests.
    private func checkFills() throws -> (Check, Int) {
        var digesters: [Int64: JournalChain.FillDigester] = [:]
        var count = 0
        try ledger.fills.forEachFillColumns { fill in
            count += 1
            digesters[fill.importID, default: .init(importID: fill.importID)].add(fill)
        }
        var importsWithBlocks = Set<Int64>()
        for (importID, var digester) in digesters.sorted(by: { $0.key < $1.key }) {
            let computed = digester.finish()
            let stored = try ledger.chain.blocks(importID: importID)
            importsWithBlocks.insert(importID)
            if let (a, b) = Self.firstDifference(computed, stored) {
                let range = a.map { "fills #\($0.firstFillID) to #\($0.lastFillID)" } ?? b.map { "fills #\($0.firstFillID) to #\($0.lastFillID)" }!
                return (Check(name: "fills", passed: false,
                              detail: "\(range) of import #\(importID) differ from the digest recorded when they were imported (a fill changed, added, removed or renumbered)"), count)
            }
        }
        for importID in try ledger.chain.recordIDs(of: .importRun) where !importsWithBlocks.contains(importID) {
            if let block = try ledger.chain.blocks(importID: importID).first {
                return (Check(name: "fills", passed: false,
                              detail: "fills #\(block.firstFillID) to #\(block.lastFillID) of import #\(importID) are gone (deleted outside hedgeledger)"), count)
            }
        }
        return (Check(name: "fills", passed: true, detail: "\(count) fills match their imports' digests"), count)
    }

    /// The first block at which the digests computed now and those recorded differ (either may
    /// be missing there), or nil when they agree.
    private static func firstDifference<Block: Equatable>(_ computed: [Block], _ stored: [Block]) -> (computed: Block?, stored: Block?)? {
        for index in 0..<max(computed.count, stored.count) {
            let a = index < computed.count ? computed[index] : nil, b = index < stored.count ? stored[index] : nil
            if a != b { return (a, b) }
        }
        return nil
    }

    /// Every venue log row against its import's block digests.
    private func checkVenueLogs() throws -> Check {
        var rows = 0
        let imports = try ledger.venueLog.importIDs()
        for importID in imports {
            let computed = try JournalChain.storedVenueLogBlocks(importID: importID, ledger: ledger)
            let stored = try ledger.venueLog.blocks(importID: importID)
            rows += computed.reduce(0) { $0 + $1.entries }
            if let (a, b) = Self.firstDifference(computed, stored) {
                let block = (b ?? a)!
                return Check(name: "venue logs", passed: false,
                             detail: "log rows #\(block.firstEntryID) to #\(block.lastEntryID) of import #\(importID) differ from the digest recorded when they were imported (a row changed, added or removed)")
            }
        }
        return Check(name: "venue logs", passed: true,
                     detail: "\(rows) venue log row\(rows == 1 ? "" : "s") of \(imports.count) import\(imports.count == 1 ? "" : "s") match their digests")
    }

    /// Every recorded position assertion against the fills.
    private func checkAssertions() throws -> Check {
        let outcomes = try PositionAssertionService(ledger: ledger).checkAll()
        let failed = outcomes.filter { !$0.holds }
        let withdrawn = try ledger.positionAssertions.withdrawnCount()
        guard let first = failed.first else {
            return Check(name: Self.assertionsCheck, passed: true,
                         detail: "\(outcomes.count) assertion\(outcomes.count == 1 ? " holds" : "s hold")"
                            + (withdrawn > 0 ? " (\(withdrawn) withdrawn)" : ""))
        }
        return Check(name: Self.assertionsCheck, passed: false,
                     detail: first.description + (failed.count > 1 ? "; and \(failed.count - 1) more fail" : "")
                        + " (one recorded by mistake is withdrawn with `hedgeledger assert withdraw ID --reason TEXT`)")
    }

    /// Every mark, index and settlement price of a snapshot import with digests (schema version
    /// 15 on) against them. Older imports are covered by their record only.
    private func checkMarketData() throws -> Check {
        let covered = Set(try ledger.chain.importsWithMarketBlocks())
        var digesters: [Int64: JournalChain.MarketDigester] = [:]
        var rows = 0
        // A ledger whose marks all came before version 15 has nothing to read here.
        if !covered.isEmpty {
            try ledger.marks.forEachMarkColumns { mark in
                let importID = mark.importID
                guard covered.contains(importID) else { return }
                rows += 1
                digesters[importID, default: .init(importID: importID)].add(mark, instrumentID: mark.instrumentID)
            }
            for kind in [IndexPrice.Kind.observation, .settlement] {
                try ledger.indexPrices.forEachPriceColumns(kind) { price in
                    guard covered.contains(price.importID) else { return }
                    rows += 1
                    digesters[price.importID, default: .init(importID: price.importID)].add(price, kind: kind)
                }
            }
        }
        for importID in covered.sorted() {
            var digester = digesters[importID] ?? .init(importID: importID)
            let computed = digester.finish(), stored = try ledger.chain.marketBlocks(importID: importID)
            if let (a, b) = Self.firstDifference(computed, stored) {
                // The first block that differs, named by what was recorded where there is one.
                let block = (b ?? a)!
                let span = "\(Timestamp(microseconds: block.firstTime).iso8601) to \(Timestamp(microseconds: block.lastTime).iso8601)"
                return Check(name: "market data", passed: false,
                             detail: "snapshot import #\(importID): \(block.stream) from \(span) (block \(block.block)) differs from the digest recorded when it was imported (a mark, index or settlement price changed, added or removed)")
            }
        }
        let older = try ledger.imports.all().filter { $0.kind == "snapshots" && !covered.contains($0.id) }.count
        return Check(name: "market data", passed: true,
                     detail: "\(rows) marks and prices of \(covered.count) snapshot import\(covered.count == 1 ? "" : "s") match their digests"
                        + (older > 0 ? "; \(older) import\(older == 1 ? "" : "s") from before schema version 15 \(older == 1 ? "is" : "are") covered by \(older == 1 ? "its" : "their") record only" : ""))
    }

    /// The maintained positions against a replay of every live fill.
    private func checkPositions() throws -> Check {
        let rebuilt = try PositionBuilder.build(ledger: ledger, through: Timestamp(microseconds: .max)) { _, _ in true }
        let stored = try ledger.positions.all()
        var seen = Set<PositionBuilder.Key>()
        for entry in stored {
            let key = PositionBuilder.Key(book: entry.position.book, instrumentID: entry.instrument.id)
            seen.insert(key)
            guard let fresh = rebuilt[key] else {
                return Check(name: "positions", passed: false, detail: "book '\(key.book)' \(entry.instrument.instrument.symbol) is stored but no live fill makes it")
            }
            let a = entry.position, b = fresh
            if (a.quantity, a.costBasis, a.realisedPnL, a.fillCount) != (b.quantity, b.costBasis, b.realisedPnL, b.fillCount) || a.fees != b.fees {
                return Check(name: "positions", passed: false,
                             detail: "book '\(key.book)' \(entry.instrument.instrument.symbol): stored quantity \(a.quantity), cost \(a.costBasis), realised \(a.realisedPnL), \(a.fillCount) fills; a rebuild from the fills gives \(b.quantity), \(b.costBasis), \(b.realisedPnL), \(b.fillCount)")
            }
        }
        if let missing = rebuilt.first(where: { !seen.contains($0.key) }) {
            return Check(name: "positions", passed: false, detail: "book '\(missing.key.book)' \(missing.value.instrument.symbol) has fills but no stored position")
        }
        return Check(name: "positions", passed: true, detail: "\(stored.count) stored positions equal a rebuild from the fills")
    }

    private func checkHistory() throws -> Check {
        let pending = try RecomputeService.pendingChanges(ledger: ledger)
        guard pending.latest != nil else { return Check(name: "exposure history", passed: nil, detail: "not checked: never computed (`hedgeledger recompute`)") }
        guard pending.changes == 0 else {
            return Check(name: "exposure history", passed: nil, detail: "not checked: behind the ledger by \(pending.changes) change\(pending.changes == 1 ? "" : "s") (`hedgeledger recompute`)")
        }
        let result = try RecomputeService(ledger: ledger, codeVersion: codeVersion).check()
        if let difference = result.difference {
            return Check(name: "exposure history", passed: false, detail: "differs from a recompute at \(difference)")
        }
        return Check(name: "exposure history", passed: true, detail: "\(result.rows) rows and the settlements equal a recompute")
    }
}

/// A value handed whole to another thread, which alone uses it from then on.
private struct Owned<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Work running on another thread, and its outcome once `wait` returns.
private final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the worker before it signals; read only after the wait.
    private var outcome: Result<Value, any Error>?

    init(_ body: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async {
            self.outcome = Result(catching: body)
            self.done.signal()
        }
    }

    init(finished: Result<Value, any Error>) {
        outcome = finished
        done.signal()
    }

    func wait() throws -> Value {
        done.wait()
        return try outcome!.get()
    }
}
