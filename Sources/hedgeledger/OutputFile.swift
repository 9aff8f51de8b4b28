#if canImport(Glibc)
import Glibc
#endif

/// Buffered writing of generated data to a file or stdout, in large blocks.
final class OutputFile {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    let path: String

    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        /// The file could not be created (exit 73), rather than written (a full disk: 74).
        var creating = false
        var description: String { "\(path): cannot \(creating ? "create" : "write"): \(reason)" }
    }

    /// `nil` or `-` is standard output.
    init(path: String?) throws {
        if let path, path != "-" {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno)), creating: true) }
            descriptor = fd
            self.path = path
        } else {
            descriptor = 1
            self.path = "-"
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        try? flush()
        if descriptor != 1 { close(descriptor) }
    }

    func writeLine(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
