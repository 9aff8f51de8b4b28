import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Hedge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The hedge journal: plan decisions from the policies, record them, list them.",
            discussion: """
                A decision records when, for which book and underlying, under which policy version, \
                what it saw (net delta, gamma, band edges, price, the oldest mark's age, the exposure \
                row used), what it decided (rebalance, hold, or skip with a reason), the trade and its \
                reference price, who decided and why. Decisions and links are never edited: a wrong \
                decision is corrected by recording one that supersedes it (hedge record --supersedes), \
                a wrong link is withdrawn (hedge unlink) and the fill linked again.
                """,
            subcommands: [Plan.self, Record.self, Link.self, Unlink.self, List.self, Exceptions.self])
    }
}

extension Hedgeledger.Hedge {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate each hedge policy on the exposure at a time and print the decision it implies.",
            discussion: """
                For each book and underlying with a policy in force at --at (default now), takes the \
                last exposure row at or before it (run `hedgeledger recompute` first), computes the \
                band (README: Hedge policies) and decides: hold inside the band (or before a \
                schedule is due), else rebalance to the target (or the band edge) in the hedge \
                instrument, sized by its delta at its mark and rounded toward zero to the lot; a \
                trade below the minimum or smaller than a lot is a skip with the reason. --record \
                writes the decisions to the journal, and is refused (exit 3, nothing recorded) when \
                the exposure history is behind the ledger.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("Plan as of this time: ISO-8601 with a zone, or a date; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        @Option(help: ArgumentHelp("Only this book.", valueName: "name"))
        var book: String?

        @Option(help: ArgumentHelp("Only this underlying.", valueName: "coin"))
        var underlying: String?

        @Flag(help: "Record the decisions in the journal (otherwise only print them).")
        var record = false

        @Option(help: ArgumentHelp("Who decides, recorded with --record; default $USER, else the account running it.", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("With --record: wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                let time = at ?? now
                let opened = record ? try ledger.openForWriting(create: false, now: now) : try ledger.openForReading(now: now)
                try PositionsReport.Filter(book: book, underlying: underlying).validate(in: opened)
                let freshness = try HistoryFreshness.of(opened)
                if record, freshness.isBehind {
                    Console.message(freshness.warning(about: .exposureHistory) ?? "")
                    Console.message("hedgeledger: nothing recorded: a plan on an exposure history that is behind the ledger would miss what changed; run `hedgeledger recompute`, then plan again")
                    throw ExitCode(Console.Exit.historyBehind)
                }
                let service = HedgeJournalService(ledger: opened, waitSeconds: wait)
                let planned = try service.plan(at: time, book: book, underlying: underlying, decidedBy: "hedgeledger plan (\(Console.actor(by)))")
                if planned.isEmpty { Console.message("hedgeledger: no hedge policy in force at \(time.iso8601)\(book.map { " for book \($0)" } ?? ""); set one with `hedgeledger policy set`") }
                let recorded = record ? try service.record(planned, now: now) : nil
                if let warning = freshness.warning(about: .exposureHistory) { Console.message(warning) }
                var report = HedgeDecisionsReport.plan(planned, recorded: recorded, at: time, book: book, underlying: underlying).report
                report.status = freshness.facts
                Console.output(output.format.render(report))
                if let recorded { Console.message("\(recorded.count) decision\(recorded.count == 1 ? "" : "s") recorded: \(recorded.map(\.decision.key).joined(separator: ", "))") }
            }
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a hedge decision a trader or a bot made.",
            discussion: """
                The inputs it saw (net delta, gamma, band edges, price, mark age) are taken from the \
                ledger's exposure history at --at and the policy in force, unless --net-delta is \
                given. Examples:
                  hedgeledger hedge record --book main --underlying BTC --action rebalance --instrument BTC-PERPETUAL --quantity -20000 --price 95010 --rationale "delta +0.3 over band"
                  hedgeledger hedge record --book main --underlying BTC --action skip --reason "venue down" --at "2026-11-20 14:03Z"
                A correction is a new decision naming the one it replaces, at that decision's time \
                unless --at is given; the old one stays in the journal, marked superseded, and its \
                fills count for the correction:
                  hedgeledger hedge record --supersedes D12 --book main --underlying BTC --action rebalance --instrument BTC-PERPETUAL --quantity -2000 --price 95010 --rationale "D12 had the sign wrong"
                A decision recorded by hand later after its time than its policy's maximum reaction \
                time is listed by `hedge exceptions` (late-record).
                """)

        @OptionGroup var ledger: LedgerOptions

        @Option(help: ArgumentHelp("The book.", valueName: "name"))
        var book: String

        @Option(help: ArgumentHelp("The underlying.", valueName: "coin"))
        var underlying: String

        @Option(help: ArgumentHelp("rebalance, hold or skip.", valueName: "action"))
        var action: String

        @Option(help: ArgumentHelp("The instrument traded (rebalance).", valueName: "symbol"))
        var instrument: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Signed quantity (positive buys), in the instrument's amount unit (USD for inverse perpetuals).", valueName: "amount"))
        var quantity: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("The reference price the trade was decided at, in the instrument's quote currency.", valueName: "price"))
        var price: String?

        @Option(help: ArgumentHelp("When it was decided: ISO-8601 with a zone, or a date; default now (a correction: the time of the decision it supersedes).", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        @Option(help: ArgumentHelp("The decision's id (an external hedger's); default D and a number.", valueName: "id"))
        var id: String?

        @Option(help: ArgumentHelp("The id of a decision this one corrects and replaces (same book and underlying).", valueName: "id"))
        var supersedes: String?

        @Option(help: ArgumentHelp("Why a skip (required for skip) or a hold.", valueName: "text"))
        var reason: String?

        @Option(help: ArgumentHelp("Why, in words.", valueName: "text"))
        var rationale: String = ""

        @Option(parsing: .unconditional, help: ArgumentHelp("The net delta it saw, coin; default: from the exposure history.", valueName: "coin"))
        var netDelta: Double?

        @Option(help: ArgumentHelp("Who decided; default $USER, else the account running it.", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            guard HedgeDecision.Action(rawValue: action) != nil else {
                throw ValidationError("--action '\(action.escapingControlCharacters)' is not rebalance, hold or skip")
            }
            for (option, text) in [("--quantity", quantity), ("--price", price)] {
                if let text, case .failure(let problem) = DecimalSyntax.parse(text) {
                    throw ValidationError("\(option) '\(text.escapingControlCharacters)' \(problem)")
                }
            }
            if let netDelta, !netDelta.isFinite || abs(netDelta) > 1e15 { throw ValidationError("--net-delta must be a finite number of coin") }
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                var decision = HedgeDecision(
                    key: id ?? "", time: at ?? now, book: book, underlying: underlying, action: HedgeDecision.Action(rawValue: action)!,
                    reason: reason, instrument: instrument, quantity: try quantity.map { try DecimalSyntax.parse($0).get() },
                    referencePrice: try price.map { try DecimalSyntax.parse($0).get() }, decidedBy: Console.actor(by),
                    rationale: rationale, source: .record, supersedes: supersedes)
                if let netDelta { decision.inputs.netDelta = netDelta }
                let opened = try ledger.openForWriting(create: false, now: now)
                // A correction is of what was decided then: its time, unless --at says otherwise.
                if at == nil, let supersedes, let earlier = try opened.hedgeDecisions.find(key: supersedes) {
                    decision.time = earlier.decision.time
                }
                let stored = try HedgeJournalService(ledger: opened, waitSeconds: wait).record([decision], now: now)[0]
                let d = stored.decision
                Console.message("decision \(d.key) recorded: \(d.action.rawValue)\(d.quantity.map { " \($0) \(d.instrument ?? "")" } ?? "") for \(d.book) \(d.underlying) at \(d.time.iso8601)\(d.policyID.map { " under policy #\($0)" } ?? " (no policy in force)")\(d.supersedes.map { "; it supersedes \($0)" } ?? "")")
            }
        }
    }

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link fills to the hedge decision they executed.",
            discussion: """
                A fill whose trade file named the decision in its hedge_decision column is linked \
                already; this links the others, by trade id, after their import. Links are records: \
                never changed. A fill links to one decision, of the same instrument; a link made in \
                error is withdrawn with `hedge unlink`, and the fill can then be linked again. Example:
                  hedgeledger hedge link D12 98112 98113 --venue deribit
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: ArgumentHelp("The decision's id (hedge list shows them).", valueName: "decision"))
        var decision: String

        @Argument(help: ArgumentHelp("Trade ids of the fills.", valueName: "trade-id"))
        var tradeIDs: [String]

        @Option(help: ArgumentHelp("The fills' venue.", valueName: "venue"))
        var venue: String = NativeTradeFormat.defaultVenue

        @Option(help: ArgumentHelp("Who links them; default $USER, else the account running it.", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            if tradeIDs.isEmpty { throw ValidationError("name at least one fill by its trade id") }
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.openForWriting(create: false, now: now)
                let linked = try HedgeJournalService(ledger: opened, waitSeconds: wait)
                    .link(decision: decision, tradeIDs: tradeIDs, venue: venue, recordedBy: Console.actor(by), now: now)
                Console.message("\(linked.fills.count) fill\(linked.fills.count == 1 ? "" : "s") linked to decision \(linked.decision.decision.key)")
            }
        }
    }

    struct Unlink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw links made in error by `hedge link`.",
            discussion: """
                The link stays in the journal; a new record, chained like it, withdraws it, and the \
                fill then executes no decision until linked again. A fill that names its decision in \
                its own hedge_decision column cannot be unlinked: void it and import it corrected. \
                Example:
                  hedgeledger hedge unlink 98113 --reason "fill belongs to D13, not D12"
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: ArgumentHelp("Trade ids of the fills.", valueName: "trade-id"))
        var tradeIDs: [String]

        @Option(help: ArgumentHelp("Why the links were wrong (required).", valueName: "text"))
        var reason: String

        @Option(help: ArgumentHelp("The fills' venue.", valueName: "venue"))
        var venue: String = NativeTradeFormat.defaultVenue

        @Option(help: ArgumentHelp("Who withdraws them; default $USER, else the account running it.", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            if tradeIDs.isEmpty { throw ValidationError("name at least one fill by its trade id") }
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.openForWriting(create: false, now: now)
                let withdrawn = try HedgeJournalService(ledger: opened, waitSeconds: wait)
                    .unlink(tradeIDs: tradeIDs, venue: venue, reason: reason, recordedBy: Console.actor(by), now: now)
                for entry in withdrawn {
                    Console.message("fill \(entry.fill.fill.tradeID) is no longer linked to decision \(entry.decision)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the hedge decisions in the journal, with how each was executed.",
            discussion: """
                For each decision: its inputs and action, and from the fills that executed it (named \
                in their file's hedge_decision column, or linked with `hedge link`): execution \
                (unfilled, partial, filled, overfilled, or unexpected for fills of a decision that \
                traded nothing), executed quantity, average fill price, slippage against the \
                reference price (positive is worse: a buy above it, a sell below) in price and in the \
                settlement currency, latency to the first and last fill, fees, and the net delta the \
                exposure history shows right after the last fill.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @OptionGroup var range: RangeOptions

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in
                try range.filter.validate(in: opened)
                return try HedgeDecisionsReport.journal(ledger: opened, book: range.book, underlying: range.underlying,
                                                        from: range.from, to: range.to).report
            }
        }
    }

    struct Exceptions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List what the journal cannot explain: decisions not executed as decided, hedge fills without a decision, unanswered band breaches.",
            discussion: """
                Kinds: unfilled, partial, overfilled (more than decided, or the other way) and \
                unexpected (fills of a hold or skip) decisions; unlinked-fill: a fill in a hedge \
                instrument of a book and underlying with a policy in force, that neither names a \
                decision nor is linked to one; unknown-decision: a fill naming a decision the journal \
                does not have; unanswered-breach: net delta left the policy's band (from the exposure \
                history, up to --to, default now) and no rebalance was decided within its maximum \
                reaction time. Exits 0 \
                either way; the count is on stderr and in JSON.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @OptionGroup var range: RangeOptions

        func run() throws {
            var count = 0
            try output.printReport(of: ledger) { opened, now in
                // Up to now by default: the history holds rows for later moments (up to the last expiry), not the past.
                let (book, underlying, from, to) = (range.book, range.underlying, range.from, range.to ?? now)
                try range.filter.validate(in: opened)
                if let warning = try HistoryFreshness.of(opened).warning(about: .exposureHistory) { Console.message(warning) }
                let report = try HedgeExceptionsReport.build(ledger: opened, book: book, underlying: underlying, from: from, to: to)
                count = report.entries.count
                return report.report
            }
            Console.message("\(count) exception\(count == 1 ? "" : "s")")
        }
    }
}
