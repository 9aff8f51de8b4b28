import Crypto

/// The tamper-evident chain over the ledger's records (docs/journal.md). Every import (with
/// its fills), void, book setting, hedge policy, hedge decision and link is appended when it is
/// written, in the same transaction: the SHA-256 of its canonical bytes, chained to the entry
/// before. A record changed, removed, reordered or forged afterwards no longer matches.
public enum JournalChain {
    /// The canonical bytes of a fill, what its import's block digests are taken over: its
    /// columns as stored (amounts in their canonical decimal text).
    static func encode(_ fill: StoredFillText, into bytes: inout CanonicalBytes) {
        bytes.begin(tag: "F")
        bytes.integer(fill.id); bytes.text(fill.venue); bytes.text(fill.tradeID); bytes.integer(Int64(fill.revision))
        bytes.integer(fill.timeMicroseconds); bytes.text(fill.instrument); bytes.text(fill.book); bytes.text(fill.side)
        bytes.text(fill.quantity); bytes.text(fill.price); bytes.text(fill.fee); bytes.text(fill.feeCurrency)
        bytes.text(fill.orderID); bytes.text(fill.hedgeDecision); bytes.text(fill.note); bytes.integer(fill.importID)
        bytes.integer(fill.sourceLine)
    }

    /// The same bytes from the stored columns, read in place (`verify`, `init`).
    static func encode(_ fill: StoredFillColumns, into bytes: inout CanonicalBytes) {
        bytes.begin(tag: "F")
        bytes.integer(fill.id); bytes.text(bytes: fill.venue); bytes.text(bytes: fill.tradeID); bytes.integer(fill.revision)
        bytes.integer(fill.timeMicroseconds); bytes.text(bytes: fill.instrument); bytes.text(bytes: fill.book); bytes.text(bytes: fill.side)
        bytes.text(bytes: fill.quantity); bytes.text(bytes: fill.price); bytes.text(bytes: fill.fee); bytes.text(bytes: fill.feeCurrency)
        bytes.text(bytes: fill.orderID); bytes.text(bytes: fill.hedgeDecision); bytes.text(bytes: fill.note); bytes.integer(fill.importID)
        bytes.integer(fill.sourceLine)
    }

    /// The canonical bytes of a stored mark: its instrument's symbol, time, prices as stored
    /// (mark, underlying, index, bid, ask), doubles (IVs, rate, the venue's greeks), import.
    static func encode(_ mark: StoredMarkColumns, into bytes: inout CanonicalBytes) {
        bytes.begin(tag: "K")
        bytes.text(bytes: mark.instrument); bytes.integer(mark.time)
        for index in 0..<StoredMarkColumns.prices { bytes.text(bytes: mark.price(index)) }
        for index in 0..<StoredMarkColumns.reals { bytes.number(mark.real(index)) }
        bytes.integer(mark.importID)
    }

    /// The same bytes for a mark as an import writes it.
    static func encode(_ encoded: MarkRepository.EncodedMark, symbol: String, importID: Int64, into bytes: inout CanonicalBytes) {
        // Field by field, no arrays: this runs for every mark an import writes.
        let mark = encoded.mark, greeks = mark.venueGreeks
        bytes.begin(tag: "K")
        bytes.text(symbol); bytes.integer(mark.time.microseconds)
        bytes.text(encoded.markPrice); bytes.text(encoded.underlyingPrice); bytes.text(encoded.indexPrice)
        bytes.text(encoded.bidPrice); bytes.text(encoded.askPrice)
        bytes.number(mark.markIV); bytes.number(mark.bidIV); bytes.number(mark.askIV); bytes.number(mark.interestRate)
        bytes.number(greeks.delta); bytes.number(greeks.gamma); bytes.number(greeks.vega); bytes.number(greeks.theta)
        bytes.number(greeks.rho)
        bytes.integer(importID)
    }

    /// The canonical bytes of a stored index (`X`) or settlement (`Y`) price.
    static func encode(_ price: StoredIndexPriceColumns, kind: IndexPrice.Kind, into bytes: inout CanonicalBytes) {
        bytes.begin(tag: kind == .settlement ? "Y" : "X")
        bytes.text(bytes: price.index); bytes.integer(price.time); bytes.text(bytes: price.price); bytes.integer(price.importID)
    }

    /// The same bytes for a price as an import writes it.
    static func encode(_ price: IndexPrice, importID: Int64, into bytes: inout CanonicalBytes) {
        bytes.begin(tag: price.kind == .settlement ? "Y" : "X")
        bytes.text(price.index); bytes.integer(price.time.microseconds); bytes.text(price.price.description); bytes.integer(importID)
    }

    /// Rows hashed one after another in blocks of `blockSize`, a block's digest the SHA-256 of
    /// its rows' canonical bytes: a trade import's fills (keyed by id), a stream of a snapshot
    /// import's rows (keyed by time).
    struct BlockDigester {
        static let blockSize = 256
        struct Block: Equatable {
            var first: Int64, last: Int64, rows: Int, sha256: String
        }
        private(set) var blocks: [Block] = []
        /// Encode a row into this, then call `added(key:)`.
        var bytes = CanonicalBytes(capacity: 256)
        private var hasher = SHA256()
        private var first: Int64 = 0, count = 0
        private(set) var last: Int64 = .min

        mutating func added(key: Int64) {
            bytes.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            bytes.removeAll()
            if count == 0 { first = key }
            last = key
            count += 1
            if count == Self.blockSize { close() }
        }

        mutating func finish() -> [Block] {
            if count > 0 { close() }
            return blocks
        }

        private mutating func close() {
            blocks.append(Block(first: first, last: last, rows: count, sha256: hasher.finalize().hexString))
            hasher = SHA256()
            count = 0
        }
    }

    /// An import's fills, in id order, in blocks.
    struct FillDigester {
        let importID: Int64
        private var digester = BlockDigester()

        init(importID: Int64) { self.importID = importID }

        /// Adds a fill (ids ascending).
        mutating func add(_ fill: StoredFillText) {
            JournalChain.encode(fill, into: &digester.bytes)
            digester.added(key: fill.id)
        }

        /// Adds a stored fill read in place (ids ascending).
        mutating func add(_ fill: StoredFillColumns) {
            JournalChain.encode(fill, into: &digester.bytes)
            digester.added(key: fill.id)
        }

        mutating func finish() -> [FillBlock] {
            digester.finish().map { FillBlock(importID: importID, firstFillID: $0.first, lastFillID: $0.last, fills: $0.rows, sha256: $0.sha256) }
        }
    }

    /// A snapshot import's rows in blocks, one stream per instrument's marks and per index's
    /// prices and settlement prices, each in time order. `verify` feeds it the stored rows in
    /// key order; an import feeds it rows as it writes them, and a stream whose rows arrive out
    /// of time order is marked, to be read back in order when the import ends.
    struct MarketDigester {
        enum Stream: Hashable, Comparable {
            case mark(instrumentID: Int64)
            case price(IndexPrice.Kind, index: String)

            static func < (a: Stream, b: Stream) -> Bool {
                switch (a, b) {
                case let (.mark(x), .mark(y)): x < y
                case (.mark, .price): true
                case (.price, .mark): false
                case let (.price(k1, i1), .price(k2, i2)): (k1 == .settlement ? 1 : 0, i1) < (k2 == .settlement ? 1 : 0, i2)
                }
            }
        }

        let importID: Int64
        // Streams by index, found through `indexes`: a mark's stream is one dictionary lookup by
        // instrument id, its digester then mutated in place.
        private var digesters: [BlockDigester] = []
        private var streams: [Stream] = []
        private var names: [String] = []
        private var markIndexes: [Int64: Int] = [:]
        private var priceIndexes: [Stream: Int] = [:]
        /// Streams whose rows arrived out of time order (an import's only).
        private(set) var unordered: Set<Stream> = []

        init(importID: Int64) { self.importID = importID }

        static func name(_ stream: Stream, symbol: String?) -> String {
            switch stream {
            case .mark: "mark:\(symbol ?? "?")"
            case let .price(kind, index): "\(kind == .settlement ? "settlement" : "index"):\(index)"
            }
        }

        private mutating func newStream(_ stream: Stream, symbol: String?) -> Int {
            digesters.append(BlockDigester())
            streams.append(stream)
            names.append(Self.name(stream, symbol: symbol))
            return digesters.count - 1
        }

        private mutating func markStream(_ instrumentID: Int64, symbol: () -> String?) -> Int {
            if let index = markIndexes[instrumentID] { return index }
            let index = newStream(.mark(instrumentID: instrumentID), symbol: symbol())
            markIndexes[instrumentID] = index
            return index
        }

        private mutating func priceStream(_ kind: IndexPrice.Kind, index name: String) -> Int {
            let stream = Stream.price(kind, index: name)
            if let index = priceIndexes[stream] { return index }
            let index = newStream(stream, symbol: nil)
            priceIndexes[stream] = index
            return index
        }

        private mutating func added(to index: Int, time: Int64) {
            if time < digesters[index].last { unordered.insert(streams[index]) }
            digesters[index].added(key: time)
        }

        /// A stored mark, read in place (rows of a stream in time order).
        mutating func add(_ mark: StoredMarkColumns, instrumentID: Int64) {
            let index = markStream(instrumentID) { mark.instrument.map { String(decoding: $0, as: UTF8.self) } }
            JournalChain.encode(mark, into: &digesters[index].bytes)
            added(to: index, time: mark.time)
        }

        /// A mark as an import writes it.
        mutating func add(_ mark: MarkRepository.EncodedMark, instrumentID: Int64, symbol: String) {
            let index = markStream(instrumentID) { symbol }
            JournalChain.encode(mark, symbol: symbol, importID: importID, into: &digesters[index].bytes)
            added(to: index, time: mark.mark.time.microseconds)
        }

        /// A stored index or settlement price, read in place.
        mutating func add(_ price: StoredIndexPriceColumns, kind: IndexPrice.Kind) {
            let index = priceStream(kind, index: price.index.map { String(decoding: $0, as: UTF8.self) } ?? "")
            JournalChain.encode(price, kind: kind, into: &digesters[index].bytes)
            added(to: index, time: price.time)
        }

        /// A price as an import writes it.
        mutating func add(_ price: IndexPrice) {
            let index = priceStream(price.kind, index: price.index)
            JournalChain.encode(price, importID: importID, into: &digesters[index].bytes)
            added(to: index, time: price.time.microseconds)
        }

        /// Starts a stream again (to be fed its rows in time order).
        mutating func restart(_ stream: Stream) {
            if let index = streams.firstIndex(of: stream) { digesters[index] = BlockDigester() }
            unordered.remove(stream)
        }

        /// The blocks, by stream name then block number.
        mutating func finish() -> [MarketBlock] {
            var blocks: [MarketBlock] = []
            for stream in digesters.indices.sorted(by: { names[$0] < names[$1] }) {
                for (index, block) in digesters[stream].finish().enumerated() {
                    blocks.append(MarketBlock(importID: importID, stream: names[stream], block: index, rows: block.rows,
                                              firstTime: block.first, lastTime: block.last, sha256: block.sha256))
                }
            }
            return blocks
        }
    }

    /// The canonical bytes of a record as stored, or nil when there is no such record. An
    /// import's include its fill blocks as recorded in `fill_blocks`.
    static func recordBytes(_ kind: ChainEntry.Kind, id: Int64, ledger: Ledger) throws -> [UInt8]? {
        switch kind {
        case .importRun:
            guard let record = try ledger.imports.find(id: id) else { return nil }
            var bytes = CanonicalBytes(tag: "I")
            bytes.integer(record.id); bytes.text(record.kind); bytes.text(record.fileName); bytes.text(record.sha256)
            bytes.integer(record.sizeBytes); bytes.text(record.format); bytes.integer(Int64(record.rowsAccepted))
            bytes.integer(Int64(record.rowsDuplicate)); bytes.integer(Int64(record.rowsRejected)); bytes.time(record.importedAt)
            for block in try ledger.chain.blocks(importID: id) {
                bytes.integer(block.firstFillID); bytes.integer(block.lastFillID); bytes.integer(Int64(block.fills)); bytes.text(block.sha256)
            }
            // Schema version 15: a snapshot import's blocks, marked by a text no fill block starts with.
            for block in try ledger.chain.marketBlocks(importID: id) {
                bytes.text("market"); bytes.text(block.stream); bytes.integer(Int64(block.block)); bytes.integer(Int64(block.rows))
                bytes.integer(block.firstTime); bytes.integer(block.lastTime); bytes.text(block.sha256)
            }
            // Schema version 17: a venue log import's blocks, marked likewise.
            for block in try ledger.venueLog.blocks(importID: id) {
                bytes.text("venue-log"); bytes.integer(block.firstEntryID); bytes.integer(block.lastEntryID)
                bytes.integer(Int64(block.entries)); bytes.text(block.sha256)
            }
            return bytes.bytes
        case .void:
            guard let void = try ledger.voids.find(id: id) else { return nil }
            var bytes = CanonicalBytes(tag: "V")
            bytes.integer(void.id); bytes.integer(void.importID ?? -1); bytes.integer(void.fillID ?? -1); bytes.text(void.reason)
            bytes.text(void.voidedBy); bytes.time(void.time)
            for fill in try ledger.voids.fillIDs(voidID: id) { bytes.integer(fill) }
            return bytes.bytes
        case .bookSetting:
            guard let stored = try ledger.bookSettings.find(id: id) else { return nil }
            let settings = stored.settings
            var bytes = CanonicalBytes(tag: "S")
            bytes.integer(stored.id); bytes.text(settings.book); bytes.text(settings.underlying); bytes.time(settings.effective)
            bytes.text(settings.hedgedDelta?.rawValue); bytes.exact(settings.targetDelta)
            bytes.text(settings.hedgeInstruments?.joined(separator: "\u{1}")); bytes.time(stored.recordedAt); bytes.text(stored.recordedBy)
            return bytes.bytes
        case .policy:
            guard let stored = try ledger.hedgePolicies.find(id: id) else { return nil }
            let policy = stored.policy
            var bytes = CanonicalBytes(tag: "P")
            bytes.integer(stored.id); bytes.text(policy.book); bytes.text(policy.underlying); bytes.time(policy.effective)
            bytes.exact(policy.targetDelta); bytes.text(policy.hedgeInstrument); bytes.text(policy.band.kind)
            switch policy.band {
            case .fixed(let width): bytes.exact(width)
            case .relative(let fraction): bytes.exact(fraction)
            case let .schedule(seconds, width): bytes.integer(seconds); bytes.exact(width)
            case let .whalleyWilmott(cost, riskAversion): bytes.exact(cost); bytes.exact(riskAversion)
            }
            bytes.exact(policy.minTrade); bytes.exact(policy.lot); bytes.integer(policy.maxReactionSeconds)
            bytes.text(policy.hedgeTo.rawValue); bytes.time(stored.recordedAt); bytes.text(stored.recordedBy)
            return bytes.bytes
        case .decision:
            return try ledger.hedgeDecisions.find(id: id).map(bytes(of:))
        case .link:
            guard let link = try ledger.hedgeLinks.find(id: id) else { return nil }
            var bytes = CanonicalBytes(tag: "L")
            bytes.integer(link.id); bytes.integer(link.decisionID ?? -1); bytes.integer(link.fillID); bytes.text(link.source)
            bytes.time(link.recordedAt); bytes.text(link.recordedBy)
            // Fields added in schema version 13, written only when present so older records keep their bytes.
            if let reason = link.reason { bytes.text(reason) }
            return bytes.bytes
        case .assertion:
            guard let stored = try ledger.positionAssertions.find(id: id) else { return nil }
            var bytes = CanonicalBytes(tag: "A")
            bytes.integer(stored.id); bytes.text(stored.book); bytes.text(stored.instrument); bytes.exact(stored.quantity)
            bytes.time(stored.time); bytes.text(stored.note); bytes.time(stored.recordedAt); bytes.text(stored.recordedBy)
            return bytes.bytes
        case .assertionWithdrawal:
            guard let stored = try ledger.positionAssertions.withdrawal(id: id) else { return nil }
            var bytes = CanonicalBytes(tag: "W")
            bytes.integer(stored.id); bytes.integer(stored.assertionID); bytes.text(stored.reason); bytes.time(stored.recordedAt)
            bytes.text(stored.recordedBy)
            return bytes.bytes
        }
    }

    /// A decision's canonical bytes.
    static func bytes(of stored: StoredHedgeDecision) -> [UInt8] {
        let d = stored.decision, inputs = d.inputs
        var bytes = CanonicalBytes(tag: "D")
        bytes.integer(stored.id); bytes.text(d.key); bytes.time(d.time); bytes.text(d.book); bytes.text(d.underlying)
        bytes.integer(d.policyID ?? -1); bytes.text(d.action.rawValue); bytes.text(d.reason); bytes.text(d.instrument)
        bytes.exact(d.quantity); bytes.exact(d.referencePrice)
        for value in [inputs.netDelta, inputs.gamma, inputs.bandLow, inputs.bandHigh, inputs.underlyingPrice, inputs.oldestMarkAgeSeconds] {
            bytes.number(value)
        }
        bytes.integer(inputs.exposureTime?.microseconds ?? -1); bytes.text(d.decidedBy); bytes.text(d.rationale)
        bytes.text(d.source.rawValue); bytes.integer(stored.importID ?? -1); bytes.integer(Int64(stored.sourceLine ?? -1))
        bytes.time(stored.recordedAt)
        if let superseded = stored.supersedesID { bytes.integer(superseded) }  // schema version 13, only when present
        return bytes.bytes
    }

    /// The same bytes from the stored columns, read in place (`verify`). An amount that is not a
    /// decimal gets a byte no encoding writes, so its record cannot match.
    static func bytes(of d: StoredDecisionColumns) -> [UInt8] {
        var bytes = CanonicalBytes(tag: "D")
        bytes.integer(d.id); bytes.text(bytes: d.key); bytes.integer(d.timeMicroseconds); bytes.text(bytes: d.book)
        bytes.text(bytes: d.underlying); bytes.integer(d.policyID ?? -1); bytes.text(bytes: d.action); bytes.text(bytes: d.reason)
        bytes.text(bytes: d.instrument)
        for text in [d.quantity, d.referencePrice] {
            guard let text else { bytes.exact(nil); continue }
            guard case .success(let value) = DecimalSyntax.parse(text) else { bytes.integer(-0x0101_0101_0101_0102); continue }
            bytes.exact(value)
        }
        for value in d.inputs { bytes.number(value) }
        bytes.integer(d.exposureTime ?? -1); bytes.text(bytes: d.decidedBy); bytes.text(bytes: d.rationale); bytes.text(bytes: d.source)
        bytes.integer(d.importID ?? -1); bytes.integer(d.sourceLine ?? -1); bytes.integer(d.recordedAt)
        if let superseded = d.supersedesID { bytes.integer(superseded) }
        return bytes.bytes
    }

    /// The entry after `previous` for a record whose canonical bytes hash to `recordSHA256`.
    static func entry(after previous: ChainEntry?, kind: ChainEntry.Kind, recordID: Int64, recordSHA256: String) -> ChainEntry {
        var hasher = SHA256()
        var bytes = CanonicalBytes(tag: "C")
        bytes.text(previous?.hash ?? ""); bytes.text(kind.rawValue); bytes.integer(recordID); bytes.text(recordSHA256)
        hasher.update(data: bytes.bytes)
        return ChainEntry(seq: (previous?.seq ?? 0) + 1, kind: kind, recordID: recordID, recordSHA256: recordSHA256,
                          hash: hasher.finalize().hexString)
    }

    /// Appends the record just written (an import after its fill blocks).
    public static func append(_ kind: ChainEntry.Kind, id: Int64, ledger: Ledger) throws {
        guard let bytes = try recordBytes(kind, id: id, ledger: ledger) else {
            throw CorruptDatabase(detail: "\(kind.rawValue) #\(id) was to be chained but is not stored")
        }
        try ledger.chain.insert(entry(after: try ledger.chain.last(), kind: kind, recordID: id,
                                      recordSHA256: SHA256.hash(data: bytes).hexString))
    }

    /// Appends a snapshot import with the blocks of the rows it stored. Streams whose rows came
    /// out of time order are read back in order first.
    static func appendSnapshotImport(id: Int64, digester: MarketDigester, ledger: Ledger) throws {
        var digester = digester
        for stream in digester.unordered {
            digester.restart(stream)
            switch stream {
            case .mark(let instrumentID):
                try ledger.marks.forEachMarkColumns(importID: id, instrumentID: instrumentID) { digester.add($0, instrumentID: instrumentID) }
            case let .price(kind, index):
                try ledger.indexPrices.forEachPriceColumns(kind, importID: id) { price in
                    if price.index.map({ String(decoding: $0, as: UTF8.self) }) == index { digester.add(price, kind: kind) }
                }
            }
        }
        for block in digester.finish() { try ledger.chain.insert(block) }
        try append(.importRun, id: id, ledger: ledger)
    }

    /// The blocks of every row a snapshot import stored, read back (`init` chaining a ledger).
    static func storedMarketBlocks(importID: Int64, ledger: Ledger) throws -> [MarketBlock] {
        var digester = MarketDigester(importID: importID)
        try ledger.marks.forEachMarkColumns(importID: importID) { digester.add($0, instrumentID: $0.instrumentID) }
        for kind in [IndexPrice.Kind.observation, .settlement] {
            try ledger.indexPrices.forEachPriceColumns(kind, importID: importID) { digester.add($0, kind: kind) }
        }
        return digester.finish()
    }

    /// Appends a trades import with the blocks of its fills.
    static func appendImport(id: Int64, blocks: [FillBlock], ledger: Ledger) throws {
        for block in blocks { try ledger.chain.insert(block) }
        try append(.importRun, id: id, ledger: ledger)
    }

    /// Chains the records of a ledger made before the chain existed (schema version 12), in the
    /// order they were written: by time, then kind, then id. Run by `init` after migrating.
    /// Returns how many records were chained.
    public static func backfill(ledger: Ledger) throws -> Int {
        guard try ledger.chain.count() == 0 else { return 0 }
        var records: [(time: Timestamp, kind: ChainEntry.Kind, id: Int64)] = []
        for id in try ledger.chain.recordIDs(of: .importRun) {
            if let record = try ledger.imports.find(id: id) { records.append((record.importedAt, .importRun, id)) }
        }
        for id in try ledger.chain.recordIDs(of: .void) { if let v = try ledger.voids.find(id: id) { records.append((v.time, .void, id)) } }
        for id in try ledger.chain.recordIDs(of: .bookSetting) {
            if let s = try ledger.bookSettings.find(id: id) { records.append((s.recordedAt, .bookSetting, id)) }
        }
        for id in try ledger.chain.recordIDs(of: .policy) {
            if let p = try ledger.hedgePolicies.find(id: id) { records.append((p.recordedAt, .policy, id)) }
        }
        for id in try ledger.chain.recordIDs(of: .decision) {
            if let d = try ledger.hedgeDecisions.find(id: id) { records.append((d.recordedAt, .decision, id)) }
        }
        for id in try ledger.chain.recordIDs(of: .link) { if let l = try ledger.hedgeLinks.find(id: id) { records.append((l.recordedAt, .link, id)) } }
        for id in try ledger.chain.recordIDs(of: .assertion) {
            if let a = try ledger.positionAssertions.find(id: id) { records.append((a.recordedAt, .assertion, id)) }
        }
        for id in try ledger.chain.recordIDs(of: .assertionWithdrawal) {
            if let w = try ledger.positionAssertions.withdrawal(id: id) { records.append((w.recordedAt, .assertionWithdrawal, id)) }
        }
        guard !records.isEmpty else { return 0 }
        let order = ChainEntry.Kind.allCases
        records.sort { ($0.time, order.firstIndex(of: $0.kind)!, $0.id) < ($1.time, order.firstIndex(of: $1.kind)!, $1.id) }
        // Fill blocks for every import that has fills.
        var digesters: [Int64: FillDigester] = [:]
        try ledger.fills.forEachFillColumns { fill in digesters[fill.importID, default: FillDigester(importID: fill.importID)].add(fill) }
        for (_, var digester) in digesters.sorted(by: { $0.key < $1.key }) {
            for block in digester.finish() { try ledger.chain.insert(block) }
        }
        // And the rows of every snapshot import, as it would have digested them.
        for record in try ledger.imports.all() where record.kind == "snapshots" {
            for block in try storedMarketBlocks(importID: record.id, ledger: ledger) {
                try ledger.chain.insert(block)
            }
        }
        for importID in try ledger.venueLog.importIDs() {
            for block in try storedVenueLogBlocks(importID: importID, ledger: ledger) { try ledger.venueLog.insert(block) }
        }
        for record in records { try append(record.kind, id: record.id, ledger: ledger) }
        return records.count
    }
}
