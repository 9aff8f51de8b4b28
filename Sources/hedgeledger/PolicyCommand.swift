import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set and show each book's hedge policy: when it rebalances its delta, and how.",
            discussion: """
                A policy is per book and underlying, and versioned: `policy set` records a whole new \
                version effective from a time (default now); versions are never edited. It has one \
                band rule: a fixed band (--band COIN: rehedge when |net delta - target| exceeds it), \
                a relative band (--relative-band FRACTION of the gross options delta, Σ|delta| of \
                the option positions), a schedule (--every 15m, optionally only outside --band), or \
                the Whalley-Wilmott band (--ww-cost and --ww-risk-aversion: half-width \
                H = (3/2 · λ · F · Γ² / γ)^(1/3) coin, with λ the proportional cost of trading the \
                hedge, F the underlying price in USD, Γ the book's gamma and γ the risk aversion per \
                USD; see README). With the trade rules (--min-trade, --lot, in the hedge \
                instrument's amount unit), how long a breach may stay unanswered (--max-reaction), \
                and whether a rebalance goes to the target or the band edge (--hedge-to).
                """,
            subcommands: [Set.self, Show.self, List.self])
    }
}

extension Hedgeledger.Policy {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a new version of a book's hedge policy for one underlying.",
            discussion: """
                Give exactly one band rule. Without --target-delta or --hedge-instrument the \
                policy uses the book settings' target and first hedge instrument in force when it \
                is applied (`hedgeledger book show`). Examples:
                  hedgeledger policy set main --underlying BTC --band 0.5 --lot 10 --min-trade 100
                  hedgeledger policy set main --underlying ETH --relative-band 0.05 --hedge-to band-edge
                  hedgeledger policy set main --underlying BTC --every 15m --band 0.2 --max-reaction 2m
                  hedgeledger policy set main --underlying BTC --ww-cost 0.0005 --ww-risk-aversion 0.0001
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: ArgumentHelp("The book.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("The underlying (BTC, ETH, ...).", valueName: "coin"))
        var underlying: String

        @Option(parsing: .unconditional, help: ArgumentHelp("A fixed band: rehedge when |net delta - target| exceeds this many coin. With --every: rehedge on schedule only outside it.", valueName: "coin"))
        var band: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("A relative band: this fraction of the gross options delta (0.05 is 5%).", valueName: "fraction"))
        var relativeBand: String?

        @Option(help: ArgumentHelp("A schedule: rehedge at this interval (15m, 1h, or seconds).", valueName: "interval"),
                transform: { try DurationArgument.seconds($0, option: "--every") })
        var every: Int64?

        @Option(parsing: .unconditional, help: ArgumentHelp("Whalley-Wilmott band: the proportional cost of trading the hedge, a fraction of notional (0.0005 is 5 bp); below 1.", valueName: "fraction"))
        var wwCost: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Whalley-Wilmott band: the risk aversion, per USD (positive; 0.0001 is moderate for a book of a few million USD).", valueName: "per-usd"))
        var wwRiskAversion: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("The net delta to hedge to, coin (negative is fine); default: the book settings' target.", valueName: "coin"))
        var targetDelta: String?

        @Option(help: ArgumentHelp("The instrument hedges trade in (a future, perpetual or spot of the underlying); default: the book settings' first.", valueName: "symbol"))
        var hedgeInstrument: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Skip trades smaller than this, in the hedge instrument's amount unit (USD for inverse perpetuals).", valueName: "amount"))
        var minTrade: String = "0"

        @Option(parsing: .unconditional, help: ArgumentHelp("Round trades toward zero to a whole number of these (10 for BTC-PERPETUAL's 10 USD contracts); default: no rounding.", valueName: "amount"))
        var lot: String?

        @Option(help: ArgumentHelp("How long a breach may stay unanswered before it is an exception (90s, 5m, ...); default 5m.", valueName: "duration"),
                transform: { try DurationArgument.seconds($0, option: "--max-reaction") })
        var maxReaction: Int64 = 300

        @Option(help: ArgumentHelp("Where a rebalance trades to: target, or band-edge (the smallest trade that ends the breach).", valueName: "where"))
        var hedgeTo: String = HedgePolicy.HedgeTo.target.rawValue

        @Flag(help: "The book has no fills or settings yet: set it up (otherwise a name the ledger does not know is refused as a likely typo).")
        var newBook = false

        @Option(help: ArgumentHelp("From when the version is in force: ISO-8601 with a zone, or a date; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var effective: Timestamp?

        @Option(help: ArgumentHelp("Who records it; default $USER, else the account running it.", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            let rules = [band != nil && every == nil, relativeBand != nil, every != nil, wwCost != nil || wwRiskAversion != nil]
            switch rules.filter({ $0 }).count {
            case 0: throw ValidationError("give a band rule: --band COIN, --relative-band FRACTION, --every INTERVAL (with an optional --band), or --ww-cost and --ww-risk-aversion")
            case 1: break
            default: throw ValidationError("give one band rule: --band, --relative-band, --every (with an optional --band) and --ww-cost/--ww-risk-aversion are alternatives")
            }
            if (wwCost == nil) != (wwRiskAversion == nil) {
                throw ValidationError("the Whalley-Wilmott band needs both --ww-cost and --ww-risk-aversion")
            }
            for (option, text) in [("--band", band), ("--relative-band", relativeBand), ("--ww-cost", wwCost),
                                   ("--ww-risk-aversion", wwRiskAversion), ("--target-delta", targetDelta),
                                   ("--min-trade", minTrade), ("--lot", lot)] {
                if let text, case .failure(let problem) = DecimalSyntax.parse(text) {
                    throw ValidationError("\(option) '\(text.escapingControlCharacters)' \(problem)")
                }
            }
            if HedgePolicy.HedgeTo(rawValue: hedgeTo) == nil {
                throw ValidationError("--hedge-to '\(hedgeTo.escapingControlCharacters)' is not target or band-edge")
            }
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            try Console.run {
                func amount(_ text: String?) throws -> ExactDecimal? { try text.map { try DecimalSyntax.parse($0).get() } }
                let rule: HedgePolicy.Band
                if let every {
                    rule = .schedule(seconds: every, width: try amount(band))
                } else if let band = try amount(band) {
                    rule = .fixed(width: band)
                } else if let fraction = try amount(relativeBand) {
                    rule = .relative(fraction: fraction)
                } else {
                    rule = .whalleyWilmott(cost: try amount(wwCost)!, riskAversion: try amount(wwRiskAversion)!)
                }
                let now = Console.now()
                let policy = HedgePolicy(book: name, underlying: underlying, effective: effective ?? now,
                                         targetDelta: try amount(targetDelta), hedgeInstrument: hedgeInstrument, band: rule,
                                         minTrade: try amount(minTrade)!, lot: try amount(lot), maxReactionSeconds: maxReaction,
                                         hedgeTo: HedgePolicy.HedgeTo(rawValue: hedgeTo)!)
                let opened = try ledger.openForWriting(create: false, now: now)
                let stored = try HedgePolicyService(ledger: opened, waitSeconds: wait)
                    .set(policy, newBook: newBook, recordedBy: Console.actor(by), now: now)
                let recorded = stored.policy
                Console.message("book '\(recorded.book)', \(recorded.underlying): policy version #\(stored.id) in force from \(recorded.effective.iso8601): \(recorded.band.kind) band, hedging to \(recorded.hedgeTo.rawValue) in \(recorded.hedgeInstrument ?? "the book settings' first hedge instrument")")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one book's hedge policies in force (now or --at a time) per underlying, and every version.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: ArgumentHelp("The book.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("As of this time: ISO-8601 with a zone, or a date; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try HedgePolicyReport.build(ledger: opened, at: at ?? now, book: name).showReport
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the hedge policy in force for every book and underlying that has one.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("As of this time: ISO-8601 with a zone, or a date; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try HedgePolicyReport.build(ledger: opened, at: at ?? now).listReport
            }
        }
    }
}
