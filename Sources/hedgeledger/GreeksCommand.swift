import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Greeks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the greeks of open positions from the marks, with totals per book and underlying.",
            discussion: """
                Each position is valued from its latest mark at or before --at (Black-76 on the \
                mark's underlying_price, with mark_iv or a volatility implied from mark_price). \
                Units: delta and net delta in coin (net delta is premium-adjusted for inverse \
                options), delta_usd in USD, gamma in coin per USD, vega in USD per vol point, \
                theta in USD per day, unrealised P&L in the settlement currency (USD in totals). \
                Marks (and USD index prices) older than --max-mark-age are used but flagged stale; \
                positions that cannot be valued are listed with the reason, and a total over them \
                says complete: false with the count. Totals give the options' delta, the hedges' \
                delta and the hedge ratio (-hedge delta / options net delta).
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var scope: PositionScopeOptions

        @OptionGroup var markAge: MarkAgeOptions

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try scope.filter.validate(in: opened)
                let report = try GreeksReport.build(ledger: opened, at: scope.at ?? now, now: now, filter: scope.filter,
                                                    maxMarkAgeSeconds: markAge.maxMarkAge)
                if report.settlementsMayBeBehind, let warning = report.freshness.warning(about: .settlements) {
                    Console.message(warning)
                }
                return report.report
            }
        }
    }

    struct Marks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect the market snapshots in the ledger.",
            subcommands: [Check.self])
    }
}

extension Hedgeledger.Marks {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List options whose venue greeks disagree with ours beyond a tolerance.",
            discussion: """
                Takes each option's latest mark at or before --at; if it carries the venue's greeks, \
                recomputes delta, gamma, vega and theta with Black-76 from the same inputs and \
                lists differences beyond max(floor, --relative × |venue|); floors follow the \
                venue's rounding (delta 0.001, gamma 0.00001, vega 0.01, theta 0.05). Prints \
                how many marks were checked on stderr.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("Check the marks as of this time (ISO-8601 with a zone, or a date); default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        @Option(help: ArgumentHelp("Relative tolerance, as a fraction.", valueName: "fraction"))
        var relative: Double = 0.01

        func validate() throws {
            guard relative >= 0, relative.isFinite else { throw ValidationError("--relative must be zero or more") }
        }

        func run() throws {
            var summary = ""
            try output.printReport(of: ledger) { opened, now in
                let report = try MarksCheckReport.build(ledger: opened, at: at ?? now, tolerance: .init(relative: relative))
                summary = "\(report.checked) option mark\(report.checked == 1 ? "" : "s") with venue greeks checked, \(report.discrepancies.count) discrepanc\(report.discrepancies.count == 1 ? "y" : "ies")"
                return report.report
            }
            Console.message(summary)
        }
    }
}
