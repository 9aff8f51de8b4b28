/// Aligned columns for a terminal: numbers right-aligned, text left-aligned, a rule under
/// the header. An empty table says so instead of printing a bare header.
public enum TableRenderer {
    public static func render(_ table: Table) -> String {
        if table.rows.isEmpty { return "(no rows)\n" }
        var widths = table.columns.map(\.count)
        var numeric = Array(repeating: true, count: table.columns.count)
        for row in table.rows {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], cell.plainText.count)
                if case .empty = cell { continue }
                if !cell.isNumeric { numeric[index] = false }
            }
        }
        func line(_ texts: [String]) -> String {
            var parts: [String] = []
            for (index, text) in texts.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - text.count)
                parts.append(numeric[index] ? padding + text : text + padding)
            }
            var joined = parts.joined(separator: "  ")
            while joined.last == " " { joined.removeLast() }
            return joined + "\n"
        }
        var output = line(table.columns)
        output += line(widths.map { String(repeating: "-", count: $0) })
        for row in table.rows { output += line(row.map(\.plainText)) }
        return output
    }
}
