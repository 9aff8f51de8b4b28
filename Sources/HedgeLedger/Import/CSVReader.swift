/// A streaming RFC 4180 reader that knows where every field came from.
///
/// Accepts UTF-8 with or without a byte-order mark, LF, CRLF or CR-only line ends, and quoted
/// fields holding commas, doubled quotes and newlines. Refuses, with the line and column,
/// what real files get wrong: a quote inside an unquoted field, text after a closing quote,
/// an unterminated quote, NUL bytes, invalid UTF-8, and a byte-order mark in the middle of
/// a file (two files concatenated). A bad record is reported and reading resumes at the
/// next line, so one run lists every problem. Empty lines are skipped.
///
/// Its source hashes and counts the stored bytes for the import's provenance.
public final class CSVReader {
    public struct Record: Sendable {
        /// The line the record starts on.
        public var line: Int = 0
        public var fields: [String] = []
        /// Where each field starts: (line, column).
        public var positions: [(line: Int, column: Int)] = []
    }

    public let source: ByteSource
    /// Where the record last handed to `visit` lies in the file: from the start of its first
    /// line (its line number) to just after its last byte. Read inside `visit`; with it,
    /// `RecordOrder` can hand the records back in another order, each with its own line.
    public private(set) var lastRecord: (start: Int64, line: Int, end: Int64) = (0, 1, 0)
    /// When set, only this field of each record is kept; the others are read and checked as
    /// usual but handed on empty. For a pass that needs one column of a large file.
    public var onlyField: Int?

    public init(source: ByteSource) { self.source = source }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, skippingLine }

    /// Bytes that can change the reader's state; everything else is field content.
    @inline(__always)
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D || byte == 0
    }

    /// A String from bytes that must be valid UTF-8, or nil. ASCII (nearly every field)
    /// takes a fast path; `String(validating:)` is generic and slow on this hot path.
    static func string(validatingUTF8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        isValidUTF8(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
    }

    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        if combined & 0x80 == 0 { return true }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Reads the whole source, handing each record or each malformed record's error to `visit`.
    /// A source read in another order (`ByteSource.order`) hands its records in that order,
    /// each with the lines and columns it has in the file.
    public func read(_ visit: (Result<Record, InputError>) throws -> Void) throws {
        var state = State.fieldStart
        var record = Record()
        var field: [UInt8] = []
        field.reserveCapacity(256)
        var line = 1, column = 1
        var fieldLine = 1, fieldColumn = 1
        var quoteLine = 1, quoteColumn = 1
        var recordStarted = false
        var afterCR = false
        var error: InputError?
        // Byte offsets in the file: where the current line and the current record's first line start.
        var lineStart: Int64 = 0
        var recordStart: (offset: Int64, line: Int) = (0, 1)

        func fail(_ message: String, _ atLine: Int, _ atColumn: Int) {
            if !recordStarted && error == nil { recordStart = (lineStart, line) }
            if error == nil { error = InputError(file: source.name, line: atLine, column: atColumn, message: message) }
            state = .skippingLine
        }
        func endField() {
            if record.fields.isEmpty, field.starts(with: [0xEF, 0xBB, 0xBF]) {
                fail("byte-order mark in the middle of the file (were two files concatenated?)", fieldLine, fieldColumn)
                return
            }
            if let kept = onlyField, record.fields.count != kept {
                // Checked as any field is (the records end where they would), but not kept.
                guard field.withUnsafeBufferPointer(Self.isValidUTF8) else {
                    fail("invalid UTF-8 in this field; the file must be UTF-8", fieldLine, fieldColumn)
                    return
                }
                record.fields.append("")
                record.positions.append((fieldLine, fieldColumn))
                field.removeAll(keepingCapacity: true)
                return
            }
            guard let text = field.withUnsafeBufferPointer(Self.string(validatingUTF8:)) else {
                fail("invalid UTF-8 in this field; the file must be UTF-8", fieldLine, fieldColumn)
                return
            }
            record.fields.append(text)
            record.positions.append((fieldLine, fieldColumn))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord(at end: Int64) throws {
            lastRecord = (recordStart.offset, recordStart.line, end)
            defer {
                record.fields.removeAll(keepingCapacity: true)
                record.positions.removeAll(keepingCapacity: true)
                field.removeAll(keepingCapacity: true)
                recordStarted = false
                error = nil
                state = .fieldStart
            }
            if let error { try visit(.failure(error)); return }
            if recordStarted { try visit(.success(record)) }
        }
        func startFieldIfNeeded() {
            if !recordStarted { recordStarted = true; record.line = line; recordStart = (lineStart, line) }
        }

        /// Reads the bytes of `chunk`, which start at byte `base` of the file.
        func consume(_ chunk: UnsafeRawBufferPointer, from first: Int, base: Int64) throws {
            let count = chunk.count
            var index = first
            while index < count {
                let byte = chunk[index]
                index += 1
                if afterCR {
                    afterCR = false
                    if byte == 0x0A { lineStart = base + Int64(index); continue }  // the LF of a CRLF: the line already ended
                }
                // Runs of ordinary bytes inside a field are copied in bulk: this loop is the
                // import's hot path.
                if state == .unquoted || state == .quoted, !Self.isSpecial(byte) {
                    let start = index - 1
                    var end = index
                    var continuation = byte & 0xC0 == 0x80 ? 1 : 0
                    while end < count {
                        let next = chunk[end]
                        if Self.isSpecial(next) { break }
                        if next & 0xC0 == 0x80 { continuation += 1 }
                        end += 1
                    }
                    field.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                    column += (end - start) - continuation
                    index = end
                    continue
                }
                let isNewline = byte == 0x0A || byte == 0x0D
                if byte == 0 && state != .skippingLine {
                    fail("NUL byte in the file; it is binary or not UTF-8 text", line, column)
                }
                switch state {
                case .fieldStart:
                    if byte == UInt8(ascii: "\"") {
                        startFieldIfNeeded()
                        fieldLine = line; fieldColumn = column; quoteLine = line; quoteColumn = column
                        state = .quoted
                    } else if byte == UInt8(ascii: ",") {
                        startFieldIfNeeded()
                        fieldLine = line; fieldColumn = column
                        endField()
                    } else if isNewline {
                        if recordStarted {
                            fieldLine = line; fieldColumn = column
                            endField()
                        }
                        try endRecord(at: base + Int64(index))
                    } else {
                        startFieldIfNeeded()
                        fieldLine = line; fieldColumn = column
                        field.append(byte)
                        state = .unquoted
                    }
                case .unquoted:
                    if byte == UInt8(ascii: ",") {
                        endField()
                        if state != .skippingLine { state = .fieldStart }
                    } else if isNewline {
                        endField()
                        try endRecord(at: base + Int64(index))
                    } else if byte == UInt8(ascii: "\"") {
                        fail("quote inside an unquoted field; quote the whole field and double the quotes inside it (RFC 4180)", line, column)
                    } else {
                        field.append(byte)
                    }
                case .quoted:
                    if byte == UInt8(ascii: "\"") { state = .quoteInQuoted } else { field.append(byte) }
                case .quoteInQuoted:
                    if byte == UInt8(ascii: "\"") {
                        field.append(byte)
                        state = .quoted
                    } else if byte == UInt8(ascii: ",") {
                        endField()
                        if state != .skippingLine { state = .fieldStart }
                    } else if isNewline {
                        endField()
                        try endRecord(at: base + Int64(index))
                    } else {
                        fail("text after the closing quote of a field; a quoted field ends at its closing quote", line, column)
                    }
                case .skippingLine:
                    if isNewline { try endRecord(at: base + Int64(index)) }
                }
                if isNewline {
                    line += 1
                    column = 1
                    afterCR = byte == 0x0D
                    lineStart = base + Int64(index)
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
        }

        /// The end of the input (of one record, when reading in another order), at byte `end`.
        func finish(at end: Int64) throws {
            switch state {
            case .quoted:
                fail("unterminated quote: the field opened here never closes", quoteLine, quoteColumn)
                try endRecord(at: end)
            case .unquoted, .quoteInQuoted:
                endField()
                try endRecord(at: end)
            case .fieldStart:
                if recordStarted { fieldLine = line; fieldColumn = column; endField() }
                try endRecord(at: end)
            case .skippingLine:
                try endRecord(at: end)
            }
        }

        if let order = source.order {
            for segment in order.segments {
                line = segment.line; column = 1; lineStart = segment.offset
                state = .fieldStart; afterCR = false
                let bytes = try order.bytes(of: segment)
                try consume(bytes, from: 0, base: segment.offset)
                try finish(at: segment.offset + Int64(bytes.count))
                source.noteRead(byteCount: bytes.count)
            }
            source.noteOrderRead()
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
        defer { buffer.deallocate() }
        var base: Int64 = 0
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            var first = 0
            if base == 0 && count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF {
                first = 3
                lineStart = 3
            }
            try consume(chunk, from: first, base: base)
            base += Int64(count)
        }
        try finish(at: base)
    }
}
