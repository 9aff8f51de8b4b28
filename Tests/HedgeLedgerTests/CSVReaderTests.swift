import Foundation
import Testing
@testable import HedgeLedger

@Suite("CSV reader")
struct CSVReaderTests {
    func read(_ bytes: [UInt8]) throws -> [Result<CSVReader.Record, InputError>] {
        let directory = TemporaryDirectory()
        let path = directory.write("in.csv", bytes: bytes)
        var results: [Result<CSVReader.Record, InputError>] = []
        try CSVReader(source: try ByteSource(path: path)).read { results.append($0) }
        return results
    }

    func fields(_ text: String) throws -> [[String]] {
        try read(Array(text.utf8)).map { try $0.get().fields }
    }

    @Test("RFC 4180 quoting: commas, doubled quotes and newlines inside quotes")
    func quoting() throws {
        #expect(try fields("a,\"b,c\",\"say \"\"hi\"\"\"\n\"multi\nline\",x,\n") == [["a", "b,c", "say \"hi\""], ["multi\nline", "x", ""]])
    }

    @Test("LF, CRLF and CR-only line ends; BOM at the start; blank lines skipped")
    func lineEnds() throws {
        #expect(try fields("a,b\r\nc,d\re,f\n\ng,h") == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
        #expect(try fields("\u{FEFF}a,b\n") == [["a", "b"]])
    }

    @Test("positions of fields count lines and characters from 1")
    func positions() throws {
        let records = try read(Array("id,name\n1,\"a\nb\",é,z\n".utf8)).map { try $0.get() }
        #expect(records[1].line == 2)
        #expect(records[1].positions.map { [$0.line, $0.column] } == [[2, 1], [2, 3], [3, 4], [3, 6]])
    }

    @Test("malformed records are reported where they are, and reading goes on",
          arguments: [("a,b\"c,d\nx,y\n", 1, 4, "quote inside an unquoted field"),
                      ("a,\"b\"c,d\nx,y\n", 1, 6, "text after the closing quote"),
                      ("a,\0,b\nx,y\n", 1, 3, "NUL byte"),
                      ("a,b\n\u{FEFF}c,d\nx,y\n", 2, 1, "byte-order mark in the middle")])
    func malformed(text: String, line: Int, column: Int, message: String) throws {
        let results = try read(Array(text.utf8))
        guard case .failure(let error) = results.first(where: { if case .failure = $0 { return true }; return false }) else {
            Issue.record("no error"); return
        }
        #expect(error.line == line && error.column == column)
        #expect(error.message.contains(message))
        #expect((try? results.last?.get().fields) == ["x", "y"])
    }

    @Test("invalid UTF-8 and an unterminated quote")
    func fatal() throws {
        let invalid = try read([0x61, 0x2C, 0xFF, 0xFE, 0x0A])
        guard case .failure(let utf8) = invalid[0] else { Issue.record("accepted"); return }
        #expect(utf8.message.contains("UTF-8") && utf8.column == 3)
        let open = try read(Array("a,b\nc,\"never closed\nmore\n".utf8))
        guard case .failure(let quote) = open.last! else { Issue.record("accepted"); return }
        #expect(quote.message.contains("unterminated quote") && quote.line == 2 && quote.column == 3)
    }

    @Test("hashes and counts every byte")
    func provenance() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("in.csv", "abc")
        let source = try ByteSource(path: path)
        try CSVReader(source: source).read { _ in }
        #expect(source.storedBytesRead == 3)
        #expect(source.sha256Hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// A record or a malformed record's error, as a user would see it: comparable across readings.
    static func shown(_ result: Result<CSVReader.Record, InputError>) -> String {
        switch result {
        case .success(let record):
            "\(record.line) \(record.fields) \(record.positions.map { "\($0.line):\($0.column)" })"
        case .failure(let error): "\(error.line):\(error.column) \(error.message)"
        }
    }

    @Test("records read in another order keep their lines, columns and errors, and the file's hash",
          arguments: ["\u{FEFF}k,v\r\n3,c\r\n\r\n1,\"a\nb\"\r\n2,b\"x\r\n0,z",
                      "k,v\n5,e\n4,d\n3,\"multi\nline\"\n2,b\n1,a\n",
                      "k,v\r2,b\r1,a\r"])
    func reordered(text: String) throws {
        let directory = TemporaryDirectory()
        let path = directory.write("in.csv", text)
        var stored: [String] = []
        let plain = try ByteSource(path: path)
        try CSVReader(source: plain).read { stored.append(Self.shown($0)) }
        let keyed: (CSVReader.Record) -> (field: Int, key: (CSVReader.Record) -> Int64?)? = { _ in (0, { Int64($0.fields[0]) }) }
        let order = try #require(try RecordOrder.sorted(path: path, compressed: false, keyFor: keyed))
        var sorted: [Result<CSVReader.Record, InputError>] = []
        let source = ByteSource(order)
        try CSVReader(source: source).read { sorted.append($0) }
        // The same records, each as it was in the file: the header first, then the ones without a
        // key (the malformed one), then by key.
        #expect(Set(sorted.map(Self.shown)) == Set(stored) && sorted.count == stored.count)
        #expect(Self.shown(sorted[0]) == stored[0])
        let data = Array(sorted.dropFirst())
        let firstRecord = data.firstIndex { (try? $0.get()) != nil } ?? data.count
        #expect(data[firstRecord...].allSatisfy { (try? $0.get()) != nil })
        let keys = data[firstRecord...].compactMap { try? Int64($0.get().fields[0]) }
        #expect(keys == keys.sorted() && keys.count == data.count - firstRecord)
        #expect(source.sha256Hex == plain.sha256Hex && order.size == Int64(text.utf8.count))
    }

    @Test("records read in another order: one longer than the read window, many windows backwards, and a file cut short meanwhile")
    func reorderedWindows() throws {
        let directory = TemporaryDirectory()
        let long = String(repeating: "x", count: RecordOrder.windowSize + 1000)
        let rows = (0..<3000).map { "\($0),row \($0) \(String(repeating: "y", count: 700))" }
        let text = "k,v\n" + rows.reversed().joined(separator: "\n") + "\n3000,\"\(long)\"\n"
        let path = directory.write("in.csv", text)
        let keyed: (CSVReader.Record) -> (field: Int, key: (CSVReader.Record) -> Int64?)? = { _ in (0, { Int64($0.fields[0]) }) }
        let order = try #require(try RecordOrder.sorted(path: path, compressed: false, keyFor: keyed))
        var values: [String] = []
        try CSVReader(source: ByteSource(order)).read { values.append(try $0.get().fields[1]) }
        #expect(values == ["v"] + rows.map { String($0.split(separator: ",")[1]) } + [long])
        // Cut short after it was first read: an error naming the file, not a crash.
        let cut = try #require(try RecordOrder.sorted(path: path, compressed: false, keyFor: keyed))
        #expect(truncate(path, 4000) == 0)
        #expect(throws: ByteSource.OpenError.self) { try CSVReader(source: ByteSource(cut)).read { _ in } }
    }
}
