import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct ReportGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Reports for a desk's sign-off: the end-of-day audit report.",
            subcommands: [EndOfDay.self])
    }
}

extension Hedgeledger.ReportGroup {
    struct EndOfDay: ParsableCommand {
        enum Format: String, CaseIterable, ExpressibleByArgument {
            case md, html, json, csv

            var fileExtension: String { self == .csv ? "" : ".\(rawValue)" }
        }

        static let configuration = CommandConfiguration(
            commandName: "eod",
            abstract: "The end-of-day audit report: the day's exposure, hedges, exceptions and integrity, for a head of risk and an auditor.",
            discussion: """
                The day of --date runs from that date at --cutoff (UTC; default 00:00, the calendar \
                day; 08:00 is Deribit's settlement) to the next day's cutoff: --date 2026-11-20 \
                --cutoff 08:00 is 20 Nov 08:00 to 21 Nov 08:00. A day that has not begun is refused \
                (exit 64); one that has not ended is reported as far as the ledger goes. The report reads the \
                ledger read-only: the header (books, ledger, tool version, the recompute run read, \
                the journal chain's head, inputs_sha256), a summary per book and underlying (net \
                delta at the cutoff, its largest value, time outside the policy's band, hedges and \
                their cost), the exposure and positions at the cutoff, the day's settlements, its \
                exposure and hedge-ratio timeline (the last row of every --every, default 5m, with \
                the largest |net delta| it stands for; all for every row), its hedge decisions with their execution, its \
                exceptions (hedge exceptions, stale and missing marks, unpriced positions, venue-greek \
                discrepancies, P&L the greeks leave unexplained, assertions that fail, voids, \
                mismatches recorded by a log imported with --no-check), and \
                integrity (verify --quick, the day's imports). The summary says first whether the \
                row at the cutoff priced every position (complete, unpriced): its net delta leaves \
                unpriced positions out. \
                Regenerated from the same ledger it is the same file except generated_at, and \
                inputs_sha256 is equal. Refused (exit 3) while the exposure history is behind the \
                ledger, unless --allow-stale, which marks it STALE. When its verify --quick finds the \
                ledger changed outside hedgeledger (a failing assertion is an exception, not this), the \
                report is written headed INTEGRITY and the exit status is 2. It is written to a temporary \
                file renamed into place (csv: a new directory of one file per section), so a failed \
                run leaves no partial report; an existing file is replaced only with --force (for csv, \
                a directory of the report's own files only); the \
                report is readable by its owner only (0600), like the ledger; --out - writes to \
                stdout (not for csv, which is a directory). Example:
                  hedgeledger report eod --date 2026-11-20 --cutoff 08:00 --format html --out eod.html
                """)

        @OptionGroup var ledger: LedgerOptions

        @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "date"), transform: Self.parseDate)
        var date: Timestamp

        @Option(help: ArgumentHelp("When the day starts and ends, HH:MM UTC (default 00:00; 08:00 for Deribit's days).", valueName: "HH:MM"), transform: Self.parseCutoff)
        var cutoff: Int = 0

        @Option(name: .customLong("book"), help: ArgumentHelp("A book to report (repeat for several); default every book.", valueName: "name"))
        var books: [String] = []

        @Option(help: "md (Markdown), html (one self-contained file), json (docs/json.md: hedgeledger.eod) or csv (a directory of one file per section).")
        var format: Format = .md

        @Option(help: ArgumentHelp("Where to write it; - for stdout. Default eod-DATE.EXT (csv: eod-DATE/) here.", valueName: "path"))
        var out: String?

        @Option(help: ArgumentHelp("The timeline: the last row of every interval (1m, 5m, 1h, or seconds), or all for every stored row.",
                                   valueName: "width"),
                transform: { $0 == "all" ? 0 : try DurationArgument.seconds($0, option: "--every") })
        var every: Int64 = EndOfDayReport.defaultTimelineSeconds

        @Flag(help: "Make the report even when the exposure history is behind the ledger; it says STALE.")
        var allowStale = false

        @Flag(help: "Replace an existing report at --out (it is otherwise refused).")
        var force = false

        func validate() throws {
            if format == .csv && out == "-" { throw ValidationError("csv writes a directory of files, not stdout; give --out DIRECTORY") }
        }

        static func parseDate(_ text: String) throws -> Timestamp {
            let isDate = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
                index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (byte >= 48 && byte <= 57)
            }
            guard isDate, case .success(let time) = TimestampSyntax.parse(text + "T00:00:00Z") else {
                throw ValidationError("'\(text.escapingControlCharacters)' is not a date; expected YYYY-MM-DD such as 2026-11-20")
            }
            return time
        }

        static func parseCutoff(_ text: String) throws -> Int {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hours = Int(parts[0]), let minutes = Int(parts[1]),
                  (0..<24).contains(hours), (0..<60).contains(minutes) else {
                throw ValidationError("'\(text.escapingControlCharacters)' is not a time of day; expected HH:MM such as 08:00")
            }
            return hours * 60 + minutes
        }

        func run() throws {
            try Console.run {
                let now = Console.now()
                let start = Timestamp(microseconds: date.microseconds + Int64(cutoff) * 60_000_000)
                if start > now {
                    throw Console.UsageRefusal(description: "--date \(date.iso8601.prefix(10)): that day starts at \(start.iso8601), after now (\(now.iso8601)); the end-of-day report is of a day that has begun")
                }
                let opened = try ledger.openForReading(now: now)
                let books = Array(Set(self.books)).sorted()
                for book in books { try PositionsReport.Filter(book: book).validate(in: opened) }
                let built: EndOfDayReport
                do {
                    built = try EndOfDayReport.build(ledger: opened, date: date, cutoffMinutes: cutoff, books: books,
                                                     codeVersion: Hedgeledger.version, generatedAt: now, allowStale: allowStale,
                                                     timelineSeconds: every == 0 ? nil : every)
                } catch let refusal as EndOfDayReport.Refusal {
                    Console.message("hedgeledger: \(refusal)")
                    throw ExitCode(Console.Exit.historyBehind)
                }
                let stale = built.freshness.isBehind
                    ? "STALE: the exposure history is behind the ledger (\(built.freshness.pendingChanges) change(s) since the last recompute); this report does not show them"
                    : nil
                // A failed integrity check does not stop the report (an auditor wants it), but it heads it and sets the exit status.
                let tampered = built.verification.unchanged ? nil
                    : "INTEGRITY: verify --quick failed (see the integrity section): the ledger was changed outside hedgeledger, so these figures may not be what was recorded; run `hedgeledger verify`"
                let warning = [stale, tampered].compactMap { $0 }.joined(separator: " ")
                for message in [stale, tampered].compactMap({ $0 }) { Console.message("hedgeledger: \(message)") }
                let report = built.report
                let title = built.title
                let path = out ?? "eod-\(built.date)\(format.fileExtension)"
                switch format {
                case .csv:
                    try ReportFile.writeDirectory(CSVRenderer.files(report), to: path, replacing: force)
                default:
                    let text = switch format {
                    case .md: MarkdownRenderer.render(report, title: title, warning: warning.isEmpty ? nil : warning)
                    case .html: HTMLRenderer.render(report, title: title, warning: warning.isEmpty ? nil : warning, charts: built.charts)
                    default: JSONRenderer.render(report)
                    }
                    if path == "-" { Console.output(text) } else { try ReportFile.write(text, to: path, replacing: force) }
                }
                if path != "-" { Console.message("end-of-day report for \(built.date) written to \(path) (inputs \(built.inputsSHA256.prefix(16))…)") }
                if tampered != nil { throw ExitCode(Console.Exit.historyDiffers) }
            }
        }
    }
}
