import Foundation
import Testing

/// What one run of the built `hedgeledger` binary did.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the real binary, as a user would, with `arguments`, optional standard input, and
/// extra environment; HEDGELEDGER_DB is cleared so tests never touch a user's ledger.
func hedgeledger(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                 directory: String? = nil) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: hedgeledgerBinary)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["HEDGELEDGER_DB"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    // Output goes to files, not pipes: a large output can never fill a pipe and stall the child.
    let scratch = TemporaryDirectory()
    _ = FileManager.default.createFile(atPath: scratch.file("out"), contents: nil)
    _ = FileManager.default.createFile(atPath: scratch.file("err"), contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("out")))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("err")))
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return CLIResult(status: process.terminationStatus,
                     stdout: try String(contentsOfFile: scratch.file("out"), encoding: .utf8),
                     stderr: try String(contentsOfFile: scratch.file("err"), encoding: .utf8))
}

/// The `hedgeledger` executable SwiftPM built beside the test bundle.
let hedgeledgerBinary: String = {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hedgeledger").path,
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/hedgeledger").path,
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
}()

/// CSV output (our renderer's: no quoted commas in these tests) as rows keyed by column name.
func csvRecords(_ text: String) -> [[String: String]] {
    let lines = text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    guard let header = lines.first else { return [] }
    return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// A report's JSON as a dictionary; fails the test when it is not one JSON object.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw JSONShapeError(text: text)
    }
    return object
}

struct JSONShapeError: Error, CustomStringConvertible {
    let text: String
    var description: String { "not a JSON object: \(text.prefix(200))" }
}

/// A ledger, `l.sqlite` in `directory`, holding `trades` (and `snapshots`) imported through the
/// binary as a user would; an import that is refused fails the test with its messages.
@discardableResult
func cliLedger(in directory: TemporaryDirectory, trades: String, snapshots: String? = nil) throws -> String {
    let db = directory.file("l.sqlite")
    var files = [("trades", "t.csv", trades)]
    if let snapshots { files.append(("snapshots", "m.csv", snapshots)) }
    for (kind, name, text) in files {
        let result = try hedgeledger(["import", kind, "--db", db, directory.write(name, text)])
        #expect(result.status == 0, "import \(kind): \(result.stderr)")
    }
    return db
}
