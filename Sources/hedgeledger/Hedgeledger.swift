import ArgumentParser
import HedgeLedger

@main
struct Hedgeledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hedgeledger",
        abstract: "The position ledger and hedge journal of an options desk.",
        discussion: """
            hedgeledger keeps instruments, fills, positions and market snapshots in one SQLite \
            file and derives exact positions and their greeks, as of any moment.

            Start with `hedgeledger demo`, which builds a sample book and prints its positions \
            and greeks.

            Exit codes: 0 success; 64 bad arguments; 65 an input file was refused (nothing \
            from it was written); 66 an input file cannot be read; 69 the database is not \
            usable by this hedgeledger (missing, not a ledger, newer schema, altered \
            migrations); 75 another process holds the write lock; 1 anything else.
            """,
        version: "0.1.0",
        subcommands: [Init.self, Import.self, Positions.self, Greeks.self, Marks.self, Demo.self, Generate.self]
    )
}
