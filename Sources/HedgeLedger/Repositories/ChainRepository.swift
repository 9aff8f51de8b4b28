/// One entry of the journal chain (migration 0012).
public struct ChainEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case importRun = "import"
        case void
        case bookSetting = "book-setting"
        case policy, decision, link, assertion
        case assertionWithdrawal = "assertion-withdrawal"

        /// The table its records live in.
        var table: String {
            switch self {
            case .importRun: "imports"
            case .void: "voids"
            case .bookSetting: "book_settings"
            case .policy: "hedge_policies"
            case .decision: "hedge_decisions"
            case .link: "hedge_links"
            case .assertion: "position_assertions"
            case .assertionWithdrawal: "position_assertion_withdrawals"
            }
        }
    }

    public var seq: Int64
    public var kind: Kind
    public var recordID: Int64
    public var recordSHA256: String
    public var hash: String
}

/// The digest of up to 256 consecutive fills of one import.
public struct FillBlock: Sendable, Hashable {
    public var importID: Int64
    public var firstFillID: Int64
    public var lastFillID: Int64
    public var fills: Int
    public var sha256: String
}

/// The digest of up to 256 consecutive rows, in time order, of one stream of a snapshot import:
/// an instrument's marks (`mark:SYMBOL`), an index's prices (`index:NAME`) or its settlement
/// prices (`settlement:NAME`); `block` numbers a stream's blocks from 0.
public struct MarketBlock: Sendable, Hashable {
    public var importID: Int64
    public var stream: String
    public var block: Int
    public var rows: Int
    /// The times of the block's first and last rows (µs).
    public var firstTime: Int64
    public var lastTime: Int64
    public var sha256: String
}

/// The journal chain and the fill and market blocks. Append-only.
public struct ChainRepository {
    let connection: Connection

    public func insert(_ entry: ChainEntry) throws {
        try connection.cached("INSERT INTO journal_chain (seq, kind, record_id, record_sha256, hash) VALUES (?, ?, ?, ?, ?)")
            .execute([entry.seq, entry.kind.rawValue, entry.recordID, entry.recordSHA256, entry.hash])
    }

    public func last() throws -> ChainEntry? {
        try connection.cached("SELECT seq, kind, record_id, record_sha256, hash FROM journal_chain ORDER BY seq DESC LIMIT 1")
            .firstRow { try Self.decode($0) }
    }

    public func count() throws -> Int {
        try connection.cached("SELECT COUNT(*) FROM journal_chain").firstRow { $0.int(0) } ?? 0
    }

    /// Every entry in chain order.
    public func all() throws -> [ChainEntry] {
        try connection.cached("SELECT seq, kind, record_id, record_sha256, hash FROM journal_chain ORDER BY seq").rows { try Self.decode($0) }
    }

    /// The ids of every record of a kind, ascending.
    public func recordIDs(of kind: ChainEntry.Kind) throws -> [Int64] {
        try connection.cached("SELECT id FROM \(kind.table) ORDER BY id").rows { $0.int64(0) }
    }

    public func insert(_ block: FillBlock) throws {
        try connection.cached("INSERT INTO fill_blocks (import_id, first_fill_id, last_fill_id, fills, sha256) VALUES (?, ?, ?, ?, ?)")
            .execute([block.importID, block.firstFillID, block.lastFillID, block.fills, block.sha256])
    }

    public func blocks(importID: Int64) throws -> [FillBlock] {
        try connection.cached("""
            SELECT import_id, first_fill_id, last_fill_id, fills, sha256 FROM fill_blocks WHERE import_id = ? ORDER BY first_fill_id
            """).rows([importID]) { FillBlock(importID: $0.int64(0), firstFillID: $0.int64(1), lastFillID: $0.int64(2), fills: $0.int(3), sha256: $0.text(4)) }
    }

    public func insert(_ block: MarketBlock) throws {
        try connection.cached("INSERT INTO market_blocks (import_id, stream, block, rows, first_us, last_us, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute([block.importID, block.stream, block.block, block.rows, block.firstTime, block.lastTime, block.sha256])
    }

    public func marketBlocks(importID: Int64) throws -> [MarketBlock] {
        try connection.cached("""
            SELECT import_id, stream, block, rows, first_us, last_us, sha256 FROM market_blocks WHERE import_id = ? ORDER BY stream, block
            """).rows([importID]) {
                MarketBlock(importID: $0.int64(0), stream: $0.text(1), block: $0.int(2), rows: $0.int(3), firstTime: $0.int64(4),
                            lastTime: $0.int64(5), sha256: $0.text(6))
            }
    }

    /// The snapshot imports that have market blocks.
    public func importsWithMarketBlocks() throws -> [Int64] {
        try connection.cached("SELECT DISTINCT import_id FROM market_blocks ORDER BY import_id").rows { $0.int64(0) }
    }

    static func decode(_ row: Row) throws -> ChainEntry {
        guard let kind = ChainEntry.Kind(rawValue: row.text(1)) else {
            throw CorruptDatabase(detail: "journal chain entry \(row.int64(0)) has kind '\(row.text(1).escapingControlCharacters)'")
        }
        return ChainEntry(seq: row.int64(0), kind: kind, recordID: row.int64(2), recordSHA256: row.text(3), hash: row.text(4))
    }
}

extension ChainRepository {
    /// `PRAGMA integrity_check`: "ok", or SQLite's findings.
    public func integrityCheck() throws -> [String] {
        try connection.prepare("PRAGMA integrity_check").rows { $0.text(0) }
    }

    /// `PRAGMA foreign_key_check`: each violation as table, row id and referenced table.
    public func foreignKeyViolations() throws -> [String] {
        try connection.prepare("PRAGMA foreign_key_check").rows { "\($0.text(0)) row \($0.int64(1)) references a missing \($0.text(2))" }
    }
}
