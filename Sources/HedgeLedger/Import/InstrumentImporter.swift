/// Imports instrument definitions for names the Deribit-style parser cannot read.
///
///     symbol,kind,underlying,settlement_currency,inverse[,quote_currency,option_type,strike,expiry,multiplier,contract_size]
///
/// All or nothing per file, like trades. A symbol already defined identically is skipped;
/// defined differently (including by its name), it is an error: fills may already use it.
public struct InstrumentImporter {
    public static let formatName = "hedgeledger-instruments-csv"

    public enum Column: Int, CSVColumn {
        case symbol, kind, underlying, settlementCurrency, inverse
        case quoteCurrency, optionType, strike, expiry, multiplier, contractSize

        public var name: String {
            switch self {
            case .symbol: "symbol"
            case .kind: "kind"
            case .underlying: "underlying"
            case .settlementCurrency: "settlement_currency"
            case .inverse: "inverse"
            case .quoteCurrency: "quote_currency"
            case .optionType: "option_type"
            case .strike: "strike"
            case .expiry: "expiry"
            case .multiplier: "multiplier"
            case .contractSize: "contract_size"
            }
        }
    }

    public struct Summary: Sendable {
        public var file: String
        public var importID: Int64
        public var added: Int
        public var alreadyKnown: Int
        public var line: String {
            "\(file): \(added) instrument\(added == 1 ? "" : "s") added, \(alreadyKnown) already known (import #\(importID))"
        }
    }

    public let ledger: Ledger
    public var waitSeconds: Double

    public init(ledger: Ledger, waitSeconds: Double = 0) {
        self.ledger = ledger
        self.waitSeconds = waitSeconds
    }

    public func importInstruments(from source: ByteSource, now: Timestamp) throws -> Summary {
        try ledger.write(waitSeconds: waitSeconds) {
            let file = source.name
            let importID = try ledger.imports.nextID()
            var added = 0, known = 0
            let outcome = try ImportPipeline.run(
                source: source, rowNoun: "instruments", example: "symbol,kind,underlying,settlement_currency,inverse",
                parserFor: { header, file in
                    RowParser.columns(Column.self, header: header,
                                      required: [.symbol, .kind, .underlying, .settlementCurrency, .inverse],
                                      file: file, formatName: Self.formatName, describedAs: "the instrument format") { row in
                        Self.instrument(from: row).map { (instrument: $0, line: row.line) }
                    }
                },
                progress: nil
            ) { item, errors in
                if case .success(let named) = InstrumentName.parse(item.instrument.symbol), named != item.instrument {
                    errors.append(InputError(file: file, line: item.line, column: 1,
                        message: "symbol '\(item.instrument.symbol)' is a name hedgeledger reads itself (a \(named.isInverse ? "inverse" : "linear") \(named.kind.rawValue) settled in \(named.settlementCurrency), amounts in \(named.amountUnit)); a different definition is refused, whatever the ledger holds"))
                    return
                }
                if let existing = try ledger.instruments.find(symbol: item.instrument.symbol) {
                    guard existing.instrument == item.instrument else {
                        errors.append(InputError(file: file, line: item.line, column: 1,
                            message: "symbol '\(item.instrument.symbol)' is already defined differently; an instrument is never redefined once fills may use it"))
                        return
                    }
                    known += 1
                } else {
                    try ledger.instruments.insert(item.instrument, importID: importID)
                    added += 1
                }
            }
            guard outcome.errors.isEmpty else { throw outcome.errors }
            try ledger.imports.insert(ImportRecord(
                id: importID, kind: "instruments", fileName: file, sha256: outcome.sha256, sizeBytes: outcome.sizeBytes,
                format: outcome.format, rowsAccepted: added, rowsDuplicate: known, rowsRejected: 0, importedAt: now))
            try JournalChain.append(.importRun, id: importID, ledger: ledger)
            return Summary(file: file, importID: importID, added: added, alreadyKnown: known)
        }
    }

    static func instrument(from row: CSVRow<Column>) -> Result<Instrument, RowErrors> {
        var row = row
        let symbol = row.required(.symbol)
        let kind = row.value(.kind).flatMap { Instrument.Kind(rawValue: $0.lowercased()) }
        if kind == nil { row.problem(.kind, "'\(row.value(.kind) ?? "")' is not option, future, perpetual or spot") }
        let underlying = row.currency(.underlying, row.required(.underlying))
        let settlement = row.currency(.settlementCurrency, row.required(.settlementCurrency))
        var inverse: Bool?
        switch row.value(.inverse)?.lowercased() {
        case "true", "yes", "1": inverse = true
        case "false", "no", "0": inverse = false
        default: row.problem(.inverse, "'\(row.value(.inverse) ?? "")' is not true or false")
        }
        let right = row.value(.optionType).flatMap { Instrument.Right(rawValue: $0.lowercased()) }
        if let text = row.value(.optionType), right == nil { row.problem(.optionType, "'\(text)' is not call or put") }
        let strike = row.positiveDecimal(.strike, row.value(.strike))
        let expiry = row.timestamp(.expiry, row.value(.expiry), assumeUTC: false)
        let multiplier = row.positiveDecimal(.multiplier, row.value(.multiplier))
        let contractSize = row.positiveDecimal(.contractSize, row.value(.contractSize))
        let quote = row.currency(.quoteCurrency, row.value(.quoteCurrency))

        if kind == .option {
            if row.value(.optionType) == nil { row.problem(.optionType, "is required for options (call or put)") }
            if row.value(.strike) == nil { row.problem(.strike, "is required for options") }
        } else if kind != nil {
            if row.value(.optionType) != nil { row.problem(.optionType, "is only for options") }
            if row.value(.strike) != nil { row.problem(.strike, "is only for options") }
        }
        if let kind, kind == .option || kind == .future, row.value(.expiry) == nil {
            row.problem(.expiry, "is required for \(kind.rawValue)s")
        }
        if kind == .perpetual || kind == .spot, row.value(.expiry) != nil {
            row.problem(.expiry, "is only for options and futures")
        }
        guard row.errors.isEmpty, let symbol, let kind, let underlying, let settlement, let inverse else {
            return .failure(RowErrors(errors: row.errors))
        }
        let defaultQuote = inverse ? (kind == .option ? underlying : "USD") : settlement
        return .success(Instrument(symbol: symbol, kind: kind, underlying: underlying, quoteCurrency: quote ?? defaultQuote,
                                   settlementCurrency: settlement, isInverse: inverse, right: right, strike: strike,
                                   expiry: expiry, multiplier: multiplier ?? .one, contractSize: contractSize))
    }
}
