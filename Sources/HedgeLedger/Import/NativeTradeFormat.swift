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

    public enum Column: Int, CSVColumn {
        case tradeID, timestamp, instrument, side, quantity, price
        case book, fee, feeCurrency, venue, orderID, hedgeDecision, note

        public var name: String {
            switch self {
            case .tradeID: "trade_id"
            case .timestamp: "timestamp"
            case .instrument: "instrument"
            case .side: "side"
            case .quantity: "quantity"
            case .price: "price"
            case .book: "book"
            case .fee: "fee"
            case .feeCurrency: "fee_currency"
            case .venue: "venue"
            case .orderID: "order_id"
            case .hedgeDecision: "hedge_decision"
            case .note: "note"
            }
        }
    }

    public static let required: Set<Column> = [.tradeID, .timestamp, .instrument, .side, .quantity, .price]

    /// A row ready for the writer: the fill, and its amounts already encoded for storage.
    public struct Item: Sendable {
        public var row: Row
        public var amounts: FillRepository.EncodedAmounts
    }

    public static func parser(for header: CSVReader.Record, file: String, options: Options) -> Result<RowParser<Item>, InputErrors> {
        RowParser.columns(Column.self, header: header, required: required, file: file, formatName: name,
                          describedAs: "the native trade format") { row in
            read(row, options: options).map {
                Item(row: $0, amounts: FillRepository.EncodedAmounts(
                    $0.fill, texts: (row.value(.quantity), row.value(.price), row.value(.fee))))
            }
        }
    }

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
    public struct Row: Sendable {
        public var fill: Fill
        public var feeCurrencyGiven: Bool
        /// The optional fields the row leaves empty (`fee`, `order_id` ...): a fill already stored
        /// under its trade id is the same fill when every field the row gives agrees.
        public var unset: Set<String> = []
        public var line: Int
        public var instrumentPosition: (line: Int, column: Int)
        public var quantityPosition: (line: Int, column: Int)
        public var timestampPosition: (line: Int, column: Int)
        public var pricePosition: (line: Int, column: Int)

        public func position(of field: FillProblem.Field) -> (line: Int, column: Int) {
            switch field {
            case .timestamp: timestampPosition
            case .quantity: quantityPosition
            case .price: pricePosition
            }
        }
    }

    public static func read(_ row: CSVRow<Column>, options: Options) -> Result<Row, RowErrors> {
        var row = row
        let tradeID = row.required(.tradeID)
        let time = row.timestamp(.timestamp, row.required(.timestamp), assumeUTC: options.assumeUTC)
        let instrument = row.required(.instrument)
        var side: Fill.Side?
        if let text = row.required(.side) {
            side = Fill.Side(rawValue: text.lowercased())
            if side == nil { row.problem(.side, "'\(text)' is not buy or sell") }
        }
        let quantity = row.positiveDecimal(.quantity, row.required(.quantity), why: "; the side gives the direction")
        let price = row.positiveDecimal(.price, row.required(.price))
        let fee = row.value(.fee) == nil ? .zero : row.decimal(.fee, row.value(.fee))
        let feeCurrency = row.currency(.feeCurrency, row.value(.feeCurrency))
        guard row.errors.isEmpty, let tradeID, let time, let instrument, let side, let quantity, let price, let fee else {
            return .failure(RowErrors(errors: row.errors))
        }
        let fill = Fill(venue: row.value(.venue) ?? defaultVenue, tradeID: tradeID, time: time, instrument: instrument,
                        book: row.value(.book) ?? options.defaultBook, side: side, quantity: quantity, price: price,
                        fee: fee, feeCurrency: feeCurrency ?? "", orderID: row.value(.orderID),
                        hedgeDecision: row.value(.hedgeDecision), note: row.value(.note))
        var unset: Set<String> = []
        for column in [Column.book, .fee, .feeCurrency, .orderID, .hedgeDecision, .note] where row.value(column) == nil {
            unset.insert(column.name)
        }
        return .success(Row(fill: fill, feeCurrencyGiven: feeCurrency != nil, unset: unset, line: row.line,
                            instrumentPosition: row.position(.instrument), quantityPosition: row.position(.quantity),
                            timestampPosition: row.position(.timestamp), pricePosition: row.position(.price)))
    }
}
