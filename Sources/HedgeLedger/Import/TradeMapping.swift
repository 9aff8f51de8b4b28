import Crypto
import Foundation

/// A mapping file (`import trades --map FILE`): how another venue's trade CSV becomes the native
/// format. JSON, documented in docs/mappings.md; hedgeledger ships mappings for the Bybit
/// derivatives transaction log, OKX trade history and tastytrade (`--map bybit` ...).
///
/// Each native field (and, for instruments hedgeledger cannot read by name, each field of an
/// `import instruments` row) is taken from a column, a constant, or the sum or ratio of others,
/// through transforms; rows can be kept or skipped by a column's value. Every problem in the
/// file is reported with its key path (`columns.side.map`).
public struct TradeMapping: Sendable {
    public var name: String
    public var venue: String
    /// The SHA-256 of the mapping file's bytes: an import records which version of it read the file.
    public var sha256 = ""
    /// The built-in mapping's short name (`bybit`), nil for a file.
    public var builtIn: String?
    /// Native trade fields by their column name (`trade_id`, `quantity`, ...).
    var fields: [(name: String, spec: Field)]
    /// `import instruments` fields, for rows whose instrument name hedgeledger cannot read.
    var instrumentFields: [(name: String, spec: Field)]
    /// The side is the sign of the quantity (negative: sell), which is then taken as its magnitude.
    var sideFromQuantitySign: Bool
    /// A trade id seen earlier in the same file is another fill, not a duplicate: its second
    /// row is `ID#2`, its third `ID#3` (for exports with no trade id, keyed by order and second).
    var numberRepeatedTradeIDs = false
    var only: [Filter]
    var skip: [Filter]
    /// Cells that mean "empty" (`--`, `N/A`).
    var emptyValues: Set<String>

    indirect enum Field: Sendable {
        case column(name: String, occurrence: Int, key: String, transforms: [Transform])
        case constant(String, key: String)
        case sum([Field], key: String, transforms: [Transform])
        case ratio(Field, Field, key: String, transforms: [Transform])
        case join([Field], separator: String, key: String, transforms: [Transform])

        var key: String {
            switch self {
            case let .column(_, _, key, _), let .constant(_, key), let .sum(_, key, _), let .ratio(_, _, key, _),
                 let .join(_, _, key, _): key
            }
        }

        /// The columns the field reads.
        var columns: [(name: String, occurrence: Int, key: String)] {
            switch self {
            case let .column(name, occurrence, key, _): [(name, occurrence, key)]
            case .constant: []
            case let .sum(parts, _, _): parts.flatMap(\.columns)
            case let .ratio(a, b, _, _): a.columns + b.columns
            case let .join(parts, _, _, _): parts.flatMap(\.columns)
            }
        }
    }

    enum Transform: Sendable {
        case trim, upper, lower, absolute, negate
        case remove(String)
        /// Drops a thousands separator, which must group the whole part in threes (`1,234.5`):
        /// a separator anywhere else (`0,25`, a decimal comma) is an error, never a silent misreading.
        case thousands(Character)
        case multiply(ExactDecimal)
        /// Whole-cell replacement; with `strict`, a value not listed is an error.
        case map([String: String], strict: Bool)
        case replace([(pattern: NSRegularExpressionBox, with: String)])
        case time(TimeFormat)
    }

    struct Filter: Sendable {
        var column: String
        var occurrence: Int
        var values: Set<String>
        var key: String
    }

    /// How a time cell is written: ISO-8601, epoch seconds/milliseconds/microseconds, or a
    /// pattern of `%Y %m %d %y %H %M %S %f` and literals; a zone for times that carry none.
    struct TimeFormat: Sendable {
        enum Kind: Sendable { case iso8601, epoch(perSecond: Int64), pattern([PatternPiece]) }
        enum PatternPiece: Sendable, Equatable { case literal(Character), field(Character) }
        var kind: Kind
        /// As the mapping writes it (`%d/%m/%Y %H:%M`), for messages.
        var text: String = "iso8601"
        /// Seconds east of UTC of naive times; nil refuses them.
        var zoneOffset: Int?
        /// For a date-only pattern, the time of day (seconds after midnight in the zone).
        var timeOfDay: Int
    }

    public struct Problem: Error, CustomStringConvertible {
        public var file: String
        public var key: String
        public var message: String
        /// The file could not be read at all (as opposed to read and found wrong).
        public var unreadable = false
        /// A bare name that is no built-in mapping and no file: a mistyped argument.
        public var unknownName = false
        public var description: String { "\(file): \(key.isEmpty ? "" : "\(key): ")\(message)" }
    }

    /// The mappings shipped inside hedgeledger, by name.
    public static let builtInNames = ["bybit", "okx", "tastytrade"]

    /// A shipped mapping by name, or a mapping file.
    public static func load(_ nameOrPath: String) throws -> TradeMapping {
        if builtInNames.contains(nameOrPath.lowercased()) {
            let bytes: [UInt8] = switch nameOrPath.lowercased() {
            case "bybit": PackageResources.bybit_json
            case "okx": PackageResources.okx_json
            default: PackageResources.tastytrade_json
            }
            var mapping = try parse(Data(bytes), file: "\(nameOrPath.lowercased()) (built in)")
            mapping.builtIn = nameOrPath.lowercased()
            return mapping
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: nameOrPath)) } catch {
            throw Problem(file: nameOrPath, key: "",
                          message: "cannot read the mapping file (\((error as NSError).localizedFailureReason ?? error.localizedDescription))\(Suggestion.hint(for: nameOrPath, among: builtInNames)); give a path, or one of the built-in mappings: \(builtInNames.joined(separator: ", "))",
                          unreadable: true, unknownName: !nameOrPath.contains("/") && !nameOrPath.contains("."))
        }
        return try parse(data, file: nameOrPath)
    }

    static func parse(_ data: Data, file: String) throws -> TradeMapping {
        let object: Any
        let toml = file.lowercased().hasSuffix(".toml") ? ": TOML is not read, write it as JSON" : ""
        if let problem = JSONSyntax.problem(in: Array(data)) {
            throw Problem(file: "\(file):\(problem.line):\(problem.column)", key: "", message: "is not JSON (\(problem.message)); a mapping file is one JSON object (docs/mappings.md)" + toml)
        }
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            let detail = "\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription)"
            // Not expected: the grammar was checked above (JSONSyntax), which locates every problem.
            throw Problem(file: file, key: "", message: "is not readable as JSON (\(detail)); a mapping file is one JSON object (docs/mappings.md)" + toml)
        }
        var reader = Reader(file: file)
        var mapping: TradeMapping
        do { mapping = try reader.mapping(object) } catch var problem as Problem {
            // Where the key is in the file, as a CSV cell's error says where the cell is.
            if let place = JSONSyntax.place(of: problem.key, in: Array(data)) { problem.file = "\(file):\(place.line):\(place.column)" }
            throw problem
        }
        mapping.sha256 = SHA256.hash(data: Array(data)).hexString
        return mapping
    }

    /// Reads the JSON object, naming the key path of every problem.
    private struct Reader {
        let file: String
        static let topKeys: Set = ["name", "venue", "columns", "instruments", "side_from_quantity_sign", "number_repeated_trade_ids", "only", "skip", "empty_values", "comment"]
        static let nativeFields = NativeTradeFormat.Column.allCases.map(\.name)
        static let instrumentFields = InstrumentImporter.Column.allCases.map(\.name)

        func fail(_ key: String, _ message: String) -> Problem { Problem(file: file, key: key, message: message) }

        mutating func mapping(_ object: Any) throws -> TradeMapping {
            guard let top = object as? [String: Any] else { throw fail("", "must be a JSON object with name, venue and columns") }
            try unknownKeys(top, allowed: Self.topKeys, at: "")
            guard let name = top["name"] as? String, !name.isEmpty else { throw fail("name", "must be a non-empty string") }
            let venue = try optionalString(top["venue"], at: "venue") ?? NativeTradeFormat.defaultVenue
            guard let columns = top["columns"] as? [String: Any] else {
                throw fail("columns", "must be an object naming, for each native field (\(Self.nativeFields.joined(separator: ", "))), its column")
            }
            var fields: [(String, Field)] = []
            for (key, value) in columns.sorted(by: { $0.key < $1.key }) {
                guard Self.nativeFields.contains(key), key != "venue" else {
                    let fields = Self.nativeFields.filter { $0 != "venue" }
                    if key == "venue" { throw fail("columns.venue", "is not read from a column: the venue is the mapping's top-level \"venue\", one for the file") }
                    throw fail("columns.\(key)", "is not a native field\(Suggestion.hint(for: key, among: fields)); the fields are \(fields.joined(separator: ", "))")
                }
                fields.append((key, try field(value, at: "columns.\(key)", isTime: key == "timestamp")))
            }
            let sideFromSign = try optionalBool(top["side_from_quantity_sign"], at: "side_from_quantity_sign") ?? false
            let needed = ["trade_id", "timestamp", "instrument", "quantity", "price"] + (sideFromSign ? [] : ["side"])
            if let missing = needed.first(where: { name in !fields.contains { $0.0 == name } }) {
                throw fail("columns.\(missing)", "is missing; a mapping names the columns of \(needed.joined(separator: ", "))"
                           + (sideFromSign ? "" : " (or sets side_from_quantity_sign)"))
            }
            if sideFromSign, fields.contains(where: { $0.0 == "side" }) {
                throw fail("columns.side", "is given, but side_from_quantity_sign takes the side from the quantity; keep one")
            }
            var instrumentFields: [(String, Field)] = []
            if let instruments = top["instruments"] {
                guard let object = instruments as? [String: Any] else { throw fail("instruments", "must be an object of import instruments fields") }
                for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                    guard Self.instrumentFields.contains(key), key != "symbol" else {
                        throw fail("instruments.\(key)", "is not an instrument field; they are \(Self.instrumentFields.filter { $0 != "symbol" }.joined(separator: ", ")) (the symbol is columns.instrument)")
                    }
                    instrumentFields.append((key, try field(value, at: "instruments.\(key)", isTime: key == "expiry")))
                }
                for required in ["kind", "underlying", "settlement_currency", "inverse"] where !object.keys.contains(required) {
                    throw fail("instruments.\(required)", "is missing; an instrument definition needs kind, underlying, settlement_currency and inverse")
                }
            }
            let empty = try stringList(top["empty_values"], at: "empty_values") ?? []
            var mapping = TradeMapping(name: name, venue: venue, fields: fields, instrumentFields: instrumentFields,
                                       sideFromQuantitySign: sideFromSign, only: try filters(top["only"], at: "only"),
                                       skip: try filters(top["skip"], at: "skip"), emptyValues: Set(empty))
            mapping.numberRepeatedTradeIDs = try optionalBool(top["number_repeated_trade_ids"], at: "number_repeated_trade_ids") ?? false
            return mapping
        }

        func unknownKeys(_ object: [String: Any], allowed: Set<String>, at path: String) throws {
            if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw fail(path.isEmpty ? unknown : "\(path).\(unknown)", "is not a mapping key\(Suggestion.hint(for: unknown, among: Array(allowed))); expected \(allowed.sorted().joined(separator: ", "))")
            }
        }

        func optionalString(_ value: Any?, at key: String) throws -> String? {
            guard let value else { return nil }
            guard let text = value as? String else { throw fail(key, "must be a string") }
            return text
        }

        func optionalBool(_ value: Any?, at key: String) throws -> Bool? {
            guard let value else { return nil }
            guard let number = value as? NSNumber, String(describing: type(of: number)).contains("Boolean") else {
                throw fail(key, "must be true or false")
            }
            return number.boolValue
        }

        func stringList(_ value: Any?, at key: String) throws -> [String]? {
            guard let value else { return nil }
            guard let list = value as? [Any], let strings = list as? [String] else { throw fail(key, "must be a list of strings") }
            return strings
        }

        func filters(_ value: Any?, at key: String) throws -> [Filter] {
            guard let value else { return [] }
            let list = (value as? [Any]) ?? [value]
            return try list.enumerated().map { index, item in
                let at = "\(key)[\(index)]"
                guard let object = item as? [String: Any] else { throw fail(at, "must be an object with column and values") }
                try unknownKeys(object, allowed: ["column", "occurrence", "values"], at: at)
                guard let column = object["column"] as? String else { throw fail("\(at).column", "must be a column name") }
                guard let values = try stringList(object["values"], at: "\(at).values"), !values.isEmpty else {
                    throw fail("\(at).values", "must list the values")
                }
                return Filter(column: column, occurrence: try occurrence(object["occurrence"], at: "\(at).occurrence"),
                              values: Set(values), key: at)
            }
        }

        func occurrence(_ value: Any?, at key: String) throws -> Int {
            // 0: not given, which reads as the first but is refused when the header has several.
            guard let value else { return 0 }
            guard let number = value as? Int, number >= 1 else { throw fail(key, "must be 1 or more: which of several columns with that name") }
            return number
        }

        func field(_ value: Any, at key: String, isTime: Bool) throws -> Field {
            if let name = value as? String {
                return .column(name: name, occurrence: 0, key: key, transforms: isTime ? [.time(TimeFormat(kind: .iso8601, zoneOffset: nil, timeOfDay: 0))] : [])
            }
            guard let object = value as? [String: Any] else {
                throw fail(key, "must be a column name, or an object with column, constant, sum, ratio or join")
            }
            try unknownKeys(object, allowed: ["column", "occurrence", "constant", "sum", "ratio", "join", "separator", "transform",
                                              "format", "zone", "time_of_day"], at: key)
            var transforms = try self.transforms(object["transform"], at: "\(key).transform")
            // Elsewhere a format reads the value as a time and gives it in UTC: a key built from a
            // time then names the moment, however the file writes its offset.
            if isTime || object["format"] != nil {
                transforms.append(.time(try timeFormat(object, at: key)))
            } else if ["zone", "time_of_day"].contains(where: { object[$0] != nil }) {
                throw fail(key, "zone and time_of_day go with format, which reads the value as a time")
            }
            let sources = ["column", "constant", "sum", "ratio", "join"].filter { object[$0] != nil }
            guard sources.count == 1 else { throw fail(key, "needs exactly one of column, constant, sum, ratio or join") }
            switch sources[0] {
            case "column":
                guard let name = object["column"] as? String else { throw fail("\(key).column", "must be a column name") }
                return .column(name: name, occurrence: try occurrence(object["occurrence"], at: "\(key).occurrence"), key: key,
                               transforms: transforms)
            case "constant":
                guard let text = object["constant"] as? String else { throw fail("\(key).constant", "must be a string") }
                return .constant(text, key: key)
            case "sum":
                guard let parts = object["sum"] as? [Any], parts.count >= 2 else { throw fail("\(key).sum", "must list two or more fields") }
                return .sum(try parts.enumerated().map { try field($1, at: "\(key).sum[\($0)]", isTime: false) }, key: key,
                            transforms: transforms)
            case "join":
                guard let parts = object["join"] as? [Any], parts.count >= 2 else { throw fail("\(key).join", "must list two or more fields") }
                return .join(try parts.enumerated().map { try field($1, at: "\(key).join[\($0)]", isTime: false) },
                             separator: try optionalString(object["separator"], at: "\(key).separator") ?? "-", key: key, transforms: transforms)
            default:
                guard let parts = object["ratio"] as? [Any], parts.count == 2 else {
                    throw fail("\(key).ratio", "must list two fields: the magnitude of the first divided by the second's")
                }
                return .ratio(try field(parts[0], at: "\(key).ratio[0]", isTime: false), try field(parts[1], at: "\(key).ratio[1]", isTime: false),
                              key: key, transforms: transforms)
            }
        }

        func transforms(_ value: Any?, at key: String) throws -> [Transform] {
            guard let value else { return [] }
            guard let list = value as? [Any] else { throw fail(key, "must be a list of transforms") }
            return try list.enumerated().map { index, item in
                let at = "\(key)[\(index)]"
                if let name = item as? String {
                    switch name {
                    case "trim": return .trim
                    case "upper": return .upper
                    case "lower": return .lower
                    case "absolute": return .absolute
                    case "negate": return .negate
                    default: throw fail(at, "'\(name)' is not a transform; expected trim, upper, lower, absolute, negate, or an object with thousands, remove, multiply, map, map_strict or replace")
                    }
                }
                guard let object = item as? [String: Any], object.count == 1, let (name, argument) = object.first else {
                    throw fail(at, "must be a transform name or an object with one key")
                }
                switch name {
                case "remove":
                    guard let text = argument as? String, !text.isEmpty else { throw fail("\(at).remove", "must be the text to remove, such as \",\"") }
                    return .remove(text)
                case "thousands":
                    guard let text = argument as? String, text.count == 1, let separator = text.first, !separator.isNumber, separator != "." else {
                        throw fail("\(at).thousands", "must be the one character between thousands, such as \",\"")
                    }
                    return .thousands(separator)
                case "multiply":
                    guard let text = argument as? String, case .success(let factor) = DecimalSyntax.parse(text) else {
                        throw fail("\(at).multiply", "must be a decimal number as a string, such as \"100\"")
                    }
                    return .multiply(factor)
                case "map", "map_strict":
                    guard let table = argument as? [String: String] else { throw fail("\(at).\(name)", "must be an object of strings: value to replacement") }
                    return .map(table, strict: name == "map_strict")
                case "replace":
                    let rules = (argument as? [Any]) ?? [argument]
                    return .replace(try rules.enumerated().map { i, rule in
                        guard let rule = rule as? [String: String], let pattern = rule["pattern"], let with = rule["with"], rule.count == 2 else {
                            throw fail("\(at).replace[\(i)]", "must be an object with pattern (a regular expression) and with (the replacement, $1 for a group)")
                        }
                        do { return (NSRegularExpressionBox(try NSRegularExpression(pattern: pattern)), with) } catch {
                            throw fail("\(at).replace[\(i)].pattern", "'\(pattern)' is not a regular expression")
                        }
                    })
                default:
                    throw fail(at, "'\(name)' is not a transform; expected thousands, remove, multiply, map, map_strict or replace")
                }
            }
        }

        func timeFormat(_ object: [String: Any], at key: String) throws -> TimeFormat {
            let formatText = try optionalString(object["format"], at: "\(key).format") ?? "iso8601"
            let kind: TimeFormat.Kind
            switch formatText {
            case "iso8601": kind = .iso8601
            case "epoch_s": kind = .epoch(perSecond: 1)
            case "epoch_ms": kind = .epoch(perSecond: 1000)
            case "epoch_us": kind = .epoch(perSecond: 1_000_000)
            default:
                var pieces: [TimeFormat.PatternPiece] = []
                var characters = Array(formatText)[...]
                while let c = characters.popFirst() {
                    if c == "%" {
                        guard let f = characters.popFirst(), "YmdyHMSf".contains(f) else {
                            throw fail("\(key).format", "'\(formatText)': after % comes one of Y m d y H M S f")
                        }
                        pieces.append(.field(f))
                    } else {
                        pieces.append(.literal(c))
                    }
                }
                guard pieces.contains(.field("d")), pieces.contains(.field("m")), pieces.contains(.field("Y")) || pieces.contains(.field("y")) else {
                    throw fail("\(key).format", "'\(formatText)' must be iso8601, epoch_s, epoch_ms, epoch_us, or a pattern with %Y (or %y), %m and %d")
                }
                kind = .pattern(pieces)
            }
            var zone: Int?
            if let text = try optionalString(object["zone"], at: "\(key).zone") {
                guard let offset = Self.offset(text) else {
                    throw fail("\(key).zone", "'\(text)' is not UTC or an offset such as +02:00; named zones (daylight saving) are not read: use the offsets the file carries")
                }
                zone = offset
            }
            var timeOfDay = 0
            if let text = try optionalString(object["time_of_day"], at: "\(key).time_of_day") {
                let parts = text.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                    throw fail("\(key).time_of_day", "'\(text)' is not HH:MM")
                }
                timeOfDay = parts[0] * 3600 + parts[1] * 60
            }
            return TimeFormat(kind: kind, text: formatText, zoneOffset: zone, timeOfDay: timeOfDay)
        }

        static func offset(_ text: String) -> Int? {
            if text.uppercased() == "UTC" || text == "Z" { return 0 }
            let sign: Int
            switch text.first { case "+": sign = 1; case "-": sign = -1; default: return nil }
            let digits = text.dropFirst().filter { $0 != ":" }
            guard digits.count == 4, let value = Int(digits), value % 100 < 60, value / 100 <= 14 else { return nil }
            return sign * ((value / 100) * 3600 + (value % 100) * 60)
        }
    }
}

/// A compiled regular expression, immutable once made, shared across the reader thread.
struct NSRegularExpressionBox: @unchecked Sendable {
    let expression: NSRegularExpression
    init(_ expression: NSRegularExpression) { self.expression = expression }
}
