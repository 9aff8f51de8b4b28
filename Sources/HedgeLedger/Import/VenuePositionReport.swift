import Foundation

/// A venue's report of an account's positions, as Deribit's `private/get_positions` gives them:
/// the API's JSON (an array of positions, or the response object with them in `result`), or the
/// same fields as CSV. Read: `instrument_name` (or `instrument`), `size` (signed; USD for inverse
/// futures and perpetuals, coin for options), `average_price` and `delta` when present; other
/// fields (`kind`, `direction`, `mark_price` ...) are ignored. Every problem is located.
public enum VenuePositionReport {
    public struct Entry: Sendable, Hashable {
        public var instrument: String
        public var size: ExactDecimal
        public var averagePrice: ExactDecimal?
        public var delta: Double?
        /// Where it is in the file: a CSV line, or a JSON element's index from 1.
        public var place: Int
        /// Its line and column in the file (a JSON element's first character).
        public var location: Location

        public struct Location: Sendable, Hashable {
            public var line: Int, column: Int
        }
    }

    /// Reads the report at `path` (a file: JSON when it starts with `[` or `{`, else CSV). An
    /// instrument listed twice (names compared case-insensitively) is an error: a venue lists
    /// each position once, and adding them up would hide a bad export.
    /// How names are compared, in the report and against the ledger: case and runs of spaces
    /// ignored (`SPY   261218P00600000`, an OCC symbol padded as venues write it, is `SPY 261218P00600000`).
    public static func key(for name: String) -> String {
        name.split(whereSeparator: \.isWhitespace).joined(separator: " ").uppercased()
    }

    public static func read(path: String) throws -> [Entry] {
        let (entries, isJSON) = try readEntries(path: path)
        var errors = InputErrors(file: path)
        errors.consequence = "nothing was compared"
        var seen: [String: Int] = [:]
        for entry in entries {
            let key = Self.key(for: entry.instrument)
            guard let first = seen[key] else { seen[key] = entry.place; continue }
            errors.append(InputError(file: path, line: entry.location.line, column: entry.location.column,
                message: (isJSON ? "position \(entry.place): " : "") + "\(entry.instrument) is listed again (first at \(isJSON ? "position" : "line") \(first)); a report lists each position once"))
        }
        guard errors.isEmpty else { throw errors }
        return entries
    }

    /// JSON is read whole from the source the first bytes were sniffed from; CSV streams from
    /// a fresh one through the CSV reader.
    private static func readEntries(path: String) throws -> (entries: [Entry], isJSON: Bool) {
        let source = try ByteSource(path: path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var first: UInt8?
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            bytes += chunk[..<count]
            if first == nil { first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) } }
            if let first, first != UInt8(ascii: "["), first != UInt8(ascii: "{") { return (try csv(try ByteSource(path: path)), false) }
        }
        if first == nil { return (try csv(try ByteSource(path: path)), false) }
        return (try json(bytes, file: source.name), true)
    }

    /// A size or price: an exact decimal within the amounts the ledger keeps, or why not.
    struct AmountProblem: Error, CustomStringConvertible { let description: String }

    static func amount(_ text: String) -> Result<ExactDecimal, AmountProblem> {
        switch DecimalSyntax.parse(text) {
        case .failure(let problem): return .failure(AmountProblem(description: "'\(text.escapingControlCharacters)' \(problem)"))
        case .success(let value) where !AmountLimits.accepts(value):
            return .failure(AmountProblem(description: "'\(text)' is outside the amounts hedgeledger keeps (at most \(AmountLimits.maximumText) in magnitude)"))
        case .success(let value): return .success(value)
        }
    }

    static func json(_ bytes: [UInt8], file: String) throws -> [Entry] {
        var errors = InputErrors(file: file)
        errors.consequence = "nothing was compared"
        if let problem = JSONSyntax.problem(in: bytes) {
            errors.append(InputError(file: file, line: problem.line, column: problem.column,
                                     message: "not valid JSON: \(problem.message); expected Deribit's get_positions response or its result array"))
            throw errors
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(JSONNumberText.quotingNumbers(bytes)), options: [.fragmentsAllowed])
        } catch {
            // Not expected: the grammar was checked above (JSONSyntax), which locates every problem.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            errors.append(InputError(file: file, line: 1, column: 1, message: "not readable as JSON: \(detail); expected Deribit's get_positions response or its result array"))
            throw errors
        }
        let array = (parsed as? [Any]) ?? ((parsed as? [String: Any])?["result"] as? [Any])
        guard let array else {
            // An API error response (`{"error": {"message": "unauthorized", "code": 13009}}`) says why itself.
            let venueError = ((parsed as? [String: Any])?["error"] as? [String: Any]).map { error in
                "; the venue's response is an error: \(error["message"].flatMap(JSONNumberText.text(of:)) ?? "no message")\(error["code"].flatMap(JSONNumberText.text(of:)).map { " (code \($0))" } ?? "")"
            } ?? ""
            errors.append(InputError(file: file, line: 1, column: 1,
                                     message: "expected an array of positions, or get_positions' response with them in \"result\"\(venueError)"))
            throw errors
        }
        var entries: [Entry] = []
        let places = JSONSyntax.places(in: bytes) ?? [:]
        for (index, element) in array.enumerated() {
            let place = index + 1
            let start = places["[\(index)]"] ?? places["result[\(index)]"] ?? (1, 1)
            let location = Entry.Location(line: start.line, column: start.column)
            func problem(_ message: String) {
                errors.append(InputError(file: file, line: location.line, column: location.column, message: "position \(place): \(message)"))
            }
            guard let object = element as? [String: Any] else { problem("not an object"); continue }
            if object["instrument_name"] != nil && object["instrument"] != nil {
                problem("both instrument_name and instrument; give the name once"); continue
            }
            let named = object["instrument_name"] ?? object["instrument"]
            guard let named, !(named is NSNull) else { problem("instrument_name: missing"); continue }
            guard !JSONNumberText.isNumber(named), let name = named as? String, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                problem("instrument_name: expected the instrument's name as a string, such as \"BTC-PERPETUAL\""); continue
            }
            func decimal(_ key: String, required: Bool) -> ExactDecimal?? {
                guard let value = object[key], !(value is NSNull) else {
                    if required { problem("\(key): missing") }
                    return required ? nil : .some(nil)
                }
                // Numbers arrive as the text the venue wrote (`JSONNumberText`); a string is read the same way.
                guard let text = JSONNumberText.text(of: value) else {
                    problem("\(key): expected a number, found \(value is Bool ? "true or false" : "an array or an object")"); return nil
                }
                switch amount(text) {
                case .success(let parsed): return .some(parsed)
                case .failure(let why): problem("\(key): \(why)"); return nil
                }
            }
            guard let size = decimal("size", required: true), let size, let average = decimal("average_price", required: false) else { continue }
            var delta: Double?
            if let value = object["delta"], !(value is NSNull) {
                guard let text = JSONNumberText.text(of: value), case .success(let number) = DoubleSyntax.parse(text), number.isFinite else {
                    problem("delta: not a number"); continue
                }
                delta = number
            }
            entries.append(Entry(instrument: name, size: size, averagePrice: average, delta: delta, place: place, location: location))
        }
        guard errors.isEmpty else { throw errors }
        return entries
    }

    static func csv(_ source: ByteSource) throws -> [Entry] {
        let file = source.name
        var errors = InputErrors(file: file)
        errors.consequence = "nothing was compared"
        var entries: [Entry] = []
        var columns: (instrument: Int, size: Int, average: Int?, delta: Int?)?
        var headerWidth = 0
        let reader = CSVReader(source: source)
        try reader.read { result in
            let record: CSVReader.Record
            switch result {
            case .failure(let error): errors.append(error); return
            case .success(let read): record = read
            }
            guard let found = columns else {
                let names = record.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                let instrument = names.firstIndex(of: "instrument_name") ?? names.firstIndex(of: "instrument")
                let size = names.firstIndex(of: "size")
                guard let instrument, let size else {
                    errors.append(InputError(file: file, line: record.line, column: 1,
                        message: "the header needs instrument_name (or instrument) and size, as get_positions names them; it has \(names.joined(separator: ","))"))
                    columns = (-1, -1, nil, nil)
                    return
                }
                columns = (instrument, size, names.firstIndex(of: "average_price"), names.firstIndex(of: "delta"))
                headerWidth = names.count
                // A column read twice, or the name twice: which one counts would be a guess.
                for name in ["instrument_name", "instrument", "size", "average_price", "delta"] {
                    let at = names.indices.filter { names[$0] == name }
                    if at.count > 1 {
                        errors.append(InputError(file: file, line: record.positions[at[1]].line, column: record.positions[at[1]].column,
                            message: "column \(name) is in the header twice (columns \(at[0] + 1) and \(at[1] + 1)); which one counts would be a guess"))
                    }
                }
                if let other = names.firstIndex(of: "instrument"), names.contains("instrument_name") {
                    errors.append(InputError(file: file, line: record.positions[other].line, column: record.positions[other].column,
                        message: "both instrument_name and instrument; give the name in one column"))
                }
                return
            }
            if found.instrument >= 0, found.size < record.fields.count,
               record.fields[found.size].trimmingCharacters(in: .whitespaces).lowercased() == "size" {
                errors.append(InputError(file: file, line: record.line, column: 1,
                    message: "this row repeats the header (two reports joined?); a report has one header"))
                return
            }
            guard found.instrument >= 0 else { return }
            if record.fields.count > headerWidth {
                // A stray comma shifts every cell after it: refuse, as every CSV import does.
                let extra = record.positions[headerWidth]
                errors.append(InputError(file: file, line: extra.line, column: extra.column,
                    message: "this row has \(record.fields.count) cells, the header \(headerWidth); a stray comma?"))
                return
            }
            func cell(_ index: Int?) -> String? {
                guard let index, index < record.fields.count else { return nil }
                let value = record.fields[index].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            func problem(_ index: Int, _ message: String) {
                let position: (line: Int, column: Int) = index < record.positions.count ? record.positions[index] : (record.line, 1)
                errors.append(InputError(file: file, line: position.line, column: position.column, message: message))
            }
            guard let name = cell(found.instrument) else { problem(found.instrument, "instrument_name: empty"); return }
            guard let sizeText = cell(found.size) else { problem(found.size, "size: empty; expected a signed decimal in the instrument's amount unit"); return }
            let size: ExactDecimal
            switch amount(sizeText) {
            case .success(let parsed): size = parsed
            case .failure(let why): problem(found.size, "size: \(why)"); return
            }
            var average: ExactDecimal?
            if let text = cell(found.average) {
                switch amount(text) {
                case .success(let parsed): average = parsed
                case .failure(let why): problem(found.average!, "average_price: \(why)"); return
                }
            }
            var delta: Double?
            if let text = cell(found.delta) {
                guard case .success(let parsed) = DoubleSyntax.parse(text), parsed.isFinite else {
                    problem(found.delta!, "delta: '\(text)' is not a number"); return
                }
                delta = parsed
            }
            entries.append(Entry(instrument: name, size: size, averagePrice: average, delta: delta, place: record.line,
                                 location: Entry.Location(line: record.line, column: 1)))
        }
        if columns == nil { errors.append(InputError(file: file, line: 1, column: 1, message: "the file is empty: expected a header with instrument_name and size")) }
        guard errors.isEmpty else { throw errors }
        return entries
    }
}
