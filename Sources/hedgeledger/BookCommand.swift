import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Book: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set and show how each book hedges each underlying: hedge instruments, hedged delta, target.",
            discussion: """
                Settings are per book and underlying, and versioned: `book set` records a new \
                version effective from a time (default now); versions are never edited, so the \
                settings at any past moment stay on record. A book with no version uses the \
                defaults: its non-option instruments of the underlying hedge, the hedged delta \
                is net (premium-adjusted, as Deribit's delta_total) for coin-settled options and \
                plain otherwise, and the target is 0 coin.
                """,
            subcommands: [Set.self, Show.self, List.self])
    }
}

extension Hedgeledger.Book {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a new version of a book's hedge settings for one underlying.",
            discussion: """
                Only what is given changes; the rest carries over from the version in force at \
                the effective time. The first --hedge-instrument is the one required hedges are \
                expressed in. Example: hedgeledger book set main --hedge-instrument BTC-PERPETUAL \
                --target-delta 0 --effective 2026-11-20T08:00:00Z
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: ArgumentHelp("The book.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("The underlying (BTC, ETH, ...); default: the hedge instruments' underlying.", valueName: "coin"))
        var underlying: String?

        @Option(help: ArgumentHelp("An instrument that hedges the book (a future, perpetual or spot of the underlying); repeat for several, in order.",
                                   valueName: "symbol"))
        var hedgeInstrument: [String] = []

        @Flag(help: "Back to the default hedge instruments: the book's non-option instruments of the underlying.")
        var defaultHedges = false

        @Option(help: ArgumentHelp("Which options delta the hedges offset: net (premium-adjusted), plain, or default.", valueName: "kind"))
        var hedgedDelta: String?

        @Option(parsing: .unconditional,
                help: ArgumentHelp("The net delta to hedge to, in coin of the underlying (negative is fine: --target-delta -0.25); the target in force carries over when not given, 0 when there is none.",
                                   valueName: "coin"))
        var targetDelta: String?

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
            if defaultHedges && !hedgeInstrument.isEmpty {
                throw ValidationError("--default-hedges and --hedge-instrument contradict each other; give one")
            }
            if let hedgedDelta, hedgedDelta != "default", HedgeSettings.HedgedDelta(rawValue: hedgedDelta) == nil {
                throw ValidationError("--hedged-delta '\(hedgedDelta.escapingControlCharacters)' is not net, plain or default")
            }
            if let targetDelta, case .failure(let problem) = DecimalSyntax.parse(targetDelta) {
                throw ValidationError("--target-delta '\(targetDelta.escapingControlCharacters)' \(problem)")
            }
            guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
        }

        func run() throws {
            try Console.run {
                var change = BookSettingsService.Change(book: name, underlying: underlying)
                change.newBook = newBook
                if defaultHedges { change.hedges = .defaults } else if !hedgeInstrument.isEmpty { change.hedges = .instruments(hedgeInstrument) }
                switch hedgedDelta {
                case nil: break
                case "default": change.hedgedDelta = .defaults
                case let text?: change.hedgedDelta = HedgeSettings.HedgedDelta(rawValue: text).map { .set($0) } ?? .keep
                }
                if let targetDelta { change.targetDelta = try DecimalSyntax.parse(targetDelta).get() }
                change.effective = effective
                let now = Console.now()
                let opened = try ledger.openForWriting(create: false, now: now)
                let stored = try BookSettingsService(ledger: opened, waitSeconds: wait).set(change, recordedBy: recordedBy, now: now)
                let settings = stored.settings
                let hedges = settings.hedgeInstruments?.joined(separator: ", ") ?? "the default (non-option instruments of \(settings.underlying))"
                Console.message("book '\(settings.book)', \(settings.underlying): version #\(stored.id) in force from \(settings.effective.iso8601): hedges \(hedges); hedged delta \(settings.hedgedDelta?.rawValue ?? "default"); target \(settings.targetDelta) \(settings.underlying)")
            }
        }

        var recordedBy: String { Console.actor(by) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one book's hedge settings in force (now or --at a time) per underlying, and every version.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: ArgumentHelp("The book.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("As of this time: ISO-8601 with a zone, or a date; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try BookSettingsReport.build(ledger: opened, at: at ?? now, book: name).showReport
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every book and underlying the ledger knows, with the hedge settings in force.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("As of this time: ISO-8601 with a zone, or a date; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try BookSettingsReport.build(ledger: opened, at: at ?? now).listReport
            }
        }
    }
}
