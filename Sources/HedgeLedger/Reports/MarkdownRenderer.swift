/// A report as Markdown, to read in a terminal or a code review: a heading, the facts as a
/// list, then each section as a table under its title. Numbers are shown as the table renderer
/// shows them (rounded to their column's places); CSV and JSON carry them in full.
///
/// Every value from the data is escaped, so nothing a file or a ledger holds can become markup:
/// a book named `<script>` or `| x |` or `**bold**` is shown as written.
public enum MarkdownRenderer {
    public static func render(_ report: Report, title: String, warning: String? = nil) -> String {
        var output = "# \(escape(title))\n\n"
        if let warning { output += "> **\(escape(warning))**\n\n" }
        for (name, value) in report.parameters + report.facts {
            output += "- \(escape(name)): \(escape(TableRenderer.display(value, places: nil)))\n"
        }
        for table in report.sections {
            output += "\n## \(escape(table.title))\n\n"
            output += render(table)
        }
        return output
    }

    static func render(_ table: Table) -> String {
        guard !table.rows.isEmpty else { return "(none)\n" }
        var output = "| " + table.columns.map { escape($0.name) }.joined(separator: " | ") + " |\n"
        output += "|" + table.columns.indices.map { index in
            table.rows.allSatisfy({ $0[index].isNumeric || $0[index] == .empty }) ? " ---: |" : " --- |"
        }.joined() + "\n"
        for row in table.rows {
            output += "| " + row.enumerated().map { index, cell in
                escape(TableRenderer.display(cell, places: table.columns[index].places))
            }.joined(separator: " | ") + " |\n"
        }
        return output
    }

    /// Text that renders as itself: Markdown's inline punctuation backslash-escaped (an
    /// underscore inside a word, as in `net_delta`, is not emphasis and is left alone; nothing
    /// here starts a line, so `-`, `+` and `#` need nothing), HTML's special characters as
    /// entities (Markdown passes raw HTML through), line breaks as spaces.
    public static func escape(_ text: String) -> String {
        let characters = Array(text.escapingControlCharacters)
        var escaped = ""
        escaped.reserveCapacity(characters.count)
        for (index, character) in characters.enumerated() {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&":
                // Only what would read as an entity (`&lt;`, `&#60;`) needs it: `P&L` stays as written.
                var next = index + 1
                while next < characters.count, characters[next].isLetter || characters[next].isNumber || characters[next] == "#" { next += 1 }
                escaped += next > index + 1 && next < characters.count && characters[next] == ";" ? "&amp;" : "&"
            case "\"": escaped += "&quot;"
            case "_":
                let inWord = index > 0 && index + 1 < characters.count
                    && (characters[index - 1].isLetter || characters[index - 1].isNumber)
                    && (characters[index + 1].isLetter || characters[index + 1].isNumber)
                escaped += inWord ? "_" : "\\_"
            case "\\", "`", "*", "[", "]", "|", "~":
                escaped.append("\\")
                escaped.append(character)
            case "\n", "\r": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
