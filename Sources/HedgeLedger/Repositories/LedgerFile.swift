#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger's file as the operating system sees it, before SQLite opens it: whether it
/// exists, whether it is empty, and whether it and its directory can be written. Checked
/// first so a refusal says what is wrong in a sentence, and so SQLite never leaves its
/// journal files beside a file it could not use.
struct LedgerFile {
    enum State { case missing, empty, existing, directory }

    let path: String

    var state: State {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .directory }
        return info.st_size == 0 ? .empty : .existing
    }

    /// Creates the file readable and writable by its owner only: it holds a desk's whole book,
    /// and SQLite's WAL and shared-memory files copy its mode.
    func create() throws {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if errno == EACCES || errno == EPERM || errno == EROFS { throw LedgerError.permissionDenied(path: path, detail: reason) }
            throw LedgerError.cannotCreate(path: path, detail: reason)
        }
        close(fd)
    }

    /// An existing empty file becomes a ledger with the same mode a new one gets.
    func makePrivate() throws {
        guard chmod(path, 0o600) == 0 else {
            throw LedgerError.permissionDenied(path: path, detail: String(cString: strerror(errno)))
        }
    }

    /// Whether a reader must open the file as immutable: SQLite reads a WAL-mode database
    /// through a shared-memory file it creates beside it, which it cannot in a directory we may
    /// not write to. That is safe only when no write-ahead log holds data (none, or empty): the
    /// file itself then has every committed transaction.
    var readsImmutable: Bool {
        guard access(directory.isEmpty ? "/" : directory, W_OK) != 0 else { return false }
        var info = stat()
        return stat(path + "-wal", &info) != 0 || info.st_size == 0
    }

    private var directory: String { path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "." }

    /// A writer needs the file and its directory writable: SQLite creates its -wal and -shm
    /// files beside the database.
    func checkWritable() throws {
        if access(path, W_OK) != 0 {
            throw LedgerError.permissionDenied(path: path, detail: "the file is read-only: \(String(cString: strerror(errno)))")
        }
        if access(directory.isEmpty ? "/" : directory, W_OK) != 0 {
            throw LedgerError.permissionDenied(path: path, detail: "its directory is read-only, and SQLite writes its journal beside the file: \(String(cString: strerror(errno)))")
        }
    }
}
