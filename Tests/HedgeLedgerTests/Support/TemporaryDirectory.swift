import Foundation
@testable import HedgeLedger

/// A fresh directory removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/hedgeledger-test.XXXXXX").utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let target = file(name)
        FileManager.default.createFile(atPath: target, contents: Data(bytes))
        return target
    }

    /// Compresses the file at `path` with the system's gzip into `path.gz`; returns that path.
    @discardableResult
    func gzip(_ path: String, keep: Bool = false) throws -> String {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = (keep ? ["-k"] : []) + [path]
        try gzip.run()
        gzip.waitUntilExit()
        return path + ".gz"
    }
}

/// The test clock: a fixed moment, so nothing depends on when the tests run.
let testNow = Timestamp(year: 2026, month: 11, day: 21, hour: 12)

/// Runs `body` with a new ledger in a temporary directory.
func withLedger<T>(_ body: (Ledger, TemporaryDirectory) throws -> T) throws -> T {
    let directory = TemporaryDirectory()
    let ledger = try Ledger(path: directory.file("ledger.sqlite"), create: true, now: testNow)
    return try body(ledger, directory)
}

/// Imports trade CSV text through the same path the CLI uses.
@discardableResult
func importTrades(_ csv: String, into ledger: Ledger, in directory: TemporaryDirectory, name: String = "trades.csv",
                  options: NativeTradeFormat.Options = .init()) throws -> ImportSummary {
    let path = directory.write(name, csv)
    return try TradeImporter(ledger: ledger, options: options).importTrades(from: try ByteSource(path: path), now: testNow)
}

/// Row counts of every table a user's data lives in: a refused import must leave them all unchanged.
func rowCounts(_ ledger: Ledger) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for table in ["fills", "imports", "instruments", "positions", "position_fees"] {
        counts[table] = try ledger.connection.prepare("SELECT COUNT(*) FROM \(table)").firstRow { $0.int(0) }
    }
    return counts
}

func decimal(_ text: String) -> ExactDecimal {
    guard case .success(let value) = DecimalSyntax.parse(text) else { fatalError("bad test decimal \(text)") }
    return value
}

func time(_ text: String) -> Timestamp {
    guard case .success(let value) = TimestampSyntax.parse(text) else { fatalError("bad test time \(text)") }
    return value
}

/// Takes a current ledger back to schema version 4 as migration 0004 left it (the replay index,
/// no segments, no book settings), to test what an older hedgeledger's ledger meets.
func downgradeToVersion4(_ ledger: Ledger) throws {
    try ledger.connection.execute("""
        \(undoMigrationsFourteenToEighteen)
        DROP TABLE journal_chain;
        DROP TABLE fill_blocks;
        DROP INDEX fills_by_hedge_decision;
        DROP TABLE hedge_links;
        DROP TABLE hedge_decisions;
        DROP TABLE hedge_policies;
        DROP TABLE position_settlements;
        DROP TABLE expiry_settlements;
        DROP TABLE exposure_history;
        DROP TABLE recompute_runs;
        DROP TABLE history_changes;
        DROP TABLE book_setting_hedges;
        DROP TABLE book_settings;
        DROP TABLE position_segments;
        CREATE INDEX fills_by_position ON fills (instrument_id, time_us);
        DELETE FROM schema_migrations WHERE version >= 5;
        """)
}

/// SQL undoing migrations 14 to 18 (assertion withdrawals, venue logs and assertions, the P&L
/// explain columns, market blocks, quotes): shared by the tests that take a ledger back to an
/// earlier version. The journal chain is rebuilt as migration 0012 wrote it, without the
/// 'assertion' and 'assertion-withdrawal' kinds.
let undoMigrationsFourteenToEighteen = """
    DROP TABLE position_assertion_withdrawals;
    DROP TABLE venue_log_mismatches;
    DROP TABLE venue_log_blocks;
    DROP TABLE venue_log_entries;
    DROP TABLE position_assertions;
    CREATE TABLE journal_chain_copy AS SELECT * FROM journal_chain;
    DROP TABLE journal_chain;
    CREATE TABLE journal_chain (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('import', 'void', 'book-setting', 'policy', 'decision', 'link')),
        record_id INTEGER NOT NULL,
        record_sha256 TEXT NOT NULL CHECK (length(record_sha256) = 64),
        hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
        UNIQUE (kind, record_id)
    ) STRICT;
    INSERT INTO journal_chain SELECT * FROM journal_chain_copy;
    DROP TABLE journal_chain_copy;
    CREATE TRIGGER journal_chain_refuse_update BEFORE UPDATE ON journal_chain
    BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: UPDATE is refused'); END;
    CREATE TRIGGER journal_chain_refuse_delete BEFORE DELETE ON journal_chain
    BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only: DELETE is refused'); END;
    ALTER TABLE exposure_history DROP COLUMN pnl_actual_usd;
    ALTER TABLE exposure_history DROP COLUMN pnl_delta_usd;
    ALTER TABLE exposure_history DROP COLUMN pnl_gamma_usd;
    ALTER TABLE exposure_history DROP COLUMN pnl_vega_usd;
    ALTER TABLE exposure_history DROP COLUMN pnl_theta_usd;
    ALTER TABLE exposure_history DROP COLUMN pnl_options_usd;
    ALTER TABLE exposure_history DROP COLUMN pnl_hedges_usd;
    DROP TABLE market_blocks;
    ALTER TABLE marks DROP COLUMN bid_price;
    ALTER TABLE marks DROP COLUMN ask_price;
    """
