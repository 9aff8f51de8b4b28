/// Every instrument's symbol by id, as UTF-8 bytes that stay put while it lives: `verify` and
/// the digests read fills and marks with their instrument's symbol, and a lookup here costs a
/// tenth of a join per row.
final class InstrumentSymbols {
    private var symbols: [Int64: UnsafeMutableBufferPointer<UInt8>] = [:]

    init(connection: Connection) throws {
        try connection.cached("SELECT id, symbol FROM instruments").forEachRow { row in
            guard let text = row.textBytes(1) else { return }
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
            _ = copy.initialize(from: text)
            symbols[row.int64(0)] = copy
        }
    }

    deinit { for buffer in symbols.values { buffer.deallocate() } }

    /// The symbol's bytes, valid while this table lives; nil for an id no instrument has.
    subscript(id: Int64) -> UnsafeBufferPointer<UInt8>? { symbols[id].map(UnsafeBufferPointer.init) }
}
