/// A checkpoint a desk records: book B held Q of instrument I at time T (migration 0017).
public struct PositionAssertion: Sendable, Hashable {
    public var id: Int64
    public var book: String
    public var instrument: String
    public var instrumentID: Int64
    /// Signed, in the instrument's amount unit.
    public var quantity: ExactDecimal
    public var time: Timestamp
    public var note: String?
    public var recordedAt: Timestamp
    public var recordedBy: String
}

/// The withdrawal of an assertion recorded by mistake (migration 0018).
public struct AssertionWithdrawal: Sendable, Hashable {
    public var id: Int64
    public var assertionID: Int64
    public var reason: String
    public var recordedAt: Timestamp
    public var recordedBy: String
}

/// Position assertions and their withdrawals. Append-only.
public struct PositionAssertionRepository {
    let connection: Connection

    static let withdrawalColumns = "id, assertion_id, reason, recorded_at_us, recorded_by"

    static let columns = """
        a.id, a.book, i.symbol, a.instrument_id, a.quantity, a.time_us, a.note, a.recorded_at_us, a.recorded_by
        """

    /// Stores the assertion (its id is ignored) and returns its id.
    public func insert(_ assertion: PositionAssertion) throws -> Int64 {
        try connection.cached("""
            INSERT INTO position_assertions (book, instrument_id, quantity, time_us, note, recorded_at_us, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute([assertion.book, assertion.instrumentID, assertion.quantity, assertion.time, assertion.note,
                          assertion.recordedAt, assertion.recordedBy])
        return connection.lastInsertRowID
    }

    public func find(id: Int64) throws -> PositionAssertion? {
        try connection.cached("""
            SELECT \(Self.columns) FROM position_assertions a JOIN instruments i ON i.id = a.instrument_id WHERE a.id = ?
            """).firstRow([id]) { try Self.decode($0) }
    }

    /// Every assertion about a time at or before `time` that was not withdrawn, in time order.
    public func all(through time: Timestamp = Timestamp.supported.upperBound) throws -> [PositionAssertion] {
        try connection.cached("""
            SELECT \(Self.columns) FROM position_assertions a JOIN instruments i ON i.id = a.instrument_id
            WHERE a.time_us <= ? AND NOT EXISTS (SELECT 1 FROM position_assertion_withdrawals w WHERE w.assertion_id = a.id)
            ORDER BY a.time_us, a.id
            """).rows([time]) { try Self.decode($0) }
    }

    /// Every assertion, withdrawn or not, with its withdrawal, in the order they were recorded.
    public func everyAssertion() throws -> [(assertion: PositionAssertion, withdrawal: AssertionWithdrawal?)] {
        let withdrawals = try connection.cached("""
            SELECT \(Self.withdrawalColumns) FROM position_assertion_withdrawals
            """).rows { try Self.decodeWithdrawal($0) }
        let byAssertion = Dictionary(withdrawals.map { ($0.assertionID, $0) }, uniquingKeysWith: { first, _ in first })
        return try connection.cached("""
            SELECT \(Self.columns) FROM position_assertions a JOIN instruments i ON i.id = a.instrument_id ORDER BY a.id
            """).rows { try Self.decode($0) }.map { ($0, byAssertion[$0.id]) }
    }

    /// Stores the withdrawal (its id is ignored) and returns its id.
    public func insert(_ withdrawal: AssertionWithdrawal) throws -> Int64 {
        try connection.cached("""
            INSERT INTO position_assertion_withdrawals (assertion_id, reason, recorded_at_us, recorded_by) VALUES (?, ?, ?, ?)
            """).execute([withdrawal.assertionID, withdrawal.reason, withdrawal.recordedAt, withdrawal.recordedBy])
        return connection.lastInsertRowID
    }

    public func withdrawal(id: Int64) throws -> AssertionWithdrawal? {
        try connection.cached("""
            SELECT \(Self.withdrawalColumns) FROM position_assertion_withdrawals WHERE id = ?
            """).firstRow([id]) { try Self.decodeWithdrawal($0) }
    }

    /// The withdrawal of an assertion, if it was withdrawn.
    public func withdrawal(ofAssertion assertionID: Int64) throws -> AssertionWithdrawal? {
        try connection.cached("""
            SELECT \(Self.withdrawalColumns) FROM position_assertion_withdrawals WHERE assertion_id = ?
            """).firstRow([assertionID]) { try Self.decodeWithdrawal($0) }
    }

    public func withdrawnCount() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM position_assertion_withdrawals").firstRow { $0.int(0) } ?? 0
    }

    static func decodeWithdrawal(_ row: Row) throws -> AssertionWithdrawal {
        AssertionWithdrawal(id: row.int64(0), assertionID: row.int64(1), reason: row.text(2), recordedAt: try row.timestamp(3),
                            recordedBy: row.text(4))
    }

    static func decode(_ row: Row) throws -> PositionAssertion {
        PositionAssertion(id: row.int64(0), book: row.text(1), instrument: row.text(2), instrumentID: row.int64(3),
                          quantity: try row.exact(4), time: try row.timestamp(5), note: row.optionalText(6),
                          recordedAt: try row.timestamp(7), recordedBy: row.text(8))
    }
}
