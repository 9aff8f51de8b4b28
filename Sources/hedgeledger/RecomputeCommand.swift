import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Recompute: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Derive the exposure and hedge-ratio history from the fills, marks and book settings.",
            discussion: """
                One pass in time order over every fill, mark, USD index, settings version and \
                expiry writes, per book and underlying, a row at every moment its exposure can \
                change: options delta (plain and net), hedge delta, net delta of the hedged kind, \
                gamma, vega, theta, hedge ratio, and the trade in the first hedge instrument that \
                brings net delta to target. Each run is recorded with the SHA-256 of its inputs \
                and outputs and the code version; the same fills and marks give the same history \
                byte for byte, whatever order they were imported in. Read it with \
                `hedgeledger history`.

                Incremental: every import, void and book-settings change records the earliest \
                time it affects, and a run rebuilds only from the earliest of those since the last \
                run (from --from, if earlier); the first run, and --full, rebuild everything. \
                `import trades|snapshots --recompute` runs it right after the import.

                --check recomputes in memory without writing, compares with the stored history and \
                exits 2 naming the first row that differs (`recompute --full` rewrites it), or 3 \
                when the history was never computed or is behind the ledger (run `recompute` first).
                """)

        @OptionGroup var ledger: LedgerOptions

        @Flag(help: "Rebuild the whole history, not only from the earliest change since the last run.")
        var full = false

        @Option(help: ArgumentHelp("Rebuild from this time at the latest (earlier if a change since the last run needs it): ISO-8601 with a zone, or a date.",
                                   valueName: "time"), transform: TimeArgument.parse)
        var from: Timestamp?

        @Flag(help: "Recompute in memory and compare with the stored history; write nothing; exit 2 if they differ.")
        var check = false

        @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
        var wait: Double = 0

        func validate() throws {
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
            if full && from != nil { throw ValidationError("--full rebuilds everything; --from says where to start: give one") }
            if check && (full || from != nil) { throw ValidationError("--check compares the whole history and writes nothing: give it alone") }
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                if check {
                    let opened = try ledger.openForReading(now: now)
                    let pending = try RecomputeService.pendingChanges(ledger: opened)
                    guard let latest = pending.latest else {
                        Console.message("hedgeledger: no exposure history yet, so nothing to check: run `hedgeledger recompute`")
                        throw ExitCode(Console.Exit.historyBehind)
                    }
                    guard pending.changes == 0 else {
                        Console.message("hedgeledger: the exposure history is behind the ledger (\(pending.changes) change\(pending.changes == 1 ? "" : "s") since recompute run #\(latest.id)): run `hedgeledger recompute`, then check")
                        throw ExitCode(Console.Exit.historyBehind)
                    }
                    let result = try RecomputeService(ledger: opened, codeVersion: Hedgeledger.version).check()
                    if let difference = result.difference {
                        Console.message("hedgeledger: the stored exposure history differs from a recompute at \(difference); `hedgeledger recompute --full` rewrites it")
                        throw ExitCode(Console.Exit.historyDiffers)
                    }
                    Console.message("the stored exposure history equals a recompute (\(result.rows) rows)")
                    return
                }
                let opened = try ledger.openForWriting(create: false, now: now)
                let summary = try RecomputeService(ledger: opened, codeVersion: Hedgeledger.version, waitSeconds: wait)
                    .recompute(full: full, from: from, now: now)
                Console.message(summary.line)
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the exposure and hedge-ratio history that `recompute` derived.",
            discussion: """
                Rows per book and underlying in time order, from --from to --to (both inclusive). A \
                row exists only where exposure can change (a fill, a mark of an instrument held, an \
                expiry, a settings change); between rows the earlier one holds. Columns (deltas in \
                coin; see docs/json.md for each): options_delta, options_net_delta, hedge_delta, \
                net_delta (of the hedged kind), gamma, vega, theta, prices, hedge_ratio, \
                target_delta, required_hedge (in hedge_instrument's amount unit), the oldest mark's \
                age, positions and unpriced.

                The hedge decisions of the same range follow, in a second section (`decisions`, with \
                their execution); --decisions-only prints only them, as `hedge list` does.

                --every keeps the last row of each bucket with the bucket's largest |net delta| in \
                max_abs_net_delta: a number and a unit (s, m, h, d: 90m, 2d, 300s) or seconds, \
                buckets aligned to UTC.

                A --book or --underlying the ledger does not know is an error listing the ones it \
                does. Nothing is computed here: run `hedgeledger recompute` after imports (or import \
                with --recompute). When changes were recorded since the last run, stderr says the \
                history is behind, and JSON has behind: true.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @OptionGroup var range: RangeOptions

        @Option(help: ArgumentHelp("Keep the last row of each bucket: 1m, 5m, 1h, 1d, or seconds.", valueName: "width"),
                transform: { try DurationArgument.seconds($0, option: "--every") })
        var every: Int64?

        @Flag(help: "Only the hedge decisions in the range, with their execution: the journal (as `hedge list`).")
        var decisionsOnly = false

        func validate() throws {
            if decisionsOnly && every != nil { throw ValidationError("--every thins the exposure rows; --decisions-only shows none: give one") }
        }

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in
                let filter = range.filter
                try filter.validate(in: opened)
                if decisionsOnly {
                    return try HedgeDecisionsReport.journal(ledger: opened, book: range.book, underlying: range.underlying,
                                                            from: range.from, to: range.to).report
                }
                let report = try HistoryReport.build(ledger: opened, filter: filter, from: range.from, to: range.to, everySeconds: every)
                if let warning = report.freshness.warning(about: .exposureHistory) { Console.message(warning) }
                return report.report
            }
        }
    }
}
