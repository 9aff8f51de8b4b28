/// A decision as recorded, with its row id and provenance.
public struct StoredHedgeDecision: Sendable, Hashable {
    public let id: Int64
    public let decision: HedgeDecision
    public let recordedAt: Timestamp
    public let importID: Int64?
    public let sourceLine: Int?
    /// The row id of the decision this one supersedes.
    public var supersedesID: Int64? = nil
}

/// The hedge journal's decisions (migration 0011). Append-only.
public struct HedgeDecisionRepository {
    let connection: Connection

    @discardableResult
    public func insert(_ decision: HedgeDecision, instrumentID: Int64?, recordedAt: Timestamp, importID: Int64? = nil,
                       sourceLine: Int? = nil, supersedesID: Int64? = nil) throws -> Int64 {
        let inputs = decision.inputs
        try connection.cached("""
            INSERT INTO hedge_decisions (decision_key, time_us, book, underlying, policy_id, action, reason, instrument_id, quantity,
                                         reference_price, net_delta, gamma, band_low, band_high, underlying_price, oldest_mark_age_s,
                                         exposure_time_us, decided_by, rationale, source, import_id, source_line, recorded_at_us,
                                         supersedes_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([decision.key, decision.time, decision.book, decision.underlying, decision.policyID, decision.action.rawValue,
                          decision.reason, instrumentID, decision.quantity, decision.referencePrice, inputs.netDelta, inputs.gamma,
                          inputs.bandLow, inputs.bandHigh, inputs.underlyingPrice, inputs.oldestMarkAgeSeconds, inputs.exposureTime,
                          decision.decidedBy, decision.rationale, decision.source.rawValue, importID, sourceLine.map(Int64.init),
                          recordedAt, supersedesID])
        return connection.lastInsertRowID
    }

    public func find(key: String) throws -> StoredHedgeDecision? {
        try connection.cached("\(Self.select) WHERE d.decision_key = ?").rows([key]) { try Self.decode($0) }.first
    }

    /// The next free key of the form `D<n>`.
    public func nextKey() throws -> String {
        var number = try connection.cached("SELECT COALESCE(MAX(id), 0) + 1 FROM hedge_decisions").firstRow { $0.int64(0) } ?? 1
        while try find(key: "D\(number)") != nil { number += 1 }
        return "D\(number)"
    }

    /// The decisions between two times (inclusive) of the pairs the filters select, by time then id.
    public func decisions(book: String? = nil, underlying: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) throws
        -> [StoredHedgeDecision] {
        try connection.cached("""
            \(Self.select) WHERE (? IS NULL OR d.book = ?) AND (? IS NULL OR d.underlying = ?) AND d.time_us >= ? AND d.time_us <= ?
            ORDER BY d.time_us, d.id
            """).rows([book, book, underlying, underlying, from ?? Timestamp(microseconds: .min), to ?? Timestamp(microseconds: .max)]) {
                try Self.decode($0)
            }
    }

    /// When the pair last decided to rebalance before `time`, among decisions not superseded.
    public func lastRebalance(book: String, underlying: String, before time: Timestamp) throws -> Timestamp? {
        try connection.cached("""
            SELECT MAX(time_us) FROM hedge_decisions d WHERE book = ? AND underlying = ? AND action = 'rebalance' AND time_us < ?
              AND NOT EXISTS (SELECT 1 FROM hedge_decisions s WHERE s.supersedes_id = d.id)
            """).firstRow([book, underlying, time]) { $0.isNull(0) ? nil : try $0.timestamp(0) } ?? nil
    }

    static let select = """
        SELECT d.id, d.decision_key, d.time_us, d.book, d.underlying, d.policy_id, d.action, d.reason, i.symbol, d.quantity,
               d.reference_price, d.net_delta, d.gamma, d.band_low, d.band_high, d.underlying_price, d.oldest_mark_age_s,
               d.exposure_time_us, d.decided_by, d.rationale, d.source, d.import_id, d.source_line, d.recorded_at_us, d.instrument_id,
               d.supersedes_id, s.decision_key
        FROM hedge_decisions d LEFT JOIN instruments i ON i.id = d.instrument_id LEFT JOIN hedge_decisions s ON s.id = d.supersedes_id
        """

    /// A decision as stored; a value no hedgeledger command could have written is refused.
    static func decode(_ row: Row) throws -> StoredHedgeDecision {
        let id = row.int64(0)
        func corrupt(_ what: String) -> CorruptDatabase { CorruptDatabase(detail: "\(what) of hedge decision \(id)") }
        func real(_ column: Int32) throws -> Double? {
            if row.isNull(column) { return nil }
            let value = row.double(column)
            guard value.isFinite else { throw corrupt("value \(value)") }
            return value
        }
        func amount(_ column: Int32) throws -> ExactDecimal? {
            guard let value = try row.optionalExact(column) else { return nil }
            guard AmountLimits.accepts(value) else { throw corrupt("amount \(value)") }
            return value
        }
        guard let action = HedgeDecision.Action(rawValue: row.text(6)) else { throw corrupt("action") }
        guard let source = HedgeDecision.Source(rawValue: row.text(20)) else { throw corrupt("source") }
        if !row.isNull(24) && row.isNull(8) { throw corrupt("instrument") }
        let inputs = HedgeDecision.Inputs(netDelta: try real(11), gamma: try real(12), bandLow: try real(13), bandHigh: try real(14),
                                          underlyingPrice: try real(15), oldestMarkAgeSeconds: try real(16),
                                          exposureTime: row.isNull(17) ? nil : try row.timestamp(17))
        let decision = HedgeDecision(key: row.text(1), time: try row.timestamp(2), book: row.text(3), underlying: row.text(4),
                                     policyID: row.optionalInt64(5), action: action, reason: row.optionalText(7),
                                     instrument: row.optionalText(8), quantity: try amount(9), referencePrice: try amount(10),
                                     inputs: inputs, decidedBy: row.text(18), rationale: row.text(19), source: source,
                                     supersedes: row.optionalText(26))
        if let problem = decision.problem { throw corrupt(problem) }
        if !row.isNull(25) && row.isNull(26) { throw corrupt("superseded decision") }
        return StoredHedgeDecision(id: id, decision: decision, recordedAt: try row.timestamp(23), importID: row.optionalInt64(21),
                                   sourceLine: row.optionalInt64(22).map { Int($0) }, supersedesID: row.optionalInt64(25))
    }
}

extension HedgeDecisionRepository {
    public func find(id: Int64) throws -> StoredHedgeDecision? {
        try connection.cached("\(Self.select) WHERE d.id = ?").rows([id]) { try Self.decode($0) }.first
    }
}

/// One stored decision's columns, read in place: what `verify` hashes, without decoding the
/// decision. Valid only inside the visit it is given to.
public struct StoredDecisionColumns {
    let row: Row
    public var id: Int64 { row.int64(0) }
    public var key: UnsafeBufferPointer<UInt8>? { row.textBytes(1) }
    public var timeMicroseconds: Int64 { row.int64(2) }
    public var book: UnsafeBufferPointer<UInt8>? { row.textBytes(3) }
    public var underlying: UnsafeBufferPointer<UInt8>? { row.textBytes(4) }
    public var policyID: Int64? { row.optionalInt64(5) }
    public var action: UnsafeBufferPointer<UInt8>? { row.textBytes(6) }
    public var reason: UnsafeBufferPointer<UInt8>? { row.textBytes(7) }
    public var instrument: UnsafeBufferPointer<UInt8>? { row.textBytes(8) }
    public var quantity: String? { row.optionalText(9) }
    public var referencePrice: String? { row.optionalText(10) }
    /// net delta, gamma, band low, band high, underlying price, oldest mark age.
    public var inputs: [Double?] { (11...16).map { row.isNull(Int32($0)) ? nil : row.double(Int32($0)) } }
    public var exposureTime: Int64? { row.optionalInt64(17) }
    public var decidedBy: UnsafeBufferPointer<UInt8>? { row.textBytes(18) }
    public var rationale: UnsafeBufferPointer<UInt8>? { row.textBytes(19) }
    public var source: UnsafeBufferPointer<UInt8>? { row.textBytes(20) }
    public var importID: Int64? { row.optionalInt64(21) }
    public var sourceLine: Int64? { row.optionalInt64(22) }
    public var recordedAt: Int64 { row.int64(23) }
    public var supersedesID: Int64? { row.optionalInt64(25) }
}

extension HedgeDecisionRepository {
    /// Every decision in id order, its columns read in place.
    public func forEachDecisionColumns(_ visit: (StoredDecisionColumns) throws -> Void) throws {
        try connection.cached("\(Self.select) ORDER BY d.id").forEachRow { try visit(StoredDecisionColumns(row: $0)) }
    }
}

extension HedgeDecisionRepository {
    /// The key of the decision that supersedes the one with row id `id`, if any.
    public func supersededBy(id: Int64) throws -> String? {
        try connection.cached("SELECT decision_key FROM hedge_decisions WHERE supersedes_id = ?").firstRow([id]) { $0.text(0) }
    }

    /// The row ids of every decision a later one supersedes.
    public func supersededIDs() throws -> Set<Int64> {
        Set(try connection.cached("SELECT supersedes_id FROM hedge_decisions WHERE supersedes_id IS NOT NULL").rows { $0.int64(0) })
    }

    /// Every decision `id` replaces, directly or through the corrections before it, newest first.
    public func superseded(by id: Int64) throws -> [StoredHedgeDecision] {
        var chain: [StoredHedgeDecision] = []
        var next = try find(id: id)?.supersedesID
        while let current = next, chain.count < 10_000, let stored = try find(id: current) {
            chain.append(stored)
            next = stored.supersedesID
        }
        return chain
    }
}
