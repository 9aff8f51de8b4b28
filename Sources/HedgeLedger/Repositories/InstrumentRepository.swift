/// An instrument as stored: its row id, which fills reference. A class, so the importers'
/// per-row lookups hand out a reference instead of copying the instrument's strings.
public final class StoredInstrument: Sendable {
    public let id: Int64
    public let instrument: Instrument

    public init(id: Int64, instrument: Instrument) {
        self.id = id
        self.instrument = instrument
    }
}

public struct InstrumentRepository {
    let connection: Connection

    /// The columns `decode` reads, qualified by `alias` when the query joins.
    static func columns(_ alias: String = "") -> String {
        let prefix = alias.isEmpty ? "" : alias + "."
        return ["id", "symbol", "kind", "underlying", "quote_currency", "settlement_currency", "inverse", "option_right",
                "strike", "expiry_us", "multiplier", "contract_size"].map { prefix + $0 }.joined(separator: ", ")
    }

    public func all() throws -> [StoredInstrument] {
        try connection.cached("SELECT \(Self.columns()) FROM instruments ORDER BY symbol").rows { try Self.decode($0) }
    }

    /// Every underlying of a known instrument, sorted.
    public func underlyings() throws -> [String] {
        try connection.cached("SELECT DISTINCT underlying FROM instruments ORDER BY underlying").rows { $0.text(0) }
    }

    public func find(id: Int64) throws -> StoredInstrument? {
        try connection.cached("SELECT \(Self.columns()) FROM instruments WHERE id = ?").firstRow([id]) { try Self.decode($0) }
    }

    public func find(symbol: String) throws -> StoredInstrument? {
        try connection.cached("SELECT \(Self.columns()) FROM instruments WHERE symbol = ?").firstRow([symbol]) { try Self.decode($0) }
    }

    @discardableResult
    public func insert(_ instrument: Instrument, importID: Int64?) throws -> StoredInstrument {
        try connection.cached("""
            INSERT INTO instruments (symbol, kind, underlying, quote_currency, settlement_currency, inverse,
                                     option_right, strike, expiry_us, multiplier, contract_size, import_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([
                instrument.symbol, instrument.kind.rawValue, instrument.underlying, instrument.quoteCurrency,
                instrument.settlementCurrency, instrument.isInverse, instrument.right?.rawValue, instrument.strike,
                instrument.expiry, instrument.multiplier, instrument.contractSize, importID,
            ])
        return StoredInstrument(id: connection.lastInsertRowID, instrument: instrument)
    }

    static func decode(_ row: Row) throws -> StoredInstrument {
        guard let kind = Instrument.Kind(rawValue: row.text(2)) else { throw CorruptDatabase(detail: "instrument kind '\(row.text(2))'") }
        let right = try row.optionalText(7).map { text in
            guard let right = Instrument.Right(rawValue: text) else { throw CorruptDatabase(detail: "option right '\(text)'") }
            return right
        }
        let instrument = Instrument(
            symbol: row.text(1), kind: kind, underlying: row.text(3), quoteCurrency: row.text(4),
            settlementCurrency: row.text(5), isInverse: row.int(6) != 0, right: right, strike: try row.optionalExact(8),
            expiry: row.optionalInt64(9).map(Timestamp.init(microseconds:)), multiplier: try row.exact(10),
            contractSize: try row.optionalExact(11))
        return StoredInstrument(id: row.int64(0), instrument: instrument)
    }
}
