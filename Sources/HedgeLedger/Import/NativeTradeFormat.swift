/// hedgeledger's own trade CSV (documented in the README):
///
///     trade_id,timestamp,instrument,side,quantity,price[,book,fee,fee_currency,venue,order_id,hedge_decision,note]
///
/// One row per fill. Quantity is positive and in the instrument's amount unit (coin for
/// options and linear contracts, USD for inverse futures and perpetuals); the side gives the
/// sign. Empty optional cells take their defaults.
public enum NativeTradeFormat {
    public static let name = "hedgeledger-trades-csv"
    public static let defaultVenue = "unspecified"
    public static let defaultBook = "main"

    public enum Column: String, CaseIterable, Hashable, Sendable {
        case tradeID = "trade_id", timestamp, instrument, side, quantity, price
        case book, fee, feeCurrency = "fee_currency", venue, orderID = "order_id", hedgeDecision = "hedge_decision", note
    }

    public static let required: Set<Column> = [.tradeID, .timestamp, .instrument, .side, .quantity, .price]

    public struct Options: Sendable {
        /// The book of rows that name none.
        public var defaultBook: String = NativeTradeFormat.defaultBook
        /// Read timestamps without a zone as UTC instead of refusing them.
        public var assumeUTC = false
        public init(defaultBook: String = NativeTradeFormat.defaultBook, assumeUTC: Bool = false) {
            self.defaultBook = defaultBook
            self.assumeUTC = assumeUTC
        }
    }

    /// A row read into a fill, or every problem with it. The instrument is resolved by the
    /// caller (it needs the ledger); `feeCurrency` is nil when the row leaves it to the
    /// instrument's settlement currency.
    public struct Row {
        public var fill: Fill
        public var feeCurrencyGiven: Bool
        public var line: Int
        public var instrumentPosition: (line: Int, column: Int)
        public var quantityPosition: (line: Int, column: Int)
        public var pricePosition: (line: Int, column: Int)
    }

    public static func read(_ record: CSVReader.Record, header: CSVHeader<Column>, file: String,
                            options: Options) -> Result<Row, InputErrors> {
        var errors = InputErrors(file: file)
        guard record.fields.count == header.fieldCount else {
            errors.append(InputError(file: file, line: record.line, column: 1,
                message: "this row has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") but the header has \(header.fieldCount)"))
            return .failure(errors)
        }
        func position(_ column: Column) -> (line: Int, column: Int) {
            header.indexes[column].map { record.positions[$0] } ?? (record.line, 1)
        }
        func value(_ column: Column) -> String? {
            guard let index = header.indexes[column] else { return nil }
            let text = record.fields[index]
            return text.isEmpty ? nil : text
        }
        func problem(_ column: Column, _ message: String) {
            let (line, col) = position(column)
            errors.append(InputError(file: file, line: line, column: col, message: "\(column.rawValue): \(message)"))
        }
        func requiredText(_ column: Column) -> String? {
            guard let text = value(column) else { problem(column, "is empty; every row needs one"); return nil }
            if text.first?.isWhitespace == true || text.last?.isWhitespace == true {
                problem(column, "'\(text)' has leading or trailing spaces"); return nil
            }
            return text
        }
        func decimal(_ column: Column, _ text: String?) -> ExactDecimal? {
            guard let text else { return nil }
            switch DecimalSyntax.parse(text) {
            case .success(let value): return value
            case .failure(let reason):
                problem(column, "'\(text)' \(reason)")
                return nil
            }
        }

        let tradeID = requiredText(.tradeID)
        var time: Timestamp?
        if let text = requiredText(.timestamp) {
            switch TimestampSyntax.parse(text, assumeUTC: options.assumeUTC) {
            case .success(let value): time = value
            case .failure(let reason): problem(.timestamp, "'\(text)' \(reason)")
            }
        }
        let instrument = requiredText(.instrument)
        var side: Fill.Side?
        if let text = requiredText(.side) {
            side = Fill.Side(rawValue: text.lowercased())
            if side == nil { problem(.side, "'\(text)' is not buy or sell") }
        }
        let quantity = decimal(.quantity, requiredText(.quantity))
        if let quantity, !quantity.isPositive {
            problem(.quantity, "'\(quantity)' must be greater than zero; the side gives the direction")
        }
        let price = decimal(.price, requiredText(.price))
        if let price, !price.isPositive { problem(.price, "'\(price)' must be greater than zero") }
        let fee = decimal(.fee, value(.fee)) ?? (value(.fee) == nil ? .zero : nil)
        let feeCurrency = value(.feeCurrency)
        if let feeCurrency, !InstrumentName.isCurrencyCode(feeCurrency) {
            problem(.feeCurrency, "'\(feeCurrency)' is not a currency code such as BTC or USDC")
        }
        let book = value(.book) ?? options.defaultBook
        let venue = value(.venue) ?? NativeTradeFormat.defaultVenue

        guard errors.isEmpty, let tradeID, let time, let instrument, let side, let quantity, let price, let fee else {
            return .failure(errors)
        }
        let fill = Fill(venue: venue, tradeID: tradeID, time: time, instrument: instrument, book: book, side: side,
                        quantity: quantity, price: price, fee: fee, feeCurrency: feeCurrency ?? "",
                        orderID: value(.orderID), hedgeDecision: value(.hedgeDecision), note: value(.note))
        return .success(Row(fill: fill, feeCurrencyGiven: feeCurrency != nil, line: record.line,
                            instrumentPosition: position(.instrument), quantityPosition: position(.quantity),
                            pricePosition: position(.price)))
    }
}
