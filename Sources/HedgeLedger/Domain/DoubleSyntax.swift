/// The grammar of the floating-point fields the ledger reads (volatilities, venue greeks):
///
///     [+-]? digits ( "." digits )? ( [eE] [+-]? digits )?
///
/// Unlike `Double(_:)`, it refuses `nan`, `inf`, hex floats, spaces and anything after the
/// number: a greek of NaN silently poisons every total it enters.
public enum DoubleSyntax {
    public static func parse(_ text: String) -> Result<Double, DecimalSyntax.Problem> {
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(text, bytes: $0) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { parse(text, bytes: $0) }
    }

    private static func parse(_ text: String, bytes: UnsafeBufferPointer<UInt8>) -> Result<Double, DecimalSyntax.Problem> {
        if bytes.isEmpty { return .failure(.empty) }
        if DecimalSyntax.isNotFinite(bytes) { return .failure(.notFinite) }
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() > 0 else { return failure(bytes, at: index) }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return .failure(.missingDigits) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return .failure(.missingDigits) }
        }
        guard index == bytes.count else { return failure(bytes, at: index) }
        guard let value = Double(text), value.isFinite else { return .failure(.tooLarge) }
        return .success(value)
    }

    private static func failure(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Result<Double, DecimalSyntax.Problem> {
        guard index < bytes.count else { return .failure(.missingDigits) }
        let character = String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self).first ?? "?"
        return .failure(.unexpectedCharacter(character, offset: index))
    }
}
