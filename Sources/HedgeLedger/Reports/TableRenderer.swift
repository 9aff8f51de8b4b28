/// Aligned columns for a terminal, one block per section under its title: numbers
/// right-aligned and rounded to their column's places, text left-aligned, a rule under the
/// header. Its `display` is the only rounding there is (Markdown and HTML show cells through
/// it); CSV and JSON are in full. An empty section says so.
public enum TableRenderer {
    public static func render(_ report: Report) -> String {
        var output = ""
        for (index, section) in report.sections.enumerated() {
            if index > 0 { output += "\n" }
            if report.sections.count > 1 || !section.title.isEmpty { output += section.title + "\n" }
            output += render(section)
        }
        for fact in report.facts { output += "\(fact.name): \(display(fact.value, places: nil))\n" }
        return output
    }

    static func render(_ table: Table) -> String {
        if table.rows.isEmpty { return "(no rows)\n" }
        let texts = table.rows.map { row in row.enumerated().map { display($1, places: table.columns[$0].places) } }
        var widths = table.columns.map(\.name.count)
        var numeric = Array(repeating: true, count: table.columns.count)
        for (row, rowTexts) in zip(table.rows, texts) {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], rowTexts[index].count)
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
        var output = line(table.columns.map(\.name))
        output += line(widths.map { String(repeating: "-", count: $0) })
        for rowTexts in texts { output += line(rowTexts) }
        return output
    }

    /// A cell as a person reads it: amounts and numbers rounded half-even to `places`, text
    /// with control characters escaped, booleans as yes/no.
    static func display(_ cell: Table.Cell, places: Int?) -> String {
        switch cell {
        case .text(let text): return text.escapingControlCharacters
        case .amount(let value):
            guard let places else { return value.description }
            return (value.rounded(toPlaces: places) ?? value).description
        case .number(let value):
            guard let places, abs(value) < 1e20 else { return Table.Cell.shortest(value) }
            return ExactDecimal(approximating: value, places: min(places, 12)).description
        case .bool(let value): return value ? "yes" : "no"
        default: return cell.plainText
        }
    }
}
