extension JournalChain {
    /// The canonical bytes of a stored venue log row (`G`): its id and revision, venue, account
    /// and currency, its columns as stored (`VenueLogColumns`), then the book, the fill it
    /// became (-1 for none), its import and line.
    static func encode(id: Int64, revision: Int64, venue: String, account: String, currency: String, columns: VenueLogColumns,
                       book: String, fillID: Int64?, importID: Int64, sourceLine: Int64, into bytes: inout CanonicalBytes) {
        bytes.begin(tag: "G")
        bytes.integer(id); bytes.integer(revision); bytes.text(venue); bytes.text(account); bytes.text(currency)
        bytes.append(columns.bytes)
        bytes.text(book); bytes.integer(fillID ?? -1); bytes.integer(importID); bytes.integer(sourceLine)
    }

    /// An import's venue log rows, in id order, in blocks of 256.
    struct VenueLogDigester {
        let importID: Int64
        private var digester = BlockDigester()

        init(importID: Int64) { self.importID = importID }

        /// Adds a row as an import writes it (ids ascending).
        mutating func add(id: Int64, revision: Int64, venue: String, account: String, currency: String, columns: VenueLogColumns,
                          book: String, fillID: Int64?, sourceLine: Int64) {
            JournalChain.encode(id: id, revision: revision, venue: venue, account: account, currency: currency, columns: columns,
                                book: book, fillID: fillID, importID: importID, sourceLine: sourceLine, into: &digester.bytes)
            digester.added(key: id)
        }

        /// Adds a row as stored (ids ascending).
        mutating func add(_ entry: StoredVenueLogEntry) {
            let r = entry.record
            JournalChain.encode(id: entry.id, revision: entry.revision, venue: r.venue, account: r.account, currency: r.currency,
                                columns: VenueLogColumns(r), book: entry.book, fillID: entry.fillID, importID: entry.importID,
                                sourceLine: entry.sourceLine, into: &digester.bytes)
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
