/// One row of a snapshot file, ready for the writer.
public enum SnapshotItem: Sendable {
    case mark(MarkRepository.EncodedMark, line: Int, instrumentAt: CellPosition, underlyingAt: CellPosition,
              markPriceAt: CellPosition)
    case index(IndexPrice, line: Int)
}

public struct CellPosition: Sendable, Hashable {
    public var line: Int
    public var column: Int
}

extension CSVRow {
    func cell(_ column: Column) -> CellPosition {
        let (line, col) = position(column)
        return CellPosition(line: line, column: col)
    }

    /// A floating-point cell (volatility, greek); nil when empty. Without a range, its
    /// magnitude must be at most `AmountLimits.maximumDouble`.
    mutating func double(_ column: Column, _ text: String?, range: ClosedRange<Double>? = nil) -> Double? {
        guard let text else { return nil }
        switch DoubleSyntax.parse(text) {
        case .success(let value):
            if let range, !range.contains(value) {
                problem(column, "'\(text)' is outside \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            if range == nil, abs(value) > AmountLimits.maximumDouble {
                problem(column, "'\(text)' is too large: at most \(AmountLimits.maximumText) in magnitude")
                return nil
            }
            return value
        case .failure(let reason):
            problem(column, "'\(text)' \(reason)")
            return nil
        }
    }

    /// A mark's implied volatility in percent: above 0 and at most 10000. Zero or below is an
    /// error, never silently replaced by a volatility implied from the price (leave the cell
    /// empty for that).
    mutating func impliedVolatility(_ column: Column, _ text: String?) -> Double? {
        guard let value = double(column, text, range: -Double.greatestFiniteMagnitude...10_000) else { return nil }
        guard value > 0 else {
            problem(column, "'\(text!)' must be above 0 (percent); leave the cell empty to imply it from mark_price")
            return nil
        }
        return value
    }
}

/// Snapshot files: the native format, or Tardis `options_chain` exactly as distributed.
public enum SnapshotFormat {
    public static func parser(for header: CSVReader.Record, file: String, assumeUTC: Bool) -> Result<RowParser<SnapshotItem>, InputErrors> {
        let names = Set(header.fields.map { $0.trimmingCharacters(in: " \t").lowercased() })
        if names.contains("local_timestamp") && names.contains("underlying_index") {
            return RowParser.columns(TardisOptionsChain.Column.self, header: header, required: TardisOptionsChain.required,
                                     file: file, formatName: TardisOptionsChain.name,
                                     describedAs: "the Tardis options_chain format") { TardisOptionsChain.read($0) }
        }
        return RowParser.columns(NativeSnapshotFormat.Column.self, header: header, required: NativeSnapshotFormat.required,
                                 file: file, formatName: NativeSnapshotFormat.name,
                                 describedAs: "the native snapshot format") { NativeSnapshotFormat.read($0, assumeUTC: assumeUTC) }
    }
}

/// hedgeledger's own snapshot CSV (documented in the README):
///
///     timestamp,instrument,mark_price[,underlying_price,mark_iv,index_price,bid_iv,ask_iv,interest_rate,kind,delta,gamma,vega,theta,rho,
///                                     bid_price,ask_price]
///
/// Options need `underlying_price` (the forward); `mark_iv` in percent, or it is implied from
/// `mark_price`. A row naming an index (`btc_usd`) is an index price; with `kind` =
/// `settlement`, the price an expiry at that moment settles at.
public enum NativeSnapshotFormat {
    public static let name = "hedgeledger-snapshots-csv"

    public enum Column: Int, CSVColumn {
        case timestamp, instrument, markPrice, underlyingPrice, markIV, indexPrice, bidIV, askIV, interestRate, kind
        case delta, gamma, vega, theta, rho, bidPrice, askPrice

        public var name: String {
            switch self {
            case .bidPrice: "bid_price"
            case .askPrice: "ask_price"
            case .timestamp: "timestamp"
            case .instrument: "instrument"
            case .markPrice: "mark_price"
            case .underlyingPrice: "underlying_price"
            case .markIV: "mark_iv"
            case .indexPrice: "index_price"
            case .bidIV: "bid_iv"
            case .askIV: "ask_iv"
            case .interestRate: "interest_rate"
            case .kind: "kind"
            case .delta: "delta"
            case .gamma: "gamma"
            case .vega: "vega"
            case .theta: "theta"
            case .rho: "rho"
            }
        }
    }

    public static let required: Set<Column> = [.timestamp, .instrument, .markPrice]

    static func read(_ row: CSVRow<Column>, assumeUTC: Bool) -> Result<SnapshotItem, RowErrors> {
        var row = row
        let time = row.timestamp(.timestamp, row.required(.timestamp), assumeUTC: assumeUTC)
        let instrument = row.required(.instrument)
        let markText = row.required(.markPrice)
        // Lower-cased only when it is not already `mark` (every row but settlements): a string per row otherwise.
        let kindText = row.value(.kind)
        let kind = kindText == nil || kindText == "mark" ? "mark" : kindText!.lowercased()
        guard kind == "mark" || kind == "settlement" else {
            row.problem(.kind, "'\(row.value(.kind)!)' is not mark or settlement")
            return .failure(RowErrors(errors: row.errors))
        }
        if let instrument, IndexPrice.isIndexName(instrument) {
            let price = row.positiveDecimal(.markPrice, markText, grammar: .market)
            for column in [Column.underlyingPrice, .markIV, .indexPrice, .bidIV, .askIV, .interestRate, .delta, .gamma, .vega, .theta, .rho,
                           .bidPrice, .askPrice]
            where row.value(column) != nil {
                row.problem(column, "does not apply to an index row ('\(instrument)' is an index)")
            }
            guard row.errors.isEmpty, let time, let price else { return .failure(RowErrors(errors: row.errors)) }
            return .success(.index(IndexPrice(index: instrument, time: time, price: price,
                                              kind: kind == "settlement" ? .settlement : .observation), line: row.line))
        }
        if kind == "settlement" { row.problem(.kind, "settlement rows name an index such as btc_usd, not an instrument") }
        let markPrice = row.decimal(.markPrice, markText, grammar: .market)
        if let markPrice, markPrice.isNegative { row.problem(.markPrice, "'\(markPrice)' must not be negative") }
        let underlying = row.positiveDecimal(.underlyingPrice, row.value(.underlyingPrice), grammar: .market)
        let index = row.positiveDecimal(.indexPrice, row.value(.indexPrice), grammar: .market)
        let markIV = row.impliedVolatility(.markIV, row.value(.markIV))
        let bidIV = row.double(.bidIV, row.value(.bidIV), range: 0...10_000)
        let askIV = row.double(.askIV, row.value(.askIV), range: 0...10_000)
        let rate = row.double(.interestRate, row.value(.interestRate), range: -1...1)
        let (bid, ask) = row.quote(bid: .bidPrice, ask: .askPrice)
        let greeks = Mark.VenueGreeks(delta: row.double(.delta, row.value(.delta)), gamma: row.double(.gamma, row.value(.gamma)),
                                      vega: row.double(.vega, row.value(.vega)), theta: row.double(.theta, row.value(.theta)),
                                      rho: row.double(.rho, row.value(.rho)))
        guard row.errors.isEmpty, let time, let instrument, let markPrice else { return .failure(RowErrors(errors: row.errors)) }
        let mark = Mark(instrument: instrument, time: time, markPrice: markPrice, underlyingPrice: underlying, indexPrice: index,
                        markIV: markIV, bidIV: bidIV, askIV: askIV, interestRate: rate, venueGreeks: greeks, bidPrice: bid, askPrice: ask)
        // Where a missing forward is reported: its cell, or the instrument's when the column is absent.
        let underlyingAt = row.header.index(of: .underlyingPrice) == nil ? row.cell(.instrument) : row.cell(.underlyingPrice)
        return .success(.mark(MarkRepository.EncodedMark(mark), line: row.line, instrumentAt: row.cell(.instrument),
                              underlyingAt: underlyingAt, markPriceAt: row.cell(.markPrice)))
    }
}

/// Tardis `options_chain` CSV, exactly as distributed: microsecond timestamps, prices in coin,
/// IVs in percent, the venue's own greeks. The row's type, strike and expiration must agree
/// with its symbol.
public enum TardisOptionsChain {
    public static let name = "tardis-options-chain-csv"

    public enum Column: Int, CSVColumn {
        case exchange, symbol, timestamp, localTimestamp, type, strikePrice, expiration, openInterest, lastPrice
        case bidPrice, bidAmount, bidIV, askPrice, askAmount, askIV, markPrice, markIV, underlyingIndex, underlyingPrice
        case delta, gamma, vega, theta, rho

        public var name: String {
            switch self {
            case .exchange: "exchange"
            case .symbol: "symbol"
            case .timestamp: "timestamp"
            case .localTimestamp: "local_timestamp"
            case .type: "type"
            case .strikePrice: "strike_price"
            case .expiration: "expiration"
            case .openInterest: "open_interest"
            case .lastPrice: "last_price"
            case .bidPrice: "bid_price"
            case .bidAmount: "bid_amount"
            case .bidIV: "bid_iv"
            case .askPrice: "ask_price"
            case .askAmount: "ask_amount"
            case .askIV: "ask_iv"
            case .markPrice: "mark_price"
            case .markIV: "mark_iv"
            case .underlyingIndex: "underlying_index"
            case .underlyingPrice: "underlying_price"
            case .delta: "delta"
            case .gamma: "gamma"
            case .vega: "vega"
            case .theta: "theta"
            case .rho: "rho"
            }
        }
    }

    public static let required: Set<Column> = [.symbol, .timestamp, .type, .strikePrice, .expiration, .markPrice, .markIV,
                                               .underlyingPrice]

    static func read(_ row: CSVRow<Column>) -> Result<SnapshotItem, RowErrors> {
        var row = row
        let symbol = row.required(.symbol)
        let time = microseconds(&row, .timestamp)
        let expiration = microseconds(&row, .expiration)
        let markPrice = row.decimal(.markPrice, row.required(.markPrice), grammar: .market)
        if let markPrice, markPrice.isNegative { row.problem(.markPrice, "'\(markPrice)' must not be negative") }
        let underlying = row.positiveDecimal(.underlyingPrice, row.required(.underlyingPrice), grammar: .market)
        let markIV = row.impliedVolatility(.markIV, row.value(.markIV))  // empty: implied from mark_price
        let bidIV = row.double(.bidIV, row.value(.bidIV), range: 0...10_000)
        let askIV = row.double(.askIV, row.value(.askIV), range: 0...10_000)
        let (bid, ask) = row.quote(bid: .bidPrice, ask: .askPrice)
        let strike = row.positiveDecimal(.strikePrice, row.required(.strikePrice), grammar: .market)
        let type = row.required(.type)?.lowercased()
        let greeks = Mark.VenueGreeks(delta: row.double(.delta, row.value(.delta)), gamma: row.double(.gamma, row.value(.gamma)),
                                      vega: row.double(.vega, row.value(.vega)), theta: row.double(.theta, row.value(.theta)),
                                      rho: row.double(.rho, row.value(.rho)))
        if let symbol, case .success(let instrument) = InstrumentName.parse(symbol) {
            if let type, type != instrument.right?.rawValue { row.problem(.type, "'\(type)' disagrees with \(symbol)") }
            if let strike, strike != instrument.strike { row.problem(.strikePrice, "\(strike) disagrees with \(symbol)") }
            if let expiration, expiration != instrument.expiry {
                row.problem(.expiration, "\(expiration.iso8601) disagrees with \(symbol)'s expiry \(instrument.expiry?.iso8601 ?? "none")")
            }
        }
        guard row.errors.isEmpty, let symbol, let time, let markPrice else { return .failure(RowErrors(errors: row.errors)) }
        let mark = Mark(instrument: symbol, time: time, markPrice: markPrice, underlyingPrice: underlying, markIV: markIV,
                        bidIV: bidIV, askIV: askIV, venueGreeks: greeks, bidPrice: bid, askPrice: ask)
        return .success(.mark(MarkRepository.EncodedMark(mark), line: row.line, instrumentAt: row.cell(.symbol),
                              underlyingAt: row.cell(.underlyingPrice), markPriceAt: row.cell(.markPrice)))
    }

    /// Microseconds since the epoch, as Tardis writes every time; seconds or milliseconds are
    /// refused by their size rather than read as 1970.
    static func microseconds(_ row: inout CSVRow<Column>, _ column: Column) -> Timestamp? {
        guard let text = row.required(column) else { return nil }
        guard text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(text) else {
            row.problem(column, "'\(text)' is not a whole number of microseconds since 1970")
            return nil
        }
        // 2009-02-13 to 2286-11-20 in microseconds: 16 or 17 digits.
        guard (1_234_567_890_000_000...9_999_999_999_999_999).contains(value) else {
            row.problem(column, "'\(text)' is not in microseconds since 1970 (seconds or milliseconds?)")
            return nil
        }
        return Timestamp(microseconds: value)
    }
}
