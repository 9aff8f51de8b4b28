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
            and greeks. --db works before the subcommand too: `hedgeledger --db book.sqlite positions`.

            Exit codes: 0 success; 2 `recompute --check` found the stored history differs, a \
            `verify` check failed, `reconcile` found a difference, an `assert position` does not \
            hold, `balances` found cash that disagrees with the venue, a backup failed its \
            verification, or `report eod` found the ledger changed (the report is still written); 3 it is \
            behind the ledger or was never computed; 64 bad arguments (including an unknown --book, import or \
            fill, or an option of one value given two); 65 an input file was refused (nothing from it was written); 66 an input file \
            cannot be read; 69 the database is not usable by this hedgeledger (missing, not a \
            ledger, another application's, newer schema, altered migrations or schema, needs \
            `init`); 73 the ledger file, a report's --out, or a generated file cannot be created; 74 the disk refused \
            a write (full, I/O error), or standard output could not be written; 75 another process \
            holds (or took) the write lock; 77 no permission to \
            write the ledger or its directory; 1 anything else.
            """,
        version: Hedgeledger.version,
        subcommands: [Init.self, Import.self, Positions.self, Fills.self, Greeks.self, Marks.self, Imports.self, VoidCommand.self, Book.self, Recompute.self, History.self, Exposure.self, Policy.self, Hedge.self, Simulate.self, Verify.self, ReportGroup.self, Backup.self, Reconcile.self, Balances.self, Assert.self,
                      Voids.self, Demo.self, Generate.self]
    )

    /// Printed by --version and recorded with every recompute run.
    static let version = "0.4.0"

    /// Accepted here so that `--db` may come before the subcommand; each subcommand that
    /// opens a ledger declares the same group and receives the value.
    @OptionGroup var ledger: LedgerOptions

    /// Catches a mistyped subcommand before argument-parser does, to suggest the nearest one,
    /// and an option of one value given two (argument-parser would keep the last without a word).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let complaint = unknownCommand(in: arguments) ?? repeatedOption(in: arguments) {
            Console.message(complaint)
            Self.exit(withError: ExitCode(Console.Exit.usage))
        }
        Self.main(arguments)
    }

    static func commandNames(_ commands: [ParsableCommand.Type]) -> [String] {
        var names: [String] = []
        for command in commands { names.append(command._commandName) }
        return names
    }

    /// The complaint for a mistyped command, at the first level (`postions`) or the second
    /// (`import trade`, `marks chek`), with the nearest name; nil when the words are known.
    static func unknownCommand(in arguments: [String]) -> String? {
        guard let (index, word) = firstCommandWord(arguments), word != "help" else { return nil }
        var commands = configuration.subcommands
        var path = "hedgeledger"
        var position = index
        var current = word
        while true {
            let names = commandNames(commands)
            guard let match = commands.first(where: { $0._commandName == current }) else {
                let hint = Suggestion.nearest(to: current, among: names, maximumDistance: 3).map { " Did you mean '\($0)'?" } ?? ""
                return "hedgeledger: unknown command '\(current.escapingControlCharacters)' for `\(path)`.\(hint) Commands: \(names.joined(separator: ", ")). See `\(path) --help`."
            }
            let children = match.configuration.subcommands
            path += " " + current
            position += 1
            guard !children.isEmpty, position < arguments.count, !arguments[position].hasPrefix("-") else { return nil }
            commands = children
            current = arguments[position]
        }
    }

    /// The subcommand's name and where it stands: the first word, after any `--db PATH`. Nil
    /// when another option comes first (argument-parser explains those) or there is no word.
    static func firstCommandWord(_ arguments: [String]) -> (Int, String)? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--db" { index += 2; continue }
            if argument.hasPrefix("--db=") { index += 1; continue }
            return argument.hasPrefix("-") ? nil : (index, argument)
        }
        return nil
    }
}
