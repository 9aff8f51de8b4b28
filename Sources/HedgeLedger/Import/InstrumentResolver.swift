/// Finds the stored instrument a file names, adding it from its Deribit-style name the first
/// time. Inside an import's transaction, so instruments added for a refused file vanish
/// with it. Remembers refused names, so a bad name repeated on many rows is parsed once.
struct InstrumentResolver {
    private let ledger: Ledger
    private(set) var known: [String: StoredInstrument] = [:]
    private var refused: [String: String] = [:]

    init(ledger: Ledger) throws {
        self.ledger = ledger
        for stored in try ledger.instruments.all() { known[stored.instrument.symbol] = stored }
    }

    /// The instrument, or nil with the reason appended to `errors` at `position`. A name
    /// hedgeledger cannot read is added from `definition` when one is given (a mapping's).
    mutating func resolve(_ symbol: String, at position: (line: Int, column: Int), file: String,
                          errors: inout InputErrors, definition: Instrument? = nil, importID: Int64? = nil) throws -> StoredInstrument? {
        if let stored = known[symbol] { return stored }
        if let definition, case .failure = InstrumentName.parse(symbol) {
            let stored = try ledger.instruments.insert(definition, importID: importID)
            known[symbol] = stored
            return stored
        }
        if refused[symbol] == nil {
            switch InstrumentName.parse(symbol) {
            case .success(let instrument):
                let stored = try ledger.instruments.insert(instrument, importID: nil)
                known[symbol] = stored
                return stored
            case .failure(let problem):
                refused[symbol] = problem.reason
                    + (Suggestion.nearest(to: symbol, among: Array(known.keys)).map { "; did you mean '\($0)'?" } ?? "")
                if symbol != symbol.uppercased(), case .success = InstrumentName.parse(symbol.uppercased()) {
                    refused[symbol] = "'\(symbol)': instrument names are upper case; did you mean '\(symbol.uppercased())'?"
                }
            }
        }
        errors.append(InputError(file: file, line: position.line, column: position.column, message: "instrument: \(refused[symbol]!)"))
        return nil
    }
}
