/// One data row of a `CSVTable`, read cell by cell. Each problem is recorded with its cell's
/// line and column and the column's name, so a row reports all its problems at once.
public struct CSVRow<Column: RawRepresentable & CaseIterable & Hashable> where Column.RawValue == String {
    public let record: CSVReader.Record
    public let header: CSVHeader<Column>
    public let file: String
    public private(set) var errors: [InputError] = []

    public var line: Int { record.line }

    public func position(_ column: Column) -> (line: Int, column: Int) {
        header.indexes[column].map { record.positions[$0] } ?? (record.line, 1)
    }

    /// The cell's text; nil when the column is absent or the cell empty.
    public func value(_ column: Column) -> String? {
        guard let index = header.indexes[column], !record.fields[index].isEmpty else { return nil }
        return record.fields[index]
    }

    public mutating func problem(_ column: Column, _ message: String) {
        let (line, col) = position(column)
        errors.append(InputError(file: file, line: line, column: col, message: "\(column.rawValue): \(message)"))
    }

    /// A cell that must hold something, without surrounding spaces.
    public mutating func required(_ column: Column) -> String? {
        guard let text = value(column) else { problem(column, "is empty; every row needs one"); return nil }
        if text.first?.isWhitespace == true || text.last?.isWhitespace == true {
            problem(column, "'\(text)' has leading or trailing spaces")
            return nil
        }
        return text
    }

    /// An exact decimal, or nil (with a problem recorded if the cell held something else).
    public mutating func decimal(_ column: Column, _ text: String?) -> ExactDecimal? {
        guard let text else { return nil }
        switch DecimalSyntax.parse(text) {
        case .success(let value): return value
        case .failure(let reason): problem(column, "'\(text)' \(reason)"); return nil
        }
    }

    public mutating func positiveDecimal(_ column: Column, _ text: String?, why: String = "") -> ExactDecimal? {
        guard let value = decimal(column, text) else { return nil }
        guard value.isPositive else { problem(column, "'\(value)' must be greater than zero\(why)"); return nil }
        return value
    }

    public mutating func currency(_ column: Column, _ text: String?) -> String? {
        guard let text else { return nil }
        guard InstrumentName.isCurrencyCode(text) else {
            problem(column, "'\(text)' is not a currency code such as BTC or USDC")
            return nil
        }
        return text
    }

    public mutating func timestamp(_ column: Column, _ text: String?, assumeUTC: Bool) -> Timestamp? {
        guard let text else { return nil }
        switch TimestampSyntax.parse(text, assumeUTC: assumeUTC) {
        case .success(let value): return value
        case .failure(let reason): problem(column, "'\(text)' \(reason)"); return nil
        }
    }
}
