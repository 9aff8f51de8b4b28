/// A mark as stored, with the import it came from.
public struct StoredMark: Sendable, Hashable {
    public let mark: Mark
    public let instrumentID: Int64
    public let importID: Int64
}

public struct MarkRepository {
    let connection: Connection

    static let columns = """
        m.time_us, i.symbol, m.mark_price, m.underlying_price, m.index_price, m.mark_iv, m.bid_iv, m.ask_iv,
        m.interest_rate, m.venue_delta, m.venue_gamma, m.venue_vega, m.venue_theta, m.venue_rho, m.instrument_id, m.import_id,
        m.bid_price, m.ask_price
        """

    /// A mark's prices in their stored text form, computed where it is cheapest: an import
    /// encodes on its reader thread so the writer only binds.
    public struct EncodedMark: Sendable {
        public var mark: Mark
        let markPrice: String
        let underlyingPrice: String?
        let indexPrice: String?
        let bidPrice: String?
        let askPrice: String?

        public init(_ mark: Mark) {
            self.mark = mark
            markPrice = mark.markPrice.description
            underlyingPrice = mark.underlyingPrice?.description
            indexPrice = mark.indexPrice?.description
            bidPrice = mark.bidPrice?.description
            askPrice = mark.askPrice?.description
        }
    }

    /// Appends marks with one prepared statement: the snapshot import's hot path.
    public final class Inserter {
        private let insert: PreparedInsert

        init(connection: Connection) throws {
            insert = try PreparedInsert(connection: connection, sql: """
                INSERT INTO marks (instrument_id, time_us, mark_price, underlying_price, index_price, mark_iv, bid_iv,
                                   ask_iv, interest_rate, venue_delta, venue_gamma, venue_vega, venue_theta, venue_rho,
                                   import_id, bid_price, ask_price)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (time_us, instrument_id) DO NOTHING
                """)
        }

        /// Appends the mark unless the instrument already has one at that moment; returns whether it was added.
        public func insertIfNew(_ encoded: EncodedMark, instrumentID: Int64, importID: Int64) throws -> Bool {
            let mark = encoded.mark
            let statement = insert.statement
            statement.reset()
            try statement.bind(instrumentID, at: 1)
            try statement.bind(mark.time.microseconds, at: 2)
            try statement.bind(mark.markIV, at: 6)
            try statement.bind(mark.bidIV, at: 7)
            try statement.bind(mark.askIV, at: 8)
            try statement.bind(mark.interestRate, at: 9)
            try statement.bind(mark.venueGreeks.delta, at: 10)
            try statement.bind(mark.venueGreeks.gamma, at: 11)
            try statement.bind(mark.venueGreeks.vega, at: 12)
            try statement.bind(mark.venueGreeks.theta, at: 13)
            try statement.bind(mark.venueGreeks.rho, at: 14)
            try statement.bind(importID, at: 15)
            return try insert.run { texts in
                texts.add(encoded.markPrice, at: 3)
                texts.add(encoded.underlyingPrice, at: 4)
                texts.add(encoded.indexPrice, at: 5)
                texts.add(encoded.bidPrice, at: 16)
                texts.add(encoded.askPrice, at: 17)
            }
        }
    }

    public func inserter() throws -> Inserter { try Inserter(connection: connection) }

    public func find(instrumentID: Int64, time: Timestamp) throws -> StoredMark? {
        try connection.cached("""
            SELECT \(Self.columns) FROM marks m JOIN instruments i ON i.id = m.instrument_id
            WHERE m.instrument_id = ? AND m.time_us = ?
            """).firstRow([instrumentID, time]) { try Self.decode($0) }
    }

    /// The latest mark at or before `time`: "the mark as of t". A seek when `time` is at or
    /// after the instrument's last mark; otherwise a backward scan in time from `time`, which
    /// stops at the instrument's first mark at the latest.
    public func latest(instrumentID: Int64, atOrBefore time: Timestamp) throws -> StoredMark? {
        guard let coverage = try coverage(instrumentID: instrumentID), time.microseconds >= coverage.first else { return nil }
        if time.microseconds >= coverage.last {
            return try find(instrumentID: instrumentID, time: Timestamp(microseconds: coverage.last))
        }
        return try connection.cached("""
            SELECT \(Self.columns) FROM marks m JOIN instruments i ON i.id = m.instrument_id
            WHERE m.time_us <= ? AND m.time_us >= ? AND m.instrument_id = ?
            ORDER BY m.time_us DESC LIMIT 1
            """).firstRow([time, coverage.first, instrumentID]) { try Self.decode($0) }
    }

    /// The latest mark at or before `time` of every instrument that has one, by symbol.
    public func latestForAll(atOrBefore time: Timestamp) throws -> [StoredMark] {
        let ids = try connection.cached("""
            SELECT c.instrument_id FROM mark_coverage c JOIN instruments i ON i.id = c.instrument_id
            WHERE c.first_us <= ? ORDER BY i.symbol
            """).rows([time]) { $0.int64(0) }
        return try ids.compactMap { try latest(instrumentID: $0, atOrBefore: time) }
    }

    /// Every mark in time order (the table's key order: nothing is sorted).
    public func cursorByTime(from time: Timestamp? = nil) throws -> RowCursor<StoredMark> {
        try RowCursor(connection: connection, sql: """
            SELECT \(Self.columns) FROM marks m JOIN instruments i ON i.id = m.instrument_id
            WHERE m.time_us >= ? ORDER BY m.time_us, m.instrument_id
            """, bindings: [time ?? Timestamp(microseconds: .min)], decode: Self.decode)
    }

    /// An instrument's first and last mark times (µs) and how many marks it has.
    public func coverage(instrumentID: Int64) throws -> (first: Int64, last: Int64, count: Int)? {
        try connection.cached("SELECT first_us, last_us, mark_count FROM mark_coverage WHERE instrument_id = ?")
            .firstRow([instrumentID]) { ($0.int64(0), $0.int64(1), $0.int(2)) }
    }

    /// Widens an instrument's coverage by marks an import added.
    public func extendCoverage(instrumentID: Int64, first: Timestamp, last: Timestamp, added: Int) throws {
        try connection.cached("""
            INSERT INTO mark_coverage (instrument_id, first_us, last_us, mark_count) VALUES (?, ?, ?, ?)
            ON CONFLICT (instrument_id) DO UPDATE SET
                first_us = MIN(first_us, excluded.first_us), last_us = MAX(last_us, excluded.last_us),
                mark_count = mark_count + excluded.mark_count
            """).execute([instrumentID, first, last, added])
    }

    public func count() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM marks").firstRow { $0.int(0) } ?? 0
    }

    static func decode(_ row: Row) throws -> StoredMark {
        func real(_ column: Int32) -> Double? { row.isNull(column) ? nil : row.double(column) }
        let mark = Mark(
            instrument: row.text(1), time: try row.timestamp(0), markPrice: try row.exact(2),
            underlyingPrice: try row.optionalExact(3), indexPrice: try row.optionalExact(4), markIV: real(5),
            bidIV: real(6), askIV: real(7), interestRate: real(8),
            venueGreeks: .init(delta: real(9), gamma: real(10), vega: real(11), theta: real(12), rho: real(13)),
            bidPrice: try row.optionalExact(16), askPrice: try row.optionalExact(17))
        return StoredMark(mark: mark, instrumentID: row.int64(14), importID: row.int64(15))
    }
}

/// One stored mark's columns, read in place: what a snapshot import's digests and `verify` hash.
/// Valid only inside the visit it is given to.
public struct StoredMarkColumns {
    let row: Row
    /// The instrument's symbol; nil when the mark's instrument is not stored.
    public let instrument: UnsafeBufferPointer<UInt8>?
    public var time: Int64 { row.int64(0) }
    public var importID: Int64 { row.int64(1) }
    public var instrumentID: Int64 { row.int64(2) }
    /// mark_price, underlying_price, index_price, bid_price, ask_price, as stored.
    public func price(_ index: Int32) -> UnsafeBufferPointer<UInt8>? { row.textBytes(3 + index) }
    static let prices: Int32 = 5
    /// mark_iv, bid_iv, ask_iv, interest_rate and the venue's delta, gamma, vega, theta, rho.
    public func real(_ index: Int32) -> Double? { row.isNull(8 + index) ? nil : row.double(8 + index) }
    static let reals: Int32 = 9
}

extension MarkRepository {
    /// Marks in key order (time, then instrument), their columns read in place: every mark, or
    /// those of one import, or of one import's instrument.
    public func forEachMarkColumns(importID: Int64? = nil, instrumentID: Int64? = nil,
                                   _ visit: (StoredMarkColumns) throws -> Void) throws {
        let symbols = try InstrumentSymbols(connection: connection)
        try connection.cached("""
            SELECT time_us, import_id, instrument_id, mark_price, underlying_price, index_price, bid_price, ask_price,
                   mark_iv, bid_iv, ask_iv, interest_rate, venue_delta, venue_gamma, venue_vega, venue_theta, venue_rho
            FROM marks WHERE (? IS NULL OR import_id = ?) AND (? IS NULL OR instrument_id = ?)
            ORDER BY time_us, instrument_id
            """).forEachRow([importID, importID, instrumentID, instrumentID]) { row in
            try visit(StoredMarkColumns(row: row, instrument: symbols[row.int64(2)]))
        }
    }
}
