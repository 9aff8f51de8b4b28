/// A fill as stored, with where it came from.
public struct StoredFill: Sendable, Hashable {
    public let fill: Fill
    public let instrumentID: Int64
    public let importID: Int64
    public let sourceLine: Int
}

public struct FillRepository {
    let connection: Connection

    static let columns = """
        f.venue, f.trade_id, f.time_us, i.symbol, f.book, f.side, f.quantity, f.price, f.fee, f.fee_currency,
        f.order_id, f.hedge_decision, f.note, f.instrument_id, f.import_id, f.source_line
        """

    /// A fill's amounts in their stored text form, computed where it is cheapest: an import
    /// encodes on its reader thread so the writer only binds.
    public struct EncodedAmounts: Sendable {
        let quantity: String
        let price: String
        let fee: String

        public init(_ fill: Fill) {
            quantity = fill.quantity.description
            price = fill.price.description
            fee = fill.fee.description
        }
    }

    /// Appends fills one after another with one prepared statement: the import's hot path.
    public final class Inserter {
        private let insert: PreparedInsert

        init(connection: Connection) throws {
            insert = try PreparedInsert(connection: connection, sql: """
                INSERT INTO fills (venue, trade_id, time_us, instrument_id, book, side, quantity, price, fee, fee_currency,
                                   order_id, hedge_decision, note, import_id, source_line)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (venue, trade_id) DO NOTHING
                """)
        }

        /// Appends `fill` unless one with its (venue, trade id) exists; returns whether it was added.
        public func insertIfNew(_ fill: Fill, amounts encoded: EncodedAmounts, instrumentID: Int64, importID: Int64,
                                sourceLine: Int) throws -> Bool {
            let statement = insert.statement, texts = insert.texts
            statement.reset()
            texts.add(fill.venue, at: 1)
            texts.add(fill.tradeID, at: 2)
            try statement.bind(fill.time.microseconds, at: 3)
            try statement.bind(instrumentID, at: 4)
            texts.add(fill.book, at: 5)
            texts.add(fill.side.rawValue, at: 6)
            texts.add(encoded.quantity, at: 7)
            texts.add(encoded.price, at: 8)
            texts.add(encoded.fee, at: 9)
            texts.add(fill.feeCurrency, at: 10)
            texts.add(fill.orderID, at: 11)
            texts.add(fill.hedgeDecision, at: 12)
            texts.add(fill.note, at: 13)
            try statement.bind(importID, at: 14)
            try statement.bind(Int64(sourceLine), at: 15)
            return try insert.run()
        }
    }

    public func inserter() throws -> Inserter { try Inserter(connection: connection) }

    public func find(venue: String, tradeID: String) throws -> StoredFill? {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.venue = ? AND f.trade_id = ?
            """).firstRow([venue, tradeID]) { try Self.decode($0) }
    }

    public func count() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM fills").firstRow { $0.int(0) } ?? 0
    }

    /// Every fill at or before `time`, in the order positions apply them.
    public func forEachFill(through time: Timestamp, _ visit: (StoredFill) throws -> Void) throws {
        try connection.cached("""
            SELECT \(Self.columns) FROM fills f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.time_us <= ?
            ORDER BY f.time_us, f.venue, f.trade_id
            """).forEachRow([time]) { try visit(Self.decode($0)) }
    }

    static func decode(_ row: Row) throws -> StoredFill {
        guard let side = Fill.Side(rawValue: row.text(5)) else { throw CorruptDatabase(detail: "side '\(row.text(5))'") }
        let fill = Fill(venue: row.text(0), tradeID: row.text(1), time: row.timestamp(2), instrument: row.text(3),
                        book: row.text(4), side: side, quantity: try row.exact(6), price: try row.exact(7),
                        fee: try row.exact(8), feeCurrency: row.text(9), orderID: row.optionalText(10),
                        hedgeDecision: row.optionalText(11), note: row.optionalText(12))
        return StoredFill(fill: fill, instrumentID: row.int64(13), importID: row.int64(14), sourceLine: row.int(15))
    }
}
