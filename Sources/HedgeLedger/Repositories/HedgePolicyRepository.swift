/// A version of a hedge policy as recorded: who recorded it and when.
public struct StoredHedgePolicy: Sendable, Hashable {
    public let id: Int64
    public let policy: HedgePolicy
    public let recordedAt: Timestamp
    public let recordedBy: String
}

/// The versions of every book's hedge policies (migration 0009). Append-only.
public struct HedgePolicyRepository {
    let connection: Connection

    /// Records a version; `hedgeInstrumentID` is the stored id of its hedge instrument, if it names one.
    @discardableResult
    public func insert(_ policy: HedgePolicy, hedgeInstrumentID: Int64?, recordedAt: Timestamp, recordedBy: String) throws -> Int64 {
        var width: ExactDecimal?, interval: Int64?, cost: ExactDecimal?, riskAversion: ExactDecimal?
        switch policy.band {
        case .fixed(let value): width = value
        case .relative(let fraction): width = fraction
        case let .schedule(seconds, value): interval = seconds; width = value
        case let .whalleyWilmott(lambda, gamma): cost = lambda; riskAversion = gamma
        }
        try connection.cached("""
            INSERT INTO hedge_policies (book, underlying, effective_us, target_delta, hedge_instrument_id, band, band_width,
                                        interval_s, cost, risk_aversion, min_trade, lot, max_reaction_s, hedge_to,
                                        recorded_at_us, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([policy.book, policy.underlying, policy.effective, policy.targetDelta, hedgeInstrumentID,
                          policy.band.kind, width, interval, cost, riskAversion, policy.minTrade, policy.lot,
                          policy.maxReactionSeconds, policy.hedgeTo.rawValue, recordedAt, recordedBy])
        return connection.lastInsertRowID
    }

    /// The version in force for (book, underlying) at `time`, if any was recorded by then.
    public func inForce(book: String, underlying: String, at time: Timestamp) throws -> StoredHedgePolicy? {
        try connection.cached("""
            SELECT \(Self.columns) FROM hedge_policies p LEFT JOIN instruments i ON i.id = p.hedge_instrument_id
            WHERE p.book = ? AND p.underlying = ? AND p.effective_us <= ?
            ORDER BY p.effective_us DESC, p.id DESC LIMIT 1
            """).rows([book, underlying, time]) { try Self.decode($0) }.first
    }

    /// Every version, by book, underlying and effective time, narrowed to a book when given.
    public func versions(book: String? = nil) throws -> [StoredHedgePolicy] {
        try connection.cached("""
            SELECT \(Self.columns) FROM hedge_policies p LEFT JOIN instruments i ON i.id = p.hedge_instrument_id
            WHERE (? IS NULL OR p.book = ?)
            ORDER BY p.book, p.underlying, p.effective_us, p.id
            """).rows([book, book]) { try Self.decode($0) }
    }

    static let columns = """
        p.id, p.book, p.underlying, p.effective_us, p.target_delta, i.symbol, p.band, p.band_width, p.interval_s, p.cost,
        p.risk_aversion, p.min_trade, p.lot, p.max_reaction_s, p.hedge_to, p.recorded_at_us, p.recorded_by, p.hedge_instrument_id
        """

    /// A version as stored; a value no `policy set` could have written is refused, never used.
    static func decode(_ row: Row) throws -> StoredHedgePolicy {
        let id = row.int64(0)
        func corrupt(_ what: String) -> CorruptDatabase { CorruptDatabase(detail: "\(what) of hedge policy \(id)") }
        func amount(_ column: Int32) throws -> ExactDecimal? {
            guard let value = try row.optionalExact(column) else { return nil }
            guard AmountLimits.accepts(value) else { throw corrupt("value \(value)") }
            return value
        }
        let band: HedgePolicy.Band
        switch row.text(6) {
        case "fixed":
            guard let width = try amount(7) else { throw corrupt("band width") }
            band = .fixed(width: width)
        case "relative":
            guard let fraction = try amount(7) else { throw corrupt("relative band") }
            band = .relative(fraction: fraction)
        case "schedule":
            guard let seconds = row.optionalInt64(8) else { throw corrupt("schedule interval") }
            band = .schedule(seconds: seconds, width: try amount(7))
        case "whalley-wilmott":
            guard let cost = try amount(9), let riskAversion = try amount(10) else { throw corrupt("Whalley-Wilmott parameters") }
            band = .whalleyWilmott(cost: cost, riskAversion: riskAversion)
        case let other: throw corrupt("band '\(other.escapingControlCharacters)'")
        }
        guard let hedgeTo = HedgePolicy.HedgeTo(rawValue: row.text(14)) else { throw corrupt("hedge_to") }
        if !row.isNull(17) && row.isNull(5) { throw corrupt("hedge instrument \(row.int64(17))") }
        guard let minTrade = try amount(11) else { throw corrupt("minimum trade") }
        let policy = HedgePolicy(book: row.text(1), underlying: row.text(2), effective: try row.timestamp(3),
                                 targetDelta: try amount(4), hedgeInstrument: row.optionalText(5), band: band,
                                 minTrade: minTrade, lot: try amount(12), maxReactionSeconds: row.int64(13), hedgeTo: hedgeTo)
        if let problem = policy.problem { throw corrupt(problem) }
        return StoredHedgePolicy(id: id, policy: policy, recordedAt: try row.timestamp(15), recordedBy: row.text(16))
    }
}

extension HedgePolicyRepository {
    public func find(id: Int64) throws -> StoredHedgePolicy? {
        try connection.cached("""
            SELECT \(Self.columns) FROM hedge_policies p LEFT JOIN instruments i ON i.id = p.hedge_instrument_id WHERE p.id = ?
            """).rows([id]) { try Self.decode($0) }.first
    }
}
