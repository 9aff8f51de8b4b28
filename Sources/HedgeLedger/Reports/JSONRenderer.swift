/// A JSON array of objects keyed by column name. Exact amounts are strings, so no consumer
/// rounds them through binary floating point; counts are numbers; times are ISO-8601 strings.
public enum JSONRenderer {
    public static func render(_ table: Table) -> String {
        if table.rows.isEmpty { return "[]\n" }
        var output = "[\n"
        for (rowIndex, row) in table.rows.enumerated() {
            let members = zip(table.columns, row).map { name, cell in "\(quoted(name)): \(value(cell))" }
            output += "  {" + members.joined(separator: ", ") + "}" + (rowIndex == table.rows.count - 1 ? "\n" : ",\n")
        }
        return output + "]\n"
    }

    static func value(_ cell: Table.Cell) -> String {
        switch cell {
        case .integer(let value): return String(value)
        case .empty: return "null"
        default: return quoted(cell.plainText)
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
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
