#if canImport(Glibc)
import Glibc
#endif

/// A report written whole or not at all: into a temporary file (or directory) beside the
/// destination, flushed to disk, then renamed into place. A failed run leaves nothing behind,
/// and a reader never sees half a report.
enum ReportFile {
    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path): cannot write the report: \(reason); nothing was written" }
    }

    /// Writes `text` to `path`, replacing what was there.
    static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        do {
            try writeFile(text, to: temporary)
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes each file into the directory `path` (made new; an existing one is refused).
    static func writeDirectory(_ files: [(name: String, text: String)], to path: String) throws {
        if access(path, F_OK) == 0 { throw WriteError(path: path, reason: "it exists; give a new directory for the CSV files") }
        let temporary = path + ".tmp-\(getpid())"
        guard mkdir(temporary, 0o755) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        do {
            for file in files { try writeFile(file.text, to: temporary + "/" + file.name) }
            try rename(temporary, to: path)
        } catch {
            for file in files { unlink(temporary + "/" + file.name) }
            rmdir(temporary)
            throw error
        }
    }

    private static func writeFile(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    }

    private static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw WriteError(path: to, reason: String(cString: strerror(errno))) }
    }
}
