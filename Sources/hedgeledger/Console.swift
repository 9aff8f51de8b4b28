import ArgumentParser
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

/// Where the CLI meets the outside world: the clock, stdout for data, stderr for messages,
/// and the mapping from library errors to messages and exit codes.
enum Console {
    static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    /// Data, on stdout. Output that cannot be written (a full disk, a closed stdout, a reader gone
    /// while SIGPIPE is ignored) ends the command with exit 74 and says so: a script must never
    /// take a cut-off or empty report for a successful one.
    static func output(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "nothing was written"
                message("hedgeledger: cannot write to standard output: \(reason); the output is incomplete")
                exit(Exit.storageFailed)
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Messages, on stderr (unbuffered, so they interleave with progress lines correctly).
    /// Control characters other than line breaks are escaped: a message may quote a file.
    static func message(_ text: String) {
        let safe = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).escapingControlCharacters }.joined(separator: "\n")
        writeToStandardError(safe.hasSuffix("\n") ? safe : safe + "\n")
    }

    static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    enum Exit {
        /// `recompute --check` found the stored history differs from a recompute.
        static let historyDiffers: Int32 = 2
        /// `recompute --check` on a history never computed, or behind the ledger: nothing to compare yet.
        static let historyBehind: Int32 = 3
        static let usage: Int32 = 64
        static let inputRefused: Int32 = 65
        static let cannotRead: Int32 = 66
        static let databaseUnusable: Int32 = 69
        static let cannotCreate: Int32 = 73
        static let storageFailed: Int32 = 74
        static let lockBusy: Int32 = 75
        static let permissionDenied: Int32 = 77
    }

    /// Who records a void or a setting: `--by`, else the user running the command.
    static func actor(_ given: String?) -> String {
        if let given = given?.trimmingCharacters(in: " \t"), !given.isEmpty { return given }
        if let user = getenv("USER").map({ String(cString: $0) }), !user.isEmpty { return user }
        // No $USER (cron, containers): the account the process runs as.
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name.map({ String(cString: $0) }), !name.isEmpty { return name }
        return "unknown"
    }

    /// Reports `error` on stderr and returns the exit code that says what kind it was.
    static func report(_ error: any Error) -> ExitCode {
        message("hedgeledger: " + String(describing: error).replacingPrefix("hedgeledger: ", with: ""))
        return exitCode(for: error)
    }

    /// An argument that parses but cannot be used, known only when the command runs (a time
    /// after now): exit 64 with the reason, without the usage text a parse error prints.
    struct UsageRefusal: Error, CustomStringConvertible {
        var description: String
    }

    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case is InputErrors: return ExitCode(Exit.inputRefused)
        case is UsageRefusal: return ExitCode(Exit.usage)
        case is ByteSource.OpenError: return ExitCode(Exit.cannotRead)
        case is UnknownFilterValue, is VoidService.Refusal, is BookSettingsService.Refusal, is HedgePolicyService.Refusal, is HedgeJournalService.Refusal,
             is UnknownInstrument, is PositionAssertionService.Refusal: return ExitCode(Exit.usage)
        case let error as LedgerError:
            switch error {
            case .writeLockBusy, .lockLostAtCommit: return ExitCode(Exit.lockBusy)
            case .cannotCreate: return ExitCode(Exit.cannotCreate)
            case .permissionDenied: return ExitCode(Exit.permissionDenied)
            case .storageFailed: return ExitCode(Exit.storageFailed)
            case .noLedger, .notALedger, .refused, .needsMigration: return ExitCode(Exit.databaseUnusable)
            }
        case let error as LedgerBackup.Refusal:
            switch error {
            case .exists, .sameFile: return ExitCode(Exit.usage)
            case .failedVerification: return ExitCode(Exit.historyDiffers)
            case .cannotWrite: return ExitCode(Exit.cannotCreate)
            }
        case let error as ReportFile.WriteError: return ExitCode(error.exists ? Exit.usage : Exit.cannotCreate)
        case let error as OutputFile.WriteError: return ExitCode(error.creating ? Exit.cannotCreate : Exit.storageFailed)
        case is CorruptDatabase, is UncomputablePosition: return ExitCode(Exit.databaseUnusable)
        default: return .failure
        }
    }

    /// Runs a command body, turning library errors into a message and an exit code.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as InputErrors {
            message(error.description)
            throw exitCode(for: error)
        } catch {
            throw report(error)
        }
    }
}

extension String {
    /// The word as a POSIX shell reads it back: in single quotes unless it is plain.
    var shellWord: String {
        let plain = !isEmpty && unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./:+=@,".unicodeScalars.contains($0)) }
        return plain ? self : "'" + replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
