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
    let book: String
    let options: VenueLogOptions
    private let account: String
    private let currency: String
    private(set) var outcome: VenueLogOutcome
    /// What the rows found, merged into the file's errors at the end.
    private(set) var errors: InputErrors
    /// With `gather`, every row is kept and applied sorted at the end; otherwise rows are applied
    /// as they arrive and a row that goes back throws `OutOfOrder` (the importer then reads the
    /// file again in UserSeq order, `RecordOrder`, or gathering when it cannot be read twice):
    /// a log of a million rows then needs no memory for its rows.
    private let gather: Bool
    private let expectedSize: Int64?
    private var gathered: [DeribitTransactionLog.Entry] = []
    private var first: DeribitTransactionLog.Entry?
    private var state: State?
    private var usable = true
    /// A row was refused (while reading, or its instrument or fill): the rows after it miss its
    /// change and its fill, so checking them would only repeat that one error on every row. The
    /// file is refused anyway.
    private var checking = true
    /// Imports found to be other accounts' logs (by id, with the account), and whether a trade matching one was reported.
    private var otherAccounts: [Int64: String?] = [:]
    private var reportedOtherAccount = false
    /// Another account whose log is in this book, once looked up (for a position mismatch's message).
    private var accountSharingBook: String??
    /// A trade whose Trade ID is stored from another account's log, on the other side, is the
    /// other side of a trade between two of the desk's accounts: its fill is `ID/account`.
    private let otherSide: ImportRun.OtherSide

    /// The file's UserSeq goes back: it must be gathered and sorted before it is applied.
    struct OutOfOrder: Error {}

    /// The running figures of the rows applied so far.
    private struct State {
        let inserter: VenueLogRepository.Inserter
        var digester: JournalChain.VenueLogDigester
        var cash: ExactDecimal
        var positions: [String: ExactDecimal] = [:]
        /// The log's own Position where it last disagreed with the running one, by instrument: when
        /// the next row goes on from it, that row's Amount was the wrong cell, already reported.
        var disputed: [String: ExactDecimal] = [:]
        /// Where each instrument's running position started, for a position mismatch's message.
        var openings: [String: Opening] = [:]
        /// The row applied last: a UserSeq must not come twice.
        var previous: (userSeq: Int64, entryID: String, line: Int)?
    }

    init(ledger: Ledger, file: String, book: String, options: VenueLogOptions, gather: Bool, expectedSize: Int64?) {
        self.ledger = ledger; self.file = file; self.book = book; self.options = options; self.gather = gather
        self.expectedSize = expectedSize
        errors = InputErrors(file: file)
        let named = DeribitTransactionLog.accountAndCurrency(fromFileName: file)
        account = options.account ?? named?.account ?? ""
        currency = options.currency ?? named?.currency ?? ""
        outcome = VenueLogOutcome(account: account, currency: currency)
        let (account, currency) = (account, currency)
        otherSide = { new, stored, differences in
            guard new.side != stored.fill.side, Set(differences).isSubset(of: ["book", "side", "fee"]),
                  let other = try ledger.venueLog.account(ofImport: stored.importID),
                  other.venue == DeribitTransactionLog.venue, other.account != account, other.currency == currency else { return nil }
            return "\(new.tradeID)/\(account)"
        }
        if account.isEmpty || currency.isEmpty {
            usable = false
            let missing = [account.isEmpty ? "--account UID" : nil, currency.isEmpty ? "--currency CUR" : nil].compactMap { $0 }
            errors.append(InputError(file: file, line: 1, column: 1,
                message: file == "-"
                    ? "a Deribit transaction log is one account's one currency, and standard input has no file name to say which; pass \(missing.joined(separator: " and "))"
                    : "a Deribit transaction log is one account's one currency, and this file's name does not say which (Deribit names it transaction_log-<uid>-<CURRENCY>-….csv); pass \(missing.joined(separator: " and "))"))
        }
        if let named {
            for (given, fromName, option) in [(options.account, named.account, "--account"), (options.currency, named.currency, "--currency")]
            where given != nil && given != fromName {
                usable = false
                errors.append(InputError(file: file, line: 1, column: 1,
                    message: "\(option) \(given!) disagrees with the file's name, which says \(fromName); drop \(option), or rename the file if its name is wrong"))
            }
        }
    }

    /// Takes the next row of the file.
    mutating func add(_ entry: DeribitTransactionLog.Entry, run: inout ImportRun) throws {
        guard usable else { return }
        if gather {
            // Room for the whole file at once (a Deribit row is about 180 bytes): growing by doubling would hold two copies.
            if gathered.isEmpty, let size = expectedSize { gathered.reserveCapacity(Int(size / 150)) }
            gathered.append(entry)
            return
        }
        if state == nil && first == nil { first = entry; return }  // the first row waits for the second to show the order
        if let held = first {
            guard entry.userSeq >= held.userSeq else { throw OutOfOrder() }
            first = nil
            try apply(held, run: &run)
        }
        if let previous = state?.previous, entry.userSeq < previous.userSeq { throw OutOfOrder() }
        try apply(entry, run: &run)
    }

    /// A row of the file was refused (while reading, or here for its UserSeq or instrument): the
    /// running checks stop. (A refused fill resyncs instead: its instrument and change are known.)
    mutating func rowRefused() { checking = false }

    /// Applies what is left (every row, sorted, when gathered) and writes the blocks.
    mutating func finish(run: inout ImportRun) throws -> VenueLogOutcome? {
        guard usable else { return nil }
        if let held = first { try apply(held, run: &run) }
        for entry in gathered.sorted(by: { $0.userSeq < $1.userSeq }) { try apply(entry, run: &run) }
        guard var state else { return outcome }
        for block in state.digester.finish() { try ledger.venueLog.insert(block) }
        outcome.balance = state.cash
        return outcome
    }

    private mutating func apply(_ entry: DeribitTransactionLog.Entry, run: inout ImportRun) throws {
        guard usable else { return }
        if state == nil, let other = try ledger.venueLog.otherBook(venue: DeribitTransactionLog.venue, account: account,
                                                                     currency: currency, besides: book) {
            // The checks follow the account's log from row to row; its fills must stay in one book
            // for the ledger's positions to be the ones checked.
            usable = false
            errors.append(InputError(file: file, line: 1, column: 1,
                message: "account \(account)'s \(currency) log is in book '\(other.book)' (import #\(other.importID)), and this import puts it in book '\(book)'; one account's log keeps one book, or its fills would split between books while its checks follow the log: pass --book \(other.book) (to move the account to another book, void its imports and import them again into that book)"))
            return
        }
        if state == nil {
            state = State(inserter: try ledger.venueLog.inserter(venue: DeribitTransactionLog.venue, account: account, currency: currency,
                                                                 book: book, importID: run.importID),
                          digester: JournalChain.VenueLogDigester(importID: run.importID),
                          cash: try ledger.venueLog.latest(venue: DeribitTransactionLog.venue, account: account, currency: currency,
                                                           before: entry.userSeq).map { try ExactDecimal.stored($0.record.balance) }
                              ?? (try entry.balance - entry.change))
        }
        // Rows are applied in UserSeq order, so a row this file repeats (downloads joined) comes right after itself.
        let repeatsPrevious = state!.previous.map { $0.userSeq == entry.userSeq && $0.entryID == entry.entryID } ?? false
        defer { state!.previous = (entry.userSeq, entry.entryID, entry.line) }
        if let previous = state!.previous, previous.userSeq == entry.userSeq, previous.entryID != entry.entryID {
            errors.append(InputError(file: file, line: entry.line, column: entry.cells.id.column,
                message: "UserSeq \(entry.userSeq) is also on line \(previous.line) with another ID; UserSeq orders the log and is unique"))
            rowRefused()
            return
        }
        var fillID: Int64?
        var fillWasStored = false
        var instrument: StoredInstrument?
        if let symbol = entry.instrument {
            instrument = try run.instruments.resolve(symbol, at: entry.cells.instrument, file: file, errors: &errors)
            if let settles = instrument?.instrument.settlementCurrency, settles != currency {
                errors.append(InputError(file: file, line: entry.cells.instrument.line, column: entry.cells.instrument.column,
                    message: "instrument: \(symbol) settles in \(settles), but this is the \(currency) log (\(options.currency == nil ? "from its file name" : "--currency")); Deribit writes one log per currency"))
                instrument = nil
            }
            if instrument == nil { rowRefused(); return }
            // A delivery flattens the log's running position; the ledger flattens a position only
            // at expiry. One before it (or of a perpetual) would let the checks pass while the
            // ledger's fills hold what the log says is gone.
            if entry.type == .delivery, let terms = instrument?.instrument,
               !terms.isExpired(at: entry.time) || terms.expiry.map({ entry.time.microseconds - $0.microseconds >= Self.deliveryWindow }) == true {
                let when = terms.expiry.map {
                    entry.time < $0 ? "before its expiry \($0.iso8601)" : "more than a day after its expiry \($0.iso8601)"
                } ?? "and it never expires"
                errors.append(InputError(file: file, line: entry.cells.date.line, column: entry.cells.date.column,
                    message: "Date: a delivery of \(symbol) at \(entry.time.iso8601), \(when); Deribit delivers a future or option at its expiry (08:00 UTC), so this row's Date or Instrument is wrong"))
                rowRefused()
                return
            }
        }
        if entry.type.isExecution, let instrument, let amounts = entry.amounts {
            let before = run.duplicates
            guard let id = try run.accept(Self.fillRow(entry, book: book, account: account, currency: currency), amounts: amounts,
                                          differences: Self.sameExecution, otherSide: otherSide, errors: &errors) else {
                resync(balance: entry.balance, position: entry.position, instrument: instrument)
                return
            }
            fillID = id
            fillWasStored = run.duplicates > before
            if fillWasStored, let match = run.lastMatch, match.fillID == id, let other = try otherAccountsLog(match.importID) {
                if !reportedOtherAccount {
                    reportedOtherAccount = true
                    errors.append(InputError(file: file, line: entry.cells.tradeID.line, column: entry.cells.tradeID.column,
                        message: "Trade ID \(entry.tradeID ?? ""): this trade is already in the ledger from account \(other)'s \(currency) log (import #\(match.importID)), on the same side; one execution is in one account's log, so is this log account \(account)'s (\(options.account == nil ? "from its file name" : "--account"))? If import #\(match.importID) was the one under a wrong account, void it (`hedgeledger void import \(match.importID) --reason ...`) and import that log again. Further trades like it are not listed"))
                }
                resync(balance: entry.balance, position: entry.position, instrument: instrument)
                return
            }
        }
        let importID = run.importID
        var revision: Int64 = 0
        var inserted = try state!.inserter.insertIfNew(entry.columns, fillID: fillID, sourceLine: entry.line)
        if inserted == nil {
            let venue = DeribitTransactionLog.venue
            if let stored = try ledger.venueLog.findLive(venue: venue, account: account, currency: currency, entryID: entry.entryID) {
                if try isSame(entry.columns.record(venue: venue, account: account, currency: currency), as: stored, entry: entry,
                              importID: importID) {
                    outcome.duplicates += 1
                    // A row stored by an earlier import is one the running figures started before;
                    // one this file already gave (overlapping downloads joined) moved them already,
                    // as does the first copy of a stored row the file repeats.
                    if stored.importID != importID, !repeatsPrevious { try advance(entry, instrument: instrument) }
                } else {
                    // Go on from the row as stored: the one in this file was refused.
                    resync(balance: try ExactDecimal.stored(stored.record.balance),
                           position: try stored.record.position.map(ExactDecimal.stored), instrument: instrument)
                }
                return
            }
            // Every earlier row with this key was voided with its import: this one is its correction.
            revision = try ledger.venueLog.revisions(venue: venue, account: account, currency: currency, entryID: entry.entryID)
            inserted = try state!.inserter.insertIfNew(entry.columns, fillID: fillID, sourceLine: entry.line, revision: revision)
        }
        guard let id = inserted else { return }
        if fillID != nil { if fillWasStored { outcome.fillsAlreadyInLedger += 1 } else { outcome.fills += 1 } }
        outcome.rowsImported += 1
        outcome.rowsByType[entry.type, default: 0] += 1
        for mismatch in try advance(entry, instrument: instrument) where checking {
            if options.check {
                let cell = switch mismatch.rule {
                case .position: entry.cells.position
                case .change: entry.cells.change
                case .balance: entry.cells.balance
                case .premium: entry.cells.price
                }
                errors.append(InputError(file: file, line: cell.line, column: cell.column, message: mismatch.message))
            } else {
                try ledger.venueLog.insert(VenueLogMismatch(entryID: id, rule: mismatch.rule, venueValue: mismatch.venue.description,
                                                            ledgerValue: mismatch.ledger.description))
                outcome.mismatches += 1
            }
        }
        state!.digester.add(id: id, revision: revision, venue: DeribitTransactionLog.venue, account: account, currency: currency,
                            columns: entry.columns, book: book, fillID: fillID, sourceLine: Int64(entry.line))
    }

    /// A delivery comes at its instrument's expiry: one a day or more later is a wrong Date (or Instrument).
    static let deliveryWindow: Int64 = 86_400 * 1_000_000

    /// Where the ledger's running position in an instrument started from.
    enum Opening {
        /// The book's fills before the file's first row of the instrument.
        case fills
        /// The log's own `Position` on the last stored row of the instrument.
        case storedRow(entryID: String, importID: Int64)
    }

    /// The account whose log a stored fill's import is, when it is another account's log of this currency.
    private mutating func otherAccountsLog(_ importID: Int64) throws -> String? {
        if let known = otherAccounts[importID] { return known }
        let other = try ledger.venueLog.account(ofImport: importID).flatMap {
            $0.venue == DeribitTransactionLog.venue && $0.account != account && $0.currency == currency ? $0.account : nil
        }
        otherAccounts[importID] = .some(other)
        return other
    }

    /// Another account whose log is in this book, looked up once: the likely cause of a position mismatch.
    private mutating func accountInBook() throws -> String? {
        if let known = accountSharingBook { return known }
        let found = try ledger.venueLog.otherAccount(inBook: book, venue: DeribitTransactionLog.venue, besides: account)
        accountSharingBook = .some(found)
        return found
    }

    /// A row refused against the ledger: the rows after it are checked from the figures after it
    /// (the log's own, or the stored row's). Moving the cash by its Change would count a repeated
    /// row twice; leaving it out would fail every Balance after it.
    private mutating func resync(balance: ExactDecimal, position: ExactDecimal?, instrument: StoredInstrument?) {
        state!.cash = balance
        if let instrument, let position { state!.positions[instrument.instrument.symbol] = position }
    }

    struct Mismatch {
        var rule: VenueLogMismatch.Rule
        var venue: ExactDecimal
        var ledger: ExactDecimal
        var message: String
    }

    /// Moves the running position and balance past `entry`; what disagrees with the log. The
    /// ledger's own figures carry on after a disagreement, so one wrong cell is one error.
    @discardableResult
    private mutating func advance(_ entry: DeribitTransactionLog.Entry, instrument: StoredInstrument?) throws -> [Mismatch] {
        var found: [Mismatch] = []
        var change = entry.change
        do {
            if let instrument, let problem = try Self.premiumProblem(entry, instrument: instrument.instrument, currency: currency) {
                found.append(problem)
            }
            if var problem = try Self.changeProblem(entry) {
                // One wrong cell is one error. A Change that carries the running balance to the log's
                // Balance is the log's own figure: the Cash Flow or the fee is the wrong cell, and the
                // balance goes on by the Change. Otherwise the Change is wrong, and the balance moves
                // by what the Cash Flow and the fee make.
                if try state!.cash + entry.change == entry.balance {
                    problem.message += "; the log's Change carries its Balance, so check this row's Cash Flow and Fee Charged"
                } else {
                    change = problem.ledger
                }
                found.append(problem)
            }
            if let instrument, let stated = entry.position {
                let symbol = instrument.instrument.symbol
                var held: ExactDecimal
                let before = state!.positions[symbol]
                if let running = before {
                    held = running
                } else {
                    let start = try opening(instrument, entry: entry)
                    held = start.quantity
                    state!.openings[symbol] = start.from
                }
                let opened = held
                func moved(_ position: ExactDecimal) throws -> ExactDecimal {
                    switch entry.type {
                    case .trade, .positionMove:
                        let quantity = entry.amount?.magnitude ?? .zero
                        return try position + (entry.direction == .sell ? -quantity : quantity)
                    case .delivery:
                        // It closes what is held (a close sell of a long): a delivery of another
                        // amount, or on the wrong side, leaves the ledger's figure off the log's 0.
                        guard let direction = entry.direction, let quantity = entry.amount?.magnitude else { return .zero }
                        return try position + (direction == .sell ? -quantity : quantity)
                    default: return position
                    }
                }
                held = try moved(held)
                if held != stated, !state!.disputed.isEmpty, let disputed = state!.disputed[symbol], try moved(disputed) == stated {
                    // The row that disagreed had the right Position and a wrong Amount (reported there):
                    // go on from the log's figure, so one wrong cell stays one error.
                    held = stated
                }
                if held == stated {
                    // Touched only after a disagreement: this runs for every row.
                    if !state!.disputed.isEmpty { state!.disputed[symbol] = nil }
                } else {
                    state!.disputed[symbol] = stated
                    let said = "Position: the log says \(stated) \(instrument.instrument.amountUnit) of \(symbol) after this row"
                    let message = if let before {
                        // Rows of the instrument before it in this file agreed (or were resynced): the
                        // disagreement is in this row, not in where the file started.
                        "\(said); the rows of \(symbol) before it in this file leave \(before), and this row makes it \(held) (\(entry.direction.map { "a \($0.rawValue) of \(entry.amount?.magnitude.description ?? "0")" } ?? "no trade")): this row's Position or Amount disagrees with the log's own running position; correct the file, or pass --no-check to import it and record the difference"
                    } else {
                        switch state!.openings[symbol] ?? .fills {
                        case .fills:
                            if let other = try accountInBook() {
                                "\(said); book '\(book)' holds \(held), and it also holds account \(other)'s log: the ledger adds the two accounts up, each log has only its own; import each account into a book of its own (--book NAME)"
                            } else {
                                "\(said); book '\(book)' holds \(opened) before it (from the ledger's fills) and \(held) after it: if the log starts while a position was open, import the earlier log first (or the opening fills); otherwise this row's Position or Amount is wrong; or pass --no-check to import it and record the difference"
                            }
                        case .storedRow(let entryID, let importID):
                            "\(said); the ledger makes it \(held), going on from \(opened), the Position of the last stored row of \(symbol) (ID \(entryID), import #\(importID)): if this row's Position or Amount is wrong, correct this file; if that stored log was wrong, void its import (`hedgeledger void import \(importID) --reason ...`) and import it corrected; or pass --no-check to import this one and record the difference"
                        }
                    }
                    found.append(Mismatch(rule: .position, venue: stated, ledger: held, message: message))
                }
                state!.positions[symbol] = held
            }
            try state!.cash += change
        } catch let overflow as ArithmeticOverflow {
            // One mismatch for the row (a second of the same rule could not be recorded), and the
            // rows after it go on from the log's own Balance.
            found.append(Mismatch(rule: .balance, venue: entry.balance, ledger: state!.cash, message: "Balance: \(overflow)"))
            state!.cash = entry.balance
            return found
        }
        if state!.cash != entry.balance {
            found.append(Mismatch(rule: .balance, venue: entry.balance, ledger: state!.cash,
                message: "Balance: the log says \(entry.balance) \(currency) after this row; the previous balance plus this row's Change is \(state!.cash)"))
        }
        return found
    }

    /// The position before the instrument's first row in this file: the log's own figure on the
    /// last stored row, else the book's fills before the row (flat once the instrument expired).
    private func opening(_ instrument: StoredInstrument, entry: DeribitTransactionLog.Entry) throws
        -> (quantity: ExactDecimal, from: Opening) {
        if let stored = try ledger.venueLog.latestPosition(venue: DeribitTransactionLog.venue, account: account, currency: currency,
                                                           instrument: instrument.instrument.symbol, before: entry.userSeq),
           let text = stored.position {
            let quantity = stored.type == DeribitTransactionLog.EntryType.delivery.rawValue ? .zero : try ExactDecimal.stored(text)
            return (quantity, .storedRow(entryID: stored.entryID, importID: stored.importID))
        }
        if instrument.instrument.isExpired(at: entry.time), entry.type != .delivery { return (.zero, .fills) }
        return (try ledger.fills.liveQuantity(book: book, instrumentID: instrument.id, before: entry.time), .fills)
    }

    /// A coin option's trade (Deribit's BTC and ETH options, priced and paid in the log's coin):
    /// its Cash Flow is the premium, Amount × Price, paid on a buy and received on a sell. A
    /// tenfold Price with the right Cash Flow would otherwise change the fill, and its P&L,
    /// without a word. Within a unit of the 8th place, where coin amounts are rounded. (The USDC
    /// options are left out: how the venue rounds their premiums is not known here.)
    private static func premiumProblem(_ entry: DeribitTransactionLog.Entry, instrument: Instrument, currency: String) throws -> Mismatch? {
        guard entry.type == .trade, instrument.kind == .option, instrument.isInverse, instrument.quoteCurrency == currency,
              instrument.multiplier == .one, let amount = entry.amount, let price = entry.price, let direction = entry.direction else { return nil }
        let premium = try amount.magnitude * price
        let expected = direction == .buy ? -premium : premium
        guard try (entry.cashFlow - expected).magnitude > premiumTolerance else { return nil }
        return Mismatch(rule: .premium, venue: entry.cashFlow, ledger: expected,
            message: "Price: an option trade's Cash Flow is its premium, Amount \(amount.magnitude) × Price \(price) = \(premium) \(direction == .buy ? "paid" : "received"), so \(expected), but the log's Cash Flow is \(entry.cashFlow): this row's Price, Amount or Cash Flow is wrong; correct the file, or pass --no-check to import it and record the difference")
    }

    static let premiumTolerance = ExactDecimal(units: 10_000_000_000)  // 10⁻⁸

    private static func changeProblem(_ entry: DeribitTransactionLog.Entry) throws -> Mismatch? {
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

    /// Whether the row is the stored one again (a duplicate); a different one is an error.
    private mutating func isSame(_ record: VenueLogRecord, as stored: StoredVenueLogEntry, entry: DeribitTransactionLog.Entry,
                                 importID: Int64) throws -> Bool {
        let differences = record.differences(from: stored.record)
        if differences.isEmpty { return true }
        // Each differing column with both values, as stored (canonical) and as in this file.
        let theirs = Dictionary(stored.record.columns.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let ours = Dictionary(record.columns.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let different = differences.map { name in
            "\(name) (\(theirs[name].flatMap { $0 } ?? "empty") there, \(ours[name].flatMap { $0 } ?? "empty") here)"
        }.joined(separator: ", ")
        let cell = Self.cell(of: differences[0], in: entry) ?? entry.cells.id
        if stored.importID == importID {
            errors.append(InputError(file: file, line: cell.line, column: cell.column,
                message: "ID \(record.entryID) is also on line \(stored.sourceLine) of this file, with a different \(different); a log row's ID is unique (were two different logs joined?)"))
            return false
        }
        let source = try earlierSource(importID: stored.importID, line: Int(stored.sourceLine), currentImportID: importID,
                                       currentFile: file, ledger: ledger)
        errors.append(InputError(file: file, line: cell.line, column: cell.column,
            message: "ID \(record.entryID) of account \(record.account) (\(record.currency)) was already imported from \(source) with a different \(different); a log row is never changed once recorded: if the stored one is wrong, void its import (`hedgeledger void import \(stored.importID) --reason ...`) and import the corrected log"))
        return false
    }

    /// Where a column of the row is in the file, for the columns the row keeps positions of.
    private static func cell(of column: String, in entry: DeribitTransactionLog.Entry) -> (line: Int, column: Int)? {
        switch column {
        case "ID": entry.cells.id
        case "Date": entry.cells.date
        case "Instrument": entry.cells.instrument
        case "Amount": entry.cells.amount
        case "Price": entry.cells.price
        case "Position": entry.cells.position
        case "Change": entry.cells.change
        case "Balance": entry.cells.balance
        case "Trade ID": entry.cells.tradeID
        default: nil
        }
    }


    /// Static, as `changeProblem`: a method on `self` called from the mutating per-row path copied
    /// the whole import state (its strings and dictionaries retained) on every row.
    private static func fillRow(_ entry: DeribitTransactionLog.Entry, book: String, account: String, currency: String)
        -> NativeTradeFormat.Row {
        let note = entry.type == .positionMove
            ? ["position move", entry.columns.record(venue: DeribitTransactionLog.venue, account: account, currency: currency).info]
                .compactMap { $0 }.joined(separator: ": ")
            : nil
        let fill = Fill(venue: DeribitTransactionLog.venue, tradeID: entry.tradeID ?? "position-move-\(entry.entryID)", time: entry.time,
                        instrument: entry.instrument ?? "", book: book, side: entry.direction ?? .buy,
                        quantity: entry.amount?.magnitude ?? .zero, price: entry.price ?? .zero, fee: entry.feeCharged,
                        feeCurrency: currency, orderID: entry.orderID, note: note)
        return NativeTradeFormat.Row(fill: fill, feeCurrencyGiven: true, line: entry.line, instrumentPosition: entry.cells.instrument,
                                     quantityPosition: entry.cells.amount, timestampPosition: entry.cells.date,
                                     pricePosition: entry.cells.price)
    }

    /// A log trade is the fill already stored under its trade id when these agree; the order id
    /// and note may have been left out of a native file, and its fee (stored as 0).
    static func sameExecution(_ new: Fill, _ stored: Fill) -> [String] {
        var names: [String] = []
        if new.time.microseconds / 1_000_000 != stored.time.microseconds / 1_000_000 { names.append("timestamp (to the second)") }
        if new.instrument != stored.instrument { names.append("instrument") }
        if new.book != stored.book { names.append("book") }
        if new.side != stored.side { names.append("side") }
        if new.quantity != stored.quantity { names.append("quantity") }
        if new.price != stored.price { names.append("price") }
        // A native file without fees stores 0: a fee it gave must be the venue's.
        if !stored.fee.isZero && (stored.fee != new.fee || stored.feeCurrency != new.feeCurrency) { names.append("fee") }
        return names
    }
}
