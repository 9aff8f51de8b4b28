/// An instrument a user names on the command line (a hedge instrument of a book or a policy).
public struct UnknownInstrument: Error, CustomStringConvertible {
    public let symbol: String
    public let suggestion: String?

    public var description: String {
        "unknown instrument '\(symbol.escapingControlCharacters)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "; import it, or use a Deribit name such as BTC-PERPETUAL")
    }
}

extension InstrumentRepository {
    /// The stored instrument `symbol` names (any case), without adding one: for a command that
    /// only reads. `UnknownInstrument` with the nearest known name otherwise.
    public func existing(named symbol: String) throws -> StoredInstrument {
        if let stored = try find(symbol: symbol) ?? find(symbol: symbol.uppercased()) { return stored }
        throw UnknownInstrument(symbol: symbol, suggestion: Suggestion.nearest(to: symbol.uppercased(), among: try all().map(\.instrument.symbol)))
    }

    /// The stored instrument `symbol` names, added from its Deribit-style name the first time;
    /// otherwise `UnknownInstrument` with the nearest known name.
    public func findOrAdd(named symbol: String) throws -> StoredInstrument {
        if let stored = try find(symbol: symbol) { return stored }
        if case .success(let instrument) = InstrumentName.parse(symbol) { return try insert(instrument, importID: nil) }
        let known = try all().map(\.instrument.symbol)
        let suggestion = Suggestion.nearest(to: symbol.uppercased(), among: known)
            ?? (symbol != symbol.uppercased() && (try? InstrumentName.parse(symbol.uppercased()).get()) != nil ? symbol.uppercased() : nil)
        throw UnknownInstrument(symbol: symbol, suggestion: suggestion)
    }
}
