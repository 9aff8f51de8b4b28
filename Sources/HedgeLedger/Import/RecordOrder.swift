#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file's CSV records in another order than they are stored in, read from the file
/// mapped into memory. A Deribit log as Deribit writes it (newest first), or joined from
/// overlapping downloads, is then applied in UserSeq order as it is read, like a file in order,
/// with memory for each row's place (about 40 bytes) instead of the row itself (about 1.2 KB).
///
/// Each record keeps the lines and columns it has in the file, so errors point into the file
/// as the user has it; the import's SHA-256 and size are of the file as stored.
public final class RecordOrder: @unchecked Sendable {  // immutable after init; the mapping is read-only
    /// One record: from the start of its first line to just after its last byte.
    public struct Segment: Sendable {
        public let offset: Int64
        public let length: Int
        public let line: Int
    }

    public let file: String
    public let size: Int64
    public let sha256Hex: String
    /// The header, then the data records in order.
    public let segments: [Segment]
    private let mapping: UnsafeRawBufferPointer

    func bytes(of segment: Segment) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping[Int(segment.offset) ..< Int(segment.offset) + segment.length])
    }

    private init(file: String, sha256Hex: String, segments: [Segment], mapping: UnsafeRawBufferPointer) {
        self.file = file; self.size = Int64(mapping.count); self.sha256Hex = sha256Hex
        self.segments = segments; self.mapping = mapping
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count) }

    /// Reads the file at `path` once to find its records and their keys, and maps it. `keyFor`
    /// gives, for the header, the key of a data record (nil for a record without one). Records
    /// without a key, and malformed ones, come first, then the rest by key; ties keep their file
    /// order. Nil when the order cannot be known or the file cannot be mapped: a header without
    /// a key, standard input or a pipe, gzip input, or a file that changed while it was read.
    static func sorted(path: String, keyFor: (CSVReader.Record) -> ((CSVReader.Record) -> Int64?)?) throws -> RecordOrder? {
        let source = try ByteSource(path: path)
        guard source.canReopen else { return nil }
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
                if case .success(let record) = result { key = keyFor(record) }
                return
            }
            records.append(segment)
            if case .success(let record) = result, let key, let value = key(record) {
                keys.append(value)
            } else {
                keys.append(.min)
            }
        }
        guard let header, key != nil, !source.isCompressed else { return nil }

        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int64(info.st_size) == source.storedBytesRead, info.st_size > 0,
              let base = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED
        else { return nil }
        let mapping = UnsafeRawBufferPointer(start: base, count: Int(info.st_size))

        var ordered = [header]
        ordered.reserveCapacity(records.count + 1)
        if zip(keys, keys.dropFirst()).allSatisfy({ $0 > $1 }) {
            ordered.append(contentsOf: records.reversed())  // newest first, Deribit's own order
        } else {
            let places = (0..<records.count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            ordered.append(contentsOf: places.lazy.map { records[$0] })
        }
        return RecordOrder(file: path, sha256Hex: source.sha256Hex, segments: ordered, mapping: mapping)
    }
}
