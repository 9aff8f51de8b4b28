import CZlib
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an importer's bytes come from: a file or standard input, read in chunks so memory
/// does not grow with the file. Gzip input (recognised by its magic bytes, whatever the
/// name) is inflated as it streams.
///
/// The provenance figures, SHA-256 and size, are of the bytes as stored: the compressed
/// file for `.csv.gz`, so the recorded hash matches `sha256sum` of the file the user has.
public final class ByteSource {
    public let name: String
    /// The stored size in bytes when known up front (regular files), for progress.
    public let expectedSize: Int64?
    public private(set) var storedBytesRead: Int64 = 0
    public private(set) var isCompressed = false
    /// Set when the file's records are read in another order than stored (a log sorted by its
    /// sequence): `CSVReader` then reads them from the file, one by one.
    public let order: RecordOrder?
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var hasher = SHA256()
    private var inflater: Inflater?
    private var sniffed = false
    /// Stored bytes on their way to the inflater; allocated once, for gzip input only.
    private lazy var compressedChunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)

    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot read: \(reason)" }
    }

    /// `-` is standard input.
    public init(path: String) throws {
        if path == "-" {
            self.name = "-"
            self.descriptor = 0
            self.ownsDescriptor = false
            self.expectedSize = nil
            self.order = nil
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw OpenError(path: path, reason: "it is a directory")
        }
        self.name = path
        self.descriptor = fd
        self.ownsDescriptor = true
        self.expectedSize = (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
        self.order = nil
    }

    /// The records of a file in `order`; its provenance (hash, size) is the file's as stored.
    public init(_ order: RecordOrder) {
        self.name = order.file
        self.descriptor = -1
        self.ownsDescriptor = false
        self.expectedSize = order.size
        self.order = order
        self.isCompressed = order.isCompressed
    }

    /// When set, every content byte read (inflated, for gzip) is also written here: `RecordOrder`
    /// keeps a copy of a gzip file's content to read its records from.
    var spool: Int32?
    /// Set when writing to `spool` failed; the copy then stops where it failed (when
    /// `spoolIsOptional`), or the read fails.
    private(set) var spoolFailure: String?
    var spoolIsOptional = false

    /// Counts bytes `CSVReader` took from `order`, for progress.
    func noteRead(byteCount: Int) { storedBytesRead += Int64(byteCount) }

    /// `CSVReader` read every record of `order`: the whole file, as stored, is read (the records
    /// leave out a byte-order mark, blank lines and the LF of CRLF).
    func noteOrderRead() { storedBytesRead = order?.size ?? storedBytesRead }

    /// A regular file, which can be read again from the start (`reopened`); standard input and pipes cannot.
    public var canReopen: Bool { ownsDescriptor && expectedSize != nil }

    /// The same file, opened again to be read from its start.
    public func reopened() throws -> ByteSource { try ByteSource(path: name) }

    deinit {
        if ownsDescriptor { close(descriptor) }
        if isCompressed { compressedChunk.deallocate() }
    }

    /// SHA-256 of every stored byte read so far, in hex.
    public var sha256Hex: String { order?.sha256Hex ?? hasher.finalize().hexString }

    /// Reads what is left to the end, for its hash and its `spool`.
    func readToEnd() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
    }

    /// Fills `buffer` with content (inflated if the input is gzip); returns how many bytes,
    /// 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try readContent(into: buffer)
        if let spool, count > 0 {
            var written = 0
            while written < count {
                let done = write(spool, buffer.baseAddress! + written, count - written)
                if done < 0 && errno == EINTR { continue }
                guard done > 0 else {
                    let reason = "cannot write its temporary copy: \(String(cString: strerror(errno)))"
                    guard spoolIsOptional else { throw OpenError(path: name, reason: reason) }
                    spoolFailure = reason
                    self.spool = nil
                    break
                }
                written += done
            }
        }
        return count
    }

    private func readContent(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !sniffed {
            sniffed = true
            let count = try readStored(into: buffer)
            if count >= 2 && buffer[0] == 0x1F && buffer[1] == 0x8B {
                isCompressed = true
                inflater = try Inflater(name: name)
                inflater!.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                return try readInflated(into: buffer)
            }
            return count
        }
        return inflater == nil ? try readStored(into: buffer) : try readInflated(into: buffer)
    }

    private func readInflated(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let inflater else { return 0 }
        while true {
            let produced = try inflater.inflate(into: buffer)
            if produced > 0 || inflater.finished { return produced }
            // The inflater needs more input: read the next stored chunk through the scratch buffer.
            let count = try readStored(into: compressedChunk)
            if count == 0 { throw OpenError(path: name, reason: "the gzip stream ends early (the file is truncated)") }
            inflater.feed(UnsafeRawBufferPointer(rebasing: compressedChunk[0..<count]))
        }
    }

    private func readStored(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = posixRead(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                storedBytesRead += Int64(count)
                return count
            }
            if errno == EINTR { continue }
            throw OpenError(path: name, reason: String(cString: strerror(errno)))
        }
    }
}

/// A zlib inflate stream for gzip input, fed stored bytes and drained into caller buffers.
private final class Inflater {
    private var stream = z_stream()
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private(set) var finished = false
    private let name: String

    init(name: String) throws {
        self.name = name
        guard hl_inflate_init_gzip(&stream) == Z_OK else {
            throw ByteSource.OpenError(path: name, reason: "zlib could not start inflating")
        }
    }

    deinit { inflateEnd(&stream) }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        pending.removeFirst(pendingOffset)
        pendingOffset = 0
        pending.append(contentsOf: bytes)
    }

    /// Inflates as much as fits; 0 means more input is needed (or the stream finished).
    func inflate(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished { return 0 }
        let total = pending.count
        let available = total - pendingOffset
        if available == 0 { return 0 }
        return try pending.withUnsafeMutableBytes { input in
            stream.next_in = input.baseAddress!.advanced(by: pendingOffset).assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(available)
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            pendingOffset += available - Int(stream.avail_in)
            let produced = buffer.count - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                // Concatenated gzip members (as `cat a.gz b.gz` makes) continue the stream.
                if pendingOffset < total {  // `pending` itself is borrowed by this closure
                    inflateReset(&stream)
                } else {
                    finished = true
                }
                return produced
            case Z_OK, Z_BUF_ERROR:
                return produced
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                throw ByteSource.OpenError(path: name, reason: "the gzip data is corrupt (\(detail))")
            }
        }
    }
}

#if canImport(Glibc)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
#elseif canImport(Darwin)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
#endif
