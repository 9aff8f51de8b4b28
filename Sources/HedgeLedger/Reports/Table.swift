/// A report: typed values, before any of them becomes text. Every renderer (table, CSV,
/// JSON, Markdown, HTML) reads the same value, so the formats never disagree; only the ones
/// people read (table, Markdown, HTML, through `TableRenderer.display`) round.
///
/// A report has a versioned schema name, the moment it describes, the parameters it was
/// asked with, facts about the run (counts), and one or more sections of rows. The JSON
/// shape of every report is documented in docs/json.md.
public struct Report: Sendable {
    public struct Schema: Sendable, Hashable {
        public var name: String
        public var version: Int
    }

    public var schema: Schema
    public var asOf: Timestamp?
    /// What the report was asked for, in order (`book`: null when not narrowed).
    public var parameters: [(name: String, value: Table.Cell)]
    /// Results about the whole report (how many marks were checked ...), in order.
    public var facts: [(name: String, value: Table.Cell)]
    /// Whether the derived data the report read is up to date (`behind` ...): for scripts, in
    /// JSON beside the facts; a terminal gets it from stderr instead, not in the table.
    public var status: [(name: String, value: Table.Cell)]
    public var sections: [Table]

    public init(schema: Schema, asOf: Timestamp?, parameters: [(name: String, value: Table.Cell)] = [],
                facts: [(name: String, value: Table.Cell)] = [], status: [(name: String, value: Table.Cell)] = [],
                sections: [Table]) {
        self.schema = schema; self.asOf = asOf; self.parameters = parameters; self.facts = facts; self.status = status
        self.sections = sections
    }
}

/// One section of a report: named, typed columns and rows of cells.
public struct Table: Sendable {
    public enum Cell: Sendable, Hashable {
        case text(String)
        /// An exact amount, in full.
        case amount(ExactDecimal)
        /// Exact amounts by currency (fees).
        case amounts([String: ExactDecimal])
        /// A measured or modelled quantity (a greek, a volatility, an age), at full precision.
        case number(Double)
        case integer(Int)
        case bool(Bool)
        case time(Timestamp)
        case empty
    }

    public struct Column: Sendable, Hashable {
        public var name: String
        /// Decimal places the table renderer shows for numbers and amounts; nil shows them in full.
        public var places: Int?
        /// A false in it is a warning a reader must not miss (`complete`): HTML marks it.
        public var warnsWhenFalse = false

        public init(_ name: String, places: Int? = nil, warnsWhenFalse: Bool = false) {
            self.name = name
            self.places = places
            self.warnsWhenFalse = warnsWhenFalse
        }
    }

    /// The key of the section's array in JSON, and its label in CSV.
    public var name: String
    /// The heading the table renderer prints above it.
    public var title: String
    public var columns: [Column]
    public var rows: [[Cell]]

    public init(name: String, title: String, columns: [Column], rows: [[Cell]] = []) {
        self.name = name; self.title = title; self.columns = columns; self.rows = rows
    }
}

public enum OutputFormat: String, Sendable, CaseIterable {
    case table, csv, json

    public func render(_ report: Report) -> String {
        switch self {
        case .table: return TableRenderer.render(report)
        case .csv: return CSVRenderer.render(report)
        case .json: return JSONRenderer.render(report)
        }
    }
}

extension Table.Cell {
    /// An optional Double as a cell: NaN and infinities, which no report should hold, are empty.
    public static func number(_ value: Double?) -> Table.Cell {
        guard let value, value.isFinite else { return .empty }
        return .number(value)
    }

    /// Exact amounts by currency in one line, `0.0006 BTC; 1.5 USDC`, sorted by currency.
    var amountsText: String {
        guard case .amounts(let byCurrency) = self else { return "" }
        return byCurrency.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
    }

    /// The cell as plain text at full precision: what CSV writes.
    var plainText: String {
        switch self {
        case .text(let text): return text
        case .amount(let value): return value.description
        case .amounts: return amountsText
        case .number(let value): return Self.shortest(value)
        case .integer(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .time(let time): return time.iso8601
        case .empty: return ""
        }
    }

    /// The shortest text that reads back as the same Double (Swift's own algorithm), without a
    /// trailing `.0` on whole numbers; never NaN or infinity (those are empty cells).
    static func shortest(_ value: Double) -> String {
        let text = value.description
        // By bytes: a report may format millions of these.
        let bytes = text.utf8
        if bytes.count >= 2, bytes.last == UInt8(ascii: "0"), bytes[bytes.index(bytes.endIndex, offsetBy: -2)] == UInt8(ascii: ".") {
            return String(decoding: bytes.dropLast(2), as: UTF8.self)
        }
        return text
    }

    var isNumeric: Bool {
        switch self {
        case .amount, .integer, .number: return true
        default: return false
        }
    }
}
