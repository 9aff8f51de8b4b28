/// One problem in an input file, where a person can find it: `FILE:LINE:COLUMN: message`.
/// Lines and columns count from 1; columns count characters.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file; self.line = line; self.column = column; self.message = message
    }

    public var description: String {
        "\(file.escapingControlCharacters):\(line):\(column): \(message.escapingControlCharacters)"
    }
}

/// A file that was refused: nothing from it was written. Keeps the first `limit` errors in
/// file order and counts the rest.
public struct InputErrors: Error, Sendable, CustomStringConvertible {
    public static let limit = 50

    public let file: String
    public private(set) var errors: [InputError] = []
    public private(set) var total = 0
    /// What refusing the file means, for the last line: an import writes nothing, a comparison compares nothing.
    public var consequence = "nothing from this file was imported"

    public init(file: String) { self.file = file }

    public mutating func append(_ error: InputError) {
        total += 1
        if errors.count < Self.limit { errors.append(error) }
    }

    public var isEmpty: Bool { total == 0 }

    /// Both lists as one, in file order: the first `limit` of the union are among the first
    /// `limit` of each, so nothing reportable is lost.
    public func merged(with other: InputErrors) -> InputErrors {
        var merged = InputErrors(file: file)
        merged.consequence = consequence
        merged.errors = Array((errors + other.errors).sorted { ($0.line, $0.column) < ($1.line, $1.column) }.prefix(Self.limit))
        merged.total = total + other.total
        return merged
    }

    public var description: String {
        var lines = errors.map(\.description)
        let file = file.escapingControlCharacters
        if total > errors.count { lines.append("\(file): … and \(total - errors.count) more errors (\(total) in all)") }
        lines.append("\(file): refused: \(total) error\(total == 1 ? "" : "s"); \(consequence)")
        return lines.joined(separator: "\n")
    }
}

/// The problems of one row, when a format refuses it.
public struct RowErrors: Error, Sendable {
    public let errors: [InputError]
}
