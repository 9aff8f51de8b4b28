/// A column of a CSV format. Its `Int` raw value numbers it (0, 1, 2, ... in declaration
/// order), so looking a column up in a row is an array access, not a hash.
public protocol CSVColumn: CaseIterable, Hashable, Sendable, RawRepresentable where RawValue == Int {
    /// The header name, lower case.
    var name: String { get }
}

/// Maps a header row onto a format's known columns: names are matched case-insensitively
/// and without surrounding spaces, in any order. Missing required columns, unknown columns
/// (usually a typo that would otherwise silently drop data, like `fees` for `fee`) and
/// repeated columns are errors at the header cell.
public struct CSVHeader<Column: CSVColumn>: Sendable {
    /// For each column (by raw value), its field index in the file, or -1 when absent.
    let fieldIndexes: [Int]
    public let fieldCount: Int

    public func index(of column: Column) -> Int? {
        let index = fieldIndexes[column.rawValue]
        return index < 0 ? nil : index
    }

    public static func map(_ record: CSVReader.Record, required: Set<Column>, file: String,
                           formatName: String) -> Result<CSVHeader, InputErrors> {
        var errors = InputErrors(file: file)
        var fieldIndexes = Array(repeating: -1, count: Column.allCases.count)
        let known = Column.allCases.map(\.name)
        for (offset, raw) in record.fields.enumerated() {
            let name = raw.trimmingCharacters(in: " \t").lowercased()
            let (line, column) = record.positions[offset]
            if name.isEmpty && offset == 0 {
                errors.append(InputError(file: file, line: line, column: column,
                    message: "the first column has no name: pandas writes its index there; save the file with to_csv(index=False)"))
                continue
            }
            guard let match = Column.allCases.first(where: { $0.name == name }) else {
                let hint = Suggestion.nearest(to: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                errors.append(InputError(file: file, line: line, column: column,
                    message: "unknown column '\(raw)'\(hint); \(formatName) columns are: \(known.joined(separator: ", "))"))
                continue
            }
            if fieldIndexes[match.rawValue] >= 0 {
                errors.append(InputError(file: file, line: line, column: column, message: "column '\(name)' appears twice"))
                continue
            }
            fieldIndexes[match.rawValue] = offset
        }
        let requiredNames = Column.allCases.filter(required.contains).map(\.name)
        let missing = Column.allCases.filter { required.contains($0) && fieldIndexes[$0.rawValue] < 0 }.map(\.name)
        if !missing.isEmpty {
            errors.append(InputError(file: file, line: record.line, column: 1,
                message: "missing required column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")); \(formatName) needs \(requiredNames.joined(separator: ", "))"))
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(CSVHeader(fieldIndexes: fieldIndexes, fieldCount: record.fields.count))
    }

}
