/// How one detected format reads the data rows of a file: chosen from the header row.
public struct RowParser<Item: Sendable>: Sendable {
    /// Recorded as the import's format, e.g. `hedgeledger-trades-csv`.
    public let formatName: String
    public let fieldCount: Int
    public let parse: @Sendable (CSVReader.Record) -> Result<Item, RowErrors>
    /// For a format whose rows depend on the ones before (a running balance): the item handed
    /// on in place of a row that was refused (given its line), so what follows knows of the gap.
    public let refused: (@Sendable (Int) -> Item)?

    public init(formatName: String, fieldCount: Int, refused: (@Sendable (Int) -> Item)? = nil,
                parse: @escaping @Sendable (CSVReader.Record) -> Result<Item, RowErrors>) {
        self.formatName = formatName
        self.fieldCount = fieldCount
        self.refused = refused
        self.parse = parse
    }

    /// The same parser, its items wrapped (one importer reading several formats).
    public func mapped<Other: Sendable>(_ transform: @escaping @Sendable (Item) -> Other) -> RowParser<Other> {
        let parse = self.parse
        var refusedOther: (@Sendable (Int) -> Other)?
        if let make = refused { refusedOther = { line in transform(make(line)) } }
        return RowParser<Other>(formatName: formatName, fieldCount: fieldCount, refused: refusedOther) { parse($0).map(transform) }
    }

    /// The same parser, handing on `make(line)` for each refused row.
    public func refusing(_ make: @escaping @Sendable (Int) -> Item) -> RowParser {
        RowParser(formatName: formatName, fieldCount: fieldCount, refused: make, parse: parse)
    }

    /// The parser of a format with a fixed set of columns, mapped from `header`.
    public static func columns<Column: CSVColumn>(
        _ type: Column.Type, header: CSVReader.Record, required: Set<Column>, file: String, formatName: String,
        describedAs description: String, read: @escaping @Sendable (CSVRow<Column>) -> Result<Item, RowErrors>
    ) -> Result<RowParser, InputErrors> {
        CSVHeader<Column>.map(header, required: required, file: file, formatName: description).map { mapped in
            RowParser(formatName: formatName, fieldCount: mapped.fieldCount) { record in
                read(CSVRow(record: record, header: mapped, file: file))
            }
        }
    }
}

/// A CSV file with a header row: the header picks the parser, then each data row is parsed
/// and handed on. Reports, into `errors`, an empty file, a refused header, a header with no
/// rows after it, rows with the wrong number of fields, and every malformed record; rows are
/// not read at all when the header is refused.
public final class CSVTable {
    public let reader: CSVReader
    public private(set) var rows = 0
    public private(set) var formatName: String?
    /// Everything wrong with the file so far; callers add the problems of the rows they read.
    public var errors: InputErrors

    public init(source: ByteSource) {
        reader = CSVReader(source: source)
        errors = InputErrors(file: source.name)
    }

    /// - Parameters:
    ///   - rowNoun: what a row is, plural ("trades").
    ///   - example: a header to suggest for an empty file.
    ///   - parserFor: the parser for a header, or the reasons it is refused.
    ///   - recogniseExports: name a venue export the header is (off when a mapping reads the file).
    public func read<Item>(rowNoun: String, example: String, recogniseExports: Bool = true,
                           parserFor: (_ header: CSVReader.Record, _ file: String) -> Result<RowParser<Item>, InputErrors>,
                           _ visit: (Item) throws -> Void) throws {
        let file = reader.source.name
        var parser: RowParser<Item>?
        var headerSeen = false
        var header: CSVReader.Record?
        try reader.read { result in
            defer { headerSeen = true }
            switch result {
            case .failure(let error):
                self.errors.append(error)
                if headerSeen, let parser {
                    rows += 1
                    if let refused = parser.refused { try visit(refused(error.line)) }
                }
            case .success(let record) where !headerSeen:
                switch parserFor(record, file) {
                case .success(let chosen):
                    parser = chosen
                    formatName = chosen.formatName
                    header = record
                case .failure(let headerErrors):
                    if record.fields.count == 1, let separator = [";", "\t"].first(where: { record.fields[0].contains($0) }) {
                        self.errors.append(InputError(file: file, line: record.line, column: 1,
                            message: "the header has one column: the file separates fields with \(separator == ";" ? "';'" : "tabs"), and hedgeledger reads comma-separated files (RFC 4180); save it as CSV with commas (in pandas: to_csv(sep=','))"))
                    } else if recogniseExports, let known = KnownExport.recognise(record.fields), known.readAs != rowNoun {
                        self.errors.append(InputError(file: file, line: record.line, column: 1, message: known.mapping.map {
                            "this is \(known.name); import it with `hedgeledger import trades --map \($0)` (a mapping hedgeledger ships)"
                        } ?? "this is \(known.name), which hedgeledger cannot import as \(rowNoun) yet; see the README for the formats it reads"))
                    } else {
                        headerErrors.errors.forEach { self.errors.append($0) }
                    }
                }
            case .success(let record):
                guard let parser else { return }
                rows += 1
                if let header, record.fields.first == header.fields.first, record.fields == header.fields {
                    self.errors.append(InputError(file: file, line: record.line, column: 1,
                        message: "this row repeats the header row (line \(header.line)): were two files joined (cat a.csv b.csv)? Delete this line, or import the files one after the other"))
                    if let refused = parser.refused { try visit(refused(record.line)) }
                    return
                }
                guard record.fields.count == parser.fieldCount else {
                    self.errors.append(InputError(file: file, line: record.line, column: 1,
                        message: "this row has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") but the header has \(parser.fieldCount)"))
                    if let refused = parser.refused { try visit(refused(record.line)) }
                    return
                }
                switch parser.parse(record) {
                case .success(let item): try visit(item)
                case .failure(let rowErrors):
                    rowErrors.errors.forEach { self.errors.append($0) }
                    if let refused = parser.refused { try visit(refused(record.line)) }
                }
            }
        }
        if !headerSeen {
            errors.append(InputError(file: file, line: 1, column: 1, message: "the file is empty; expected a header row such as \(example)"))
        } else if parser != nil && rows == 0 {
            errors.append(InputError(file: file, line: 2, column: 1, message: "no \(rowNoun) after the header row"))
        }
    }
}
