/// The fixed, exact byte form recompute checksums are taken over: a record is a one-byte tag,
/// then each field in order, a text as its UTF-8 bytes and a 0 byte; an integer, a time (µs)
/// or a double's IEEE-754 bits as 8 bytes little-endian; an exact amount as its 16-byte count
/// of 10⁻¹⁸ little-endian. A field that may be absent starts with one byte: 0xFF absent (for a
/// text, never the first byte of UTF-8), else 0x01 before a number or exact amount; −0.0 is
/// written as +0.0. Equal
/// checksums then mean equal records, field for field, with no rounding anywhere.
struct CanonicalBytes {
    private(set) var bytes: [UInt8] = []

    init(tag: Character) {
        bytes.reserveCapacity(192)
        bytes.append(tag.asciiValue ?? 0x3F)
    }

    /// An empty buffer with room for `capacity` bytes, for records appended with `begin(tag:)`.
    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Starts another record after those already in the buffer: an import's fills are
    /// encoded one after another into their block's buffer, which is hashed once.
    mutating func begin(tag: Character) {
        bytes.append(tag.asciiValue ?? 0x3F)
    }

    /// Appends bytes already in this encoding (a record's part made elsewhere).
    mutating func append(_ encoded: [UInt8]) { bytes.append(contentsOf: encoded) }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func text(_ value: String?) {
        guard var value else { bytes.append(0xFF); return }
        // One copy of the UTF-8 bytes (a native string's storage is contiguous once made so):
        // an import encodes a dozen short texts per fill.
        value.withUTF8 { bytes.append(contentsOf: $0) }
        bytes.append(0)
    }

    /// A text given as its UTF-8 bytes (nil: absent): the same bytes `text(_:)` writes for it.
    mutating func text(bytes value: UnsafeBufferPointer<UInt8>?) {
        guard let value else { bytes.append(0xFF); return }
        bytes.append(contentsOf: value)
        bytes.append(0)
    }

    mutating func integer(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func time(_ value: Timestamp) { integer(value.microseconds) }

    mutating func number(_ value: Double?) {
        guard var value else { bytes.append(0xFF); return }
        // SQLite reads a stored −0.0 back as +0.0: one zero, so a record hashes the same before
        // and after it is stored.
        if value == 0 { value = 0 }
        bytes.append(0x01)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func exact(_ value: ExactDecimal?) {
        guard let value else { bytes.append(0xFF); return }
        bytes.append(0x01)
        withUnsafeBytes(of: value.units.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
