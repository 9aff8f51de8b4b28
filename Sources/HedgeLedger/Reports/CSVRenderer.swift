/// RFC 4180 output that is safe to open in a spreadsheet: a text cell starting with `=`, `+`,
/// `-`, `@`, tab or CR is prefixed with `'` so it is never run as a formula (amounts with their
/// currencies, `-1.5 USDT`, are text too). Numbers, amounts,
/// times and booleans are written as they are, at full precision: a negative number is a
/// number. A report of several sections becomes one table with a first `section` column and
/// every section's columns.
public enum CSVRenderer {
    public static func render(_ report: Report) -> String {
        if report.sections.count == 1 { return render(report.sections[0]) }
        var names: [String] = []
        for section in report.sections {
            for column in section.columns where !names.contains(column.name) { names.append(column.name) }
        }
        var output = (["section"] + names).map(escape).joined(separator: ",") + "\r\n"
        for section in report.sections {
            let positions = section.columns.map { names.firstIndex(of: $0.name)! }
            for row in section.rows {
                var cells = Array(repeating: "", count: names.count)
                for (index, cell) in row.enumerated() { cells[positions[index]] = text(cell) }
                output += ([escape(section.name)] + cells).joined(separator: ",") + "\r\n"
            }
        }
        return output
    }

    /// A report as one file per section, named by the section (`summary.csv`), after a
    /// `header.csv` of its parameters and facts as name,value rows.
    public static func files(_ report: Report) -> [(name: String, text: String)] {
        var header = Table(name: "header", title: "", columns: [.init("name"), .init("value")])
        for (name, value) in report.parameters + report.facts { header.rows.append([.text(name), value]) }
        return [("header.csv", render(header))] + report.sections.map { ("\($0.name).csv", render($0)) }
    }

    static func render(_ table: Table) -> String {
        var output = table.columns.map { escape($0.name) }.joined(separator: ",") + "\r\n"
        output.reserveCapacity(output.utf8.count + table.rows.count * table.columns.count * 12)
        for row in table.rows {
            for (index, cell) in row.enumerated() {
                if index > 0 { output += "," }
                output += text(cell)
            }
            output += "\r\n"
        }
        return output
    }

    static func text(_ cell: Table.Cell) -> String {
        switch cell {
        case .text(let text): return escape(neutralised(text))
        // Digits, signs, points, exponents, true/false, ISO times: never a comma or a quote.
        case .number, .integer, .bool, .time, .amount, .empty: return cell.plainText
        // Amounts with their currencies (`-1.5 USDT`) are text to a spreadsheet: guarded like text.
        case .amounts: return escape(neutralised(cell.plainText))
        }
    }

    /// Bytes, not characters: this runs on every text cell of every row.
    static func neutralised(_ text: String) -> String {
        guard let first = text.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) else { return text }  // = + - @ tab CR
        if text == "-" || text == "+" { return text }  // a lone sign (standard input's name) is no formula
        return "'" + text
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
