import ArgumentParser
import Foundation
import HedgeLedger

extension Hedgeledger {
    /// `fills --book a --book b`, or `--db A positions --db B`, where the option takes one value:
    /// argument-parser keeps the last without a word, so which was meant is a guess and nothing
    /// runs. Options that repeat by design (`reconcile --book`) are read from argument-parser's
    /// own description of the commands, which is built only when some option name repeats.
    static func repeatedOption(in arguments: [String]) -> String? {
        let given = optionValues(in: arguments)
        guard given.values.contains(where: { $0.count > 1 }) else { return nil }
        let singleValued = singleValuedOptions(for: arguments)
        for (name, values) in given.sorted(by: { $0.key < $1.key }) where values.count > 1 && singleValued.contains(name) {
            // One ledger may be named two ways (a.sqlite, ./a.sqlite).
            let same: (String) -> String = name == "db" ? { URL(fileURLWithPath: $0).standardizedFileURL.path } : { $0 }
            guard let different = values.first(where: { same($0) != same(values[0]) }) else { continue }
            return "hedgeledger: --\(name) is given twice, as \(values[0].escapingControlCharacters) and \(different.escapingControlCharacters); it takes one value, so give it once"
        }
        return nil
    }

    /// Each `--name value` or `--name=value` before `--`, by name; a flag's next word is taken as
    /// its value too, which is harmless: only options of one value are compared.
    static func optionValues(in arguments: [String]) -> [String: [String]] {
        var values: [String: [String]] = [:]
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { continue }
            if let equals = argument.firstIndex(of: "=") {
                values[String(argument[argument.index(argument.startIndex, offsetBy: 2)..<equals]), default: []]
                    .append(String(argument[argument.index(after: equals)...]))
            } else if index < arguments.count {
                values[String(argument.dropFirst(2)), default: []].append(arguments[index])
            }
        }
        return values
    }

    /// The long names of the options that take one value in the command the words name, and the
    /// root's (`--db`), from argument-parser's JSON description of the tool.
    static func singleValuedOptions(for arguments: [String]) -> Set<String> {
        guard let data = _dumpHelp().data(using: .utf8),
              let tool = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              var command = tool["command"] as? [String: Any] else { return [] }
        var names = singleValuedOptions(of: command)
        let words = arguments.prefix { $0 != "--" }
        var position = firstCommandWord(arguments)?.0 ?? words.count
        while position < words.count,
              let child = (command["subcommands"] as? [[String: Any]])?.first(where: { $0["commandName"] as? String == words[position] }) {
            command = child
            names.formUnion(singleValuedOptions(of: command))
            position += 1
        }
        return names
    }

    private static func singleValuedOptions(of command: [String: Any]) -> Set<String> {
        var names: Set<String> = []
        for argument in command["arguments"] as? [[String: Any]] ?? []
        where argument["kind"] as? String == "option" && argument["isRepeating"] as? Bool == false {
            for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                if let long = name["name"] as? String { names.insert(long) }
            }
        }
        return names
    }
}
