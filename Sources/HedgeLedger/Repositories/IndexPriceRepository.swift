/// Index observations and settlement prices: two tables of the same shape, chosen by kind.
public struct IndexPriceRepository {
    let connection: Connection

    static func table(_ kind: IndexPrice.Kind) -> String {
        kind == .settlement ? "settlement_prices" : "index_prices"
    }

    /// Appends the price unless one exists for that index, moment and kind; returns whether it was added.
    public func insertIfNew(_ price: IndexPrice, importID: Int64) throws -> Bool {
        try connection.cached("""
            INSERT INTO \(Self.table(price.kind)) (index_name, time_us, price, import_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (index_name, time_us) DO NOTHING
            """).execute([price.index, price.time, price.price, importID])
        return connection.changes == 1
    }

    public func find(_ kind: IndexPrice.Kind, index: String, time: Timestamp) throws -> (price: IndexPrice, importID: Int64)? {
        try connection.cached("SELECT price, import_id FROM \(Self.table(kind)) WHERE index_name = ? AND time_us = ?")
            .firstRow([index, time]) { row in
                (IndexPrice(index: index, time: time, price: try row.exact(0), kind: kind), row.int64(1))
            }
    }

    /// The latest observation at or before `time`.
    public func latest(index: String, atOrBefore time: Timestamp) throws -> IndexPrice? {
        try connection.cached("""
            SELECT time_us, price FROM index_prices WHERE index_name = ? AND time_us <= ?
            ORDER BY time_us DESC LIMIT 1
            """).firstRow([index, time]) { row in
                IndexPrice(index: index, time: try row.timestamp(0), price: try row.exact(1))
            }
    }

    /// The observations of `indexes`, in time order.
    public func cursorByTime(indexes: [String], from time: Timestamp? = nil) throws -> RowCursor<IndexPrice> {
        let list = Array(repeating: "?", count: max(indexes.count, 1)).joined(separator: ", ")
        return try RowCursor(connection: connection, sql: """
            SELECT index_name, time_us, price FROM index_prices WHERE time_us >= ? AND index_name IN (\(list))
            ORDER BY time_us, index_name
            """, bindings: [time ?? Timestamp(microseconds: .min) as any SQLiteBindable] + (indexes.isEmpty ? [""] : indexes).map { $0 as any SQLiteBindable }) { row in
                IndexPrice(index: row.text(0), time: try row.timestamp(1), price: try row.exact(2))
            }
    }

    public func count(_ kind: IndexPrice.Kind) throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM \(Self.table(kind))").firstRow { $0.int(0) } ?? 0
    }
}

/// One stored index or settlement price's columns, read in place. Valid only inside the visit.
public struct StoredIndexPriceColumns {
    let row: Row
    public var time: Int64 { row.int64(0) }
    public var importID: Int64 { row.int64(1) }
    public var index: UnsafeBufferPointer<UInt8>? { row.textBytes(2) }
    public var price: UnsafeBufferPointer<UInt8>? { row.textBytes(3) }
}

extension IndexPriceRepository {
    /// Prices of a kind in key order (index, then time), read in place: all, or one import's.
    public func forEachPriceColumns(_ kind: IndexPrice.Kind, importID: Int64? = nil,
                                    _ visit: (StoredIndexPriceColumns) throws -> Void) throws {
        try connection.cached("""
            SELECT time_us, import_id, index_name, price FROM \(Self.table(kind)) WHERE (? IS NULL OR import_id = ?)
            ORDER BY index_name, time_us
            """).forEachRow([importID, importID]) { try visit(StoredIndexPriceColumns(row: $0)) }
    }
}
