import Foundation
import Testing
@testable import HedgeLedger

/// Hedge decisions: what a policy implies (by hand), recorded with the inputs the ledger saw,
/// never edited; bad decisions refused with the reason.
@Suite("Hedge decisions")
struct HedgeDecisionTests {
    func policy(_ band: HedgePolicy.Band, hedgeTo: HedgePolicy.HedgeTo = .target, lot: String? = nil, minTrade: String = "0")
        -> HedgePolicy {
        HedgePolicy(book: "main", underlying: "BTC", effective: time("2026-11-19T00:00:00Z"), band: band, minTrade: decimal(minTrade),
                    lot: lot.map(decimal), hedgeTo: hedgeTo)
    }

    func situation(net: Double, target: Double = 0, gamma: Double = 0.002, gross: Double? = 10, last: String? = nil)
        -> HedgePlanner.Situation {
        // An inverse perpetual at 95000: one USD of it is 1/95000 coin of delta.
        HedgePlanner.Situation(time: time("2026-11-19T12:00:00Z"), netDelta: net, gamma: gamma, grossOptionsDelta: gross,
                               underlyingPrice: 95_000, target: target, unitDelta: 1 / 95_000.0, lastRebalance: last.map(time))
    }

    @Test("the planner by hand: bands, hedging to the target or the band edge, lots, the minimum trade, schedules")
    func planner() {
        let fixed = policy(.fixed(width: decimal("0.5")))
        let inside = HedgePlanner.plan(fixed, situation(net: 0.4))
        #expect(inside.action == .hold && inside.bandLow == -0.5 && inside.bandHigh == 0.5 && inside.reason?.contains("inside the band") == true)
        // Outside: back to target 0, selling 0.7 coin of delta = 0.7 × 95000 = 66500 USD of the perpetual.
        let outside = HedgePlanner.plan(fixed, situation(net: 0.7))
        #expect(outside.action == .rebalance && outside.quantity == decimal("-66500"))
        // To the band edge instead: only 0.2 coin, 19000 USD; below the band, buys.
        #expect(HedgePlanner.plan(policy(.fixed(width: decimal("0.5")), hedgeTo: .bandEdge), situation(net: 0.7)).quantity == decimal("-19000"))
        #expect(HedgePlanner.plan(policy(.fixed(width: decimal("0.5")), hedgeTo: .bandEdge), situation(net: -0.7)).quantity == decimal("19000"))
        // A target: the band is around it.
        let targeted = HedgePlanner.plan(fixed, situation(net: 0.7, target: 0.5))
        #expect(targeted.action == .hold && targeted.bandLow == 0 && targeted.bandHigh == 1)
        // Lots round toward zero: 0.71234 coin is 67672.3 USD, 6767 lots of 10.
        #expect(HedgePlanner.plan(policy(.fixed(width: decimal("0.5")), lot: "10"), situation(net: 0.71234)).quantity == decimal("-67670"))
        // To the band edge the lots round away from zero, or the trade would stop short of the edge:
        // 0.21234 coin is 20172.3 USD, 2018 lots.
        #expect(HedgePlanner.plan(policy(.fixed(width: decimal("0.5")), hedgeTo: .bandEdge, lot: "10"), situation(net: 0.71234)).quantity == decimal("-20180"))
        let small = HedgePlanner.plan(policy(.fixed(width: decimal("0")), lot: "10"), situation(net: 0.00005))
        #expect(small.action == .skip && small.reason?.contains("smaller than one lot") == true)
        let belowMinimum = HedgePlanner.plan(policy(.fixed(width: decimal("0.5")), minTrade: "100000"), situation(net: 0.7))
        #expect(belowMinimum.action == .skip && belowMinimum.reason == "the trade -66500 is below the minimum trade 100000")
        // Relative: 5% of a gross options delta of 10 coin is a band of ±0.5; without the gross, a skip that says why.
        #expect(HedgePlanner.plan(policy(.relative(fraction: decimal("0.05"))), situation(net: 0.4)).action == .hold)
        #expect(HedgePlanner.plan(policy(.relative(fraction: decimal("0.05"))), situation(net: 0.6)).action == .rebalance)
        #expect(HedgePlanner.plan(policy(.relative(fraction: decimal("0.05"))), situation(net: 0.6, gross: nil)).action == .skip)
        // Schedule: every 15 minutes; not due 10 minutes after the last rebalance; due after 15; with a band, only outside it.
        let schedule = policy(.schedule(seconds: 900, width: nil))
        #expect(HedgePlanner.plan(schedule, situation(net: 0.01, last: "2026-11-19T11:50:00Z")).action == .hold)
        #expect(HedgePlanner.plan(schedule, situation(net: 0.01, last: "2026-11-19T11:45:00Z")).quantity == decimal("-950"))
        #expect(HedgePlanner.plan(schedule, situation(net: 0.01)).action == .rebalance)
        #expect(HedgePlanner.plan(policy(.schedule(seconds: 900, width: decimal("0.1"))), situation(net: 0.05)).action == .hold)
        // Whalley–Wilmott: H = (1.5 × 0.0005 × 95000 × 0.002² / 0.0001)^(1/3) ≈ 1.4178 coin.
        let ww = policy(.whalleyWilmott(cost: decimal("0.0005"), riskAversion: decimal("0.0001")))
        #expect(HedgePlanner.plan(ww, situation(net: 1.4)).action == .hold)
        let wide = HedgePlanner.plan(ww, situation(net: 1.5))
        #expect(wide.action == .rebalance && abs(wide.bandHigh! - pow(2.85, 1.0 / 3)) < 1e-12)
        // A zero band hedges any deviation; a huge one never does.
        #expect(HedgePlanner.plan(policy(.fixed(width: .zero)), situation(net: 0.001)).action == .rebalance)
        #expect(HedgePlanner.plan(policy(.fixed(width: decimal("1000000"))), situation(net: 500)).action == .hold)
        // No mark of the hedge instrument: a skip.
        var unpriced = situation(net: 0.7)
        unpriced.unitDelta = nil
        #expect(HedgePlanner.plan(fixed, unpriced).action == .skip)
    }

    @Test("hedge plan on the stored exposure, recorded with its inputs; hedge record fills the inputs from the ledger")
    func planAndRecord() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: RecomputeTests.trades, snapshots: RecomputeTests.marks)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let none = try hedgeledger(["hedge", "plan", "--db", db, "--at", "2026-11-19T12:45:00Z"])
        #expect(none.status == 0 && none.stderr.contains("no hedge policy in force"))
        #expect(try hedgeledger(["policy", "set", "main", "--db", db, "--underlying", "BTC", "--band", "0.1", "--lot", "10",
                                 "--effective", "2026-11-19"]).status == 0)
        let planned = try hedgeledger(["hedge", "plan", "--db", db, "--at", "2026-11-19T12:45:00Z", "--format", "json"])
        #expect(planned.status == 0, "\(planned.stderr)")
        try ReportOutputTests().expectDocumented(planned.stdout)
        let rows = try #require(try jsonObject(planned.stdout)["decisions"] as? [[String: Any]])
        let row = try #require(rows.first)
        // The 12:30 row: net delta of the options (net kind) plus the perpetual's −50000/96000.
        let history = try #require(try jsonObject(try hedgeledger(["history", "--db", db, "--format", "json", "--from",
                                                                   "2026-11-19T12:30:00Z", "--to", "2026-11-19T12:30:00Z"]).stdout)["history"] as? [[String: Any]])
        let net = try #require((history.first?["net_delta"] as? NSNumber)?.doubleValue)
        #expect((row["net_delta"] as? NSNumber)?.doubleValue == net && row["exposure_time"] as? String == "2026-11-19T12:30:00Z")
        #expect(abs(net) > 0.1)  // outside the band, so a rebalance
        let expected = ((-net * 96_000) / 10).rounded(.towardZero) * 10
        #expect(row["action"] as? String == "rebalance" && (row["quantity"] as? NSNumber)?.doubleValue == expected)
        #expect(row["instrument"] as? String == "BTC-PERPETUAL" && (row["reference_price"] as? NSNumber)?.doubleValue == 96000)
        #expect(row["decision_id"] is NSNull && (row["band_high"] as? NSNumber)?.doubleValue == 0.1)
        #expect((row["oldest_mark_age_s"] as? NSNumber)?.doubleValue == 2700)

        // A plan is not recorded on a history behind the ledger.
        let late = directory.write("late.csv", "trade_id,timestamp,instrument,side,quantity,price\nz1,2026-11-19T12:44:00Z,BTC-PERPETUAL,buy,10,96000\n")
        #expect(try hedgeledger(["import", "trades", "--db", db, late]).status == 0)
        let stale = try hedgeledger(["hedge", "plan", "--db", db, "--at", "2026-11-19T12:45:00Z", "--record"])
        #expect(stale.status == 3 && stale.stderr.contains("nothing recorded"), "\(stale.stderr)")
        #expect(try hedgeledger(["void", "fill", "--db", db, "--trade-id", "z1", "--reason", "test"]).status == 0)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let recorded = try hedgeledger(["hedge", "plan", "--db", db, "--at", "2026-11-19T12:45:00Z", "--record", "--by", "bot"])
        #expect(recorded.status == 0 && recorded.stderr.contains("1 decision recorded: D1"), "\(recorded.stderr)")
        let manual = try hedgeledger(["hedge", "record", "--db", db, "--book", "main", "--underlying", "btc", "--action", "rebalance",
                                      "--instrument", "BTC-PERPETUAL", "--quantity", "-40000", "--price", "96010", "--id", "ext-7",
                                      "--at", "2026-11-19T12:46:00Z", "--by", "ana", "--rationale", "by hand"])
        #expect(manual.status == 0 && manual.stderr.contains("decision ext-7 recorded: rebalance -40000 BTC-PERPETUAL"), "\(manual.stderr)")
        let journal = try #require(try jsonObject(try hedgeledger(["hedge", "list", "--db", db, "--format", "json"]).stdout)["decisions"] as? [[String: Any]])
        #expect(journal.map { $0["decision_id"] as? String } == ["D1", "ext-7"])
        #expect(journal[1]["policy"] as? Int == 1 && (journal[1]["net_delta"] as? NSNumber)?.doubleValue == net)  // filled from the ledger
        #expect(journal[1]["source"] as? String == "record" && journal[1]["decided_by"] as? String == "ana")
        #expect(journal[0]["source"] as? String == "plan")

        // Execution: a fill naming ext-7 in its file, and two fills linked to D1 afterwards.
        // Two fills of whole 10 USD contracts adding up to the decision.
        let first = ((-expected / 20).rounded(.down)) * 10, second = -expected - first
        let fills = directory.write("hedges.csv", """
            trade_id,timestamp,instrument,side,quantity,price,fee,hedge_decision
            h1,2026-11-19T12:47:00Z,BTC-PERPETUAL,sell,30000,96000,0,ext-7
            h2,2026-11-19T12:45:30Z,BTC-PERPETUAL,sell,\(Int(first)),96010,0.0001,
            h3,2026-11-19T12:46:30Z,BTC-PERPETUAL,sell,\(Int(second)),95990,0.0001,
            h4,2026-11-19T12:48:00Z,BTC-PERPETUAL,sell,10,95990,0,
            h5,2026-11-19T12:49:00Z,BTC-PERPETUAL,sell,10,95990,0,zzz

            """)
        let imported = try hedgeledger(["import", "trades", "--recompute", "--db", db, fills])
        #expect(imported.status == 0, "\(imported.stderr)")
        let link = try hedgeledger(["hedge", "link", "--db", db, "D1", "h2", "h3"])
        #expect(link.status == 0 && link.stderr.contains("2 fills linked to decision D1"), "\(link.stderr)")
        for (arguments, message) in [(["D1", "h1"], "names decision 'ext-7' in its own hedge_decision column"), (["D1", "h2"], "already executes decision D1"),
                                     (["D9"], "no decision 'D9' in the journal (did you mean 'D1'?)"), (["D1", "nope"], "no fill with trade id 'nope'")] {
            let refused = try hedgeledger(["hedge", "link", "--db", db] + arguments + (arguments.count == 1 ? ["h4"] : []))
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(refused.stderr)")
        }
        let executed = try #require(try jsonObject(try hedgeledger(["hedge", "list", "--db", db, "--format", "json"]).stdout)["decisions"] as? [[String: Any]])
        try ReportOutputTests().expectDocumented(try hedgeledger(["hedge", "list", "--db", db, "--format", "json"]).stdout)
        let d1 = executed[0], ext = executed[1]
        #expect(d1["execution"] as? String == "filled" && d1["fills"] as? Int == 2 && (d1["executed_quantity"] as? NSNumber)?.doubleValue == expected)
        // The harmonic average of 96010 and 95990 weighted by USD amount; slippage against the 96000 reference, a sale.
        let average = (first + second) / (first / 96010.0 + second / 95990.0)
        #expect(abs((d1["avg_fill_price"] as? NSNumber)!.doubleValue - average) < 1e-9)
        #expect(abs((d1["slippage"] as? NSNumber)!.doubleValue - (96000 - average)) < 1e-9)
        #expect((d1["latency_s"] as? NSNumber)?.doubleValue == 30 && (d1["latency_last_s"] as? NSNumber)?.doubleValue == 90)
        #expect(((d1["fees"] as? [String: Any])?["BTC"] as? NSNumber)?.doubleValue == 0.0002)
        #expect(ext["execution"] as? String == "partial" && (ext["executed_quantity"] as? NSNumber)?.doubleValue == -30000)
        // Sold 30000 USD at 96000 against a 96010 reference: 10 worse, 30000 × (1/96000 − 1/96010) BTC.
        #expect((ext["slippage"] as? NSNumber)?.doubleValue == 10)
        #expect(abs((ext["slippage_cost"] as? NSNumber)!.doubleValue - 30000 * (1 / 96000.0 - 1 / 96010.0)) < 1e-13)  // 1/price is exact to 18 places
        let after = try #require(try jsonObject(try hedgeledger(["history", "--db", db, "--format", "json", "--from",
                                                                 "2026-11-19T12:47:00Z", "--to", "2026-11-19T12:47:00Z"]).stdout)["history"] as? [[String: Any]])
        #expect((ext["residual_net_delta"] as? NSNumber)?.doubleValue == (after.first?["net_delta"] as? NSNumber)?.doubleValue)

        // history shows the decisions beside the rows; --decisions-only is the journal.
        let withDecisions = try hedgeledger(["history", "--db", db, "--format", "json", "--from", "2026-11-19T12:40:00Z", "--to", "2026-11-19T13:00:00Z"])
        try ReportOutputTests().expectDocumented(withDecisions.stdout)
        let beside = try #require(try jsonObject(withDecisions.stdout)["decisions"] as? [[String: Any]])
        #expect(beside.map { $0["decision_id"] as? String } == ["D1", "ext-7"] && beside[1]["execution"] as? String == "partial")
        let only = try jsonObject(try hedgeledger(["history", "--db", db, "--format", "json", "--decisions-only"]).stdout)
        #expect((only["schema"] as? [String: Any])?["name"] as? String == "hedgeledger.decisions" && only["history"] == nil)

        // Exceptions: ext-7 part-filled; the perpetual fills no decision explains (the 12:30 hedge and h4); h5 names a
        // decision the journal lacks; and the 0.1 band, breached from 12:00 (options only), not answered within 300 s.
        let exceptions = try hedgeledger(["hedge", "exceptions", "--db", db, "--format", "json"])
        #expect(exceptions.status == 0 && exceptions.stderr.contains("exceptions"), "\(exceptions.stderr)")
        try ReportOutputTests().expectDocumented(exceptions.stdout)
        let listed = try #require(try jsonObject(exceptions.stdout)["exceptions"] as? [[String: Any]])
        let kinds = listed.map { "\($0["kind"] as! String) \($0["decision_id"] as? String ?? $0["fill"] as? String ?? "") \($0["time"] as! String)" }
        #expect(kinds.contains("partial ext-7 2026-11-19T12:46:00Z"), "\(kinds)")
        #expect(kinds.contains("unlinked-fill unspecified 3 2026-11-19T12:30:00Z") && kinds.contains("unlinked-fill unspecified h4 2026-11-19T12:48:00Z"), "\(kinds)")
        #expect(kinds.contains("unknown-decision zzz 2026-11-19T12:49:00Z"), "\(kinds)")
        #expect(kinds.contains("unanswered-breach  2026-11-19T12:00:00Z"), "\(kinds)")
        #expect(!kinds.contains { $0.contains("D1") } && !kinds.contains { $0.contains("h2") })  // filled, linked
        // Answered in time, a breach is no exception: a rebalance at 12:03 for the breach of 12:00.
        #expect(try hedgeledger(["hedge", "record", "--db", db, "--book", "main", "--underlying", "BTC", "--action", "rebalance",
                                 "--instrument", "BTC-PERPETUAL", "--quantity", "-10", "--at", "2026-11-19T12:03:00Z"]).status == 0)
        let again = try #require(try jsonObject(try hedgeledger(["hedge", "exceptions", "--db", db, "--format", "json", "--from",
                                                                 "2026-11-19T12:00:00Z", "--to", "2026-11-19T12:20:00Z"]).stdout)["exceptions"] as? [[String: Any]])
        #expect(!again.contains { $0["kind"] as? String == "unanswered-breach" })

        // Never edited.
        let ledger = try Ledger(path: db, create: false, now: testNow)
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("UPDATE hedge_decisions SET quantity = '1'") }
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("DELETE FROM hedge_decisions") }
        #expect(throws: SQLiteError.self) { try ledger.connection.execute("DELETE FROM hedge_links") }
    }

    @Test("simulate: a zero band hedges at every row, an infinite one never does and its hedged P&L is the options' P&L")
    func simulate() throws {
        let directory = TemporaryDirectory()
        let (trades, marks) = RecomputeTests.generated(rows: 400)
        let db = try cliLedger(in: directory, trades: trades, snapshots: marks)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let result = try hedgeledger(["simulate", "--db", db, "--from", "2026-11-16", "--to", "2026-11-30", "--book", "main", "--underlying", "BTC",
                                      "--policy", "fixed:0", "--policy", "fixed:1000000", "--policy", "fixed:0.5,lot=10,to=band-edge",
                                      "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        let rows = try #require(try jsonObject(result.stdout)["policies"] as? [[String: Any]])
        #expect(rows.map { $0["policy"] as? String } == ["fixed:0", "fixed:1000000", "fixed:0.5,lot=10,to=band-edge"])
        func number(_ row: [String: Any], _ field: String) -> Double { (row[field] as? NSNumber)?.doubleValue ?? .nan }
        let zero = rows[0], never = rows[1], banded = rows[2]
        let priced = try #require(zero["rows"] as? Int)
        #expect(priced > 10 && zero["hedges"] as? Int ?? 0 >= priced - 2)  // every row but those already flat
        #expect(number(zero, "max_abs_net_delta") < 1e-9)
        #expect(never["hedges"] as? Int == 0 && number(never, "traded_notional_usd") == 0 && number(never, "cost_usd") == 0)
        #expect(number(never, "hedged_pnl_usd") == number(never, "options_pnl_usd"))
        // The cost is the fee rate on the notional; a band trades less than hedging every row.
        #expect(abs(number(zero, "cost_usd") - 0.0005 * number(zero, "traded_notional_usd")) < 1e-6)
        #expect(banded["hedges"] as? Int ?? .max < zero["hedges"] as? Int ?? 0 && number(banded, "max_abs_net_delta") > 0)
        for (spec, message) in [("fixed:-1", "the band width -1 coin is negative"), ("band:1", "is not fixed:COIN"),
                                ("ww:1:0.1", "the proportional cost 1 must be"), ("fixed:1,lots=2", "'lots=2' is not lot=")] {
            let refused = try hedgeledger(["simulate", "--db", db, "--from", "2026-11-16", "--to", "2026-11-30", "--policy", spec])
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(spec): \(refused.stderr)")
        }
        // The journal is not touched.
        let ledger = try Ledger(path: db, access: .read, now: testNow)
        #expect(try ledger.hedgeDecisions.decisions().isEmpty)
    }

    @Test("simulate charges half the hedge instrument's bid-ask spread where a quote is known, and only there")
    func simulateSpread() throws {
        // The perpetual quoted 0.01% either side of its mark at 12:00 and 13:00: half the spread is 0.0001 of the mid.
        func ledger(quoted: Bool, in directory: TemporaryDirectory) throws -> String {
            let quote = { (bid: String, ask: String) in quoted ? "\(bid),\(ask)" : "," }
            let marks = """
                timestamp,instrument,mark_price,underlying_price,mark_iv,kind,bid_price,ask_price
                2026-11-19T12:00:00Z,btc_usd,96010,,,,,
                2026-11-19T12:00:00Z,BTC-27NOV26-100000-C,0.04,96000,50,,0.039,0.041
                2026-11-19T12:00:00Z,BTC-20NOV26-95000-P,0.01,96000,55,,,
                2026-11-19T12:00:00Z,BTC-PERPETUAL,96000,,,,\(quote("95990.4", "96009.6"))
                2026-11-19T13:00:00Z,btc_usd,97010,,,,,
                2026-11-19T13:00:00Z,BTC-27NOV26-100000-C,0.045,97000,51,,,
                2026-11-19T13:00:00Z,BTC-20NOV26-95000-P,0.008,97000,56,,,
                2026-11-19T13:00:00Z,BTC-PERPETUAL,97000,,,,\(quote("96990.3", "97009.7"))

                """
            let db = try cliLedger(in: directory, trades: RecomputeTests.trades, snapshots: marks)
            #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
            return db
        }
        func simulated(_ db: String) throws -> [String: Any] {
            let result = try hedgeledger(["simulate", "--db", db, "--from", "2026-11-19T11:00:00Z", "--to", "2026-11-19T13:30:00Z",
                                          "--policy", "fixed:0", "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            try ReportOutputTests().expectDocumented(result.stdout)
            return try #require((try jsonObject(result.stdout)["policies"] as? [[String: Any]])?.first)
        }
        func number(_ row: [String: Any], _ field: String) -> Double { (row[field] as? NSNumber)?.doubleValue ?? .nan }
        let directory = TemporaryDirectory(), unquoted = TemporaryDirectory()
        let withQuotes = try simulated(try ledger(quoted: true, in: directory))
        let without = try simulated(try ledger(quoted: false, in: unquoted))
        // Hedging to zero at every row from 12:00 to 13:00, each within an hour of a quote.
        let hedges = try #require(withQuotes["hedges"] as? Int)
        #expect(hedges >= 2 && withQuotes["quoted_hedges"] as? Int == hedges && without["quoted_hedges"] as? Int == 0)
        #expect(withQuotes["hedge_instrument"] as? String == "BTC-PERPETUAL")
        let notional = number(withQuotes, "traded_notional_usd"), spread = number(withQuotes, "spread_cost_usd")
        #expect(notional > 0 && abs(spread - 0.0001 * notional) < 1e-9 * notional)
        #expect(abs(number(withQuotes, "cost_usd") - (number(withQuotes, "fees_usd") + spread)) < 1e-9)
        #expect(number(without, "spread_cost_usd") == 0 && number(without, "cost_usd") == number(without, "fees_usd"))
        #expect(abs(number(without, "hedged_pnl_usd") - number(withQuotes, "hedged_pnl_usd") - spread) < 1e-9)

        // A crossed quote is refused at import, located.
        let crossed = directory.write("crossed.csv", """
            timestamp,instrument,mark_price,bid_price,ask_price
            2026-11-19T14:00:00Z,BTC-PERPETUAL,97000,97010,96990

            """)
        let refused = try hedgeledger(["import", "snapshots", "--db", directory.file("l.sqlite"), crossed])
        #expect(refused.status != 0 && refused.stderr.contains("crossed.csv:2:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("ask 96990 is below the bid 97010"), "\(refused.stderr)")
    }

    @Test("import decisions: an external hedger's log, all or nothing, idempotent on the decision id, chained")
    func importDecisions() throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: RecomputeTests.trades, snapshots: RecomputeTests.marks)
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let log = """
            decision_id,time,book,underlying,action,instrument,quantity,reference_price,reason,decided_by,net_delta
            bot-1,2026-11-19T12:45:00Z,main,BTC,rebalance,BTC-PERPETUAL,-20000,96000,,bot,0.9
            bot-2,2026-11-19T12:50:00Z,main,btc,skip,,,,venue down,bot,

            """
        let file = directory.write("log.csv", log)
        let first = try hedgeledger(["import", "decisions", "--db", db, file])
        #expect(first.status == 0 && first.stderr.contains("2 decisions imported, 0 duplicates skipped"), "\(first.stderr)")
        let again = try hedgeledger(["import", "decisions", "--db", db, file])
        #expect(again.status == 0 && again.stderr.contains("0 decisions imported, 2 duplicates skipped"), "\(again.stderr)")
        let journal = try #require(try jsonObject(try hedgeledger(["hedge", "list", "--db", db, "--format", "json"]).stdout)["decisions"] as? [[String: Any]])
        #expect(journal.map { $0["decision_id"] as? String } == ["bot-1", "bot-2"] && journal.allSatisfy { $0["source"] as? String == "import" })
        #expect((journal[0]["net_delta"] as? NSNumber)?.doubleValue == 0.9)  // as the hedger saw it
        #expect(journal[1]["net_delta"] is NSNumber)  // not given: from the exposure history
        // A different decision under a known id, and bad cells: located errors, nothing imported.
        let bad = directory.write("bad.csv", """
            decision_id,time,book,underlying,action,instrument,quantity
            bot-1,2026-11-19T12:45:00Z,main,BTC,rebalance,BTC-PERPETUAL,-30000
            bot-3,2026-11-19T12:46:00Z,main,BTC,sell,BTC-PERPETUAL,10
            bot-4,2026-11-19 12:47,main,BTC,hold,,

            """)
        let refused = try hedgeledger(["import", "decisions", "--db", db, bad])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("bad.csv:2:1: decision_id 'bot-1' was already recorded (from \(file):2 (import #3)) with different content"), "\(refused.stderr)")
        #expect(refused.stderr.contains("bad.csv:3:") && refused.stderr.contains("'sell' is not rebalance, hold or skip"))
        #expect(refused.stderr.contains("bad.csv:4:") && refused.stderr.contains("time"))
        #expect(try Ledger(path: db, access: .read, now: testNow).hedgeDecisions.decisions().count == 2)
        let verified = try hedgeledger(["verify", "--db", db])
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test("bad decisions are refused with the reason (exit 64) and record nothing", arguments: [
        (["--action", "rebalance", "--instrument", "BTC-PERPETUAL"], "a rebalance names its instrument and quantity"),
        (["--action", "rebalance", "--instrument", "BTC-PERPETUAL", "--quantity", "0"], "a rebalance of 0 trades nothing"),
        (["--action", "skip"], "a skip says why"),
        (["--action", "hold", "--quantity", "5"], "a hold trades nothing"),
        (["--action", "buy"], "is not rebalance, hold or skip"),
        (["--action", "rebalance", "--instrument", "ETH-PERPETUAL", "--quantity", "5"], "ETH-PERPETUAL is an instrument of ETH"),
        (["--action", "rebalance", "--instrument", "BTC-PERPETUA", "--quantity", "5"], "did you mean 'BTC-PERPETUAL'?"),
        (["--action", "rebalance", "--instrument", "BTC-27NOV26-100000-C", "--quantity", "5"], "is an option; a hedge trades a future, perpetual or spot"),
        (["--action", "rebalance", "--instrument", "BTC-PERPETUAL", "--quantity", "5", "--price", "-1"], "the reference price -1 is not positive"),
        (["--action", "hold", "--book", "mian"], "book 'mian' has no positions, settings or policy in BTC (did you mean 'main'?)"),
        (["--action", "hold", "--id", "taken"], "decision 'taken' is already in the journal"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory()
        let db = try cliLedger(in: directory, trades: RecomputeTests.trades)
        #expect(try hedgeledger(["hedge", "record", "--db", db, "--book", "main", "--underlying", "BTC", "--action", "hold", "--id", "taken"]).status == 0)
        var full = ["hedge", "record", "--db", db, "--underlying", "BTC"] + arguments
        if !arguments.contains("--book") { full += ["--book", "main"] }
        let result = try hedgeledger(full)
        #expect(result.status == 64 && result.stderr.contains(message), "\(result.status) \(result.stderr)")
        let ledger = try Ledger(path: db, access: .read, now: testNow)
        #expect(try ledger.hedgeDecisions.decisions().count == 1)
    }
}
