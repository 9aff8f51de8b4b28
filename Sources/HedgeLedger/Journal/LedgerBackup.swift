#if canImport(Glibc)
import Glibc
#endif

/// `backup`: a consistent copy of a ledger while others read and write it, verified before it
/// is put in place. The copy is written to a temporary file readable by its owner only (0600)
/// beside the destination, checked by a full `verify`, and only then renamed to the path asked:
/// a failed or unverifiable backup leaves nothing behind.
public struct LedgerBackup {
    public enum Refusal: Error, CustomStringConvertible {
        case exists(String)
        case sameFile(String)
        case failedVerification(String, LedgerVerifier.Result)
        case cannotWrite(String, String)

        public var description: String {
            switch self {
            case .exists(let path): return "\(path) exists; a backup never replaces anything there: give a new file path"
            case .sameFile(let path): return "\(path) is the ledger itself; give another path"
            case let .failedVerification(path, result):
                let failed = result.checks.first { $0.passed == false }.map { "\($0.name): \($0.detail)" } ?? "the earlier head is not in the chain"
                return "the copy for \(path) failed verification (\(failed)); nothing was written. Run `hedgeledger verify` on the ledger"
            case let .cannotWrite(path, reason): return "\(path): cannot write the backup (\(reason)); nothing was written"
            }
        }
    }

    public let ledger: Ledger
    public let codeVersion: String

    public init(ledger: Ledger, codeVersion: String) {
        self.ledger = ledger
        self.codeVersion = codeVersion
    }

    /// Copies, verifies and places the backup at `path`; returns the copy's verification.
    public func backup(to path: String, now: Timestamp) throws -> LedgerVerifier.Result {
        if access(path, F_OK) == 0 { throw Refusal.exists(path) }
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let directory = parent.isEmpty ? "/" : parent
        if access(directory, W_OK) != 0 {
            throw Refusal.cannotWrite(path, "the directory \(directory) \(access(directory, F_OK) == 0 ? "is not writable" : "does not exist")")
        }
        if let source = realpath(ledger.path, nil) {
            defer { free(source) }
            if String(cString: source) == path { throw Refusal.sameFile(path) }
        }
        let temporary = path + ".tmp-\(getpid())"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }
        let copied = Result { () throws(SQLiteError) in
            let copy = try Connection(path: temporary, mode: .readWrite, create: true)
            try ledger.connection.backup(into: copy)
        }
        if case .failure(let error) = copied { throw Refusal.cannotWrite(path, error.message) }
        let result = try LedgerVerifier(ledger: try Ledger(path: temporary, access: .read, now: now), codeVersion: codeVersion).verify()
        guard result.passed else { throw Refusal.failedVerification(path, result) }
        guard chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
            throw Refusal.cannotWrite(path, String(cString: strerror(errno)))
        }
        return result
    }
}
