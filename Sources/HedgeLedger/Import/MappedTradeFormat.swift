import Foundation
import Synchronization

/// Another venue's trade CSV read through a `TradeMapping`: each row's cells are mapped onto the
/// native format's fields (and, for instruments hedgeledger cannot read by name, an `import
/// instruments` row), then validated exactly as a native row is. Errors name the cell and the
/// mapping key that read it: `FILE:LINE:COL: columns.quantity ← 'Quantity': 'x' is not ...`.
enum MappedTradeFormat {
    /// A mapped row ready for the writer, or a row the mapping leaves out.
    struct Item: Sendable {
        var native: NativeTradeFormat.Item
        var definition: Instrument?
        /// What read each native field (`columns.instrument ← 'Symbol'`), for the writer's errors.
        var sources: [String: String] = [:]
        /// The mapping numbers fills of one order in one second by their order in the file.
        var numbersRepeats = false

        /// An error the writer found in this row, naming the mapping key that read its field; a
        /// conflict with a stored fill under a numbered key says how the numbering can cause it.
        func annotated(_ error: InputError) -> InputError {
            var error = MappedTradeFormat.annotated(error, sources: sources)
            if numbersRepeats, error.message.contains("was already imported from"), error.message.contains("with a different") {
                error.message += " (this mapping numbers fills of one order in one second by their order in the file, number_repeated_trade_ids: a download listing such fills in another order than the first one numbers them differently; import its rows in that first order)"
            }
            return error
        }
    }

    /// `field: message` becomes `prefix field (what read it): message`.
    static func annotated(_ error: InputError, sources: [String: String], prefix: String = "") -> InputError {
        var error = error
        if let colon = error.message.firstIndex(of: ":"), let source = sources[String(error.message[..<colon])] {
            error.message = "\(prefix)\(error.message[..<colon]) (\(source))" + error.message[colon...]
        }
        return error
    }

    static func parser(mapping: TradeMapping, header: CSVReader.Record, file: String,
                       options: NativeTradeFormat.Options) -> Result<RowParser<TradeFileRow>, InputErrors> {
        var errors = InputErrors(file: file)
        let written = header.fields.map { $0.trimmingCharacters(in: .whitespaces.union(["\u{FEFF}"])) }
        let names = written.map { $0.lowercased() }
        // Where each column the mapping names is: its n-th occurrence in the header.
        var indexes: [String: Int] = [:]
        func locate(_ name: String, _ occurrence: Int, key: String) {
            let id = "\(name.lowercased())#\(occurrence)"
            if indexes[id] != nil { return }
            let matches = names.indices.filter { names[$0] == name.lowercased() }
            if occurrence == 0, matches.count > 1 {
                errors.append(InputError(file: file, line: header.line, column: 1,
                    message: "mapping '\(mapping.name)' \(key) names column '\(name)', which the header has \(matches.count) times: say which with \"occurrence\" (1 to \(matches.count))"))
            } else if matches.count >= max(occurrence, 1) {
                indexes[id] = matches[max(occurrence, 1) - 1]
            } else if !matches.isEmpty {
                errors.append(InputError(file: file, line: header.line, column: 1,
                    message: "mapping '\(mapping.name)' \(key) names occurrence \(occurrence) of column '\(name)', but the header has \(matches.count) column\(matches.count == 1 ? "" : "s") of that name"))
            } else {
                let hint = Suggestion.hint(for: name, among: written)
                errors.append(InputError(file: file, line: header.line, column: 1,
                    message: "mapping '\(mapping.name)' \(key) names column '\(name)'\(occurrence > 1 ? " (occurrence \(occurrence))" : ""), which the header lacks\(hint); the header has \(header.fields.joined(separator: ", "))"))
            }
        }
        for (_, spec) in mapping.fields + mapping.instrumentFields {
            for column in spec.columns { locate(column.name, column.occurrence, key: column.key) }
        }
        for filter in mapping.only + mapping.skip { locate(filter.column, filter.occurrence, key: "\(filter.key).column") }
        if !errors.isEmpty, let known = KnownExport.recognise(header.fields),
           known.readAs == "trades" || (mapping.builtIn != nil && known.mapping != mapping.builtIn) {
            // Another export than the mapping reads (a Deribit log needs none; a built-in mapping
            // reads one export): one error naming it, not one per column.
            var one = InputErrors(file: file)
            let advice = known.readAs == "trades" ? "import it without --map: hedgeledger reads it itself"
                : known.mapping.map { "import it with --map \($0)" } ?? "hedgeledger has no mapping for it"
            one.append(InputError(file: file, line: header.line, column: 1,
                message: "this is \(known.name), not a file mapping '\(mapping.name)' reads (the header lacks \(errors.total) of the columns it names); \(advice)"))
            return .failure(one)
        }
        guard errors.isEmpty else { return .failure(errors) }

        let nativeNames = mapping.nativeNames
        let instrumentNames = ["symbol"] + mapping.instrumentFields.map(\.name)
        let nativeHeader: CSVHeader<NativeTradeFormat.Column>
        let instrumentHeader: CSVHeader<InstrumentImporter.Column>
        switch (CSVHeader<NativeTradeFormat.Column>.map(CSVReader.Record(line: 1, fields: nativeNames, positions: nativeNames.map { _ in (1, 1) }),
                                                        required: [], file: file, formatName: "the native format"),
                CSVHeader<InstrumentImporter.Column>.map(CSVReader.Record(line: 1, fields: instrumentNames, positions: instrumentNames.map { _ in (1, 1) }),
                                                         required: [], file: file, formatName: "an instruments file")) {
        case let (.success(native), .success(instrument)): (nativeHeader, instrumentHeader) = (native, instrument)
        case let (.failure(problems), _), let (_, .failure(problems)): return .failure(problems)
        }
        let reader = RowReader(mapping: mapping, indexes: indexes, file: file,
                               repeats: mapping.numberRepeatedTradeIDs ? RepeatedTradeIDs() : nil)
        let options = NativeTradeFormat.Options(defaultBook: options.defaultBook, assumeUTC: false)
        return .success(RowParser(formatName: mapping.formatName, fieldCount: header.fields.count) { record in
            reader.read(record, nativeHeader: nativeHeader, instrumentHeader: instrumentHeader, options: options)
        })
    }

    /// How often each trade id has come so far in one reading of a file, for
    /// `number_repeated_trade_ids`. One per parser, so a file read again counts afresh.
    final class RepeatedTradeIDs: Sendable {
        private let seen = Mutex<[String: Int]>([:])

        /// The id itself the first time; `ID#n` the n-th time.
        func number(_ id: String) -> String {
            let count = seen.withLock { seen in
                seen[id, default: 0] += 1
                return seen[id]!
            }
            return count == 1 ? id : "\(id)#\(count)"
        }
    }

    /// Reads one row through the mapping. Immutable but for the count of repeated trade ids, so
    /// it is shared with the reader thread.
    struct RowReader: Sendable {
        let mapping: TradeMapping
        let indexes: [String: Int]
        let file: String
        let repeats: RepeatedTradeIDs?

        struct Cell {
            var text: String?
            var position: (line: Int, column: Int)
            /// What read it, for messages: `columns.quantity ← 'Quantity'`.
            var source: String
        }

        struct Failure: Error {
            var position: (line: Int, column: Int)
            /// What read the value (`columns.quantity ← 'Quantity'`) and what is wrong with it.
            var source: String
            var detail: String
        }

        func index(_ name: String, _ occurrence: Int) -> Int { indexes["\(name.lowercased())#\(occurrence)"]! }

        func read(_ record: CSVReader.Record, nativeHeader: CSVHeader<NativeTradeFormat.Column>,
                  instrumentHeader: CSVHeader<InstrumentImporter.Column>, options: NativeTradeFormat.Options) -> Result<TradeFileRow, RowErrors> {
            func value(_ filter: TradeMapping.Filter) -> String {
                record.fields[index(filter.column, filter.occurrence)].trimmingCharacters(in: .whitespaces)
            }
            // Left out, with the cell that says why, so the summary can name what was left out.
            if let filter = mapping.only.first(where: { !$0.values.contains(value($0)) })
                ?? mapping.skip.first(where: { $0.values.contains(value($0)) }) {
                return .success(.skipped(because: "\(filter.column) \(value(filter).isEmpty ? "empty" : value(filter))"))
            }
            var problems: [InputError] = []
            // A cell's problem reads like the native validation's: `quantity (columns.quantity ← 'Qty'): …`.
            func cells(_ fields: [(name: String, spec: TradeMapping.Field)], prefix: String = "") -> [String: Cell] {
                var cells: [String: Cell] = [:]
                for (name, spec) in fields {
                    do { cells[name] = try evaluate(spec, record) } catch let failure as Failure {
                        problems.append(InputError(file: file, line: failure.position.line, column: failure.position.column,
                                                   message: "\(prefix)\(name) (\(failure.source)): \(failure.detail)"))
                    } catch {}
                }
                return cells
            }
            var native = cells(mapping.fields)
            if mapping.sideFromQuantitySign, let quantity = native["quantity"] {
                // A quantity that is no number is reported as such; the side then says nothing more.
                var side = "buy"
                if let text = quantity.text, case .success(let value) = DecimalSyntax.parse(text) {
                    side = value.isNegative ? "sell" : "buy"
                    native["quantity"]?.text = value.magnitude.description
                }
                native["side"] = Cell(text: side, position: quantity.position, source: "side_from_quantity_sign")
            }
            native["venue"] = Cell(text: mapping.venue, position: (record.line, 1), source: "venue")
            if let repeats, let id = native["trade_id"]?.text { native["trade_id"]?.text = repeats.number(id) }
            guard problems.isEmpty else { return .failure(RowErrors(errors: problems)) }
            let synthetic = CSVReader.Record(line: record.line, fields: nativeHeaderNames.map { native[$0]?.text ?? "" },
                                             positions: nativeHeaderNames.map { native[$0]?.position ?? (record.line, 1) })
            let row = CSVRow(record: synthetic, header: nativeHeader, file: file)
            let parsed = NativeTradeFormat.read(row, options: options).mapError { annotated($0, cells: native, prefix: "") }
            guard case .success(let fillRow) = parsed else { return parsed.map { _ in .skipped(because: "") } }
            var definition: Instrument?
            if !mapping.instrumentFields.isEmpty, case .failure = InstrumentName.parse(fillRow.fill.instrument) {
                var fields = cells(mapping.instrumentFields, prefix: "instrument ")
                guard problems.isEmpty else { return .failure(RowErrors(errors: problems)) }
                fields["symbol"] = native["instrument"]
                let names = ["symbol"] + mapping.instrumentFields.map(\.name)
                let record = CSVReader.Record(line: record.line, fields: names.map { fields[$0]?.text ?? "" },
                                              positions: names.map { fields[$0]?.position ?? (record.line, 1) })
                switch InstrumentImporter.instrument(from: CSVRow(record: record, header: instrumentHeader, file: file)) {
                case .success(let instrument): definition = instrument
                case .failure(let rowErrors): return .failure(annotated(rowErrors, cells: fields, prefix: "instrument "))
                }
            }
            let item = NativeTradeFormat.Item(row: fillRow, amounts: FillRepository.EncodedAmounts(fillRow.fill))
            return .success(.mapped(Item(native: item, definition: definition, sources: native.mapValues(\.source),
                                         numbersRepeats: repeats != nil)))
        }

        private var nativeHeaderNames: [String] { mapping.nativeNames }

        /// Names the mapping key and column in each message of the native validation.
        private func annotated(_ errors: RowErrors, cells: [String: Cell], prefix: String) -> RowErrors {
            let sources = cells.mapValues(\.source)
            return RowErrors(errors: errors.errors.map { MappedTradeFormat.annotated($0, sources: sources, prefix: prefix) })
        }

        private func evaluate(_ spec: TradeMapping.Field, _ record: CSVReader.Record) throws -> Cell {
            switch spec {
            case let .column(name, occurrence, key, transforms):
                let index = index(name, occurrence)
                var text: String? = record.fields[index]
                if let raw = text, raw.isEmpty || mapping.emptyValues.contains(raw.trimmingCharacters(in: .whitespaces)) { text = nil }
                let cell = Cell(text: text, position: record.positions[index], source: "\(key) ← '\(name)'")
                return try apply(transforms, to: cell)
            case let .constant(text, key):
                return Cell(text: text, position: (record.line, 1), source: "\(key) (constant)")
            case let .sum(parts, key, transforms):
                let cells = try parts.map { try evaluate($0, record) }
                var total: ExactDecimal?
                for cell in cells {
                    guard let text = cell.text else { continue }
                    let value = try number(text, cell)
                    do { total = try (total ?? .zero) + value } catch {
                        throw Failure(position: cell.position, source: key, detail: "the sum is too large")
                    }
                }
                return try apply(transforms, to: Cell(text: total?.description, position: cells[0].position, source: "\(key) (sum)"))
            case let .ratio(a, b, key, transforms):
                let top = try evaluate(a, record), bottom = try evaluate(b, record)
                guard let topText = top.text, let bottomText = bottom.text else {
                    return Cell(text: nil, position: top.position, source: "\(key) (ratio)")
                }
                let divisor = try number(bottomText, bottom)
                guard !divisor.isZero else { throw Failure(position: bottom.position, source: bottom.source, detail: "is zero, and \(key) divides by it") }
                let quotient: ExactDecimal
                do { quotient = try try number(topText, top).magnitude / divisor.magnitude } catch {
                    throw Failure(position: top.position, source: key, detail: "the ratio is too large")
                }
                return try apply(transforms, to: Cell(text: quotient.description, position: top.position, source: "\(key) (ratio)"))
            case let .join(parts, separator, key, transforms):
                let cells = try parts.map { try evaluate($0, record) }
                let text = cells.allSatisfy { $0.text == nil } ? nil : cells.map { $0.text ?? "" }.joined(separator: separator)
                return try apply(transforms, to: Cell(text: text, position: cells[0].position, source: "\(key) (join)"))
            }
        }

        private func number(_ text: String, _ cell: Cell) throws -> ExactDecimal {
            switch DecimalSyntax.parse(text) {
            case .success(let value): return value
            case .failure(let reason): throw Failure(position: cell.position, source: cell.source, detail: "'\(text)' \(reason)")
            }
        }

        private func apply(_ transforms: [TradeMapping.Transform], to cell: Cell) throws -> Cell {
            var cell = cell
            for transform in transforms {
                // A transform that leaves nothing (or one of `empty_values`) leaves the field absent:
                // a stock row's expiry, rewritten to "" from its symbol, is no expiry.
                if let text = cell.text, text.isEmpty || mapping.emptyValues.contains(text) { cell.text = nil }
                guard let text = cell.text else { return cell }
                switch transform {
                case .trim: cell.text = text.trimmingCharacters(in: .whitespaces)
                case .upper: cell.text = text.uppercased()
                case .lower: cell.text = text.lowercased()
                case .remove(let part): cell.text = text.replacingOccurrences(of: part, with: "")
                case .thousands(let separator):
                    guard let whole = DecimalSyntax.withoutThousands(text, separator: separator) else {
                        throw Failure(position: cell.position, source: cell.source, detail: "'\(text)' does not group thousands with '\(separator)' (one to three digits, then groups of three, before any '.'); if '\(separator)' is this file's decimal point, the mapping must turn it into '.'")
                    }
                    cell.text = whole
                case .absolute: cell.text = try number(text, cell).magnitude.description
                case .negate: cell.text = (-(try number(text, cell))).description
                case .multiply(let factor):
                    do { cell.text = try (try number(text, cell) * factor).description } catch let failure as Failure { throw failure } catch {
                        throw Failure(position: cell.position, source: cell.source, detail: "'\(text)' times \(factor) is too large")
                    }
                case let .map(table, strict):
                    if let replacement = table[text] {
                        cell.text = replacement
                    } else if strict {
                        throw Failure(position: cell.position, source: cell.source,
                                      detail: "'\(text)' is none of the values the mapping lists (\(table.keys.sorted().joined(separator: ", ")))")
                    }
                case .replace(let rules):
                    let range = NSRange(text.startIndex..., in: text)
                    if let rule = rules.first(where: { $0.pattern.expression.firstMatch(in: text, range: range) != nil }) {
                        cell.text = rule.pattern.expression.stringByReplacingMatches(in: text, range: range, withTemplate: rule.with)
                    }
                case .time(let format):
                    switch format.read(text) {
                    case .success(let time): cell.text = time.iso8601
                    case .failure(.missingZone):
                        throw Failure(position: cell.position, source: cell.source, detail: "'\(text)' has no time zone; give the mapping's zone (UTC or an offset such as +02:00)")
                    case .failure(.malformed) where format.text != "iso8601":
                        throw Failure(position: cell.position, source: cell.source, detail: "'\(text)' does not match the mapping's format '\(format.text)'")
                    case .failure(let reason): throw Failure(position: cell.position, source: cell.source, detail: "'\(text)' \(reason)")
                    }
                }
            }
            if let text = cell.text, text.isEmpty || mapping.emptyValues.contains(text) { cell.text = nil }
            return cell
        }
    }
}

extension TradeMapping {
    /// The import's format: `map:NAME@` and the first 16 hex digits of the mapping file's SHA-256,
    /// so the import says which version of the mapping read its rows.
    var formatName: String { "map:\(name)@\(sha256.prefix(16))" }

    /// The native columns a mapped row fills: the mapped fields, the side when it comes from the
    /// quantity's sign, and the venue.
    var nativeNames: [String] { fields.map(\.name) + (sideFromQuantitySign ? ["side"] : []) + ["venue"] }
}

extension TradeMapping.TimeFormat {
    /// The time a cell gives, or why it gives none.
    func read(_ text: String) -> Result<Timestamp, TimestampSyntax.Problem> {
        switch kind {
        case .iso8601:
            if let zoneOffset, case .failure(.missingZone) = TimestampSyntax.parse(text) {
                return TimestampSyntax.parse(text, assumeUTC: true).map { Timestamp(microseconds: $0.microseconds - Int64(zoneOffset) * 1_000_000) }
            }
            return TimestampSyntax.parse(text)
        case .epoch(let perSecond):
            guard let value = Int64(text) else { return .failure(.malformed) }
            let (micros, overflow) = value.multipliedReportingOverflow(by: 1_000_000 / perSecond)
            guard !overflow, Timestamp.supported.contains(Timestamp(microseconds: micros)) else { return .failure(.outOfRange("time")) }
            return .success(Timestamp(microseconds: micros))
        case .pattern(let pieces):
            var characters = Array(text)[...]
            var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0
            var hasTime = false
            for piece in pieces {
                switch piece {
                case .literal(let c):
                    guard characters.popFirst() == c else { return .failure(.malformed) }
                case .field(let f):
                    let limit = f == "Y" || f == "y" ? 4 : f == "f" ? 6 : 2
                    var digits = ""
                    while digits.count < limit, let c = characters.first, c.isASCII, c.isNumber { digits.append(c); characters.removeFirst() }
                    guard !digits.isEmpty, let value = Int(digits) else { return .failure(.malformed) }
                    switch f {
                    case "Y": year = value
                    case "y": year = digits.count == 4 ? value : 2000 + value
                    case "m": month = value
                    case "d": day = value
                    case "H": hour = value; hasTime = true
                    case "M": minute = value
                    case "S": second = value
                    default: micros = value * Int(pow(10.0, Double(6 - digits.count)))
                    }
                }
            }
            guard characters.isEmpty else { return .failure(.malformed) }
            let iso = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", year, month, day, hour, minute, second, micros)
            guard case .success(let naive) = TimestampSyntax.parse(iso) else { return .failure(.outOfRange("date or time")) }
            guard let zoneOffset else { return .failure(.missingZone) }
            let shifted = naive.microseconds + Int64(hasTime ? 0 : timeOfDay) * 1_000_000 - Int64(zoneOffset) * 1_000_000
            return .success(Timestamp(microseconds: shifted))
        }
    }
}
