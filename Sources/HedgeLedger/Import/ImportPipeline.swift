import Dispatch
import Synchronization

/// What the reader stage of an import found.
public struct ReadOutcome: Sendable {
    public var errors: InputErrors
    public var rows: Int
    public var format: String
    public var sha256: String
    public var sizeBytes: Int64
}

/// An import in two stages on two threads: a reader thread reads, parses and validates rows
/// (the CPU-heavy half) and hands them over in batches; the calling thread, which holds the
/// write transaction, writes them. Errors from both stages are merged back into file order.
public enum ImportPipeline {
    static let batchSize = 2048

    public static func run<Item: Sendable>(
        source: ByteSource, rowNoun: String, example: String, recogniseExports: Bool = true,
        parserFor: @escaping @Sendable (_ header: CSVReader.Record, _ file: String) -> Result<RowParser<Item>, InputErrors>,
        progress: ((ImportProgress) -> Void)?,
        write: (Item, inout InputErrors) throws -> Void
    ) throws -> ReadOutcome {
        let reading = ReaderStage(source: source, rowNoun: rowNoun, example: example, recogniseExports: recogniseExports,
                                  parserFor: parserFor)
        let pipe = BatchPipe<ReaderStage<Item>.Batch>(capacity: 8)
        DispatchQueue.global().async { reading.run(into: pipe) }
        var writeErrors = InputErrors(file: source.name)
        var failure: (any Error)?
        var rowsDone = 0
        while let batch = pipe.receive() {
            guard failure == nil else { continue }  // drain, so the reader can finish
            do {
                for item in batch.items { try write(item, &writeErrors) }
            } catch {
                failure = error
                reading.stop()  // nothing more will be written: the rest of the file need not be read
            }
            rowsDone += batch.items.count
            progress?(ImportProgress(rows: rowsDone, bytes: batch.storedBytes, totalBytes: source.expectedSize))
        }
        if let failure { throw failure }
        var outcome = try reading.outcome()
        outcome.errors = outcome.errors.merged(with: writeErrors)
        return outcome
    }
}

/// The reader stage. Everything it owns is touched only by its thread until the end-of-input
/// batch has been received, which is what makes the unchecked Sendable sound.
private final class ReaderStage<Item: Sendable>: @unchecked Sendable {
    struct Batch: Sendable {
        var items: [Item]
        var storedBytes: Int64
    }

    private let table: CSVTable
    private let source: ByteSource
    private let rowNoun: String
    private let example: String
    private let recogniseExports: Bool
    private let parserFor: @Sendable (_ header: CSVReader.Record, _ file: String) -> Result<RowParser<Item>, InputErrors>
    private var failure: (any Error)?
    /// Set by the writer when it has failed; the reader stops at the next row.
    private let stopped = Atomic<Bool>(false)

    struct Stopped: Error {}

    func stop() { stopped.store(true, ordering: .relaxed) }

    init(source: ByteSource, rowNoun: String, example: String, recogniseExports: Bool,
         parserFor: @escaping @Sendable (_ header: CSVReader.Record, _ file: String) -> Result<RowParser<Item>, InputErrors>) {
        self.table = CSVTable(source: source)
        self.source = source
        self.rowNoun = rowNoun
        self.example = example
        self.recogniseExports = recogniseExports
        self.parserFor = parserFor
    }

    func run(into pipe: BatchPipe<Batch>) {
        var items: [Item] = []
        items.reserveCapacity(ImportPipeline.batchSize)
        do {
            try table.read(rowNoun: rowNoun, example: example, recogniseExports: recogniseExports, parserFor: parserFor) { item in
                if stopped.load(ordering: .relaxed) { throw Stopped() }
                items.append(item)
                if items.count == ImportPipeline.batchSize {
                    pipe.send(Batch(items: items, storedBytes: source.storedBytesRead))
                    items.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            failure = error
        }
        if !items.isEmpty { pipe.send(Batch(items: items, storedBytes: source.storedBytesRead)) }
        pipe.send(nil)
    }

    /// Call only after the pipe delivered its end.
    func outcome() throws -> ReadOutcome {
        if let failure { throw failure }
        let format = (table.formatName ?? "unrecognised") + (source.isCompressed ? " (gzip)" : "")
        return ReadOutcome(errors: table.errors, rows: table.rows, format: format, sha256: source.sha256Hex,
                           sizeBytes: source.storedBytesRead)
    }
}
