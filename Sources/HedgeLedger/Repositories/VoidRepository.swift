/// A void as stored.
public struct StoredVoid: Sendable, Hashable {
    public let id: Int64
    public let importID: Int64?
    public let fillID: Int64?
    public let reason: String
    public let voidedBy: String
    public let time: Timestamp
}

public struct VoidRepository {
    let connection: Connection

    /// Records a void of an import or of one fill and the fills it takes out; returns its id.
    public func insert(importID: Int64?, fillID: Int64?, reason: String, voidedBy: String, time: Timestamp,
                       fillIDs: [Int64]) throws -> Int64 {
        try connection.cached("""
            INSERT INTO voids (import_id, fill_id, reason, voided_by, voided_at_us) VALUES (?, ?, ?, ?, ?)
            """).execute([importID, fillID, reason, voidedBy, time])
        let voidID = connection.lastInsertRowID
        let statement = try connection.cached("INSERT INTO voided_fills (fill_id, void_id) VALUES (?, ?)")
        for fillID in fillIDs { try statement.execute([fillID, voidID]) }
        return voidID
    }

    /// The void of an import, if it was voided.
    public func findVoid(ofImport importID: Int64) throws -> StoredVoid? {
        try connection.cached("SELECT \(Self.columns) FROM voids WHERE import_id = ? ORDER BY id LIMIT 1")
            .firstRow([importID]) { try Self.decode($0) }
    }

    /// How many of each import's fills voids took out, by import id.
    public func voidedFillCounts() throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        try connection.cached("""
            SELECT f.import_id, COUNT(*) FROM voided_fills v JOIN fills f ON f.id = v.fill_id GROUP BY f.import_id
            """).forEachRow { counts[$0.int64(0)] = $0.int(1) }
        return counts
    }

    /// Every void, oldest first, with the fill a fill void names and how many fills each took out.
    public func all() throws -> [(void: StoredVoid, venue: String?, tradeID: String?, fills: Int)] {
        try connection.cached("""
            SELECT v.id, v.import_id, v.fill_id, v.reason, v.voided_by, v.voided_at_us, f.venue, f.trade_id,
                   (SELECT COUNT(*) FROM voided_fills w WHERE w.void_id = v.id)
            FROM voids v LEFT JOIN fills f ON f.id = v.fill_id
            ORDER BY v.id
            """).rows { row in (try Self.decode(row), row.optionalText(6), row.optionalText(7), row.int(8)) }
    }

    static let columns = "id, import_id, fill_id, reason, voided_by, voided_at_us"

    static func decode(_ row: Row) throws -> StoredVoid {
        StoredVoid(id: row.int64(0), importID: row.optionalInt64(1), fillID: row.optionalInt64(2), reason: row.text(3),
                   voidedBy: row.text(4), time: try row.timestamp(5))
    }
}

extension VoidRepository {
    public func find(id: Int64) throws -> StoredVoid? {
        try connection.cached("SELECT \(Self.columns) FROM voids WHERE id = ?").firstRow([id]) { try Self.decode($0) }
    }

    /// The fills a void took out, ascending.
    public func fillIDs(voidID: Int64) throws -> [Int64] {
        try connection.cached("SELECT fill_id FROM voided_fills WHERE void_id = ? ORDER BY fill_id").rows([voidID]) { $0.int64(0) }
    }
}
