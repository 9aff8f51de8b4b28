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
