#if canImport(Glibc)
import Glibc
#endif

/// A report written whole or not at all: into a temporary file (or directory) beside the
/// destination, readable by its owner only (0600, like the ledger it comes from), flushed to
/// disk, then renamed into place. A failed run leaves nothing behind, and a reader never sees
/// half a report. An existing destination is replaced only when asked.
enum ReportFile {
    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        /// The destination exists and was not to be replaced: a usage error, not a failure to write.
        var exists = false
        var description: String { "\(path): cannot write the report: \(reason); nothing was written" }
    }

    /// Writes `text` to `path`.
    static func write(_ text: String, to path: String, replacing: Bool = false) throws {
        try refuseExisting(path, replacing: replacing)
        let temporary = path + ".tmp-\(getpid())"
        do {
            try writeFile(text, to: temporary, reportedAs: path)
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes each file into the directory `path`, made new (an existing one is replaced only
    /// when asked, after the new one is complete).
    static func writeDirectory(_ files: [(name: String, text: String)], to given: String, replacing: Bool = false) throws {
        // `eod-2026-11-20/` names the directory, as the README writes it.
        var path = given
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        try refuseExisting(path, replacing: replacing)
        var link = stat()
        if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
            throw WriteError(path: path, reason: "it is a symbolic link; give the directory itself", exists: true)
        }
        if access(path, F_OK) == 0 {
            // --force replaces an earlier report, never a file or someone else's directory.
            guard let entries = entries(of: path) else {
                throw WriteError(path: path, reason: "it is a file, and a csv report is a directory of files; give a directory path", exists: true)
            }
            let foreign = entries.filter { name in
                var info = stat()
                return !files.contains { $0.name == name } || lstat(path + "/" + name, &info) != 0 || info.st_mode & S_IFMT != S_IFREG
            }.sorted()
            if !foreign.isEmpty {
                throw WriteError(path: path, reason: "it holds \(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? " and \(foreign.count - 3) more" : ""), which this report does not write; --force replaces an earlier report only: remove them or choose another --out", exists: true)
            }
        }
        let temporary = path + ".tmp-\(getpid())"
        guard mkdir(temporary, 0o700) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        do {
            for file in files { try writeFile(file.text, to: temporary + "/" + file.name, reportedAs: path + "/" + file.name) }
            if access(path, F_OK) == 0 {
                // The old directory out of the way, then gone, once the new one is in place.
                let old = path + ".old-\(getpid())"
                try rename(path, to: old)
                try rename(temporary, to: path)
                for name in entries(of: old) ?? [] { unlink(old + "/" + name) }
                rmdir(old)
            } else {
                try rename(temporary, to: path)
            }
        } catch {
            for file in files { unlink(temporary + "/" + file.name) }
            rmdir(temporary)
            throw error
        }
    }

    /// The names in the directory `path` (without . and ..), or nil when it is not a directory.
    private static func entries(of path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func refuseExisting(_ path: String, replacing: Bool) throws {
        if !replacing && access(path, F_OK) == 0 { throw WriteError(path: path, reason: "it exists; pass --force to replace it", exists: true) }
    }

    private static func writeFile(_ text: String, to path: String, reportedAs shown: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw WriteError(path: shown, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: shown, reason: String(cString: strerror(errno)))
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else { throw WriteError(path: shown, reason: String(cString: strerror(errno))) }
    }

    private static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw WriteError(path: to, reason: String(cString: strerror(errno))) }
    }
}
