/// Deribit's transaction log export, one file per currency (`transaction_log-<uid>-<CUR>-….csv`),
/// in the four header versions seen in the wild (../shared/reference/formats.md):
///
///     v4: ID,UserSeq,Date,Instrument,Type,Side,Amount,Base Amount,Position,Price,Mark Price,Index Price,Cash Flow,Funding,Fee Rate,Fee Charged,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info,Note
///     v3: the same without Amount
///     v2: v3 without Note
///     v1: Size for Base Amount, Fee Paid for Fee Charged, no Index Price
///
/// Every row is read into an `Entry`, whatever its type; `VenueLogImport` orders them by
/// `UserSeq` and turns them into ledger events. Dates are UTC (the export has no zone).
public enum DeribitTransactionLog {
    public static let venue = "deribit"

    public enum Column: Int, CSVColumn {
        case id, userSeq, date, instrument, type, side, amount, baseAmount, size, position, price, markPrice
        case indexPrice, cashFlow, funding, feeRate, feeCharged, feePaid, feeBalance, change, balance, equity
        case tradeID, orderID, info, note

        public var name: String {
            switch self {
            case .id: "id"
            case .userSeq: "userseq"
            case .date: "date"
            case .instrument: "instrument"
            case .type: "type"
            case .side: "side"
            case .amount: "amount"
            case .baseAmount: "base amount"
            case .size: "size"
            case .position: "position"
            case .price: "price"
            case .markPrice: "mark price"
            case .indexPrice: "index price"
            case .cashFlow: "cash flow"
            case .funding: "funding"
            case .feeRate: "fee rate"
            case .feeCharged: "fee charged"
            case .feePaid: "fee paid"
            case .feeBalance: "fee balance"
            case .change: "change"
            case .balance: "balance"
            case .equity: "equity"
            case .tradeID: "trade id"
            case .orderID: "order id"
            case .info: "info"
            case .note: "note"
            }
        }
    }

    /// The header versions, newest first: their columns in file order.
    static let versions: [(name: String, columns: [Column])] = [
        ("v4", [.id, .userSeq, .date, .instrument, .type, .side, .amount, .baseAmount, .position, .price, .markPrice,
                .indexPrice, .cashFlow, .funding, .feeRate, .feeCharged, .feeBalance, .change, .balance, .equity,
                .tradeID, .orderID, .info, .note]),
        ("v3", [.id, .userSeq, .date, .instrument, .type, .side, .baseAmount, .position, .price, .markPrice,
                .indexPrice, .cashFlow, .funding, .feeRate, .feeCharged, .feeBalance, .change, .balance, .equity,
                .tradeID, .orderID, .info, .note]),
        ("v2", [.id, .userSeq, .date, .instrument, .type, .side, .baseAmount, .position, .price, .markPrice,
                .indexPrice, .cashFlow, .funding, .feeRate, .feeCharged, .feeBalance, .change, .balance, .equity,
                .tradeID, .orderID, .info]),
        ("v1", [.id, .userSeq, .date, .instrument, .type, .side, .size, .position, .price, .markPrice,
                .cashFlow, .funding, .feeRate, .feePaid, .feeBalance, .change, .balance, .equity,
                .tradeID, .orderID, .info]),
    ]

    static let required: Set<Column> = [.id, .userSeq, .date, .instrument, .type, .side, .position, .price,
                                        .cashFlow, .change, .balance, .tradeID]

    /// The row types Deribit documents. Another type is an input error: a new kind of money
    /// movement must not pass unnoticed into the balance.
    public enum EntryType: String, Sendable, CaseIterable {
        case trade, deposit, withdrawal, settlement, delivery, transfer, swap, correction, fee
        case positionMove = "position move"
        case transferFromInsurance = "transfer from insurance"
        case socializedFund = "socialized fund"

        /// Rows that change the position in their instrument by their amount.
        var isExecution: Bool { self == .trade || self == .positionMove }
    }

    /// Whether a header row is a Deribit transaction log's.
    public static func recognises(_ header: CSVReader.Record) -> Bool {
        header.fields.contains { $0.trimmingCharacters(in: " \t\u{FEFF}").lowercased() == "userseq" }
    }

    /// One row, read and checked on its own: the values the import computes with, the row as
    /// it is stored, and where its cells are, for errors found later. Kept small: a log that
    /// is not in UserSeq order and cannot be read twice (standard input) is held whole
    /// in memory before it is applied.
    public struct Entry: Sendable {
        public var line: Int
        public var entryID: String
        public var userSeq: Int64
        public var time: Timestamp
        public var type: EntryType
        public var instrument: String?
        /// The direction of an execution's amount.
        public var direction: Fill.Side?
        /// As written, in the instrument's amount unit; an execution moves its magnitude.
        public var amount: ExactDecimal?
        /// The position in the instrument after this row, signed.
        public var position: ExactDecimal?
        public var price: ExactDecimal?
        public var cashFlow: ExactDecimal
        public var feeCharged: ExactDecimal
        public var change: ExactDecimal
        public var balance: ExactDecimal
        public var cells: Cells
        public var tradeID: String?
        public var orderID: String?
        /// The row's columns as stored (amounts in canonical text), encoded on the reading thread.
        public var columns: VenueLogColumns
        /// A trade's or position move's amounts as its fill stores them.
        public var amounts: FillRepository.EncodedAmounts?

        /// Where the cells a later check names are.
        public struct Cells: Sendable {
            public var id, date, instrument, amount, price, position, change, balance, tradeID: (line: Int, column: Int)
        }
    }

    public static func parser(for header: CSVReader.Record, file: String) -> Result<RowParser<Entry>, InputErrors> {
        let names = header.fields.map { $0.trimmingCharacters(in: " \t\u{FEFF}").lowercased() }
        let version = versions.first { $0.columns.map(\.name) == names }?.name
        return RowParser.columns(Column.self, header: header, required: required, file: file,
                                 formatName: "deribit-transaction-log-\(version ?? "columns")",
                                 describedAs: "a Deribit transaction log") { read($0) }
            .flatMap { parser in
                var errors = InputErrors(file: file)
                if !names.contains(where: { ["amount", "base amount", "size"].contains($0) }) {
                    errors.append(InputError(file: file, line: header.line, column: 1,
                        message: "missing column Amount (or Base Amount, or Size in the oldest logs); a Deribit transaction log needs the amount of each row"))
                }
                // Two columns for one figure: which one counts would be a guess.
                for (older, newer) in [("size", "amount"), ("size", "base amount"), ("fee paid", "fee charged")]
                where names.contains(older) && names.contains(newer) {
                    errors.append(InputError(file: file, line: header.line, column: 1,
                        message: "both \(newer.capitalized) and \(older.capitalized) (the oldest logs' name for it); a Deribit transaction log has one of them, so which one counts would be a guess"))
                }
                if !names.contains(where: { ["fee charged", "fee paid"].contains($0) }) {
                    errors.append(InputError(file: file, line: header.line, column: 1,
                        message: "missing column Fee Charged (Fee Paid in the oldest logs); a Deribit transaction log needs the fee of each row"))
                }
                return errors.isEmpty ? .success(parser) : .failure(errors)
            }
    }

    /// What a log's rows are ordered by (`RecordOrder`): for the header of a log, the UserSeq a
    /// row is read with, or nil for a row `read` refuses for it; nil for a header `parser` refuses.
    static func sequenceKey(header: CSVReader.Record) -> (field: Int, key: (CSVReader.Record) -> Int64?)? {
        guard case .success(let mapped) = CSVHeader<Column>.map(header, required: required, file: "", formatName: ""),
              let index = mapped.index(of: .userSeq) else { return nil }
        let fieldCount = mapped.fieldCount
        return (index, { record in
            guard record.fields.count == fieldCount, let userSeq = Int64(record.fields[index]), userSeq >= 0 else { return nil }
            return userSeq
        })
    }

    static func read(_ row: CSVRow<Column>) -> Result<Entry, RowErrors> {
        var row = row
        let entryID = row.required(.id)
        var userSeq: Int64?
        if let text = row.required(.userSeq) {
            userSeq = Int64(text)
            if userSeq == nil || userSeq! < 0 { row.problem(.userSeq, "'\(text)' is not a whole number of zero or more") }
        }
        // The export writes `2026-11-20 14:03:07` in UTC.
        let time = row.timestamp(.date, row.required(.date), assumeUTC: true)
        var type: EntryType?
        if let text = row.required(.type) {
            type = EntryType(rawValue: text.lowercased())
            if type == nil {
                row.problem(.type, "'\(text)' is not a transaction type hedgeledger knows (\(EntryType.allCases.map(\.rawValue).joined(separator: ", "))); nothing from the file was imported, so no cash movement is lost")
            }
        }
        let instrument = row.value(.instrument).flatMap { $0 == "-" ? nil : $0 }
        if let instrument, instrument.first!.isWhitespace || instrument.last!.isWhitespace {
            row.problem(.instrument, "'\(instrument)' has leading or trailing spaces; an instrument name has none")
        }
        let tradeID = row.value(.tradeID), orderID = row.value(.orderID)
        let side = row.value(.side).flatMap { $0 == "-" ? nil : $0 }
        let amountColumn: Column = row.header.index(of: .amount) != nil ? .amount
            : row.header.index(of: .baseAmount) != nil ? .baseAmount : .size
        let feeColumn: Column = row.header.index(of: .feeCharged) != nil ? .feeCharged : .feePaid
        let signedAmount = row.decimal(amountColumn, row.value(amountColumn))
        // v4's Base Amount beside its Amount: not kept (the fill and the row keep Amount), but a number.
        if amountColumn != .baseAmount { _ = row.decimal(.baseAmount, row.value(.baseAmount)) }
        let position = row.decimal(.position, row.value(.position))
        let price = row.decimal(.price, row.value(.price))
        let markPrice = row.decimal(.markPrice, row.value(.markPrice))
        let indexPrice = row.decimal(.indexPrice, row.value(.indexPrice))
        let cashFlow = row.value(.cashFlow) == nil ? .zero : row.decimal(.cashFlow, row.value(.cashFlow))
        let funding = row.decimal(.funding, row.value(.funding))
        let feeRate = row.decimal(.feeRate, row.value(.feeRate))
        let fee = row.value(feeColumn) == nil ? .zero : row.decimal(feeColumn, row.value(feeColumn))
        let feeBalance = row.decimal(.feeBalance, row.value(.feeBalance))
        let change = row.decimal(.change, row.required(.change))
        let balance = row.decimal(.balance, row.required(.balance))
        let equity = row.decimal(.equity, row.value(.equity))

        var direction: Fill.Side?
        var amount = signedAmount
        if let type, type.isExecution {
            if instrument == nil { row.problem(.instrument, "is empty; a \(type.rawValue) names its instrument") }
            // Exactly Deribit's words (a position move may write a bare buy or sell): 'foo buy' is no side.
            switch side?.lowercased() {
            case "open buy", "close buy": direction = .buy
            case "open sell", "close sell": direction = .sell
            case "buy" where type == .positionMove: direction = .buy
            case "sell" where type == .positionMove: direction = .sell
            default:
                row.problem(.side, "\(side.map { "'\($0)'" } ?? "'-' or empty") is not a trade side; expected open buy, open sell, close buy or close sell (buy or sell for a position move)")
            }
            if let signedAmount, signedAmount.isNegative {
                row.problem(amountColumn, "'\(signedAmount)' is negative; expected the amount without a sign, the side giving the direction")
            }
            if row.value(amountColumn) == nil || amount?.isZero == true {
                row.problem(amountColumn, "is \(amount == nil ? "empty" : "zero"); a \(type.rawValue) moves an amount of its instrument")
                amount = nil
            }
            // (A cell that is there but not a number has its own error already.)
            if row.value(.price) == nil { row.problem(.price, "is empty; a \(type.rawValue) has a price") }
            if row.value(.position) == nil { row.problem(.position, "is empty; a \(type.rawValue) states the position after it") }
            if type == .trade && tradeID == nil {
                row.problem(.tradeID, "is empty; every trade has Deribit's trade id, the key that makes a re-import a duplicate")
            }
        }
        if type == .delivery {
            // What the delivery closes (checked against the position held); `-`: one already closed.
            switch side?.lowercased() {
            case "close buy": direction = .buy
            case "close sell": direction = .sell
            default: break
            }
        }
        if let price, price.isNegative { row.problem(.price, "'\(price)' is negative; a price cannot be") }
        guard row.errors.isEmpty, let entryID, let userSeq, let time, let type, let cashFlow, let fee, let change, let balance else {
            return .failure(RowErrors(errors: row.errors))
        }
        let cells = Entry.Cells(id: row.position(.id), date: row.position(.date), instrument: row.position(.instrument),
                                amount: row.position(amountColumn), price: row.position(.price),
                                position: row.position(.position), change: row.position(.change), balance: row.position(.balance),
                                tradeID: row.position(.tradeID))
        func text(_ value: ExactDecimal?, _ column: Column) -> String? {
            value.map { FillRepository.EncodedAmounts.stored($0, readFrom: row.value(column)) }
        }
        let columns = VenueLogColumns(VenueLogRecord(
            venue: venue, account: "", currency: "", entryID: entryID, userSeq: userSeq, timeMicroseconds: time.microseconds,
            type: type.rawValue, instrument: instrument, side: side, amount: text(amount, amountColumn), position: text(position, .position),
            price: text(price, .price), markPrice: text(markPrice, .markPrice), indexPrice: text(indexPrice, .indexPrice),
            cashFlow: text(cashFlow, .cashFlow)!, funding: text(funding, .funding), feeRate: text(feeRate, .feeRate),
            feeCharged: text(fee, feeColumn)!, feeBalance: text(feeBalance, .feeBalance), change: text(change, .change)!,
            balance: text(balance, .balance)!, equity: text(equity, .equity), tradeID: tradeID,
            orderID: orderID, info: row.value(.info), note: row.value(.note)))
        var amounts: FillRepository.EncodedAmounts?
        if type.isExecution, let amount, let price {
            let written = row.value(amountColumn)
            amounts = FillRepository.EncodedAmounts(quantity: amount.magnitude, price: price, fee: fee,
                                                    texts: (amount.isNegative ? nil : written, row.value(.price), row.value(feeColumn)))
        }
        return .success(Entry(line: row.line, entryID: entryID, userSeq: userSeq, time: time, type: type, instrument: instrument,
                              direction: direction, amount: amount, position: position, price: price, cashFlow: cashFlow,
                              feeCharged: fee, change: change, balance: balance, cells: cells, tradeID: tradeID,
                              orderID: orderID, columns: columns, amounts: amounts))
    }

    /// The account and currency a file name gives: `transaction_log-<uid>-<CUR>-….csv`.
    public static func accountAndCurrency(fromFileName path: String) -> (account: String, currency: String)? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        // An account with spaces is refused as --account is: the name does not say which account.
        guard parts.count >= 3, parts[0].lowercased() == "transaction_log", !parts[1].isEmpty,
              !parts[1].contains(where: \.isWhitespace) else { return nil }
        let currency = parts[2].split(separator: ".").first.map(String.init) ?? ""
        guard InstrumentName.isCurrencyCode(currency.uppercased()) else { return nil }
        return (String(parts[1]), currency.uppercased())
    }
}
