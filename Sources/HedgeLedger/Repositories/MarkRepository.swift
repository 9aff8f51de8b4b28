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
        m.interest_rate, m.venue_delta, m.venue_gamma, m.venue_vega, m.venue_theta, m.venue_rho, m.instrument_id, m.import_id
        """

    /// A mark's prices in their stored text form, computed where it is cheapest: an import
    /// encodes on its reader thread so the writer only binds.
    public struct EncodedMark: Sendable {
        public var mark: Mark
        let markPrice: String
        let underlyingPrice: String?
        let indexPrice: String?

        public init(_ mark: Mark) {
            self.mark = mark
            markPrice = mark.markPrice.description
            underlyingPrice = mark.underlyingPrice?.description
            indexPrice = mark.indexPrice?.description
        }
    }

    /// Appends marks with one prepared statement: the snapshot import's hot path.
    public final class Inserter {
        private let statement: Statement
        private let connection: Connection
        private var textBuffer = Statement.TextBuffer(capacity: 1024)

        init(connection: Connection) throws {
            self.connection = connection
            statement = try connection.cached("""
                INSERT INTO marks (instrument_id, time_us, mark_price, underlying_price, index_price, mark_iv, bid_iv,
                                   ask_iv, interest_rate, venue_delta, venue_gamma, venue_vega, venue_theta, venue_rho,
                                   import_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (instrument_id, time_us) DO NOTHING
                """)
        }

        /// Appends the mark unless the instrument already has one at that moment; returns whether it was added.
        public func insertIfNew(_ encoded: EncodedMark, instrumentID: Int64, importID: Int64) throws -> Bool {
            let mark = encoded.mark
            var texts = Statement.TextBuffer()
            swap(&texts, &textBuffer)
            defer { swap(&texts, &textBuffer) }
            statement.reset()
            try statement.bind(instrumentID, at: 1)
            try statement.bind(mark.time.microseconds, at: 2)
            texts.add(encoded.markPrice, at: 3)
            texts.add(encoded.underlyingPrice, at: 4)
            texts.add(encoded.indexPrice, at: 5)
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
            try texts.run(statement)
            return connection.changes == 1
        }
    }

    public func inserter() throws -> Inserter { try Inserter(connection: connection) }

    public func find(instrumentID: Int64, time: Timestamp) throws -> StoredMark? {
        try connection.cached("""
            SELECT \(Self.columns) FROM marks m JOIN instruments i ON i.id = m.instrument_id
            WHERE m.instrument_id = ? AND m.time_us = ?
            """).firstRow([instrumentID, time]) { try Self.decode($0) }
    }

    /// The latest mark at or before `time`: "the mark as of t".
    public func latest(instrumentID: Int64, atOrBefore time: Timestamp) throws -> StoredMark? {
        try connection.cached("""
            SELECT \(Self.columns) FROM marks m JOIN instruments i ON i.id = m.instrument_id
            WHERE m.instrument_id = ? AND m.time_us <= ?
            ORDER BY m.time_us DESC LIMIT 1
            """).firstRow([instrumentID, time]) { try Self.decode($0) }
    }

    /// The latest mark at or before `time` of every instrument that has one.
    public func latestForAll(atOrBefore time: Timestamp) throws -> [StoredMark] {
        try connection.cached("""
            SELECT \(Self.columns) FROM instruments i
            JOIN marks m ON m.instrument_id = i.id
                AND m.time_us = (SELECT MAX(time_us) FROM marks WHERE instrument_id = i.id AND time_us <= ?)
            ORDER BY i.symbol
            """).rows([time]) { try Self.decode($0) }
    }

    public func count() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM marks").firstRow { $0.int(0) } ?? 0
    }

    static func decode(_ row: Row) throws -> StoredMark {
        func real(_ column: Int32) -> Double? { row.isNull(column) ? nil : row.double(column) }
        let mark = Mark(
            instrument: row.text(1), time: row.timestamp(0), markPrice: try row.exact(2),
            underlyingPrice: try row.optionalExact(3), indexPrice: try row.optionalExact(4), markIV: real(5),
            bidIV: real(6), askIV: real(7), interestRate: real(8),
            venueGreeks: .init(delta: real(9), gamma: real(10), vega: real(11), theta: real(12), rho: real(13)))
        return StoredMark(mark: mark, instrumentID: row.int64(14), importID: row.int64(15))
    }
}
