/// A report's data as rows of typed cells, before it becomes bytes. Every renderer
/// (table, CSV, JSON) reads the same value, so the formats never disagree.
public struct Table: Sendable {
    public enum Cell: Sendable, Hashable {
        case text(String)
        /// An exact amount, printed in full.
        case amount(ExactDecimal)
        case integer(Int)
        case time(Timestamp)
        case empty
    }

    public var columns: [String]
    public var rows: [[Cell]]

    public init(columns: [String], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }
}

public enum OutputFormat: String, Sendable, CaseIterable {
    case table, csv, json

    public func render(_ table: Table) -> String {
        switch self {
        case .table: return TableRenderer.render(table)
        case .csv: return CSVRenderer.render(table)
        case .json: return JSONRenderer.render(table)
        }
    }
}

extension Table.Cell {
    /// The cell as plain text, the way the table and CSV renderers show it.
    var plainText: String {
        switch self {
        case .text(let text): return text
        case .amount(let value): return value.description
        case .integer(let value): return String(value)
        case .time(let time): return time.iso8601
        case .empty: return ""
        }
    }

    var isNumeric: Bool {
        switch self {
        case .amount, .integer: return true
        default: return false
        }
    }
}
