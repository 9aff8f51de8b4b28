import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a ledger database, or bring an existing one's schema up to date.",
            discussion: "A new file is readable by its owner only. A ledger made by an older hedgeledger is migrated here, and only here: other commands refuse it and say to run init. A database made by a newer hedgeledger is refused and left untouched.")

        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            try Console.run {
                let opened = try ledger.openForWriting(create: true, migrate: true, now: Console.now())
                Console.message("\(opened.path): ledger ready (schema version \(Schema.migrations.count))")
            }
        }
    }
}
