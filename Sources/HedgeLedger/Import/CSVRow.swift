/// One data row of a `CSVTable`, read cell by cell. Each problem is recorded with its cell's
/// line and column and the column's name, so a row reports all its problems at once.
public struct CSVRow<Column: CSVColumn> {
    public let record: CSVReader.Record
    public let header: CSVHeader<Column>
    public let file: String
    public private(set) var errors: [InputError] = []

    public var line: Int { record.line }

    public func position(_ column: Column) -> (line: Int, column: Int) {
        header.index(of: column).map { record.positions[$0] } ?? (record.line, 1)
    }

    /// The cell's text; nil when the column is absent or the cell empty.
    public func value(_ column: Column) -> String? {
        guard let index = header.index(of: column), !record.fields[index].isEmpty else { return nil }
        return record.fields[index]
    }

    public mutating func problem(_ column: Column, _ message: String) {
        let (line, col) = position(column)
        errors.append(InputError(file: file, line: line, column: col, message: "\(column.name): \(message)"))
    }

    /// A cell that must hold something, without surrounding spaces.
    public mutating func required(_ column: Column) -> String? {
        guard let text = value(column) else { problem(column, "is empty; every row needs one"); return nil }
        if let first = text.utf8.first, let last = text.utf8.last, Self.isSpace(first) || Self.isSpace(last) {
            problem(column, "'\(text)' has leading or trailing spaces")
            return nil
        }
        return text
    }

    /// ASCII blanks, and the first byte of a UTF-8 no-break space or other non-ASCII blank:
    /// cheap on the hot path, and a non-ASCII first or last byte of an identifier is suspect anyway.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0xC2 || byte == 0xE2 || byte == 0xE3
    }

    /// Which number grammar a cell is read with.
    public enum Grammar: Sendable {
        /// Trade amounts: `DecimalSyntax.parse`, at most 18 places, no exponent.
        case strict
        /// Market data: `DecimalSyntax.parseMarketValue`, any places or exponent, rounded to 18 places.
        case market
    }

    /// An exact decimal, or nil (with a problem recorded if the cell held something else).
    /// Amounts beyond `AmountLimits` are refused here, so nothing stored can overflow later.
    public mutating func decimal(_ column: Column, _ text: String?, grammar: Grammar = .strict) -> ExactDecimal? {
        guard let text else { return nil }
        switch grammar == .strict ? DecimalSyntax.parse(text) : DecimalSyntax.parseMarketValue(text) {
        case .success(let value):
            guard AmountLimits.accepts(value) else {
                problem(column, "'\(text)' is too large: amounts are at most \(AmountLimits.maximumText) in magnitude")
                return nil
            }
            return value
        case .failure(let reason): problem(column, "'\(text)' \(reason)"); return nil
        }
    }

    /// A best bid and ask: each positive when given, the bid not above the ask. Venues leave a
    /// side empty (or 0) when its book is empty: that side is then unknown.
    public mutating func quote(bid bidColumn: Column, ask askColumn: Column) -> (bid: ExactDecimal?, ask: ExactDecimal?) {
        func side(_ column: Column) -> ExactDecimal? {
            guard let text = value(column), let price = decimal(column, text, grammar: .market) else { return nil }
            if price.isZero { return nil }
            guard price.isPositive else { problem(column, "'\(price)' must be greater than zero"); return nil }
            return price
        }
        let bid = side(bidColumn), ask = side(askColumn)
        if let bid, let ask, bid > ask {
            problem(askColumn, "ask \(ask) is below the bid \(bid); expected the best ask at or above the best bid")
            return (nil, nil)
        }
        return (bid, ask)
    }

    public mutating func positiveDecimal(_ column: Column, _ text: String?, why: String = "",
                                         grammar: Grammar = .strict) -> ExactDecimal? {
        guard let value = decimal(column, text, grammar: grammar) else { return nil }
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
