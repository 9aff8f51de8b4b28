#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file's CSV records in another order than they are stored in, read from the file
/// in place. A Deribit log as Deribit writes it (newest first), or joined from overlapping
/// downloads, is then applied in UserSeq order as it is read, like a file in order, with memory
/// for each row's place (about 40 bytes) instead of the row itself (about 1.2 KB).
///
/// Each record keeps the lines and columns it has in the file, so errors point into the file
/// as the user has it; the import's SHA-256 and size are of the file as stored. The records are
/// read with `pread` through a window of the file (a newest-first file is read backwards, a
/// window at a time), not mapped: a file cut short while it is read is an error, not a SIGBUS.
/// A gzip file's records are read from an inflated copy made while it is first read.
public final class RecordOrder: @unchecked Sendable {  // read by one thread at a time: the import's reader
    /// One record: from the start of its first line to just after its last byte.
    public struct Segment: Sendable {
        public let offset: Int64
        public let length: Int
        public let line: Int
    }

    public let file: String
    /// The file as stored (compressed, for gzip): its size and SHA-256, the import's provenance.
    public let size: Int64
    public let sha256Hex: String
    public let isCompressed: Bool
    /// The size of the content the records are read from: the file, or a gzip file's inflated copy.
    private let contentSize: Int64
    /// The header, then the data records in order.
    public let segments: [Segment]
    private let descriptor: Int32
    /// The bytes of the file from `windowStart`, `windowCount` of them.
    private var window: UnsafeMutableRawBufferPointer
    private var windowStart: Int64 = 0
    private var windowCount = 0
    static let windowSize = 1 << 20

    private init(file: String, size: Int64, sha256Hex: String, isCompressed: Bool, contentSize: Int64, segments: [Segment],
                 descriptor: Int32) {
        self.file = file; self.size = size; self.sha256Hex = sha256Hex; self.isCompressed = isCompressed
        self.contentSize = contentSize; self.segments = segments; self.descriptor = descriptor
        window = .allocate(byteCount: Self.windowSize, alignment: 1)
    }

    deinit {
        close(descriptor)
        window.deallocate()
    }

    /// The bytes of `segment`, valid until the next call.
    func bytes(of segment: Segment) throws -> UnsafeRawBufferPointer {
        let end = segment.offset + Int64(segment.length)
        if segment.offset < windowStart || end > windowStart + Int64(windowCount) {
            // Load the window the next records most likely lie in: ending with this one when the
            // file is read backwards (the one before began after it), else starting with it.
            let count = max(segment.length, Self.windowSize)
            if count > window.count {
                window.deallocate()
                window = .allocate(byteCount: count, alignment: 1)
            }
            let backwards = segment.offset < windowStart
            let start = backwards ? max(0, end - Int64(count)) : segment.offset
            let wanted = Int(min(Int64(count), contentSize - start))
            var done = 0
            while done < wanted {
                let read = pread(descriptor, window.baseAddress! + done, wanted - done, off_t(start) + off_t(done))
                if read < 0 && errno == EINTR { continue }
                guard read > 0 else {
                    throw ByteSource.OpenError(path: file, reason: read < 0 ? String(cString: strerror(errno))
                        : "it changed while it was imported (it is shorter than when it was first read)")
                }
                done += read
            }
            windowStart = start
            windowCount = done
        }
        let from = Int(segment.offset - windowStart)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[from ..< from + segment.length])
    }

    /// Reads the file at `path` once to find its records and their keys. `keyFor` gives, for the
    /// header, the field the key is in and the key of a data record (nil for a record without
    /// one); the other fields are not kept while reading. Records
    /// without a key, and malformed ones, come first, then the rest by key; ties keep their file
    /// order. A gzip file's content is inflated into a temporary file (removed when done) as it is
    /// read, and its records read from there. Nil when the order cannot be known or the file cannot
    /// be read again: a header without a key, standard input or a pipe, or a file that changed
    /// while it was read.
    static func sorted(path: String, compressed: Bool,
                       keyFor: (CSVReader.Record) -> (field: Int, key: (CSVReader.Record) -> Int64?)?) throws -> RecordOrder? {
        let source = try ByteSource(path: path)
        guard source.canReopen else { return nil }
        var copy: Int32?
        if compressed {
            copy = try temporaryCopy(of: path)
            source.spool = copy
        }
        var kept = false
        defer { if !kept, let copy { close(copy) } }
        guard let ordered = try scan(source, keyFor: keyFor), source.isCompressed == compressed else { return nil }

        let descriptor: Int32
        var contentSize = source.storedBytesRead
        if let copy {
            descriptor = copy
            contentSize = Int64(lseek(copy, 0, SEEK_END))
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int64(info.st_size) == contentSize, copy != nil || contentSize == source.storedBytesRead else {
            if copy == nil { close(descriptor) }
            return nil
        }
        kept = true
        return RecordOrder(file: path, size: source.storedBytesRead, sha256Hex: source.sha256Hex, isCompressed: compressed,
                           contentSize: contentSize, segments: ordered, descriptor: descriptor)
    }

    /// Standard input's records in order of their key, read from `spool`: the copy of its whole
    /// content (inflated, for gzip) that `input` wrote as it was read (`ByteSource.spool`), which
    /// this takes over. Its provenance is `input`'s: every byte of standard input as it came.
    static func sorted(standardInput input: ByteSource, spool: Int32,
                       keyFor: (CSVReader.Record) -> (field: Int, key: (CSVReader.Record) -> Int64?)?) throws -> RecordOrder? {
        var kept = false
        defer { if !kept { close(spool) } }
        let contentSize = Int64(lseek(spool, 0, SEEK_END))
        // Scanned through a descriptor of its own, so the spool's offset is left alone.
        guard let ordered = try scan(try ByteSource(path: "/proc/self/fd/\(spool)"), keyFor: keyFor) else { return nil }
        kept = true
        return RecordOrder(file: input.name, size: input.storedBytesRead, sha256Hex: input.sha256Hex, isCompressed: input.isCompressed,
                           contentSize: contentSize, segments: ordered, descriptor: spool)
    }

    /// Reads `source` through, keeping each record's place and key: the header, then the data
    /// records in key order (nil when the header has no key).
    private static func scan(_ source: ByteSource,
                             keyFor: (CSVReader.Record) -> (field: Int, key: (CSVReader.Record) -> Int64?)?) throws
        -> [Segment]? {
        let reader = CSVReader(source: source)
        var header: Segment?
        var key: ((CSVReader.Record) -> Int64?)?
        var records: [Segment] = []
        var keys: [Int64] = []
        if let size = source.expectedSize { records.reserveCapacity(Int(size / 150)); keys.reserveCapacity(Int(size / 150)) }
        try reader.read { result in
            let place = reader.lastRecord
            let segment = Segment(offset: place.start, length: Int(place.end - place.start), line: place.line)
            guard header != nil else {
                header = segment
                if case .success(let record) = result, let found = keyFor(record) {
                    key = found.key
                    reader.onlyField = found.field
                }
                return
            }
            records.append(segment)
            if case .success(let record) = result, let key, let value = key(record) {
                keys.append(value)
            } else {
                keys.append(.min)
            }
        }
        guard let header, key != nil else { return nil }
        var ordered = [header]
        ordered.reserveCapacity(records.count + 1)
        if zip(keys, keys.dropFirst()).allSatisfy({ $0 > $1 }) {
            ordered.append(contentsOf: records.reversed())  // newest first, Deribit's own order
        } else {
            let places = (0..<records.count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            ordered.append(contentsOf: places.lazy.map { records[$0] })
        }
        return ordered
    }

    /// A new temporary file (in $TMPDIR, else /tmp), already unlinked: it goes when it is closed.
    static func temporaryCopy(of path: String) throws -> Int32 {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/hedgeledger-inflated.XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw ByteSource.OpenError(path: path, reason: "cannot make a temporary copy to read it in order in \(directory): \(String(cString: strerror(errno)))")
        }
        unlink(String(cString: template))
        return descriptor
    }
}
