/// Places in a JSON document, for errors that point into the file like a CSV cell's do:
/// Foundation parses without positions.
enum JSONPlaces {
    /// Where each element of the document's array of records starts, as (line, column): the
    /// document itself when it is an array, else the array under its top-level key `key`
    /// (Deribit's `result`). It only scans structure (strings and escapes skipped), and gives
    /// nothing it cannot place.
    static func elementStarts(_ bytes: [UInt8], key: String) -> [(line: Int, column: Int)] {
        var places: [(line: Int, column: Int)] = []
        var line = 1, lineStart = 0
        var depth = 0
        var targetDepth: Int?
        var expectingElement = false
        var lastString: [UInt8] = []
        let wanted = Array(key.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1; lineStart = index + 1
            case UInt8(ascii: "\""):
                if expectingElement, depth == targetDepth { places.append((line, index - lineStart + 1)); expectingElement = false }
                let start = index + 1
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                lastString = Array(bytes[start..<min(index, bytes.count)])
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if expectingElement, depth == targetDepth { places.append((line, index - lineStart + 1)); expectingElement = false }
                depth += 1
                if byte == UInt8(ascii: "["), targetDepth == nil, depth == 1 || (depth == 2 && lastString == wanted) {
                    targetDepth = depth
                    expectingElement = true
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == targetDepth { return places }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == targetDepth { expectingElement = true }
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                break
            default:
                if expectingElement, depth == targetDepth { places.append((line, index - lineStart + 1)); expectingElement = false }
            }
            index += 1
        }
        return places
    }

    /// Foundation's "… around character N." with the line and column of that character.
    static func located(_ detail: String, in bytes: some Collection<UInt8>) -> String {
        guard let (range, line, column) = place(detail, in: bytes) else { return detail }
        return detail.replacingCharacters(in: range, with: "line \(line), column \(column)")
    }

    /// The line and column of the character Foundation's message names, and where it names it.
    static func place(_ detail: String, in bytes: some Collection<UInt8>) -> (Range<String.Index>, line: Int, column: Int)? {
        guard let range = detail.range(of: #"character [0-9]+"#, options: .regularExpression),
              let offset = Int(detail[range].dropFirst("character ".count)), offset <= bytes.count else { return nil }
        let (line, column) = lineAndColumn(ofOffset: offset, in: bytes)
        return (range, line, column)
    }

    /// The line and column (in characters, as a CSV cell's) of the byte at `offset`.
    static func lineAndColumn(ofOffset offset: Int, in bytes: some Collection<UInt8>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}
