/// A CSV file with a header row naming a format's columns: maps the header, then hands each
/// data row to the caller with the column map. Reports, into the caller's `InputErrors`,
/// an empty file, a refused header, a header with no rows after it, and every malformed
/// record; rows are not read at all when the header is refused.
public final class CSVTable<Column: CSVColumn> {
    public let reader: CSVReader
    public private(set) var rows = 0
    /// Everything wrong with the file so far; callers add the problems of the rows they read.
    public var errors: InputErrors

    public init(source: ByteSource) {
        reader = CSVReader(source: source)
        errors = InputErrors(file: source.name)
    }

    /// - Parameters:
    ///   - formatName: how messages name the format ("the native trade format").
    ///   - rowNoun: what a row is, plural ("trades").
    /// Rows whose field count differs from the header's are reported here and not visited.
    public func read(required: Set<Column>, formatName: String, rowNoun: String,
                     _ visit: (CSVRow<Column>) throws -> Void) throws {
        let file = reader.source.name
        var header: CSVHeader<Column>?
        var headerSeen = false
        try reader.read { result in
            defer { headerSeen = true }
            switch result {
            case .failure(let error):
                if headerSeen && header != nil { rows += 1 }
                self.errors.append(error)
            case .success(let record) where !headerSeen:
                switch CSVHeader<Column>.map(record, required: required, file: file, formatName: formatName) {
                case .success(let mapped): header = mapped
                case .failure(let headerErrors):
                    if let known = KnownExport.recognise(record.fields) {
                        self.errors.append(InputError(file: file, line: record.line, column: 1,
                            message: "this is \(known), which hedgeledger cannot import yet; convert it to \(formatName) (see the README)"))
                    } else {
                        headerErrors.errors.forEach { self.errors.append($0) }
                    }
                }
            case .success(let record):
                guard let header else { return }
                rows += 1
                guard record.fields.count == header.fieldCount else {
                    errors.append(InputError(file: file, line: record.line, column: 1,
                        message: "this row has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") but the header has \(header.fieldCount)"))
                    return
                }
                try visit(CSVRow(record: record, header: header, file: file))
            }
        }
        let example = Column.allCases.filter(required.contains).map(\.name).joined(separator: ",")
        if !headerSeen {
            errors.append(InputError(file: file, line: 1, column: 1, message: "the file is empty; expected a header row such as \(example)"))
        } else if header != nil && rows == 0 {
            errors.append(InputError(file: file, line: 2, column: 1, message: "no \(rowNoun) after the header row"))
        }
    }
}
