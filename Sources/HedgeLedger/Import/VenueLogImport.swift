/// How a venue transaction log is imported: whose account it is and what to do when its own
/// running figures disagree with the ledger's.
public struct VenueLogOptions: Sendable {
    /// The account (Deribit user id) and currency; taken from the file name when nil.
    public var account: String?
    public var currency: String?
    /// Refuse the file at the first row whose Position, Change or Balance disagrees; when false,
    /// import it and record each disagreement.
    public var check: Bool

    public init(account: String? = nil, currency: String? = nil, check: Bool = true) {
        self.account = account; self.currency = currency; self.check = check
    }
}

/// What a log import did, beside its fills.
public struct VenueLogOutcome: Sendable {
    public var account: String
    public var currency: String
    public var rowsImported = 0
    public var duplicates = 0
    public var fills = 0
    public var fillsAlreadyInLedger = 0
    public var rowsByType: [DeribitTransactionLog.EntryType: Int] = [:]
    public var mismatches = 0
    /// The balance after the file's last row, as the ledger derives it.
    public var balance: ExactDecimal?
}

/// A Deribit transaction log's rows, turned into ledger events inside a trade import's
/// transaction (`TradeImporter` reads the file; this orders and applies it).
///
/// Rows are applied in `UserSeq` order, so a newest-first file and an overlapping download
/// import alike. A row whose (account, currency, ID) is stored is a duplicate when every column
/// agrees, an error otherwise. Trades and position moves become fills of venue `deribit`, keyed
/// by Deribit's trade id: a fill already imported with that key (from the native format) is the
/// same fill when instrument, side, quantity, price, book and the second agree. Every row is
/// kept with its columns. Three checks run on every new row:
/// - position: the book's position in the instrument after the row (from its fills; flat after
///   a delivery) equals the log's `Position`;
/// - change: for trades, position moves and deliveries `Change` = `Cash Flow` − `Fee Charged`,
///   or = `Cash Flow` when the fee came from the fee balance; for settlements `Change` = `Cash Flow`
///   (which includes funding);
/// - balance: the running balance (the last stored row's, or the file's first row's opening
///   `Balance` − `Change`, plus each row's `Change`) equals `Balance`.
struct VenueLogImport {
    let ledger: Ledger
    let file: String
    let importID: Int64
    let book: String
    let options: VenueLogOptions

    func apply(_ entries: [DeribitTransactionLog.Entry], run: inout ImportRun, errors: inout InputErrors) throws -> VenueLogOutcome? {
        guard let (account, currency) = accountAndCurrency(errors: &errors) else { return nil }
        var outcome = VenueLogOutcome(account: account, currency: currency)
        // Usually already in order (or exactly reversed): sorting then costs one pass.
        let ordered = entries.isSorted { $0.userSeq < $1.userSeq } ? entries
            : Array(entries.reversed()).isSorted { $0.userSeq < $1.userSeq } ? Array(entries.reversed())
            : entries.sorted { $0.userSeq < $1.userSeq }
        guard let first = ordered.first else { return outcome }
        let venue = DeribitTransactionLog.venue
        let inserter = try ledger.venueLog.inserter()
        var digester = JournalChain.VenueLogDigester(importID: importID)
        var cash = try ledger.venueLog.latest(venue: venue, account: account, currency: currency, before: first.userSeq)
            .map { try exact($0.record.balance) } ?? (try first.balance - first.change)
        var positions: [String: ExactDecimal] = [:]
        var previous: DeribitTransactionLog.Entry?

        for entry in ordered {
            defer { previous = entry }
            // A refused row takes the log's balance, so the rows after it are checked on their own.
            if let previous, previous.userSeq == entry.userSeq, previous.entryID != entry.entryID {
                errors.append(InputError(file: file, line: entry.line, column: entry.cells.id.column,
                    message: "UserSeq \(entry.userSeq) is also on line \(previous.line) with another ID; UserSeq orders the log and is unique"))
                cash = entry.balance
                continue
            }
            let record = Self.record(entry, venue: venue, account: account, currency: currency)
            var fillID: Int64?
            var instrument: StoredInstrument?
            if let symbol = entry.instrument {
                instrument = try run.instruments.resolve(symbol, at: entry.cells.instrument, file: file, errors: &errors)
                if instrument == nil { cash = entry.balance; continue }
            }
            if entry.type.isExecution, let instrument {
                let before = run.duplicates
                guard let id = try run.accept(fillRow(entry, instrument: instrument.instrument, currency: currency),
                                              amounts: FillRepository.EncodedAmounts(fill(entry, currency: currency)),
                                              differences: Self.sameExecution, errors: &errors) else {
                    cash = entry.balance
                    if let stated = entry.position { positions[instrument.instrument.symbol] = stated }
                    continue
                }
                fillID = id
                if run.duplicates > before { outcome.fillsAlreadyInLedger += 1 } else { outcome.fills += 1 }
            }
            guard let id = try inserter.insertIfNew(record, book: book, fillID: fillID, importID: importID, sourceLine: entry.line) else {
                if try isDuplicate(record, entry: entry, errors: &errors) {
                    outcome.duplicates += 1
                    try advance(&positions, cash: &cash, entry: entry, instrument: instrument, account: account, currency: currency)
                }
                continue
            }
            outcome.rowsImported += 1
            outcome.rowsByType[entry.type, default: 0] += 1
            let found = try advance(&positions, cash: &cash, entry: entry, instrument: instrument, account: account, currency: currency)
            for mismatch in found {
                if options.check {
                    let cell = switch mismatch.rule {
                    case .position: entry.cells.position
                    case .change: entry.cells.change
                    case .balance: entry.cells.balance
                    }
                    errors.append(InputError(file: file, line: cell.line, column: cell.column, message: mismatch.message))
                } else {
                    try ledger.venueLog.insert(VenueLogMismatch(entryID: id, rule: mismatch.rule, venueValue: mismatch.venue.description,
                                                                ledgerValue: mismatch.ledger.description))
                    outcome.mismatches += 1
                }
            }
            digester.add(StoredVenueLogEntry(id: id, record: record, book: book, fillID: fillID, importID: importID,
                                             sourceLine: Int64(entry.line)))
        }
        for block in digester.finish() { try ledger.venueLog.insert(block) }
        outcome.balance = cash
        return outcome
    }

    struct Mismatch {
        var rule: VenueLogMismatch.Rule
        var venue: ExactDecimal
        var ledger: ExactDecimal
        var message: String
    }

    /// Moves the running position and balance past `entry`; what disagrees with the log.
    /// After a disagreement the log's figure is taken, so one difference is reported once.
    @discardableResult
    private func advance(_ positions: inout [String: ExactDecimal], cash: inout ExactDecimal, entry: DeribitTransactionLog.Entry,
                         instrument: StoredInstrument?, account: String, currency: String) throws -> [Mismatch] {
        var found: [Mismatch] = []
        do {
            if let change = try changeProblem(entry) { found.append(change) }
            if let instrument, let stated = entry.position {
                let symbol = instrument.instrument.symbol
                var held: ExactDecimal
                if let known = positions[symbol] {
                    held = known
                } else {
                    held = try opening(instrument, entry: entry, account: account, currency: currency)
                }
                switch entry.type {
                case .trade, .positionMove:
                    let quantity = entry.amount?.magnitude ?? .zero
                    try held += entry.direction == .sell ? -quantity : quantity
                case .delivery:
                    held = .zero
                default:
                    break
                }
                if held != stated {
                    found.append(Mismatch(rule: .position, venue: stated, ledger: held,
                        message: "Position: the log says \(stated) \(instrument.instrument.amountUnit) of \(symbol) after this row; book '\(book)' holds \(held) from the ledger's fills; import the earlier log first, or pass --no-check to import it and record the difference"))
                    held = stated
                }
                positions[symbol] = held
            }
            try cash += entry.change
        } catch let overflow as ArithmeticOverflow {
            found.append(Mismatch(rule: .balance, venue: entry.balance, ledger: cash, message: "Balance: \(overflow)"))
        }
        if cash != entry.balance {
            found.append(Mismatch(rule: .balance, venue: entry.balance, ledger: cash,
                message: "Balance: the log says \(entry.balance) \(currency) after this row; the previous balance plus this row's Change is \(cash)"))
            cash = entry.balance
        }
        return found
    }

    /// The position before the instrument's first row in this file: the log's own figure on the
    /// last stored row, else the book's fills before the row (flat once the instrument expired).
    private func opening(_ instrument: StoredInstrument, entry: DeribitTransactionLog.Entry, account: String,
                         currency: String) throws -> ExactDecimal {
        if let stored = try ledger.venueLog.latestPosition(venue: DeribitTransactionLog.venue, account: account, currency: currency,
                                                           instrument: instrument.instrument.symbol, before: entry.userSeq),
           let text = stored.position {
            return stored.type == DeribitTransactionLog.EntryType.delivery.rawValue ? .zero : try exact(text)
        }
        if instrument.instrument.isExpired(at: entry.time), entry.type != .delivery { return .zero }
        return try ledger.fills.liveQuantity(book: book, instrumentID: instrument.id, before: entry.time)
    }

    private func changeProblem(_ entry: DeribitTransactionLog.Entry) throws -> Mismatch? {
        let expected: ExactDecimal
        switch entry.type {
        case .trade, .positionMove, .delivery:
            expected = try entry.cashFlow - entry.feeCharged
            if entry.change == expected || entry.change == entry.cashFlow { return nil }
        case .settlement:
            expected = entry.cashFlow
            if entry.change == expected { return nil }
        default:
            return nil
        }
        return Mismatch(rule: .change, venue: entry.change, ledger: expected,
            message: "Change: the log says \(entry.change); Cash Flow \(entry.cashFlow)\(entry.type == .settlement ? "" : " - Fee Charged \(entry.feeCharged)") is \(expected)")
    }

    private func isDuplicate(_ record: VenueLogRecord, entry: DeribitTransactionLog.Entry, errors: inout InputErrors) throws -> Bool {
        guard let stored = try ledger.venueLog.find(venue: record.venue, account: record.account, currency: record.currency,
                                                    entryID: record.entryID) else { return false }
        let differences = record.differences(from: stored.record)
        if differences.isEmpty { return true }
        let source = try earlierSource(importID: stored.importID, line: Int(stored.sourceLine), currentImportID: importID,
                                       currentFile: file, ledger: ledger)
        errors.append(InputError(file: file, line: entry.line, column: entry.cells.id.column,
            message: "ID \(record.entryID) of account \(record.account) (\(record.currency)) was already imported from \(source) with a different \(differences.joined(separator: ", ")); a log row is never changed once recorded"))
        return false
    }

    private func accountAndCurrency(errors: inout InputErrors) -> (String, String)? {
        let named = DeribitTransactionLog.accountAndCurrency(fromFileName: file)
        guard let account = options.account ?? named?.account, let currency = options.currency ?? named?.currency else {
            errors.append(InputError(file: file, line: 1, column: 1,
                message: "a Deribit transaction log is one account's one currency, and this file's name does not say which (Deribit names it transaction_log-<uid>-<CURRENCY>-….csv); pass --account UID and --currency CUR"))
            return nil
        }
        return (account, currency)
    }

    private func exact(_ text: String) throws -> ExactDecimal {
        guard case .success(let value) = DecimalSyntax.parse(text) else {
            throw CorruptDatabase(detail: "'\(text)' in venue_log_entries is not an exact decimal")
        }
        return value
    }

    private func fill(_ entry: DeribitTransactionLog.Entry, currency: String) -> Fill {
        Fill(venue: DeribitTransactionLog.venue, tradeID: entry.tradeID ?? "position-move-\(entry.entryID)", time: entry.time,
             instrument: entry.instrument ?? "", book: book, side: entry.direction ?? .buy, quantity: entry.amount?.magnitude ?? .zero,
             price: entry.price ?? .zero, fee: entry.feeCharged, feeCurrency: currency, orderID: entry.orderID,
             note: entry.type == .positionMove ? ["position move", entry.info].compactMap { $0 }.joined(separator: ": ") : nil)
    }

    private func fillRow(_ entry: DeribitTransactionLog.Entry, instrument: Instrument, currency: String) -> NativeTradeFormat.Row {
        NativeTradeFormat.Row(fill: fill(entry, currency: currency), feeCurrencyGiven: true, line: entry.line,
                              instrumentPosition: entry.cells.instrument, quantityPosition: entry.cells.amount,
                              timestampPosition: entry.cells.date, pricePosition: entry.cells.price)
    }

    /// A log trade is the fill already stored under its trade id when these agree; the fee,
    /// order id and note may have been left out of a native file.
    static func sameExecution(_ new: Fill, _ stored: Fill) -> [String] {
        var names: [String] = []
        if new.time.microseconds / 1_000_000 != stored.time.microseconds / 1_000_000 { names.append("timestamp (to the second)") }
        if new.instrument != stored.instrument { names.append("instrument") }
        if new.book != stored.book { names.append("book") }
        if new.side != stored.side { names.append("side") }
        if new.quantity != stored.quantity { names.append("quantity") }
        if new.price != stored.price { names.append("price") }
        return names
    }

    static func record(_ e: DeribitTransactionLog.Entry, venue: String, account: String, currency: String) -> VenueLogRecord {
        VenueLogRecord(venue: venue, account: account, currency: currency, entryID: e.entryID, userSeq: e.userSeq,
                       timeMicroseconds: e.time.microseconds, type: e.type.rawValue, instrument: e.instrument, side: e.side,
                       amount: e.amount?.description, position: e.position?.description, price: e.price?.description,
                       markPrice: e.markPrice?.description, indexPrice: e.indexPrice?.description,
                       cashFlow: e.cashFlow.description, funding: e.funding?.description, feeRate: e.feeRate?.description,
                       feeCharged: e.feeCharged.description, feeBalance: e.feeBalance?.description, change: e.change.description,
                       balance: e.balance.description, equity: e.equity?.description, tradeID: e.tradeID, orderID: e.orderID,
                       info: e.info, note: e.note)
    }
}

private extension Array {
    func isSorted(by precedes: (Element, Element) -> Bool) -> Bool {
        zip(self, dropFirst()).allSatisfy { !precedes($1, $0) }
    }
}
