#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an importer's bytes come from: a file or standard input, read in chunks so memory
/// does not grow with the file.
public final class ByteSource {
    public let name: String
    /// The size in bytes when known up front (regular files), for progress.
    public let expectedSize: Int64?
    private let descriptor: Int32
    private let ownsDescriptor: Bool

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
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Fills `buffer` from the start; returns how many bytes were read, 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = posixRead(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw OpenError(path: name, reason: String(cString: strerror(errno)))
        }
    }
}

#if canImport(Glibc)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
#elseif canImport(Darwin)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
#endif
