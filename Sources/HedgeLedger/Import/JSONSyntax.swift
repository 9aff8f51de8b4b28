/// The strict JSON grammar (RFC 8259), checked before Foundation parses a file we read.
///
/// Foundation is lenient where leniency is dangerous for a ledger's inputs: it accepts a
/// repeated key in an object and keeps one of the values (a position report listing `size`
/// twice, a mapping naming `quantity` twice), and it accepts trailing commas. Such a file is
/// ambiguous or hand-edited; it is refused with the line and column of the problem.
enum JSONSyntax {
    struct Problem: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    /// Deeper nesting is refused (as Foundation does), so a hostile file cannot exhaust the stack.
    static let maximumDepth = 512

    /// The first place `bytes` is not one strict JSON value (whitespace around it allowed), or nil.
    static func problem(in bytes: [UInt8]) -> Problem? {
        var scanner = Scanner(bytes: bytes)
        // A byte-order mark before the value, as some editors save, is allowed (RFC 8259 §8.1).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        do {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.index < bytes.count { throw scanner.failure("text after the end of the JSON value", at: scanner.index) }
            return nil
        } catch let problem as Problem {
            return problem
        } catch {
            return nil  // (`value` throws only Problem)
        }
    }

    /// Where each key and array element of valid JSON starts, as (line, column), by its path
    /// (`columns.quantity`, `only[0].values`, `result[3]`, `[3]` for an element of a top-level
    /// array); nil for JSON that is not valid. Lines and columns are counted in one sweep.
    static func places(in bytes: [UInt8]) -> [String: (line: Int, column: Int)]? {
        var scanner = Scanner(bytes: bytes)
        scanner.places = [:]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        scanner.skipWhitespace()
        guard (try? scanner.value(depth: 0)) != nil, let offsets = scanner.places else { return nil }
        var located: [String: (line: Int, column: Int)] = [:]
        var line = 1, column = 1, position = 0
        for (path, offset) in offsets.sorted(by: { $0.value < $1.value }) {
            while position < offset {
                if bytes[position] == UInt8(ascii: "\n") { line += 1; column = 1 } else if bytes[position] & 0xC0 != 0x80 { column += 1 }
                position += 1
            }
            located[path] = (line, column)
        }
        return located
    }

    /// For an error about a key path, the place of the longest part of it the document has
    /// (`columns` for a missing `columns.price`).
    static func place(of path: String, in bytes: [UInt8]) -> (line: Int, column: Int)? {
        guard let places = places(in: bytes) else { return nil }
        var candidate = path
        while !candidate.isEmpty {
            if let place = places[candidate] { return place }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            candidate = String(candidate[..<cut])
        }
        return nil
    }

    /// The line and column (in characters, as a CSV cell's) of the byte at `offset`.
    static func lineAndColumn(ofOffset offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func failure(_ message: String, at offset: Int) -> Problem {
            let (line, column) = JSONSyntax.lineAndColumn(ofOffset: offset, in: bytes)
            return Problem(line: line, column: column, message: message)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        /// What the byte at the index is, for a message: `'x'`, or the end of the file.
        var found: String {
            guard let byte = current else { return "the end of the file" }
            return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }

        /// When set, where each key and array element starts, by its path (`columns.quantity`,
        /// `only[0].values`): what `places(in:)` hands back.
        var places: [String: Int]?

        mutating func value(depth: Int, path: String = "") throws {
            guard let byte = current else { throw failure("expected a value, found the end of the file", at: index) }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth + 1, path: path)
            case UInt8(ascii: "["): try array(depth: depth + 1, path: path)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: throw failure("expected a value (an object, array, string, number, true, false or null), found \(found)", at: index)
            }
        }

        mutating func object(depth: Int, path: String) throws {
            if depth > JSONSyntax.maximumDepth { throw failure("nested more than \(JSONSyntax.maximumDepth) deep", at: index) }
            index += 1
            var keys: [[UInt8]: Int] = [:]
            var comma = index
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    if current == UInt8(ascii: "}") { throw failure("a trailing comma (nothing after it before '}'); JSON allows none", at: comma) }
                    throw failure("expected a key in double quotes, found \(found)", at: index)
                }
                let keyStart = index
                let key = try string()
                if let first = keys[key] {
                    let at = JSONSyntax.lineAndColumn(ofOffset: first, in: bytes)
                    throw failure("key \"\(String(decoding: key, as: UTF8.self))\" is repeated in this object (first at line \(at.line), column \(at.column)); each key may appear once, or which value counts is ambiguous", at: keyStart)
                }
                keys[key] = keyStart
                let keyPath = path.isEmpty ? String(decoding: key, as: UTF8.self) : "\(path).\(String(decoding: key, as: UTF8.self))"
                places?[keyPath] = keyStart
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw failure("expected ':' after the key, found \(found)", at: index) }
                index += 1
                skipWhitespace()
                try value(depth: depth, path: keyPath)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): comma = index; index += 1
                case UInt8(ascii: "}"): index += 1; return
                default: throw failure("expected ',' or '}' in the object, found \(found)", at: index)
                }
            }
        }

        mutating func array(depth: Int, path: String) throws {
            if depth > JSONSyntax.maximumDepth { throw failure("nested more than \(JSONSyntax.maximumDepth) deep", at: index) }
            index += 1
            var comma = index
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            var element = 0
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "]") { throw failure("a trailing comma (nothing after it before ']'); JSON allows none", at: comma) }
                places?["\(path)[\(element)]"] = index
                try value(depth: depth, path: "\(path)[\(element)]")
                element += 1
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): comma = index; index += 1
                case UInt8(ascii: "]"): index += 1; return
                default: throw failure("expected ',' or ']' in the array, found \(found)", at: index)
                }
            }
        }

        /// A string's content with its escapes decoded (as UTF-8), the index after its closing quote.
        mutating func string() throws -> [UInt8] {
            let start = index
            index += 1
            var content: [UInt8] = []
            while true {
                guard let byte = current else { throw failure("a string that never closes", at: start) }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard content.withUnsafeBufferPointer(CSVReader.isValidUTF8) else { throw failure("invalid UTF-8 in this string", at: start) }
                    return content
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape(into: &content)
                case 0..<0x20:
                    throw failure("a control character (byte 0x\(String(byte, radix: 16, uppercase: true))) inside a string; JSON writes it escaped", at: index)
                default:
                    content.append(byte)
                    index += 1
                }
            }
        }

        mutating func escape(into content: inout [UInt8]) throws {
            guard let byte = current else { throw failure("a string that never closes", at: index) }
            index += 1
            let simple: [UInt8: UInt8] = [UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
                                          UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
                                          UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09]
            if let decoded = simple[byte] { content.append(decoded); return }
            guard byte == UInt8(ascii: "u") else { throw failure("'\\\(Character(Unicode.Scalar(byte)))' is not a JSON escape", at: index - 2) }
            var unit = try hexUnit()
            if (0xD800...0xDBFF).contains(unit), current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
                index += 2
                let low = try hexUnit()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("a \\u escape of half a character (an unpaired surrogate)", at: index - 6) }
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(unit) else { throw failure("a \\u escape of half a character (an unpaired surrogate)", at: index - 6) }
            content.append(contentsOf: Array(String(Character(scalar)).utf8))
        }

        mutating func hexUnit() throws -> UInt32 {
            guard index + 4 <= bytes.count, let unit = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                  bytes[index..<index + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }) else {
                throw failure("expected four hex digits after \\u", at: index)
            }
            index += 4
            return unit
        }

        mutating func number() throws {
            let start = index
            func digits() -> Int {
                let from = index
                while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
                return index - from
            }
            if current == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let integerDigits = digits()
            guard integerDigits > 0 else { throw failure("a number needs a digit after its '-'", at: start) }
            if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { throw failure("a number with a leading zero; JSON writes none", at: start) }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw failure("a number needs a digit after its decimal point", at: start) }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw failure("a number needs a digit in its exponent", at: start) }
            }
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw failure("expected a value (an object, array, string, number, true, false or null), found \(found)", at: index)
            }
            index += expected.count
        }
    }
}
