/// A version of a book's hedge settings as recorded: who recorded it and when.
public struct StoredHedgeSettings: Sendable, Hashable {
    public let id: Int64
    public let settings: HedgeSettings
    public let recordedAt: Timestamp
    public let recordedBy: String
}

/// The versions of every book's hedge settings (migration 0006). Append-only.
public struct BookSettingsRepository {
    let connection: Connection

    /// Records a version; its hedge instruments (when not the default) are `hedgeIDs`, in order.
    @discardableResult
    public func insert(_ settings: HedgeSettings, hedgeIDs: [Int64], recordedAt: Timestamp, recordedBy: String) throws -> Int64 {
        try connection.cached("""
            INSERT INTO book_settings (book, underlying, effective_us, hedged_delta, target_delta, uses_default_hedges,
                                       recorded_at_us, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([settings.book, settings.underlying, settings.effective, settings.hedgedDelta?.rawValue,
                          settings.targetDelta, settings.hedgeInstruments == nil, recordedAt, recordedBy])
        let id = connection.lastInsertRowID
        for (position, instrumentID) in hedgeIDs.enumerated() {
            try connection.cached("INSERT INTO book_setting_hedges (setting_id, position, instrument_id) VALUES (?, ?, ?)")
                .execute([id, position, instrumentID])
        }
        return id
    }

    /// The version in force for (book, underlying) at `time`, if any was recorded by then.
    public func inForce(book: String, underlying: String, at time: Timestamp) throws -> StoredHedgeSettings? {
        try connection.cached("""
            SELECT \(Self.columns) FROM book_settings s
            WHERE s.book = ? AND s.underlying = ? AND s.effective_us <= ?
            ORDER BY s.effective_us DESC, s.id DESC LIMIT 1
            """).rows([book, underlying, time]) { try decode($0) }.first
    }

    /// Every version, oldest effective first, narrowed to a book and an underlying when given.
    public func versions(book: String? = nil, underlying: String? = nil) throws -> [StoredHedgeSettings] {
        try connection.cached("""
            SELECT \(Self.columns) FROM book_settings s
            WHERE (? IS NULL OR s.book = ?) AND (? IS NULL OR s.underlying = ?)
            ORDER BY s.book, s.underlying, s.effective_us, s.id
            """).rows([book, book, underlying, underlying]) { try decode($0) }
    }

    static let columns = """
        s.id, s.book, s.underlying, s.effective_us, s.hedged_delta, s.target_delta, s.uses_default_hedges,
        s.recorded_at_us, s.recorded_by
        """

    fileprivate func decode(_ row: Row) throws -> StoredHedgeSettings {
        let id = row.int64(0)
        var hedgedDelta: HedgeSettings.HedgedDelta?
        if let text = row.optionalText(4) {
            guard let kind = HedgeSettings.HedgedDelta(rawValue: text) else {
                throw CorruptDatabase(detail: "hedged delta '\(text.escapingControlCharacters)' of book setting \(id)")
            }
            hedgedDelta = kind
        }
        var hedges: [String]?
        if row.int(6) == 0 {
            let symbols = try connection.cached("""
                SELECT i.symbol FROM book_setting_hedges h JOIN instruments i ON i.id = h.instrument_id
                WHERE h.setting_id = ? ORDER BY h.position
                """).rows([id]) { $0.text(0) }
            guard !symbols.isEmpty else { throw CorruptDatabase(detail: "book setting \(id) names its hedge instruments but lists none") }
            hedges = symbols
        }
        let target = try row.exact(5)
        guard AmountLimits.accepts(target) else { throw CorruptDatabase(detail: "target delta \(target) of book setting \(id)") }
        let settings = HedgeSettings(book: row.text(1), underlying: row.text(2), effective: try row.timestamp(3),
                                     hedgedDelta: hedgedDelta, targetDelta: target, hedgeInstruments: hedges)
        return StoredHedgeSettings(id: id, settings: settings, recordedAt: try row.timestamp(7), recordedBy: row.text(8))
    }
}

extension BookSettingsRepository {
    public func find(id: Int64) throws -> StoredHedgeSettings? {
        try connection.cached("SELECT \(Self.columns) FROM book_settings s WHERE s.id = ?").rows([id]) { try decode($0) }.first
    }
}
