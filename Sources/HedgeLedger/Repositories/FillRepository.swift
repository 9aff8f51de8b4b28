/// A fill as stored, with where it came from.
public struct StoredFill: Sendable, Hashable {
    public let id: Int64
    public let fill: Fill
    /// 0, or n for a fill imported after n earlier fills with its (venue, trade id) were voided.
    public let revision: Int
    public let instrumentID: Int64
    public let importID: Int64
    public let sourceLine: Int
}

public struct FillRepository {
    let connection: Connection

    static let columns = """
        f.venue, f.trade_id, f.time_us, i.symbol, f.book, f.side, f.quantity, f.price, f.fee, f.fee_currency,
        f.order_id, f.hedge_decision, f.note, f.instrument_id, f.import_id, f.source_line, f.id, f.revision
        """

    /// `FillOrderKey`'s order in SQL: time, venue, then trade ids that are whole numbers by
    /// their value (before the others), then byte by byte.
    static let orderBy = """
        f.time_us, f.venue, (f.trade_id GLOB '*[^0-9]*'),
        CASE WHEN f.trade_id GLOB '*[^0-9]*' THEN 0 ELSE length(ltrim(f.trade_id, '0')) END,
        CASE WHEN f.trade_id GLOB '*[^0-9]*' THEN '' ELSE ltrim(f.trade_id, '0') END, f.trade_id
        """

    /// Fills no void took out.
    static let live = "NOT EXISTS (SELECT 1 FROM voided_fills v WHERE v.fill_id = f.id)"

    /// A fill's amounts in their stored text form, computed where it is cheapest: an import
    /// encodes on its reader thread so the writer only binds.
    public struct EncodedAmounts: Sendable {
        public let quantity: String
        public let price: String
        public let fee: String

        /// `texts`: the cells the amounts were read from, stored as they are when already canonical.
        public init(_ fill: Fill, texts: (quantity: String?, price: String?, fee: String?) = (nil, nil, nil)) {
            quantity = Self.stored(fill.quantity, readFrom: texts.quantity)
            price = Self.stored(fill.price, readFrom: texts.price)
            fee = Self.stored(fill.fee, readFrom: texts.fee)
        }

        public init(quantity: ExactDecimal, price: ExactDecimal, fee: ExactDecimal,
                    texts: (quantity: String?, price: String?, fee: String?)) {
            self.quantity = Self.stored(quantity, readFrom: texts.quantity)
            self.price = Self.stored(price, readFrom: texts.price)
            self.fee = Self.stored(fee, readFrom: texts.fee)
        }

        /// The text a value is stored as: the cell it was read from when already canonical (no
        /// formatting on the hot path), else its canonical form.
        static func stored(_ value: ExactDecimal, readFrom text: String?) -> String {
            if let text, DecimalSyntax.isCanonical(text) { return text }
            return value.description
        }
    }

    /// Appends fills one after another with one prepared statement: the import's hot path.
    public final class Inserter {
        private let insert: PreparedInsert

        init(connection: Connection) throws {
            insert = try PreparedInsert(connection: connection, sql: """
                INSERT INTO fills (venue, trade_id, time_us, instrument_id, book, side, quantity, price, fee, fee_currency,
                                   order_id, hedge_decision, note, import_id, source_line, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (venue, trade_id, revision) DO NOTHING
                """)
        }

        /// Appends `fill` unless one with its (venue, trade id, revision) exists; returns the new
        /// fill's id, or nil when it was not added.
        public func insertIfNew(_ fill: Fill, amounts encoded: EncodedAmounts, instrumentID: Int64, importID: Int64,
                                sourceLine: Int, revision: Int = 0) throws -> Int64? {
            let statement = insert.statement
            statement.reset()
            try statement.bind(fill.time.microseconds, at: 3)
            try statement.bind(instrumentID, at: 4)
            try statement.bind(importID, at: 14)
            try statement.bind(Int64(sourceLine), at: 15)
            try statement.bind(Int64(revision), at: 16)
            let inserted = try insert.run { texts in
                texts.add(fill.venue, at: 1)
                texts.add(fill.tradeID, at: 2)
                texts.add(fill.book, at: 5)
                texts.add(fill.side.rawValue, at: 6)
                texts.add(encoded.quantity, at: 7)
                texts.add(encoded.price, at: 8)
                texts.add(encoded.fee, at: 9)
                texts.add(fill.feeCurrency, at: 10)
                texts.add(fill.orderID, at: 11)
                texts.add(fill.hedgeDecision, at: 12)
                texts.add(fill.note, at: 13)
            }
            return inserted ? insert.lastInsertRowID : nil
        }
    }

    public func inserter() throws -> Inserter { try Inserter(connection: connection) }

    /// The fill with this (venue, trade id) that no void took out, if any.
    public func findLive(venue: String, tradeID: String) throws -> StoredFill? {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.venue = ? AND f.trade_id = ? AND \(Self.live)
            """).firstRow([venue, tradeID]) { try Self.decode($0) }
    }

    /// How many fills with this (venue, trade id) exist, voided or not: the next one's revision.
    public func revisions(venue: String, tradeID: String) throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM fills WHERE venue = ? AND trade_id = ?")
            .firstRow([venue, tradeID]) { $0.int(0) } ?? 0
    }

    /// The ids of an import's fills that no void took out yet, with their book, instrument and time.
    public func liveFills(importID: Int64) throws -> [(id: Int64, book: String, instrumentID: Int64, time: Timestamp)] {
        try connection.cached("""
            SELECT f.id, f.book, f.instrument_id, f.time_us FROM fills f WHERE f.import_id = ? AND \(Self.live) ORDER BY f.id
            """).rows([importID]) { ($0.int64(0), $0.text(1), $0.int64(2), try $0.timestamp(3)) }
    }

    /// The signed quantity a book held in an instrument from the live fills before `time`.
    public func liveQuantity(book: String, instrumentID: Int64, before time: Timestamp) throws -> ExactDecimal {
        var total = ExactDecimal.zero
        try connection.cached("""
            SELECT f.side, f.quantity FROM fills f WHERE f.book = ? AND f.instrument_id = ? AND f.time_us < ? AND \(Self.live)
            """).forEachRow([book, instrumentID, time]) { row in
                let quantity = try row.exact(1)
                try total += row.text(0) == "buy" ? quantity : -quantity
            }
        return total
    }

    public func count() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM fills").firstRow { $0.int(0) } ?? 0
    }

    /// Every fill at or before `time`, in the order positions apply them; voided fills only
    /// when `includeVoided`.
    public func forEachFill(through time: Timestamp, includeVoided: Bool = false,
                            _ visit: (StoredFill) throws -> Void) throws {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.time_us <= ? AND (? OR \(Self.live))
            ORDER BY \(Self.orderBy)
            """).forEachRow([time, includeVoided]) { try visit(Self.decode($0)) }
    }

    /// Every fill that counts, in the order positions apply them (time first): what a recompute
    /// reads in one pass. SQLite sorts them (fills carry no time index: BENCHMARKS.md).
    public func cursorInApplyOrder(from time: Timestamp? = nil) throws -> RowCursor<StoredFill> {
        try RowCursor(connection: connection, sql: """
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.time_us >= ? AND \(Self.live) ORDER BY \(Self.orderBy)
            """, bindings: [time ?? Timestamp(microseconds: .min)], decode: Self.decode)
    }

    /// The fills with these ids (one position segment) that no void took out, in the order
    /// positions apply them. Every id must be a fill of (book, instrument): segments are read
    /// back from the file, so anything else means the ledger is corrupt.
    public func liveFills(ids: [Int64], book: String, instrument: StoredInstrument) throws -> [StoredFill] {
        let statement = try connection.cached("""
            SELECT f.venue, f.trade_id, f.time_us, f.side, f.quantity, f.price, f.fee, f.fee_currency, f.id, f.import_id,
                   f.source_line, f.book, f.instrument_id, EXISTS (SELECT 1 FROM voided_fills v WHERE v.fill_id = f.id)
            FROM fills f WHERE f.id = ?
            """)
        var fills: [StoredFill] = []
        fills.reserveCapacity(ids.count)
        for id in ids {
            let found = try statement.firstRow([id]) { row -> StoredFill? in
                guard row.text(11) == book, row.int64(12) == instrument.id else {
                    throw CorruptDatabase(detail: "a position segment of book '\(book)' in \(instrument.instrument.symbol) lists fill \(id) of another position")
                }
                return row.int64(13) != 0 ? nil : try Self.decodeForReplay(row, book: book, instrument: instrument)
            }
            guard let found else { throw CorruptDatabase(detail: "a position segment lists fill \(id), which does not exist") }
            if let found { fills.append(found) }
        }
        fills.sort { $0.fill.orderKey < $1.fill.orderKey }
        return fills
    }

    /// The fills with ids from `firstID` on (one import's) of `instruments`, position by
    /// position (by instrument id, then book), each position's in the order positions apply
    /// them: the fills a late import merges into its positions. SQLite sorts them with one
    /// helper thread and a 1 MiB page cache, which also caps each sorter's buffer before it
    /// spills sorted runs to temporary files: memory stays flat in the file's size, and small
    /// runs sorted on two cores took 1.8 s for a million shuffled fills against 3.1 s with one
    /// thread and 16 MiB (BENCHMARKS.md).
    public func forEachFill(fromID firstID: Int64, instruments: [StoredInstrument],
                            _ visit: (StoredFill) throws -> Void) throws {
        guard !instruments.isEmpty else { return }
        let symbols = Dictionary(instruments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Integer ids of our own instruments: safe to put in the statement's text.
        let list = symbols.keys.sorted().map(String.init).joined(separator: ",")
        let cacheSize = try connection.prepare("PRAGMA cache_size").firstRow { $0.int(0) } ?? -2000
        try connection.execute("PRAGMA cache_size = -1024; PRAGMA threads = 1")
        defer { try? connection.execute("PRAGMA cache_size = \(cacheSize); PRAGMA threads = 0") }
        var sameTime: [StoredFill] = []
        func flush() throws {
            if sameTime.count > 1 { sameTime.sort { $0.fill.orderKey < $1.fill.orderKey } }
            for stored in sameTime { try visit(stored) }
            sameTime.removeAll(keepingCapacity: true)
        }
        try connection.prepare("""
            SELECT f.venue, f.trade_id, f.time_us, f.side, f.quantity, f.price, f.fee, f.fee_currency, f.id, f.import_id,
                   f.source_line, f.book, f.instrument_id
            FROM fills f WHERE f.id >= ? AND f.instrument_id IN (\(list))
            ORDER BY f.instrument_id, f.book, f.time_us
            """).forEachRow([firstID]) { row in
                guard let instrument = symbols[row.int64(12)] else { return }
                let stored = try Self.decodeForReplay(row, book: row.text(11), instrument: instrument)
                if let last = sameTime.last,
                   last.fill.time != stored.fill.time || last.fill.book != stored.fill.book || last.instrumentID != stored.instrumentID {
                    try flush()
                }
                sameTime.append(stored)
            }
        try flush()
    }

    /// A fill from the first eleven columns of the replay queries: what applying it needs.
    private static func decodeForReplay(_ row: Row, book: String, instrument: StoredInstrument) throws -> StoredFill {
        guard let side = Fill.Side(rawValue: row.text(3)) else { throw CorruptDatabase(detail: "side '\(row.text(3).escapingControlCharacters)'") }
        let fill = Fill(venue: row.text(0), tradeID: row.text(1), time: try row.timestamp(2),
                        instrument: instrument.instrument.symbol, book: book, side: side, quantity: try row.exact(4),
                        price: try row.exact(5), fee: try row.exact(6), feeCurrency: row.text(7))
        return StoredFill(id: row.int64(8), fill: fill, revision: 0, instrumentID: instrument.id,
                          importID: row.int64(9), sourceLine: row.int(10))
    }

    /// The highest fill id: about how many fills the ledger holds, at the cost of one seek.
    /// The fills of a book, an underlying and an instrument (each when given) from `from` to `to`
    /// inclusive, in the order positions apply them, each with whether a void took it out;
    /// voided ones only when `includeVoided`.
    public func list(book: String?, underlying: String?, instrumentID: Int64?, from: Timestamp?, to: Timestamp?,
                     includeVoided: Bool) throws -> [(fill: StoredFill, voided: Bool)] {
        try connection.cached("""
            SELECT \(Self.columns), NOT \(Self.live) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE (?1 IS NULL OR f.book = ?1) AND (?2 IS NULL OR f.instrument_id = ?2) AND f.time_us >= ?3 AND f.time_us <= ?4
              AND (?5 OR \(Self.live)) AND (?6 IS NULL OR i.underlying = ?6)
            ORDER BY \(Self.orderBy)
            """).rows([book, instrumentID, from ?? Timestamp(microseconds: .min), to ?? Timestamp(microseconds: .max), includeVoided,
                      underlying?.uppercased()]) {
            (try Self.decode($0), $0.int(18) != 0)
        }
    }

    public func highestID() throws -> Int64 {
        try connection.cached("SELECT COALESCE(MAX(id), 0) FROM fills").firstRow { $0.int64(0) } ?? 0
    }

    static func decode(_ row: Row) throws -> StoredFill {
        guard let side = Fill.Side(rawValue: row.text(5)) else { throw CorruptDatabase(detail: "side '\(row.text(5))'") }
        let fill = Fill(venue: row.text(0), tradeID: row.text(1), time: try row.timestamp(2), instrument: row.text(3),
                        book: row.text(4), side: side, quantity: try row.exact(6), price: try row.exact(7),
                        fee: try row.exact(8), feeCurrency: row.text(9), orderID: row.optionalText(10),
                        hedgeDecision: row.optionalText(11), note: row.optionalText(12))
        return StoredFill(id: row.int64(16), fill: fill, revision: row.int(17), instrumentID: row.int64(13),
                          importID: row.int64(14), sourceLine: row.int(15))
    }
}

extension FillRepository {
    /// The live fills that execute a decision: those naming its key in their file's
    /// `hedge_decision` column and those linked to it later, in apply order.
    public func liveFills(executing key: String, decisionID: Int64) throws -> [StoredFill] {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE (f.hedge_decision = ?
                   OR f.id IN (SELECT l.fill_id FROM hedge_links l WHERE l.decision_id = ? AND \(HedgeLinkRepository.currentLink)))
              AND \(Self.live)
            ORDER BY \(Self.orderBy)
            """).rows([key, decisionID]) { try Self.decode($0) }
    }
}

extension FillRepository {
    /// Live fills in futures, perpetuals and spot between two times that execute no decision:
    /// neither naming one in their file nor linked to one now. By time.
    public func liveFillsWithoutDecision(book: String?, from: Timestamp?, to: Timestamp?) throws -> [StoredFill] {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE i.kind <> 'option' AND f.hedge_decision IS NULL AND (? IS NULL OR f.book = ?) AND f.time_us >= ? AND f.time_us <= ?
              AND NOT EXISTS (SELECT 1 FROM hedge_links l WHERE l.fill_id = f.id AND l.decision_id IS NOT NULL AND \(HedgeLinkRepository.currentLink))
              AND \(Self.live)
            ORDER BY \(Self.orderBy)
            """).rows([book, book, from ?? Timestamp(microseconds: .min), to ?? Timestamp(microseconds: .max)]) { try Self.decode($0) }
    }

    /// Live fills naming, in their file's hedge_decision column, a decision the journal does not have.
    public func liveFillsNamingUnknownDecisions() throws -> [StoredFill] {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.hedge_decision IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hedge_decisions d WHERE d.decision_key = f.hedge_decision)
              AND \(Self.live)
            ORDER BY \(Self.orderBy)
            """).rows { try Self.decode($0) }
    }
}

extension FillRepository {
    /// Every fill, voided or not, in id order (the order imports wrote them).
    public func forEachFillByID(_ visit: (StoredFill) throws -> Void) throws {
        try connection.cached("SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id ORDER BY f.id")
            .forEachRow { try visit(try Self.decode($0)) }
    }
}

/// A fill's columns as stored, texts as text: what the journal chain hashes when an import
/// writes the fill (`StoredFillColumns` is the same read back).
public struct StoredFillText: Sendable {
    public var id: Int64
    public var venue: String
    public var tradeID: String
    public var revision: Int
    public var timeMicroseconds: Int64
    public var instrument: String
    public var book: String
    public var side: String
    public var quantity: String
    public var price: String
    public var fee: String
    public var feeCurrency: String
    public var orderID: String?
    public var hedgeDecision: String?
    public var note: String?
    public var importID: Int64
    public var sourceLine: Int64
}

/// One stored fill's columns, read in place: what `verify` hashes, without making strings.
/// Valid only inside the visit it is given to.
public struct StoredFillColumns {
    let row: Row
    /// The instrument's symbol; nil when the fill's instrument is not stored.
    public let instrument: UnsafeBufferPointer<UInt8>?
    public var id: Int64 { row.int64(15) }
    public var importID: Int64 { row.int64(13) }
    public var revision: Int64 { row.int64(16) }
    public var timeMicroseconds: Int64 { row.int64(2) }
    public var sourceLine: Int64 { row.int64(14) }
    public var venue: UnsafeBufferPointer<UInt8>? { row.textBytes(0) }
    public var tradeID: UnsafeBufferPointer<UInt8>? { row.textBytes(1) }
    public var book: UnsafeBufferPointer<UInt8>? { row.textBytes(4) }
    public var side: UnsafeBufferPointer<UInt8>? { row.textBytes(5) }
    public var quantity: UnsafeBufferPointer<UInt8>? { row.textBytes(6) }
    public var price: UnsafeBufferPointer<UInt8>? { row.textBytes(7) }
    public var fee: UnsafeBufferPointer<UInt8>? { row.textBytes(8) }
    public var feeCurrency: UnsafeBufferPointer<UInt8>? { row.textBytes(9) }
    public var orderID: UnsafeBufferPointer<UInt8>? { row.textBytes(10) }
    public var hedgeDecision: UnsafeBufferPointer<UInt8>? { row.textBytes(11) }
    public var note: UnsafeBufferPointer<UInt8>? { row.textBytes(12) }
}

extension FillRepository {
    /// Every fill, voided or not, in id order, its columns read in place.
    public func forEachFillColumns(_ visit: (StoredFillColumns) throws -> Void) throws {
        let symbols = try InstrumentSymbols(connection: connection)
        try connection.cached("""
            SELECT venue, trade_id, time_us, instrument_id, book, side, quantity, price, fee, fee_currency,
                   order_id, hedge_decision, note, import_id, source_line, id, revision
            FROM fills ORDER BY id
            """).forEachRow { row in
            try visit(StoredFillColumns(row: row, instrument: symbols[row.int64(3)]))
        }
    }
}

extension FillRepository {
    /// The fees of a book's live fills in an underlying's instruments between two times
    /// (inclusive), by currency, summed exactly.
    public func fees(book: String, underlying: String, from: Timestamp, to: Timestamp) throws -> [String: ExactDecimal] {
        var fees: [String: ExactDecimal] = [:]
        try connection.cached("""
            SELECT f.fee, f.fee_currency FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.book = ? AND i.underlying = ? AND f.time_us >= ? AND f.time_us <= ? AND \(Self.live)
            """).forEachRow([book, underlying, from, to]) { row in
            let fee = try row.exact(0)
            do throws(ArithmeticOverflow) {
                fees[row.text(1)] = try (fees[row.text(1)] ?? .zero) + fee
            } catch {
                throw CorruptDatabase(detail: "the fees of book '\(book)' in \(underlying) cannot be summed exactly: \(error)")
            }
        }
        return fees
    }
}
