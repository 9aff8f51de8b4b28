import Foundation
import Testing
@testable import HedgeLedger

/// Corrections are records: a decision is replaced by one that supersedes it, a link withdrawn
/// by an unlink; the originals stay, everything is chained, and a ledger from before
/// corrections existed (schema version 12) upgrades with its chain intact.
@Suite("Corrections", .serialized)
struct CorrectionTests {
    /// The tamper suite's ledger: decisions ext-1 (named by fill 5) and ext-2 (fill 6 linked to it).
    func ledger(in directory: TemporaryDirectory) throws -> String {
        let db = directory.file("c.sqlite")
        try TamperTests.template.write(to: URL(fileURLWithPath: db))
        return db
    }

    func decisions(_ db: String) throws -> [String: [String: Any]] {
        let output = try hedgeledger(["hedge", "list", "--db", db, "--format", "json"]).stdout
        try ReportOutputTests().expectDocumented(output)
        let rows = try #require(try jsonObject(output)["decisions"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["decision_id"] as! String, $0) })
    }

    @Test("a superseding decision replaces the old one and takes its fills; an unlink withdraws a link; both are chained")
    func supersedeAndUnlink() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        let head = try #require(try jsonObject(try hedgeledger(["verify", "--db", db, "--format", "json"]).stdout)["head"] as? String)
        #expect(try decisions(db)["ext-2"]?["execution"] as? String == "filled")

        // Fill 6 was linked to ext-2 by mistake: withdrawn, ext-2 is then unfilled.
        let unlinked = try hedgeledger(["hedge", "unlink", "6", "--reason", "belongs to ext-1", "--db", db])
        #expect(unlinked.status == 0 && unlinked.stderr.contains("fill 6 is no longer linked to decision ext-2"), "\(unlinked.stderr)")
        #expect(try decisions(db)["ext-2"]?["execution"] as? String == "unfilled")

        // ext-1 decided 20000 where 30000 was meant: corrected, and fill 6 linked to the correction.
        let corrected = try hedgeledger(["hedge", "record", "--db", db, "--supersedes", "ext-1", "--id", "ext-1b", "--book", "main",
                                         "--underlying", "BTC", "--action", "rebalance", "--instrument", "BTC-PERPETUAL",
                                         "--quantity", "-30000", "--price", "95900", "--at", "2026-11-19T12:49:00Z"])
        #expect(corrected.status == 0 && corrected.stderr.contains("it supersedes ext-1"), "\(corrected.stderr)")
        let relinked = try hedgeledger(["hedge", "link", "ext-1b", "6", "--db", db])
        #expect(relinked.status == 0, "\(relinked.stderr)")
        let journal = try decisions(db)
        let old = try #require(journal["ext-1"]), new = try #require(journal["ext-1b"])
        #expect(old["execution"] as? String == "superseded" && old["superseded_by"] as? String == "ext-1b" && old["fills"] as? Int == 0)
        // Fill 5 names ext-1 in its file, fill 6 is linked: both execute the correction, 20000 + 10000.
        #expect(new["supersedes"] as? String == "ext-1" && new["execution"] as? String == "filled" && new["fills"] as? Int == 2)
        #expect((new["executed_quantity"] as? NSNumber)?.doubleValue == -30000)

        // The old decision's over- or under-fill is no exception any more; the correction is judged instead.
        let exceptions = try #require(try jsonObject(try hedgeledger(["hedge", "exceptions", "--db", db, "--format", "json"]).stdout)["exceptions"]
            as? [[String: Any]])
        #expect(!exceptions.contains { ($0["decision_id"] as? String) == "ext-1" && ($0["kind"] as? String) != "late-record" })
        #expect(exceptions.contains { ($0["decision_id"] as? String) == "ext-2" && ($0["kind"] as? String) == "unfilled" })

        for (arguments, message) in [
            (["hedge", "record", "--supersedes", "ext-1", "--book", "main", "--underlying", "BTC", "--action", "hold"],
             "decision 'ext-1' was already superseded by 'ext-1b'"),
            (["hedge", "record", "--supersedes", "ext-9", "--book", "main", "--underlying", "BTC", "--action", "hold"],
             "no decision 'ext-9' in the journal (did you mean"),
            (["hedge", "unlink", "5", "--reason", "x"], "names decision 'ext-1' in its own hedge_decision column"),
            (["hedge", "unlink", "3", "--reason", "x"], "fill '3' is not linked to a decision by `hedge link`"),
            (["hedge", "unlink", "6", "--reason", " "], "an unlink says why"),
            (["hedge", "link", "ext-2", "6"], "already executes decision ext-1b; if that link is wrong, withdraw it first"),
        ] {
            let refused = try hedgeledger(arguments + ["--db", db])
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        let otherPair = try hedgeledger(["hedge", "record", "--db", db, "--supersedes", "ext-2", "--book", "other", "--underlying", "BTC",
                                         "--action", "hold"])
        #expect(otherPair.status != 0 && otherPair.stderr.contains("book 'other'"), "\(otherPair.stderr)")

        // Without --at, a correction is at the time of the decision it corrects, not now.
        let untimed = try hedgeledger(["hedge", "record", "--db", db, "--supersedes", "ext-2", "--id", "ext-2b", "--book", "main",
                                       "--underlying", "BTC", "--action", "hold"])
        #expect(untimed.status == 0 && untimed.stderr.contains("at 2026-11-19T12:50:30Z"), "\(untimed.stderr)")

        // An imported log's corrections: refusals point at the supersedes cell; a decision cannot supersede itself.
        let log = directory.write("log.csv", """
            decision_id,time,book,underlying,action,reason,supersedes
            imp-1,2026-11-19T13:00:00Z,main,BTC,skip,venue down,imp-1

            """)
        let refused = try hedgeledger(["import", "decisions", "--db", db, log])
        #expect(refused.status == 65 && refused.stderr.contains("log.csv:2:") && refused.stderr.contains("supersedes: decision 'imp-1' names itself"),
                "\(refused.stderr)")
        #expect(!refused.stderr.contains("log.csv:2:1:"), "\(refused.stderr)")

        // Everything before stays as it was: the old head is still in the chain, and all verifies.
        let verified = try hedgeledger(["verify", "--db", db, "--head", head, "--format", "json"])
        let object = try jsonObject(verified.stdout)
        #expect(verified.status == 0 && object["passed"] as? Bool == true && object["records"] as? Int == 13, "\(verified.stdout)")
    }

    @Test("late records: a decision recorded by hand long after its time, and a policy effective from before it was recorded")
    func lateRecords() throws {
        let directory = TemporaryDirectory()
        let db = try ledger(in: directory)
        // Recorded now (2026 or later) for a time in November 2026: days late; the policy's reaction time is 300 s by default.
        let recorded = try hedgeledger(["hedge", "record", "--db", db, "--book", "main", "--underlying", "BTC", "--action", "hold",
                                        "--id", "late-1", "--at", "2026-11-19T13:00:00Z"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let onTime = try hedgeledger(["hedge", "record", "--db", db, "--book", "main", "--underlying", "BTC", "--action", "hold",
                                      "--id", "now-1"])
        #expect(onTime.status == 0, "\(onTime.stderr)")
        let exceptions = try #require(try jsonObject(try hedgeledger(["hedge", "exceptions", "--db", db, "--format", "json"]).stdout)["exceptions"]
            as? [[String: Any]])
        let late = exceptions.filter { $0["kind"] as? String == "late-record" }.compactMap { $0["decision_id"] as? String }
        #expect(late.contains("late-1") && !late.contains("now-1"))
        let backdated = exceptions.filter { $0["kind"] as? String == "backdated-policy" }
        #expect(backdated.count == 1 && (backdated.first?["detail"] as? String)?.contains("effective from 2026-11-19T00:00:00Z") == true)
    }

    @Test("a ledger of schema version 12 with decisions and links upgrades with the same chain head, and verifies")
    func upgradeKeepsTheChain() throws {
        // Trades, decisions and links (no snapshots: a version-12 ledger's snapshot imports have no row digests).
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: TamperTests.trades)
        for arguments in [
            ["hedge", "record", "--book", "main", "--underlying", "BTC", "--action", "rebalance", "--instrument", "BTC-PERPETUAL",
             "--quantity", "-20000", "--price", "95900", "--id", "ext-1", "--at", "2026-11-19T12:49:00Z"],
            ["hedge", "record", "--book", "main", "--underlying", "BTC", "--action", "rebalance", "--instrument", "BTC-PERPETUAL",
             "--quantity", "-10000", "--price", "95950", "--id", "ext-2", "--at", "2026-11-19T12:50:30Z"],
            ["import", "trades", directory.write("later.csv", TamperTests.later)],
            ["hedge", "link", "ext-2", "6"],
        ] {
            let result = try hedgeledger(arguments + ["--db", db])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let before = try jsonObject(try hedgeledger(["verify", "--db", db, "--format", "json"]).stdout)
        // Back to version 12: both tables as migration 11 made them, with their rows, and marks without quotes.
        let v11 = Schema.migrations[10].sql
            .replacingOccurrences(of: "CREATE INDEX fills_by_hedge_decision ON fills (hedge_decision) WHERE hedge_decision IS NOT NULL;", with: "")
        let decisionColumns = """
            id, decision_key, time_us, book, underlying, policy_id, action, reason, instrument_id, quantity, reference_price, net_delta,
            gamma, band_low, band_high, underlying_price, oldest_mark_age_s, exposure_time_us, decided_by, rationale, source, import_id,
            source_line, recorded_at_us
            """
        let script = """
            PRAGMA foreign_keys = OFF;
            CREATE TEMP TABLE kept_links AS SELECT id, decision_id, fill_id, source, recorded_at_us, recorded_by FROM hedge_links;
            CREATE TEMP TABLE kept_decisions AS SELECT \(decisionColumns) FROM hedge_decisions;
            DROP TABLE hedge_links;
            DROP TABLE hedge_decisions;
            \(v11)
            INSERT INTO hedge_decisions SELECT * FROM kept_decisions;
            INSERT INTO hedge_links SELECT * FROM kept_links;
            \(undoMigrationsFourteenToEighteen)
            DELETE FROM schema_migrations WHERE version >= 13;
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [db, script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let old = try hedgeledger(["hedge", "list", "--db", db])
        #expect(old.status != 0 && old.stderr.contains("schema is version 12"), "\(old.stderr)")

        let upgraded = try hedgeledger(["init", "--db", db])
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        let after = try jsonObject(try hedgeledger(["verify", "--db", db, "--format", "json"]).stdout)
        #expect(after["passed"] as? Bool == true && after["head"] as? String == before["head"] as? String
                && after["records"] as? Int == before["records"] as? Int)
        #expect(try decisions(db)["ext-2"]?["execution"] as? String == "filled")
    }
}
