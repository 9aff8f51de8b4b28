/// One row of a venue's transaction log as the ledger keeps it: the venue's columns, amounts in
/// canonical decimal text, empty cells nil (migration 0017).
public struct VenueLogRecord: Sendable, Hashable {
    public var venue: String
    public var account: String
    public var currency: String
    public var entryID: String
    public var userSeq: Int64
    public var timeMicroseconds: Int64
    public var type: String
    public var instrument: String?
    public var side: String?
    public var amount: String?
    public var position: String?
    public var price: String?
    public var markPrice: String?
    public var indexPrice: String?
    public var cashFlow: String
    public var funding: String?
    public var feeRate: String?
    public var feeCharged: String
    public var feeBalance: String?
    public var change: String
    public var balance: String
    public var equity: String?
    public var tradeID: String?
    public var orderID: String?
    public var info: String?
    public var note: String?

    /// The venue's columns by name, in storage order: what a re-import is compared on.
    var columns: [(name: String, value: String?)] {
        [("ID", entryID), ("UserSeq", String(userSeq)), ("Date", String(timeMicroseconds)), ("Type", type),
         ("Instrument", instrument), ("Side", side), ("Amount", amount), ("Position", position), ("Price", price),
         ("Mark Price", markPrice), ("Index Price", indexPrice), ("Cash Flow", cashFlow), ("Funding", funding),
         ("Fee Rate", feeRate), ("Fee Charged", feeCharged), ("Fee Balance", feeBalance), ("Change", change),
         ("Balance", balance), ("Equity", equity), ("Trade ID", tradeID), ("Order ID", orderID), ("Info", info),
         ("Note", note)]
    }

    /// The names of the venue's columns that differ from `other`'s.
    public func differences(from other: VenueLogRecord) -> [String] {
        zip(columns, other.columns).filter { $0.value != $1.value }.map(\.0.name)
    }
}

/// A stored log row with where it came from and what it became.
public struct StoredVenueLogEntry: Sendable, Hashable {
    public var id: Int64
    /// 0, or n for a row imported after n earlier rows with its key were voided.
    public var revision: Int64 = 0
    public var record: VenueLogRecord
    public var book: String
    public var fillID: Int64?
    public var importID: Int64
    public var sourceLine: Int64
}

/// The digest of up to 256 consecutive log entries of one import.
public struct VenueLogBlock: Sendable, Hashable {
    public var importID: Int64
    public var firstEntryID: Int64
    public var lastEntryID: Int64
    public var entries: Int
    public var sha256: String
}

/// What a check on a log row found with `--no-check`.
public struct VenueLogMismatch: Sendable, Hashable {
    public enum Rule: String, Sendable { case position, change, balance, premium }
    public var entryID: Int64
    public var rule: Rule
    public var venueValue: String
    public var ledgerValue: String
}

/// Venue transaction log rows, their chain blocks and check mismatches. Append-only.
public struct VenueLogRepository {
    let connection: Connection

    static let columns = """
        id, venue, account, currency, entry_id, user_seq, time_us, type, instrument, side, amount, position, price,
        mark_price, index_price, cash_flow, funding, fee_rate, fee_charged, fee_balance, change, balance, equity,
        trade_id, order_id, info, note, book, fill_id, import_id, source_line, revision
        """

    /// The same columns of the table aliased `e`.
    static let columnsOfE = columns.split(separator: ",").map { "e.\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }
        .joined(separator: ", ")

    /// Rows whose import no void took out.
    static let live = "NOT EXISTS (SELECT 1 FROM voids v WHERE v.import_id = venue_log_entries.import_id)"

    /// Appends one import's rows of one account's currency: the log import's hot path. Its own
    /// statement binds what every row shares once; each row's columns are bound where they lie
    /// in its `VenueLogColumns`, without a copy.
    public final class Inserter {
        private let statement: Statement
        private let connection: Connection

        init(connection: Connection, venue: String, account: String, currency: String, book: String, importID: Int64) throws {
            self.connection = connection
            statement = try Statement(connection: connection, sql: """
                INSERT INTO venue_log_entries (venue, account, currency, entry_id, user_seq, time_us, type, instrument, side,
                    amount, position, price, mark_price, index_price, cash_flow, funding, fee_rate, fee_charged, fee_balance,
                    change, balance, equity, trade_id, order_id, info, note, book, fill_id, import_id, source_line, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (venue, account, currency, entry_id, revision) DO NOTHING
                """)
            // Bindings outlive a reset: these hold for every row of the import.
            try statement.bind(venue, at: 1); try statement.bind(account, at: 2); try statement.bind(currency, at: 3)
            try statement.bind(book, at: 27); try statement.bind(importID, at: 29)
        }

        /// Appends the row unless its (venue, account, currency, ID, revision) is stored; its new id, or nil.
        public func insertIfNew(_ columns: VenueLogColumns, fillID: Int64?, sourceLine: Int, revision: Int64 = 0) throws -> Int64? {
            statement.reset()
            try columns.withColumns { (c: inout VenueLogColumns.Cursor) throws in
                try bind(&c, fillID: fillID, sourceLine: sourceLine, revision: revision)
                // The texts point into `columns`: step while they are valid.
                while try statement.step() {}
            }
            return connection.changes == 1 ? connection.lastInsertRowID : nil
        }

        private func bind(_ c: inout VenueLogColumns.Cursor, fillID: Int64?, sourceLine: Int, revision: Int64) throws {
            try statement.bind(text: c.text(), at: 4)
            try statement.bind(c.integer(), at: 5)
            try statement.bind(c.integer(), at: 6)
            for index in Int32(7)...Int32(7 + VenueLogColumns.optionalTexts) { try statement.bind(text: c.text(), at: index) }
            if let fillID { try statement.bind(fillID, at: 28) } else { try statement.bind(nil as String?, at: 28) }
            try statement.bind(Int64(sourceLine), at: 30)
            try statement.bind(revision, at: 31)
        }
    }

    /// An inserter for one import's rows of one account's currency, into `book`.
    public func inserter(venue: String, account: String, currency: String, book: String, importID: Int64) throws -> Inserter {
        try Inserter(connection: connection, venue: venue, account: account, currency: currency, book: book, importID: importID)
    }

    /// The account and currency of a venue log import (nil for an import of another kind).
    func account(ofImport importID: Int64) throws -> (venue: String, account: String, currency: String)? {
        try connection.cached("""
            SELECT e.venue, e.account, e.currency FROM venue_log_blocks b JOIN venue_log_entries e ON e.id = b.first_entry_id
            WHERE b.import_id = ? LIMIT 1
            """).firstRow([importID]) { ($0.text(0), $0.text(1), $0.text(2)) }
    }

    /// An account other than `account` whose log rows (not voided) are in `book`, if any.
    func otherAccount(inBook book: String, venue: String, besides account: String) throws -> String? {
        try connection.cached("""
            SELECT account FROM venue_log_entries WHERE book = ? AND venue = ? AND account <> ? AND \(Self.live) LIMIT 1
            """).firstRow([book, venue, account]) { $0.text(0) }
    }

    /// Another book than `book` that this account's currency's log rows (not voided) are in, with
    /// the latest import that put them there, if any.
    func otherBook(venue: String, account: String, currency: String, besides book: String) throws -> (book: String, importID: Int64)? {
        try connection.cached("""
            SELECT book, MAX(import_id) FROM venue_log_entries
            WHERE venue = ? AND account = ? AND currency = ? AND book <> ? AND \(Self.live) GROUP BY book LIMIT 1
            """).firstRow([venue, account, currency, book]) { ($0.text(0), $0.int64(1)) }
    }

    /// The row with this key that no void took out, if any.
    public func findLive(venue: String, account: String, currency: String, entryID: String) throws -> StoredVenueLogEntry? {
        try connection.cached("""
            SELECT \(Self.columns) FROM venue_log_entries
            WHERE venue = ? AND account = ? AND currency = ? AND entry_id = ? AND \(Self.live)
            """).firstRow([venue, account, currency, entryID]) { Self.decode($0) }
    }

    /// How many rows with this key exist, voided or not: the next one's revision.
    public func revisions(venue: String, account: String, currency: String, entryID: String) throws -> Int64 {
        try connection.cached("""
            SELECT COUNT(*) FROM venue_log_entries WHERE venue = ? AND account = ? AND currency = ? AND entry_id = ?
            """).firstRow([venue, account, currency, entryID]) { $0.int64(0) } ?? 0
    }

    /// The stored row of the account's currency just before `userSeq`: where a file's running
    /// balance continues from.
    public func latest(venue: String, account: String, currency: String, before userSeq: Int64) throws -> StoredVenueLogEntry? {
        try connection.cached("""
            SELECT \(Self.columns) FROM venue_log_entries
            WHERE venue = ? AND account = ? AND currency = ? AND user_seq < ? AND \(Self.live)
            ORDER BY user_seq DESC LIMIT 1
            """).firstRow([venue, account, currency, userSeq]) { Self.decode($0) }
    }

    /// The position the venue stated in the instrument on its stored row just before `userSeq`
    /// (read back along the sequence index: the instrument's last row is usually recent).
    public func latestPosition(venue: String, account: String, currency: String, instrument: String,
                               before userSeq: Int64) throws -> (position: String?, type: String, entryID: String, importID: Int64)? {
        try connection.cached("""
            SELECT position, type, entry_id, import_id FROM venue_log_entries
            WHERE venue = ? AND account = ? AND currency = ? AND user_seq < ? AND instrument = ? AND \(Self.live)
            ORDER BY user_seq DESC LIMIT 1
            """).firstRow([venue, account, currency, userSeq, instrument]) { ($0.optionalText(0), $0.text(1), $0.text(2), $0.int64(3)) }
    }

    /// Every stored row at or before `time` (of one account, when given), by account and sequence.
    public func forEachEntry(through time: Timestamp, account: String?, _ visit: (StoredVenueLogEntry) throws -> Void) throws {
        try connection.cached("""
            SELECT \(Self.columns) FROM venue_log_entries WHERE time_us <= ? AND (? IS NULL OR account = ?) AND \(Self.live)
            ORDER BY venue, account, currency, user_seq
            """).forEachRow([time, account, account]) { try visit(Self.decode($0)) }
    }

    /// An import's rows in id order: what its blocks digest.
    public func forEachEntry(importID: Int64, _ visit: (StoredVenueLogEntry) throws -> Void) throws {
        try connection.cached("SELECT \(Self.columns) FROM venue_log_entries WHERE import_id = ? ORDER BY id")
            .forEachRow([importID]) { try visit(Self.decode($0)) }
    }

    public func count() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM venue_log_entries").firstRow { $0.int(0) } ?? 0
    }

    /// Every account with log rows, by name.
    public func accounts() throws -> [String] {
        try connection.cached("SELECT DISTINCT account FROM venue_log_entries ORDER BY account").rows { $0.text(0) }
    }

    public func insert(_ block: VenueLogBlock) throws {
        try connection.cached("""
            INSERT INTO venue_log_blocks (import_id, first_entry_id, last_entry_id, entries, sha256) VALUES (?, ?, ?, ?, ?)
            """).execute([block.importID, block.firstEntryID, block.lastEntryID, block.entries, block.sha256])
    }

    public func blocks(importID: Int64) throws -> [VenueLogBlock] {
        try connection.cached("""
            SELECT import_id, first_entry_id, last_entry_id, entries, sha256 FROM venue_log_blocks WHERE import_id = ?
            ORDER BY first_entry_id
            """).rows([importID]) {
                VenueLogBlock(importID: $0.int64(0), firstEntryID: $0.int64(1), lastEntryID: $0.int64(2), entries: $0.int(3),
                              sha256: $0.text(4))
            }
    }

    /// The imports with venue log rows or blocks: what `verify` digests again.
    public func importIDs() throws -> [Int64] {
        try connection.cached("""
            SELECT import_id FROM venue_log_entries UNION SELECT import_id FROM venue_log_blocks ORDER BY 1
            """).rows { $0.int64(0) }
    }

    public func insert(_ mismatch: VenueLogMismatch) throws {
        try connection.cached("INSERT INTO venue_log_mismatches (entry_id, rule, venue_value, ledger_value) VALUES (?, ?, ?, ?)")
            .execute([mismatch.entryID, mismatch.rule.rawValue, mismatch.venueValue, mismatch.ledgerValue])
    }

    /// Mismatches recorded for rows at or before `time`, with their rows.
    public func mismatches(through time: Timestamp, account: String?) throws -> [(mismatch: VenueLogMismatch, entry: StoredVenueLogEntry)] {
        try connection.cached("""
            SELECT m.entry_id, m.rule, m.venue_value, m.ledger_value, \(Self.columnsOfE)
            FROM venue_log_mismatches m JOIN venue_log_entries e ON e.id = m.entry_id
            WHERE e.time_us <= ? AND (? IS NULL OR e.account = ?)
              AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.import_id = e.import_id) ORDER BY e.venue, e.account, e.currency, e.user_seq, m.rule
            """).rows([time, account, account]) { row in
                (VenueLogMismatch(entryID: row.int64(0), rule: VenueLogMismatch.Rule(rawValue: row.text(1)) ?? .balance,
                                  venueValue: row.text(2), ledgerValue: row.text(3)),
                 Self.decode(row.shifted(by: 4)))
            }
    }

    static func decode(_ row: Row) -> StoredVenueLogEntry {
        let record = VenueLogRecord(
            venue: row.text(1), account: row.text(2), currency: row.text(3), entryID: row.text(4), userSeq: row.int64(5),
            timeMicroseconds: row.int64(6), type: row.text(7), instrument: row.optionalText(8), side: row.optionalText(9),
            amount: row.optionalText(10), position: row.optionalText(11), price: row.optionalText(12),
            markPrice: row.optionalText(13), indexPrice: row.optionalText(14), cashFlow: row.text(15),
            funding: row.optionalText(16), feeRate: row.optionalText(17), feeCharged: row.text(18),
            feeBalance: row.optionalText(19), change: row.text(20), balance: row.text(21), equity: row.optionalText(22),
            tradeID: row.optionalText(23), orderID: row.optionalText(24), info: row.optionalText(25), note: row.optionalText(26))
        return StoredVenueLogEntry(id: row.int64(0), revision: row.int64(31), record: record, book: row.text(27),
                                   fillID: row.optionalInt64(28), importID: row.int64(29), sourceLine: row.int64(30))
    }
}
