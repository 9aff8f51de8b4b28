/// "Did you mean ...?": the known name nearest to a mistyped one, by edit distance.
public enum Suggestion {
    /// The name in `known` nearest to `name`, when at most `maximumDistance` edits away; by
    /// default one edit for names of up to five characters, two for longer ones, so `foo`
    /// suggests nothing rather than `rho`.
    public static func nearest(to name: String, among known: [String], maximumDistance: Int? = nil) -> String? {
        let limit = maximumDistance ?? (name.count <= 5 ? 1 : 2)
        return known.map { ($0, distance(name, $0)) }.filter { $0.1 <= limit }.min { $0.1 < $1.1 }?.0
    }

    /// ` (did you mean 'X'?)` for the known name nearest to `name` ignoring case, or nothing.
    public static func hint(for name: String, among known: [String]) -> String {
        Suggestion.nearest(to: name.lowercased(), among: known.map { $0.lowercased() })
            .flatMap { lower in known.first { $0.lowercased() == lower } }.map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Why a book or underlying a command was given is refused: the ledger does not know it.
    public static func unknownBook(_ name: String, known: [String]) -> String {
        "book '\(name.escapingControlCharacters)' has no fills or settings yet\(hint(for: name, among: known)); known: \(known.isEmpty ? "none" : known.joined(separator: ", ")). To set up a new book, pass --new-book"
    }

    public static func unknownUnderlying(_ name: String, known: [String]) -> String {
        "underlying '\(name.escapingControlCharacters)' is not the underlying of any instrument in this ledger\(hint(for: name, among: known)); known: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
    }

    /// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
    /// characters (`mian` is one edit from `main`).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var rows = [Array(0...b.count)]
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(rows[i - 1][j] + 1, current[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { current[j] = min(current[j], rows[i - 2][j - 2] + 1) }
            }
            rows.append(current)
        }
        return rows[a.count][b.count]
    }
}

extension String {
    /// The text without the given characters at either end.
    public func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view = view.dropFirst() }
        while let last = view.last, characters.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
