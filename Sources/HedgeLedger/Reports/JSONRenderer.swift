/// One JSON object per report (docs/json.md):
///
///     {"schema": {"name": "hedgeledger.greeks", "version": 1}, "as_of": "...",
///      "parameters": {...}, <facts>, <status>, "<section>": [{...}, ...], ...}
///
/// Numbers are JSON numbers: doubles in their shortest round-trip form, exact amounts
/// written in full (read them with `json.loads(text, parse_float=Decimal)` to keep them
/// exact); booleans are booleans, absent values null, times ISO-8601 strings in UTC, and
/// amounts by currency an object keyed by currency.
public enum JSONRenderer {
    public static func render(_ report: Report) -> String {
        var members = [
            "\"schema\": {\"name\": \(quoted(report.schema.name)), \"version\": \(report.schema.version)}",
            "\"as_of\": \(report.asOf.map { quoted($0.iso8601) } ?? "null")",
            "\"parameters\": {" + report.parameters.map { "\(quoted($0.name)): \(value($0.value))" }.joined(separator: ", ") + "}",
        ]
        for fact in report.facts + report.status { members.append("\(quoted(fact.name)): \(value(fact.value))") }
        for section in report.sections {
            if section.rows.isEmpty {
                members.append("\(quoted(section.name)): []")
                continue
            }
            let rows = section.rows.map { row in
                "    {" + zip(section.columns, row).map { "\(quoted($0.name)): \(value($1))" }.joined(separator: ", ") + "}"
            }
            members.append("\(quoted(section.name)): [\n" + rows.joined(separator: ",\n") + "\n  ]")
        }
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}\n"
    }

    static func value(_ cell: Table.Cell) -> String {
        switch cell {
        case .text(let text): return quoted(text)
        case .amount(let amount): return amount.description
        case .amounts(let byCurrency):
            return "{" + byCurrency.sorted { $0.key < $1.key }.map { "\(quoted($0.key)): \($0.value)" }.joined(separator: ", ") + "}"
        case .number(let number): return number.isFinite ? number.description : "null"
        case .integer(let integer): return String(integer)
        case .bool(let flag): return flag ? "true" : "false"
        case .time(let time): return quoted(time.iso8601)
        case .empty: return "null"
        }
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
