import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct VoidCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void",
            abstract: "Take a wrong import or fill out of the positions, on record: fills are never edited or deleted.",
            discussion: """
                A void records who (--by, default $USER), when and why (--reason). Voided fills \
                stop counting in positions, greeks and everything derived from them, but stay in \
                the ledger: `hedgeledger imports` shows voided imports and `positions \
                --include-voided` the book as it stood before. Voids cannot be undone or edited. \
                After voiding a wrong file, import the corrected one: the same trade ids are \
                accepted again as corrections.
                """,
            subcommands: [ImportRun.self, Fill.self])
    }
}

/// What every record that takes an earlier one out (a void, an assertion's withdrawal) takes:
/// the reason, who, and the write-lock wait.
struct ReasonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Why: kept forever in the journal beside what it takes out.", valueName: "text"))
    var reason: String

    @Option(help: ArgumentHelp("Who does it; default $USER, else the account running it.", valueName: "name"))
    var by: String?

    @Option(help: ArgumentHelp("Wait up to this many seconds for another writer to finish.", valueName: "seconds"))
    var wait: Double = 0

    var actor: String { Console.actor(by) }

    func validate() throws {
        guard !reason.trimmingCharacters(in: " \t\n\r").isEmpty else { throw ValidationError("--reason must say why") }
        guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be zero or more seconds") }
    }
}

extension ReasonOptions {
    func void(_ target: VoidService.Target, ledger: LedgerOptions) throws {
        try Console.run {
            let now = Console.now()
            let opened = try ledger.openForWriting(create: false, now: now)
            let summary = try VoidService(ledger: opened, waitSeconds: wait).void(target, reason: reason, voidedBy: actor, now: now)
            Console.message(summary.line)
        }
    }
}

extension Hedgeledger.VoidCommand {
    struct ImportRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Void every fill of one trade import (its number is in `hedgeledger imports`).")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var options: ReasonOptions

        @Argument(help: ArgumentHelp("The import's number.", valueName: "id"))
        var id: Int64

        func run() throws { try options.void(.importRun(id), ledger: ledger) }
    }

    struct Fill: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Void one fill, named by its venue and trade id.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var options: ReasonOptions

        @Option(help: ArgumentHelp("The fill's venue (the trade file's venue column).", valueName: "venue"))
        var venue: String = "unspecified"

        @Option(help: ArgumentHelp("The fill's trade id.", valueName: "id"))
        var tradeId: String

        func run() throws { try options.void(.fill(venue: venue, tradeID: tradeId), ledger: ledger) }
    }
}
