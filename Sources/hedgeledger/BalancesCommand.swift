import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Balances: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show cash per venue account and currency, from the transaction logs imported.",
            discussion: """
                For each account and currency: the opening balance (the first imported row's Balance \
                minus its Change), then every row's Change up to --at by kind (trading: trades, \
                position moves and deliveries; settlements, with funding; transfers: deposits, \
                withdrawals, transfers and swaps; other), the cash that gives, the venue's own \
                Balance on the last row, and whether the two agree. fees is the sum of Fee Charged \
                (inside trading, except a fee taken from the fee balance, which Change leaves out). Check mismatches recorded by `import trades --no-check` \
                are listed after. The exit status is 2 when some account's cash disagrees with \
                the venue's balance. Example:
                  hedgeledger balances --at 2026-11-20T17:00:00Z --account 123456
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("As of this time: ISO-8601 with a zone, or a date YYYY-MM-DD meaning 00:00Z; default now.",
                                   valueName: "time"), transform: TimeArgument.parse)
        var at: Timestamp?

        @Option(help: ArgumentHelp("Only this venue account (the Deribit user id of the log).", valueName: "id"))
        var account: String?

        func run() throws {
            var disagrees = false
            var none = false
            try output.printReport(of: ledger) { opened, now in
                let report = try BalancesReport.build(ledger: opened, at: at ?? now, account: account)
                disagrees = report.disagrees
                none = report.balances.isEmpty
                return report.report
            }
            if none {
                Console.message("no venue transaction log rows\(at.map { " up to \($0.iso8601)" } ?? ""): cash comes from Deribit transaction logs (`import trades transaction_log-….csv`); fills from trade files and mappings move no cash balance")
            }
            if disagrees { throw ExitCode(Console.Exit.historyDiffers) }
        }
    }

    struct Assert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record checkpoints the ledger must always agree with.",
            subcommands: [AssertPosition.self, AssertWithdraw.self, AssertList.self])
    }

    struct AssertPosition: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "position",
            abstract: "Record that a book held a quantity of an instrument at a time; verify and the EOD report check it from then on.",
            discussion: """
                The assertion is appended to the journal (chained like every record) and never \
                changed. The ledger's position is the book's live fills at or before --at (an \
                instrument past its expiry is flat). The assertion is recorded even when the ledger \
                disagrees, since the statement usually comes from the venue: the command then exits \
                2, and `verify` and `report eod` flag it until the missing fills are imported or the \
                wrong ones voided (or, when the assertion itself was the mistake, it is withdrawn \
                with `hedgeledger assert withdraw`). Example:
                  hedgeledger assert position --book main --instrument BTC-PERPETUAL --quantity -50000 --at 2026-11-20T17:00:00Z
                """)

        @OptionGroup var ledger: LedgerOptions

        @Option(help: ArgumentHelp("The book.", valueName: "name"))
        var book: String

        @Option(help: ArgumentHelp("The instrument (a Deribit name, or one imported).", valueName: "symbol"))
        var instrument: String

        @Option(parsing: .unconditional, help: ArgumentHelp("The signed position, in the instrument's amount unit (USD for inverse perpetuals and futures, coin for options); a multiple of its contract size.", valueName: "amount"))
        var quantity: String

        @Option(help: ArgumentHelp("When the book held it: ISO-8601 with a zone, or a date; not after now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp

        @Option(help: ArgumentHelp("Where the figure comes from (a statement, a venue report ...).", valueName: "text"))
        var note: String?

        @Option(help: ArgumentHelp("Who records it; default $USER, else the account running it.", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            if case .failure(let problem) = DecimalSyntax.parse(quantity) {
                throw ValidationError("--quantity '\(quantity.escapingControlCharacters)' \(problem)")
            }
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            var holds = true
            try Console.run {
                let now = Console.now()
                let opened = try ledger.openForWriting(create: false, now: now)
                let outcome = try PositionAssertionService(ledger: opened, waitSeconds: wait)
                    .record(book: book, instrument: instrument, quantity: try DecimalSyntax.parse(quantity).get(), at: at,
                            note: note, recordedBy: Console.actor(by), now: now)
                holds = outcome.holds
                Console.message("recorded " + outcome.description + (outcome.holds ? ": holds" : ": DOES NOT HOLD"))
            }
            if !holds { throw ExitCode(Console.Exit.historyDiffers) }
        }
    }

    struct AssertWithdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract: "Withdraw a position assertion recorded by mistake; verify and the EOD report stop checking it.",
            discussion: """
                The assertion is kept, and the withdrawal, with its reason, who and when, is \
                appended to the journal beside it (chained like every record); neither is ever \
                changed. An assertion is withdrawn once. `hedgeledger assert list` shows every \
                assertion with its number. Example:
                  hedgeledger assert withdraw 3 --reason "typed 50000 for -50000"
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: ArgumentHelp("The assertion's number (#N in `verify` and in what `assert position` printed).", valueName: "id"))
        var id: Int64

        @OptionGroup var options: ReasonOptions

        func validate() throws {
            guard id > 0 else { throw ValidationError("the assertion's number must be 1 or more") }
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.openForWriting(create: false, now: now)
                let assertion = try PositionAssertionService(ledger: opened, waitSeconds: options.wait)
                    .withdraw(id: id, reason: options.reason, recordedBy: options.actor, now: now)
                Console.message("withdrew assertion #\(assertion.id): book '\(assertion.book)' \(assertion.instrument) \(assertion.quantity) at \(assertion.time.iso8601); verify and the EOD report no longer check it")
            }
        }
    }

    struct AssertList: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List every position assertion: what was asserted, what the ledger holds at its time now, and its withdrawal if any.",
            discussion: "Read-only. `holds` is checked against the fills as they are now, as `verify` checks it.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in try AssertionsReport.build(ledger: opened).report }
        }
    }
}
