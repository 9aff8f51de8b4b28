extension JournalChain {
    /// The canonical bytes of a stored venue log row (`G`): its id and revision, its columns as
    /// stored, then the book, the fill it became (-1 for none), its import and line.
    static func encode(_ entry: StoredVenueLogEntry, into bytes: inout CanonicalBytes) {
        let r = entry.record
        bytes.begin(tag: "G")
        bytes.integer(entry.id); bytes.integer(entry.revision); bytes.text(r.venue); bytes.text(r.account); bytes.text(r.currency); bytes.text(r.entryID)
        bytes.integer(r.userSeq); bytes.integer(r.timeMicroseconds); bytes.text(r.type)
        for value in [r.instrument, r.side, r.amount, r.position, r.price, r.markPrice, r.indexPrice, r.cashFlow, r.funding,
                      r.feeRate, r.feeCharged, r.feeBalance, r.change, r.balance, r.equity, r.tradeID, r.orderID, r.info, r.note] {
            bytes.text(value)
        }
        bytes.text(entry.book); bytes.integer(entry.fillID ?? -1); bytes.integer(entry.importID); bytes.integer(entry.sourceLine)
    }

    /// An import's venue log rows, in id order, in blocks of 256.
    struct VenueLogDigester {
        let importID: Int64
        private var digester = BlockDigester()

        init(importID: Int64) { self.importID = importID }

        /// Adds a row as stored (ids ascending).
        mutating func add(_ entry: StoredVenueLogEntry) {
            JournalChain.encode(entry, into: &digester.bytes)
            digester.added(key: entry.id)
        }

        mutating func finish() -> [VenueLogBlock] {
            digester.finish().map {
                VenueLogBlock(importID: importID, firstEntryID: $0.first, lastEntryID: $0.last, entries: $0.rows, sha256: $0.sha256)
            }
        }
    }

    /// The blocks of an import's stored venue log rows, digested again (`verify`, `init`).
    static func storedVenueLogBlocks(importID: Int64, ledger: Ledger) throws -> [VenueLogBlock] {
        var digester = VenueLogDigester(importID: importID)
        try ledger.venueLog.forEachEntry(importID: importID) { digester.add($0) }
        return digester.finish()
    }
}
