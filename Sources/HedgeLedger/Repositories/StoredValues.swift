/// Reading the ledger's own encodings back from rows. A value that does not decode means the
/// file was altered outside hedgeledger: that is reported, never guessed around.
public struct CorruptDatabase: Error, CustomStringConvertible {
    public let detail: String
    public var description: String { "the database holds a value hedgeledger did not write: \(detail)" }
}

extension ExactDecimal {
    /// An amount hedgeledger stored as text, read back; anything else was written behind its back.
    static func stored(_ text: String) throws -> ExactDecimal {
        guard case .success(let value) = DecimalSyntax.parse(text) else {
            throw CorruptDatabase(detail: "'\(text)' is not an exact decimal")
        }
        return value
    }
}

extension Row {
    func exact(_ column: Int32) throws -> ExactDecimal {
        try ExactDecimal.stored(text(column))
    }

    func optionalExact(_ column: Int32) throws -> ExactDecimal? {
        isNull(column) ? nil : try exact(column)
    }

    /// A stored time, which must lie in the years the ledger accepts (1970 to 9999).
    func timestamp(_ column: Int32) throws -> Timestamp {
        let time = Timestamp(microseconds: int64(column))
        guard Timestamp.supported.contains(time) else {
            throw CorruptDatabase(detail: "time \(int64(column)) µs is outside the years 1970 to 9999")
        }
        return time
    }
}

extension ExactDecimal: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .text(description) }
}

extension Timestamp: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(microseconds) }
}
