/// RFC 4180 output that is safe to open in a spreadsheet: a text cell starting with
/// `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so it is never run as a formula.
/// Amounts are numbers and keep their sign.
public enum CSVRenderer {
    public static func render(_ table: Table) -> String {
        var output = table.columns.map { escape($0) }.joined(separator: ",") + "\r\n"
        for row in table.rows {
            output += row.map { cell in
                switch cell {
                case .text(let text): return escape(neutralised(text))
                default: return escape(cell.plainText)
                }
            }.joined(separator: ",") + "\r\n"
        }
        return output
    }

    static func neutralised(_ text: String) -> String {
        guard let first = text.first, "=+-@\t\r".contains(first) else { return text }
        return "'" + text
    }

    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
