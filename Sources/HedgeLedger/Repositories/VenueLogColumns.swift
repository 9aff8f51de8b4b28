/// A log row's venue columns, ID through Note, in one buffer: their canonical bytes (the
/// journal's encoding, docs/journal.md): each text as UTF-8 and a 0 byte, 0xFF when absent;
/// UserSeq and Date as 8 bytes little-endian.
///
/// Made on the reading thread, so the writer does no encoding: the row's insert binds the
/// texts where they lie, and its journal record (`G`) digests the bytes as they are. A text
/// cannot hold a 0 byte (the CSV reader refuses NUL) and 0xFF is never UTF-8, so the layout
/// reads back unambiguously.
public struct VenueLogColumns: Sendable, Hashable {
    public private(set) var bytes: [UInt8]

    /// The optional texts after Type, in storage order.
    static let optionalTexts = 19

    public init(_ r: VenueLogRecord) {
        var encoded = CanonicalBytes(capacity: 256)
        encoded.text(r.entryID); encoded.integer(r.userSeq); encoded.integer(r.timeMicroseconds); encoded.text(r.type)
        encoded.text(r.instrument); encoded.text(r.side); encoded.text(r.amount); encoded.text(r.position); encoded.text(r.price)
        encoded.text(r.markPrice); encoded.text(r.indexPrice); encoded.text(r.cashFlow); encoded.text(r.funding)
        encoded.text(r.feeRate); encoded.text(r.feeCharged); encoded.text(r.feeBalance); encoded.text(r.change)
        encoded.text(r.balance); encoded.text(r.equity); encoded.text(r.tradeID); encoded.text(r.orderID); encoded.text(r.info)
        encoded.text(r.note)
        bytes = encoded.bytes
    }

    /// Reads the columns in place, in storage order, with a cursor: ID, UserSeq and Date
    /// (integers), Type, then the optional texts (nil when absent). What the cursor gives is
    /// valid only inside `body`.
    func withColumns<R>(_ body: (inout Cursor) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { buffer in
            var cursor = Cursor(buffer: buffer)
            return try body(&cursor)
        }
    }

    /// Reads the columns one after another.
    struct Cursor {
        let buffer: UnsafeBufferPointer<UInt8>
        private var offset = 0

        init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

        mutating func text() -> UnsafeBufferPointer<UInt8>? {
            if buffer[offset] == 0xFF { offset += 1; return nil }
            let start = offset
            while buffer[offset] != 0 { offset += 1 }
            defer { offset += 1 }
            return UnsafeBufferPointer(rebasing: buffer[start..<offset])
        }

        mutating func integer() -> Int64 {
            let value = UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: Int64.self)
            offset += 8
            return Int64(littleEndian: value)
        }

        mutating func string() -> String? { text().map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The row these bytes are, for the venue's account and currency.
    public func record(venue: String, account: String, currency: String) -> VenueLogRecord {
        withColumns { c in
            VenueLogRecord(
                venue: venue, account: account, currency: currency, entryID: c.string() ?? "", userSeq: c.integer(),
                timeMicroseconds: c.integer(), type: c.string() ?? "", instrument: c.string(), side: c.string(),
                amount: c.string(), position: c.string(), price: c.string(), markPrice: c.string(), indexPrice: c.string(),
                cashFlow: c.string() ?? "", funding: c.string(), feeRate: c.string(), feeCharged: c.string() ?? "",
                feeBalance: c.string(), change: c.string() ?? "", balance: c.string() ?? "", equity: c.string(),
                tradeID: c.string(), orderID: c.string(), info: c.string(), note: c.string())
        }
    }
}
