/// Fills linked to hedge decisions after their import (migrations 0011, 0013). Append-only: a
/// link made in error is withdrawn by a later row for the fill with no decision, and a fill's
/// link is its latest row.
public struct HedgeLinkRepository {
    let connection: Connection

    public func insert(decisionID: Int64, fillID: Int64, recordedAt: Timestamp, recordedBy: String) throws {
        try connection.cached("""
            INSERT INTO hedge_links (decision_id, fill_id, source, recorded_at_us, recorded_by) VALUES (?, ?, 'link', ?, ?)
            """).execute([decisionID, fillID, recordedAt, recordedBy])
    }

    /// Withdraws the fill's link.
    public func insertUnlink(fillID: Int64, reason: String, recordedAt: Timestamp, recordedBy: String) throws {
        try connection.cached("""
            INSERT INTO hedge_links (decision_id, fill_id, source, recorded_at_us, recorded_by, reason) VALUES (NULL, ?, 'unlink', ?, ?, ?)
            """).execute([fillID, recordedAt, recordedBy, reason])
    }

    /// The decision a fill is linked to now, if any.
    public func decision(ofFill fillID: Int64) throws -> Int64? {
        try connection.cached("SELECT decision_id FROM hedge_links WHERE fill_id = ? ORDER BY id DESC LIMIT 1")
            .firstRow([fillID]) { $0.optionalInt64(0) } ?? nil
    }

    /// Which fills are linked now: a row is current when no later row names its fill. SQL for
    /// the queries that need it, with `l` the link row.
    static let currentLink = "l.id = (SELECT MAX(m.id) FROM hedge_links m WHERE m.fill_id = l.fill_id)"
}

/// A link as stored.
public struct StoredHedgeLink: Sendable, Hashable {
    public let id: Int64
    /// nil: an unlink, withdrawing the fill's earlier link.
    public let decisionID: Int64?
    public let fillID: Int64
    public let source: String
    public let recordedAt: Timestamp
    public let recordedBy: String
    public let reason: String?
}

extension HedgeLinkRepository {
    public func find(id: Int64) throws -> StoredHedgeLink? {
        try connection.cached("SELECT id, decision_id, fill_id, source, recorded_at_us, recorded_by, reason FROM hedge_links WHERE id = ?")
            .firstRow([id]) { row in
                StoredHedgeLink(id: row.int64(0), decisionID: row.optionalInt64(1), fillID: row.int64(2), source: row.text(3),
                                recordedAt: try row.timestamp(4), recordedBy: row.text(5), reason: row.optionalText(6))
            }
    }

    public var lastInsertedID: Int64 { connection.lastInsertRowID }
}
