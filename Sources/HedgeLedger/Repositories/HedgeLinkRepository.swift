/// Fills linked to hedge decisions after their import (migration 0011). Append-only.
public struct HedgeLinkRepository {
    let connection: Connection

    public func insert(decisionID: Int64, fillID: Int64, recordedAt: Timestamp, recordedBy: String) throws {
        try connection.cached("""
            INSERT INTO hedge_links (decision_id, fill_id, source, recorded_at_us, recorded_by) VALUES (?, ?, 'link', ?, ?)
            """).execute([decisionID, fillID, recordedAt, recordedBy])
    }

    /// The decision a fill is linked to, if any.
    public func decision(ofFill fillID: Int64) throws -> Int64? {
        try connection.cached("SELECT decision_id FROM hedge_links WHERE fill_id = ?").firstRow([fillID]) { $0.int64(0) }
    }
}

/// A link as stored.
public struct StoredHedgeLink: Sendable, Hashable {
    public let id: Int64
    public let decisionID: Int64
    public let fillID: Int64
    public let source: String
    public let recordedAt: Timestamp
    public let recordedBy: String
}

extension HedgeLinkRepository {
    public func find(id: Int64) throws -> StoredHedgeLink? {
        try connection.cached("SELECT id, decision_id, fill_id, source, recorded_at_us, recorded_by FROM hedge_links WHERE id = ?")
            .firstRow([id]) { row in
                StoredHedgeLink(id: row.int64(0), decisionID: row.int64(1), fillID: row.int64(2), source: row.text(3),
                                recordedAt: try row.timestamp(4), recordedBy: row.text(5))
            }
    }

    public var lastInsertedID: Int64 { connection.lastInsertRowID }
}
