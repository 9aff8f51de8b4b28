import Foundation
import Testing
@testable import HedgeLedger

/// Deribit transaction logs through `import trades`: every header version, the row types, the
/// ordering and duplicate rules, the built-in checks, `balances`, and `assert position`.
@Suite("Venue transaction logs")
struct VenueLogTests {
    /// One log row by Deribit's column names; the Balance is filled in by `log(_:version:)`.
    typealias Row = [String: String]

    static let headers = [
        "v4": "ID,UserSeq,Date,Instrument,Type,Side,Amount,Base Amount,Position,Price,Mark Price,Index Price,Cash Flow,Funding,Fee Rate,Fee Charged,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info,Note",
        "v3": "ID,UserSeq,Date,Instrument,Type,Side,Base Amount,Position,Price,Mark Price,Index Price,Cash Flow,Funding,Fee Rate,Fee Charged,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info,Note",
        "v2": "ID,UserSeq,Date,Instrument,Type,Side,Base Amount,Position,Price,Mark Price,Index Price,Cash Flow,Funding,Fee Rate,Fee Charged,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info",
        "v1": "ID,UserSeq,Date,Instrument,Type,Side,Size,Position,Price,Mark Price,Cash Flow,Funding,Fee Rate,Fee Paid,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info",
    ]

    /// A month of one BTC account: a deposit; a perpetual opened, partly closed, settled with
    /// funding and topped up by a position move; a call sold and expired worthless; a withdrawal.
    static let rows: [Row] = [
        ["ID": "1001", "UserSeq": "11", "Date": "2026-11-02 09:00:00", "Type": "deposit", "Side": "-", "Cash Flow": "2",
         "Change": "2", "Info": "bc1qdeposit"],
        ["ID": "1002", "UserSeq": "12", "Date": "2026-11-02 10:00:00", "Instrument": "BTC-PERPETUAL", "Type": "trade",
         "Side": "open buy", "Amount": "10000", "Position": "10000", "Price": "100000", "Mark Price": "100010",
         "Cash Flow": "0", "Fee Rate": "0.0005", "Fee Charged": "0.00005", "Change": "-0.00005", "Trade ID": "70001",
         "Order ID": "9001"],
        ["ID": "1003", "UserSeq": "13", "Date": "2026-11-02 11:00:00", "Instrument": "BTC-27NOV26-100000-C", "Type": "trade",
         "Side": "open sell", "Amount": "1", "Position": "-1", "Price": "0.05", "Cash Flow": "0.05", "Fee Charged": "0.0003",
         "Change": "0.0497", "Trade ID": "70002", "Order ID": "9002"],
        // A partial close; the fee came from the fee balance, so Change is the Cash Flow.
        ["ID": "1004", "UserSeq": "14", "Date": "2026-11-02 12:00:00", "Instrument": "BTC-PERPETUAL", "Type": "trade",
         "Side": "close sell", "Amount": "4000", "Position": "6000", "Price": "101000", "Cash Flow": "0.00039604",
         "Fee Charged": "0.00002", "Fee Balance": "0.01", "Change": "0.00039604", "Trade ID": "70003", "Order ID": "9003"],
        ["ID": "1005", "UserSeq": "15", "Date": "2026-11-03 08:00:00", "Instrument": "BTC-PERPETUAL", "Type": "settlement",
         "Side": "long", "Position": "6000", "Price": "101500", "Cash Flow": "0.00003", "Funding": "0.00001",
         "Change": "0.00003"],
        ["ID": "1006", "UserSeq": "16", "Date": "2026-11-04 09:30:00", "Instrument": "BTC-PERPETUAL", "Type": "position move",
         "Side": "buy", "Amount": "1000", "Position": "7000", "Price": "101200", "Cash Flow": "0", "Change": "0",
         "Trade ID": "70004", "Info": "From subaccount 654321"],
        ["ID": "1007", "UserSeq": "17", "Date": "2026-11-10 15:00:00", "Type": "withdrawal", "Side": "-", "Cash Flow": "-0.5",
         "Fee Charged": "0.0001", "Change": "-0.5001", "Info": "bc1qwithdrawal"],
        ["ID": "1008", "UserSeq": "18", "Date": "2026-11-27 08:00:00", "Instrument": "BTC-27NOV26-100000-C", "Type": "delivery",
         "Side": "close buy", "Amount": "1", "Position": "0", "Price": "0", "Cash Flow": "0", "Change": "0"],
    ]

    /// The log's text in a header version, rows in the order given, each Balance the running sum.
    static func log(_ rows: [Row], version: String = "v4", balances from: [Row] = rows) -> String {
        var balances: [String: Decimal] = [:], running = Decimal(0)
        for row in from.sorted(by: { Int($0["UserSeq"]!)! < Int($1["UserSeq"]!)! }) {
            running += Decimal(string: row["Change"]!)!
            balances[row["ID"]!] = running
        }
        let header = headers[version]!
        var lines = [header]
        for row in rows {
            lines.append(header.split(separator: ",").map { name -> String in
                switch name {
                case "Amount", "Base Amount", "Size": return row["Amount"] ?? ""
                case "Fee Charged", "Fee Paid": return row["Fee Charged"] ?? "0"
                case "Balance": return row["Balance"] ?? "\(balances[row["ID"]!]!)"
                default: return row[String(name)] ?? ""
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func positions(_ db: String, at: String = "2026-11-20T00:00:00Z") throws -> [String: String] {
        let result = try hedgeledger(["positions", "--db", db, "--at", at, "--format", "json"])
        let rows = try #require(try jsonObject(result.stdout)["positions"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ("\($0["book"]!) \($0["instrument"]!)", "\($0["quantity"]!)") })
    }

    static func balances(_ db: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let result = try hedgeledger(["balances", "--db", db, "--format", "json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try jsonObject(result.stdout)["balances"] as? [[String: Any]])
    }

    @Test("each header version: trades, a partial close, settlement with funding, a position move, deposit, withdrawal, option delivery",
          arguments: ["v4", "v3", "v2", "v1"])
    func versions(version: String) throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let file = directory.write("transaction_log-123456-BTC-2026-11.csv", Self.log(Self.rows, version: version))
        let result = try hedgeledger(["import", "trades", "--db", db, file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("8 log rows of account 123456 BTC imported (3 trade, 1 deposit, 1 withdrawal, 1 settlement, 1 delivery, 1 position move)"), "\(result.stderr)")
        #expect(result.stderr.contains("4 fills added") && result.stderr.contains("balance 1.54997604 BTC"), "\(result.stderr)")
        // 10000 bought, 4000 sold, 1000 moved in; the call sold is open before expiry.
        #expect(try Self.positions(db) == ["main BTC-PERPETUAL": "7000", "main BTC-27NOV26-100000-C": "-1"])
        let imports = try hedgeledger(["imports", "--db", db, "--format", "json"])
        let format = try #require((try jsonObject(imports.stdout)["imports"] as? [[String: Any]])?.first?["format"] as? String)
        #expect(format == "deribit-transaction-log-\(version)")
        let cash = try #require(try Self.balances(db).first)
        #expect("\(cash["cash"]!)" == "1.54997604" && cash["agrees"] as? Bool == true && "\(cash["transfers"]!)" == "1.4999")
        #expect("\(cash["settlements"]!)" == "3e-05" || "\(cash["settlements"]!)" == "0.00003")
        // Cash as of a time before the withdrawal.
        let mistyped = try hedgeledger(["balances", "--db", db, "--account", "123465"])
        #expect(mistyped.status == 64 && mistyped.stderr.contains("did you mean '123456'?"), "\(mistyped.stderr)")
        let earlier = try #require(try Self.balances(db, ["--at", "2026-11-05T00:00:00Z"]).first)
        #expect("\(earlier["cash"]!)" == "2.05007604")
        let verify = try hedgeledger(["verify", "--db", db])
        #expect(verify.status == 0 && verify.stdout.contains("8 venue log rows of 1 import match"), "\(verify.stdout)")
        // Again: every row a duplicate, nothing added.
        let again = try hedgeledger(["import", "trades", "--db", db, file])
        #expect(again.status == 0 && again.stderr.contains("nothing new: 0 log rows") && again.stderr.contains("8 duplicate rows skipped"),
                "\(again.stderr)")
        #expect(try Self.positions(db) == ["main BTC-PERPETUAL": "7000", "main BTC-27NOV26-100000-C": "-1"])
    }

    @Test("a newest-first file and overlapping downloads give the same ledger as one file in order")
    func orderAndOverlap() throws {
        let directory = TemporaryDirectory()
        let whole = directory.file("whole.sqlite"), reversed = directory.file("reversed.sqlite"), pieces = directory.file("pieces.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", whole,
                                 directory.write("transaction_log-1-BTC-a.csv", Self.log(Self.rows))]).status == 0)
        let newestFirst = try hedgeledger(["import", "trades", "--db", reversed,
                                           directory.write("transaction_log-1-BTC-b.csv", Self.log(Self.rows.reversed()))])
        #expect(newestFirst.status == 0, "\(newestFirst.stderr)")
        #expect(try hedgeledger(["import", "trades", "--db", pieces,
                                 directory.write("transaction_log-1-BTC-c.csv", Self.log(Array(Self.rows[0..<5])))]).status == 0)
        // The second download overlaps the first by three rows; its balances continue from the stored rows.
        let overlap = try hedgeledger(["import", "trades", "--db", pieces,
                                       directory.write("transaction_log-1-BTC-d.csv", Self.log(Array(Self.rows[2...])))])
        #expect(overlap.status == 0 && overlap.stderr.contains("3 log rows") && overlap.stderr.contains("3 duplicate rows skipped"),
                "\(overlap.stderr)")
        // The whole log again into another book: one error naming the book the account's log is in, not one per fill.
        let before = try Data(contentsOf: URL(fileURLWithPath: whole))
        let otherBook = try hedgeledger(["import", "trades", "--db", whole, "--book", "other",
                                         directory.write("transaction_log-1-BTC-e.csv", Self.log(Self.rows))])
        #expect(otherBook.status == 65 && otherBook.stderr.contains("account 1's BTC log is in book 'main' (import #1)")
                && otherBook.stderr.contains("this import puts it in book 'other'") && otherBook.stderr.contains("refused: 1 error"),
                "\(otherBook.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: whole)) == before)
        // The account's next download, new rows only, into another book (a --book forgotten): refused the same way, where the
        // checks, which follow the log, would have passed while the fills went to a second book.
        let next = Self.rows[7...].map { row -> Row in var row = row; row["ID"] = "9\(row["ID"]!)"; row["UserSeq"] = "9\(row["UserSeq"]!)"
            row["Date"] = "2026-11-28 08:00:00"; row["Type"] = "deposit"; row["Instrument"] = nil; row["Change"] = "1"; row["Cash Flow"] = "1"; return row }
        let forgotten = try hedgeledger(["import", "trades", "--db", whole, "--book", "other",
                                         directory.write("transaction_log-1-BTC-next.csv", Self.log(Array(next), balances: Self.rows + next))])
        #expect(forgotten.status == 65 && forgotten.stderr.contains("pass --book main"), "\(forgotten.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: whole)) == before)
        // Two downloads concatenated, the later first: the rows go back in the middle of the file.
        let concatenated = directory.file("concatenated.sqlite")
        let backwards = try hedgeledger(["import", "trades", "--db", concatenated, directory.write("transaction_log-1-BTC-f.csv",
            Self.log(Array(Self.rows[4...]) + Array(Self.rows[..<4])))])
        #expect(backwards.status == 0 && backwards.stderr.contains("8 log rows"), "\(backwards.stderr)")
        // Two overlapping downloads in one file: the rows both hold are applied once, in either order.
        let joined = directory.file("joined.sqlite"), joinedBack = directory.file("joined-back.sqlite")
        let wholeCash = "\(try Self.balances(whole)[0]["cash"]!)"
        for (db, name, rows) in [(joined, "g", Array(Self.rows[..<6]) + Array(Self.rows[3...])),
                                 (joinedBack, "h", Array(Self.rows[3...]) + Array(Self.rows[..<6]))] {
            let result = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-\(name).csv", Self.log(rows))])
            #expect(result.status == 0 && result.stderr.contains("8 log rows") && result.stderr.contains("3 duplicate rows skipped")
                    && result.stderr.contains("balance \(wholeCash) BTC"), "\(result.stderr)")
        }
        // The same joined file over a ledger that already holds the first download: a row both downloads
        // hold, already stored, moves the running balance once (it was counted twice, a false Balance error).
        let overStored = directory.file("over-stored.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", overStored, directory.write("transaction_log-1-BTC-first.csv", Self.log(Array(Self.rows[..<6])))]).status == 0)
        let again = try hedgeledger(["import", "trades", "--db", overStored, directory.write("transaction_log-1-BTC-g2.csv", Self.log(Array(Self.rows[..<6]) + Array(Self.rows[3...])))])
        #expect(again.status == 0 && again.stderr.contains("2 log rows") && again.stderr.contains("balance \(wholeCash) BTC"), "\(again.stderr)")
        let allStored = try hedgeledger(["import", "trades", "--db", overStored, directory.write("transaction_log-1-BTC-g3.csv", Self.log(Array(Self.rows[..<6]) + Array(Self.rows[3...])))])
        #expect(allStored.status == 0 && allStored.stderr.contains("balance \(wholeCash) BTC"), "\(allStored.stderr)")
        // From standard input, which cannot be read twice, a newest-first log is gathered first.
        let piped = directory.file("piped.sqlite")
        let fromStdin = try hedgeledger(["import", "trades", "--db", piped, "--account", "1", "--currency", "BTC", "-"],
                                        stdin: Self.log(Self.rows.reversed()))
        #expect(fromStdin.status == 0 && fromStdin.stderr.contains("8 log rows"), "\(fromStdin.stderr)")
        let unnamed = try hedgeledger(["import", "trades", "--db", directory.file("unnamed.sqlite"), "-"], stdin: Self.log(Self.rows))
        #expect(unnamed.status == 65 && unnamed.stderr.contains("standard input has no file name to say which; pass --account UID and --currency CUR"),
                "\(unnamed.stderr)")
        for db in [reversed, pieces, concatenated, joined, joinedBack, piped, overStored] {
            #expect(try Self.positions(db) == Self.positions(whole))
            #expect("\(try Self.balances(db)[0]["cash"]!)" == "\(try Self.balances(whole)[0]["cash"]!)")
        }
        // The same rows with one changed cell are not duplicates: refused, naming the column.
        var changed = Self.rows
        changed[3]["Price"] = "101001"
        let conflict = try hedgeledger(["import", "trades", "--db", whole,
                                        directory.write("transaction_log-1-BTC-e.csv", Self.log(changed))])
        #expect(conflict.status == 65 && conflict.stderr.contains("already imported from") && conflict.stderr.contains("different"),
                "\(conflict.stderr)")
    }

    @Test("a later download that changes one stored row's cell: one error, and the rows after it are checked from its own figures")
    func changedStoredRowIsOneError() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("c.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db,
                                 directory.write("transaction_log-1-BTC-a.csv", Self.log(Array(Self.rows[..<5])))]).status == 0)
        // Rows 3 to 8 newest first, as Deribit writes them; stored row 1004 (line 6 of 7) has another Note.
        var later = Array(Self.rows[2...])
        later[1]["Note"] = "edited"
        let result = try hedgeledger(["import", "trades", "--db", db,
                                      directory.write("transaction_log-1-BTC-b.csv", Self.log(later.reversed(), balances: Self.rows))])
        #expect(result.status == 65 && result.stderr.contains("transaction_log-1-BTC-b.csv:6:1: ID 1004")
                && result.stderr.contains("with a different Note (empty there, edited here)")
                && result.stderr.contains("void its import (`hedgeledger void import 1 --reason ...`)")
                && result.stderr.contains("refused: 1 error"), "\(result.stderr)")
        // A changed cell the row keeps the place of is pointed at, with both values; so is a trade's fill.
        var repriced = Array(Self.rows[2...])
        repriced[1]["Position"] = "6001"
        let moved = try hedgeledger(["import", "trades", "--db", db,
                                     directory.write("transaction_log-1-BTC-c.csv", Self.log(repriced.reversed(), balances: Self.rows))])
        #expect(moved.status == 65 && moved.stderr.contains("transaction_log-1-BTC-c.csv:6:70: ID 1004") && moved.stderr.contains("refused: 1 error")
                && moved.stderr.contains("with a different Position (6000 there, 6001 here)"), "\(moved.stderr)")
    }

    @Test("a Position mismatch says where the ledger's figure came from: the fills, or a stored row's own Position and how to void it")
    func positionMismatchNamesItsBasis() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("p.sqlite")
        // Row 1004 says 6500 where its fills make 6000: imported anyway, the mismatch recorded.
        var wrong = Array(Self.rows[..<4])
        wrong[3]["Position"] = "6500"
        let first = try hedgeledger(["import", "trades", "--no-check", "--db", db,
                                     directory.write("transaction_log-1-BTC-a.csv", Self.log(wrong))])
        #expect(first.status == 0 && (first.stdout + first.stderr).contains("1 check mismatch recorded"), "\(first.stdout)\(first.stderr)")
        // The next log goes on from that row's 6500, so its true 6000 is a mismatch that names the row and the way out.
        let next = try hedgeledger(["import", "trades", "--db", db,
                                    directory.write("transaction_log-1-BTC-b.csv", Self.log(Array(Self.rows[4...])))])
        #expect(next.status == 65 && next.stderr.contains("transaction_log-1-BTC-b.csv:2:")
                && next.stderr.contains("the ledger makes it 6500, going on from 6500, the Position of the last stored row of BTC-PERPETUAL (ID 1004, import #1)")
                && next.stderr.contains("hedgeledger void import 1"), "\(next.stderr)")
        // Without a stored row, the figure is the book's fills.
        let fresh = try hedgeledger(["import", "trades", "--db", directory.file("f.sqlite"),
                                     directory.write("transaction_log-1-BTC-c.csv", Self.log(Array(Self.rows[4...])))])
        #expect(fresh.status == 65 && fresh.stderr.contains("book 'main' holds 0 before it (from the ledger's fills) and 0 after it: if the log starts while a position was open, import the earlier log first"),
                "\(fresh.stderr)")
        // A wrong Amount (the Position right): one error at its row; the rows after it go on from the log's figure.
        var amount = Self.rows
        amount[3]["Amount"] = "3000"
        let wrongAmount = try hedgeledger(["import", "trades", "--db", directory.file("a.sqlite"),
                                           directory.write("transaction_log-1-BTC-d.csv", Self.log(amount))])
        #expect(wrongAmount.status == 65 && wrongAmount.stderr.contains("transaction_log-1-BTC-d.csv:5:")
                && wrongAmount.stderr.contains("this row makes it 7000 (a sell of 3000): this row's Position or Amount disagrees")
                && wrongAmount.stderr.contains("refused: 1 error"), "\(wrongAmount.stderr)")
    }

    @Test("a log under a mistyped --account matches the other account's trades: refused once, naming the account it came from")
    func otherAccountsTrades() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("o.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db,
                                 directory.write("transaction_log-1-BTC-a.csv", Self.log(Self.rows))]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let result = try hedgeledger(["import", "trades", "--db", db, "--account", "999", "--currency", "BTC",
                                      directory.write("mylog.csv", Self.log(Self.rows))])
        #expect(result.status == 65
                && result.stderr.contains("mylog.csv:3:")
                && result.stderr.contains("this trade is already in the ledger from account 1's BTC log (import #1), on the same side")
                && result.stderr.contains("is this log account 999's (--account)?")
                && result.stderr.contains("refused: 1 error"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // The same account's log again is a re-download: every row a duplicate.
        let again = try hedgeledger(["import", "trades", "--db", db, "--account", "1", "--currency", "BTC",
                                     directory.write("mylog2.csv", Self.log(Self.rows))])
        #expect(again.status == 0 && (again.stdout + again.stderr).contains("8 duplicate rows skipped"), "\(again.stdout)\(again.stderr)")
    }

    @Test("a position move between two of the desk's accounts: both logs import, the second side's fill under ID/account, in either order")
    func moveBetweenOwnAccounts() throws {
        let directory = TemporaryDirectory()
        // Account 654321 gives 1000 BTC-PERPETUAL to account 1 (row 1006 of `rows`), with the same Trade ID.
        let sub: [Row] = [
            ["ID": "2001", "UserSeq": "21", "Date": "2026-11-02 09:00:00", "Type": "deposit", "Side": "-", "Cash Flow": "1",
             "Change": "1", "Info": "bc1qsub"],
            ["ID": "2002", "UserSeq": "22", "Date": "2026-11-04 09:30:00", "Instrument": "BTC-PERPETUAL", "Type": "position move",
             "Side": "sell", "Amount": "1000", "Position": "-1000", "Price": "101200", "Cash Flow": "0", "Change": "0",
             "Trade ID": "70004", "Info": "To subaccount 1"],
        ]
        let main = directory.write("transaction_log-1-BTC-m.csv", Self.log(Self.rows))
        let other = directory.write("transaction_log-654321-BTC-s.csv", Self.log(sub, balances: sub))
        for (name, order) in [("a", [(main, "main"), (other, "sub")]), ("b", [(other, "sub"), (main, "main")])] {
            let db = directory.file("\(name).sqlite")
            for (file, book) in order + order {  // each twice: the second time every row is a duplicate
                let result = try hedgeledger(["import", "trades", "--db", db, "--book", book, file])
                #expect(result.status == 0, "\(name) \(file): \(result.stderr)")
            }
            let positions = try Self.positions(db)
            #expect(positions["sub BTC-PERPETUAL"] == "-1000" && positions["main BTC-PERPETUAL"] == "7000", "\(name): \(positions)")
            let second = order[1].0 == main ? "70004/1" : "70004/654321"
            let ids = try sqliteTradeIDs(db)
            #expect(ids.contains("70004") && ids.contains(second), "\(name): \(ids)")
        }
        // Both accounts in one book: the position check names the likely cause.
        let shared = directory.file("shared.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", shared, main]).status == 0)
        let together = try hedgeledger(["import", "trades", "--db", shared, other])
        #expect(together.status == 65 && together.stderr.contains("and it also holds account 1's log")
                && together.stderr.contains("import each account into a book of its own (--book NAME)"), "\(together.stderr)")
    }

    /// The trade ids of a ledger's fills, read with SQLite directly.
    private func sqliteTradeIDs(_ db: String) throws -> Set<String> {
        let ledger = try Ledger(path: db, access: .read, now: Timestamp(microseconds: 0))
        return Set(try ledger.connection.cached("SELECT trade_id FROM fills").rows { $0.text(0) })
    }

    @Test("two downloads joined with cat: the second header is one error at its line, in either order; a native file too")
    func joinedWithCat() throws {
        let directory = TemporaryDirectory()
        let older = Self.log(Array(Self.rows[..<4])), newer = Self.log(Array(Self.rows[4...]))
        let newestFirst = Self.log(Array(Self.rows[4...].reversed())) + Self.log(Array(Self.rows[..<4].reversed()))
        for (name, text) in [("a", older + newer), ("b", newestFirst)] {
            let db = directory.file("\(name).sqlite")
            let result = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-\(name).csv", text)])
            #expect(result.status == 65 && result.stderr.contains("transaction_log-1-BTC-\(name).csv:6:1: this row repeats the header row (line 1)")
                    && result.stderr.contains("refused: 1 error"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
        // Two copies of a row in one file that differ: one error, at the second, naming the first's line.
        // (Mark Price, whose place the row does not keep, at its ID; the fill's Price at its cell.)
        for (column, value, message) in [("Mark Price", "101002", "8:1: ID 1004 is also on line 5 of this file, with a different Mark Price"),
                                         ("Price", "101001", "8:75: trade_id '70003' of venue 'deribit' was already imported from")] {
            var later = Array(Self.rows[3...])
            later[0][column] = value
            let differing = try hedgeledger(["import", "trades", "--db", directory.file("d.sqlite"),
                                             directory.write("transaction_log-1-BTC-d.csv", Self.log(Array(Self.rows[..<6]) + later))])
            #expect(differing.status == 65 && differing.stderr.contains("transaction_log-1-BTC-d.csv:\(message)")
                    && differing.stderr.contains("refused: 1 error"), "\(differing.stderr)")
        }
        let trades = "trade_id,timestamp,instrument,side,quantity,price\nT1,2026-11-02T10:00:00Z,BTC-PERPETUAL,buy,100,100000\n"
        let native = try hedgeledger(["import", "trades", "--db", directory.file("n.sqlite"), directory.write("joined.csv", trades + trades)])
        #expect(native.status == 65 && native.stderr.contains("joined.csv:3:1: this row repeats the header row (line 1)")
                && native.stderr.contains("refused: 1 error"), "\(native.stderr)")
    }

    @Test("a newest-first file as Deribit writes it is read in UserSeq order from the file: errors point into it, its hash is its own")
    func newestFirstInPlace() throws {
        let directory = TemporaryDirectory()
        let whole = directory.file("whole.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", whole,
                                 directory.write("transaction_log-1-BTC-a.csv", Self.log(Self.rows))]).status == 0)
        // Excel's habits: a byte-order mark, CRLF line ends, and a note over two lines.
        var noted = Self.rows
        noted[6]["Note"] = "\"to cold\nstorage\""
        func excel(_ rows: [Row]) -> String {
            "\u{FEFF}" + Self.log(rows.reversed(), balances: Self.rows).replacingOccurrences(of: "\n", with: "\r\n")
                .replacingOccurrences(of: "to cold\r\nstorage", with: "to cold\nstorage")
        }
        let text = excel(noted)
        let file = directory.write("transaction_log-1-BTC-excel.csv", text)
        let db = directory.file("excel.sqlite")
        let imported = try hedgeledger(["import", "trades", "--db", db, file])
        #expect(imported.status == 0 && imported.stderr.contains("8 log rows"), "\(imported.stderr)")
        #expect(try Self.positions(db) == Self.positions(whole))
        #expect("\(try Self.balances(db)[0]["cash"]!)" == "\(try Self.balances(whole)[0]["cash"]!)")
        let imports = try hedgeledger(["imports", "--db", db, "--format", "json"])
        let recorded = try #require((try jsonObject(imports.stdout)["imports"] as? [[String: Any]])?.first)
        #expect(recorded["sha256"] as? String == SHA256Hex.of(Array(text.utf8)), "\(recorded)")
        #expect("\(recorded["size_bytes"]!)" == "\(text.utf8.count)", "\(recorded)")
        // A wrong cell is reported at its line and column in the file (the note's row, above it, takes two lines).
        var broken = noted
        broken[1]["Price"] = "abc"
        let brokenText = excel(broken)
        let before = brokenText[..<brokenText.range(of: "abc")!.lowerBound].replacingOccurrences(of: "\r\n", with: "\n")
        let line = before.filter { $0 == "\n" }.count + 1, column = before.split(separator: "\n", omittingEmptySubsequences: false).last!.count + 1
        #expect(line == 9)
        let refused = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-broken.csv", brokenText)])
        #expect(refused.status == 65 && refused.stderr.contains("transaction_log-1-BTC-broken.csv:\(line):\(column): price: 'abc'")
                && refused.stderr.contains("refused: 1 error"), "\(refused.stderr)")
        // Gzip: read in order from an inflated copy; the import records the compressed file.
        let compressed = try directory.gzip(directory.write("transaction_log-1-BTC-z.csv", text))
        let zipped = directory.file("zipped.sqlite"), scratch = directory.file("tmp")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        let fromGzip = try hedgeledger(["import", "trades", "--db", zipped, compressed], environment: ["TMPDIR": scratch])
        #expect(fromGzip.status == 0 && fromGzip.stderr.contains("8 log rows"), "\(fromGzip.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        let noScratch = try hedgeledger(["import", "trades", "--db", directory.file("z2.sqlite"), compressed],
                                        environment: ["TMPDIR": directory.file("missing")])
        #expect(noScratch.status == 66 && noScratch.stderr.contains("cannot make a temporary copy to read it in order in"),
                "\(noScratch.stderr)")
        #expect(try Self.positions(zipped) == Self.positions(whole))
        let gzipImports = try hedgeledger(["imports", "--db", zipped, "--format", "json"])
        let gzipRecord = try #require((try jsonObject(gzipImports.stdout)["imports"] as? [[String: Any]])?.first)
        let stored = try Data(contentsOf: URL(fileURLWithPath: compressed))
        #expect(gzipRecord["sha256"] as? String == SHA256Hex.of(Array(stored)) && "\(gzipRecord["size_bytes"]!)" == "\(stored.count)"
                && gzipRecord["format"] as? String == "deribit-transaction-log-v4 (gzip)", "\(gzipRecord)")
        // From standard input: a copy kept as it is read (removed after), the rows read from it in
        // UserSeq order, errors at their line in the input, the provenance of the input as it came.
        let piped = directory.file("piped-excel.sqlite")
        let fromStdin = try hedgeledger(["import", "trades", "--db", piped, "--account", "1", "--currency", "BTC", "-"], stdin: text,
                                        environment: ["TMPDIR": scratch])
        #expect(fromStdin.status == 0 && fromStdin.stderr.contains("8 log rows"), "\(fromStdin.stderr)")
        #expect(try Self.positions(piped) == Self.positions(whole))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        let pipedRecord = try #require((try jsonObject(try hedgeledger(["imports", "--db", piped, "--format", "json"]).stdout)["imports"]
                                        as? [[String: Any]])?.first)
        #expect(pipedRecord["sha256"] as? String == SHA256Hex.of(Array(text.utf8)) && "\(pipedRecord["size_bytes"]!)" == "\(text.utf8.count)",
                "\(pipedRecord)")
        let refusedStdin = try hedgeledger(["import", "trades", "--db", piped, "--account", "1", "--currency", "BTC", "-"], stdin: brokenText)
        #expect(refusedStdin.status == 65 && refusedStdin.stderr.contains("-:\(line):\(column): price: 'abc'")
                && refusedStdin.stderr.contains("refused: 1 error"), "\(refusedStdin.stderr)")
        let pipedGzip = directory.file("piped-gzip.sqlite")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "\"$0\" import trades --db \"$1\" --account 1 --currency BTC - < \"$2\" 2>/dev/null", hedgeledgerBinary, pipedGzip, compressed]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(try Self.positions(pipedGzip) == Self.positions(whole))
        let pipedGzipRecord = try #require((try jsonObject(try hedgeledger(["imports", "--db", pipedGzip, "--format", "json"]).stdout)["imports"]
                                            as? [[String: Any]])?.first)
        #expect(pipedGzipRecord["sha256"] as? String == SHA256Hex.of(Array(stored)), "\(pipedGzipRecord)")
        // A wrong cell in the gzip file is located in its content.
        let brokenZip = try directory.gzip(directory.write("transaction_log-1-BTC-zb.csv", brokenText))
        let refusedZip = try hedgeledger(["import", "trades", "--db", zipped, brokenZip])
        #expect(refusedZip.status == 65 && refusedZip.stderr.contains("transaction_log-1-BTC-zb.csv.gz:\(line):\(column): price: 'abc'"),
                "\(refusedZip.stderr)")
    }

    @Test("a Position, Change or Balance that disagrees refuses the file at its cell, leaving the ledger as it was; --no-check records it")
    func checks() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["init", "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        var wrong = Self.rows
        wrong[3]["Position"] = "6500"                                 // the venue says more than the fills give
        wrong[4]["Change"] = "0.00004"                                // Change is not the Cash Flow
        let file = directory.write("transaction_log-1-BTC-f.csv", Self.log(wrong, balances: Self.rows))
        let refused = try hedgeledger(["import", "trades", "--db", db, file])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("transaction_log-1-BTC-f.csv:5:") && refused.stderr.contains("Position: the log says 6500 USD of BTC-PERPETUAL after this row; the rows of BTC-PERPETUAL before it in this file leave 10000, and this row makes it 6000 (a sell of 4000): this row's Position or Amount disagrees"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains(":6:") && refused.stderr.contains("Change: the log says 0.00004; Cash Flow 0.00003 is 0.00003"),
                "\(refused.stderr)")
        // The wrong Change is one error: the balance moves by what Cash Flow and the fee make, and agrees again.
        #expect(refused.stderr.contains("refused: 2 errors") && !refused.stderr.contains("Balance:"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let recorded = try hedgeledger(["import", "trades", "--db", db, "--no-check", file])
        #expect(recorded.status == 0 && recorded.stderr.contains("check mismatches recorded"), "\(recorded.stderr)")
        let report = try hedgeledger(["balances", "--db", db, "--format", "json"])
        try ReportOutputTests().expectDocumented(report.stdout)
        #expect(report.stdout.components(separatedBy: "\"mismatches\":").count == 2, "one key per name: \(report.stdout)")
        let mismatches = try #require(try jsonObject(report.stdout)["mismatches"] as? [[String: Any]])
        #expect(Set(mismatches.map { "\($0["id"]!) \($0["check"]!)" }).isSuperset(of: ["1004 position", "1005 change"]))
        // The fills are what the log traded, whatever it said about them.
        #expect(try Self.positions(db)["main BTC-PERPETUAL"] == "7000")
        // The end-of-day report of the row's day lists what was recorded, for the auditor.
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let eod = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-02", "--format", "json", "--out", "-"])
        let exceptions = try #require(try jsonObject(eod.stdout)["exceptions"] as? [[String: Any]], "\(eod.stderr)")
        #expect(exceptions.contains { $0["kind"] as? String == "log-mismatch" && $0["subject"] as? String == "deribit 1 BTC ID 1004"
                                      && ($0["detail"] as? String)?.hasPrefix("position: the log says 6500, the ledger 6000") == true }, "\(exceptions)")
        // The day's fills and the accounts' cash at the cutoff are in the pack, as fills and balances give them.
        try ReportOutputTests().expectDocumented(eod.stdout, empty: ["settlements", "decisions", "timeline", "exposure_at_cutoff", "positions", "imports"])
        let day = try jsonObject(eod.stdout)
        #expect((day["fills"] as? [[String: Any]])?.map { "\($0["trade_id"]!)" } == ["70001", "70002", "70003"], "\(eod.stdout)")
        let cash = try #require(day["cash"] as? [[String: Any]])
        #expect(cash.count == 1 && cash[0]["account"] as? String == "1" && "\(cash[0]["rows"]!)" == "4", "\(cash)")
    }

    @Test("cells that would let the checks pass on a wrong ledger: a delivery before expiry, a side that is not Deribit's, two amount columns")
    func deceptiveCells() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["init", "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        func refused(_ name: String, _ text: String) throws -> String {
            let result = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-\(name).csv", text)])
            #expect(result.status == 65, "\(name): \(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
            return result.stderr
        }
        // A delivery flattens the log's position; the ledger's fills would still hold it.
        var early = Self.rows
        early[7]["Date"] = "2026-11-20 08:00:00"
        let earlyError = try refused("early", Self.log(early))
        #expect(earlyError.contains("transaction_log-1-BTC-early.csv:9:9: Date: a delivery of BTC-27NOV26-100000-C at 2026-11-20T08:00:00Z, before its expiry 2026-11-27T08:00:00Z"),
                "\(earlyError)")
        var late = Self.rows
        late[7]["Date"] = "2026-11-28 08:00:00"
        #expect(try refused("late", Self.log(late)).contains("Date: a delivery of BTC-27NOV26-100000-C at 2026-11-28T08:00:00Z, more than a day after its expiry 2026-11-27T08:00:00Z"))
        var perpetual = Self.rows
        perpetual[7]["Instrument"] = "BTC-PERPETUAL"
        #expect(try refused("perp", Self.log(perpetual)).contains("Date: a delivery of BTC-PERPETUAL at 2026-11-27T08:00:00Z, and it never expires"))
        // A delivery closes what is held (the short 1 is bought back): another amount, or the wrong side, is a Position error.
        for (name, side, amount) in [("twice", "close buy", "2"), ("side", "close sell", "1")] {
            var delivered = Self.rows
            delivered[7]["Side"] = side
            delivered[7]["Amount"] = amount
            let error = try refused("delivery-\(name)", Self.log(delivered))
            #expect(error.contains("transaction_log-1-BTC-delivery-\(name).csv:9:") && error.contains("Position: the log says 0 BTC of BTC-27NOV26-100000-C after this row")
                    && error.contains("refused: 1 error"), "\(error)")
        }
        var spaced = Self.rows
        spaced[1]["Instrument"] = "BTC-PERPETUAL "
        #expect(try refused("spaced", Self.log(spaced)).contains("instrument: 'BTC-PERPETUAL ' has leading or trailing spaces"))
        var free = Self.rows
        free[1]["Price"] = "0"
        #expect(try refused("free", Self.log(free)).contains("price: '0': BTC-PERPETUAL is an inverse contract (amount in USD, worth amount ÷ price in coin), so its price must be above zero"))
        var bare = Self.rows
        bare[1]["Side"] = "buy"
        #expect(try refused("bare", Self.log(bare)).contains("side: 'buy' is not a trade side"))
        var side = Self.rows
        side[1]["Side"] = "foo buy"
        #expect(try refused("side", Self.log(side)).contains("side: 'foo buy' is not a trade side; expected open buy, open sell, close buy or close sell"))
        let twoAmounts = Self.log(Self.rows).replacingOccurrences(of: ",Base Amount,", with: ",Size,")
        #expect(try refused("size", twoAmounts).contains(":1:1: both Amount and Size (the oldest logs' name for it)"))
        let unreadable = Self.log(Self.rows).replacingOccurrences(of: ",open buy,10000,10000,", with: ",open buy,10000,abc,")
        #expect(try refused("base", unreadable).contains("base amount: 'abc'"))
        // A tenfold option price with the right Cash Flow: the premium check refuses it at the Price cell; --no-check records it.
        var premium = Self.rows
        premium[2]["Price"] = "0.5"
        let premiumError = try refused("premium", Self.log(premium))
        let premiumLine = Self.log(premium).components(separatedBy: "\n")[3]
        let priceColumn = premiumLine.components(separatedBy: ",")
            .prefix(Self.headers["v4"]!.components(separatedBy: ",").firstIndex(of: "Price")!).map { $0.count + 1 }.reduce(1, +)
        #expect(premiumError.contains("transaction_log-1-BTC-premium.csv:4:\(priceColumn): Price: ") && premiumError.contains(": Price: an option trade's Cash Flow is its premium, Amount 1 × Price 0.5 = 0.5 received, so 0.5, but the log's Cash Flow is 0.05")
                && premiumError.contains("refused: 1 error"), "\(premiumError)")
        let recorded = try hedgeledger(["import", "trades", "--db", directory.file("premium.sqlite"), "--no-check",
                                        directory.write("transaction_log-1-BTC-premium2.csv", Self.log(premium))])
        #expect(recorded.status == 0 && recorded.stderr.contains("1 check mismatch recorded"), "\(recorded.stderr)")
        let mismatches = try #require(try jsonObject(try hedgeledger(["balances", "--db", directory.file("premium.sqlite"), "--format", "json"]).stdout)["mismatches"] as? [[String: Any]])
        #expect(mismatches.map { "\($0["id"]!) \($0["check"]!) \($0["venue_value"]!) \($0["ledger_value"]!)" } == ["1003 premium 0.05 0.5"])
        // A wrong fee whose row's Change still carries the Balance: one error, pointing at the fee, not a Balance error on every row after it.
        var fee = Self.rows
        fee[1]["Fee Charged"] = "0.00004"
        let feeError = try refused("fee", Self.log(fee))
        #expect(feeError.contains("Change: the log says -0.00005; Cash Flow 0 - Fee Charged 0.00004 is -0.00004; the log's Change carries its Balance, so check this row's Cash Flow and Fee Charged")
                && feeError.contains("refused: 1 error") && !feeError.contains("Balance:"), "\(feeError)")
    }

    @Test("an unknown type, a missing trade id and a file name without an account are located errors")
    func refusals() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        var rows = Self.rows
        rows[0]["Type"] = "airdrop"
        rows[1]["Trade ID"] = nil
        let bad = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-g.csv", Self.log(rows))])
        #expect(bad.status == 65, "\(bad.stderr)")
        #expect(bad.stderr.contains("transaction_log-1-BTC-g.csv:2:30: type: 'airdrop' is not a transaction type hedgeledger knows"),
                "\(bad.stderr)")
        #expect(bad.stderr.contains("transaction_log-1-BTC-g.csv:3:") && bad.stderr.contains("trade id: is empty"), "\(bad.stderr)")
        let anonymous = directory.write("export.csv", Self.log(Self.rows))
        let unnamed = try hedgeledger(["import", "trades", "--db", db, anonymous])
        #expect(unnamed.status == 65 && unnamed.stderr.contains("export.csv:1:1: a Deribit transaction log is one account's one currency"),
                "\(unnamed.stderr)")
        // An account with a space in the file name is no account, as with --account.
        let spaced = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-my desk-BTC-x.csv", Self.log(Self.rows))])
        #expect(spaced.status == 65 && spaced.stderr.contains("this file's name does not say which"), "\(spaced.stderr)")
        let named = try hedgeledger(["import", "trades", "--db", db, "--account", "42", "--currency", "BTC", anonymous])
        #expect(named.status == 0 && named.stderr.contains("account 42 BTC"), "\(named.stderr)")
    }

    @Test("a fill imported first from the native file with the same venue trade id is the same fill")
    func nativeThenLog() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let native = directory.write("native.csv", """
            trade_id,timestamp,instrument,side,quantity,price,venue
            70001,2026-11-02T10:00:00.250Z,BTC-PERPETUAL,buy,10000,100000,deribit

            """)
        #expect(try hedgeledger(["import", "trades", "--db", db, native]).status == 0)
        let log = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-h.csv", Self.log(Self.rows))])
        #expect(log.status == 0 && log.stderr.contains("3 fills added (1 more trade matched fills already in the ledger)"), "\(log.stderr)")
        #expect(try Self.positions(db)["main BTC-PERPETUAL"] == "7000")
        // A different quantity under the same trade id is a conflict, not a second fill.
        var other = Self.rows
        other[1]["Amount"] = "20000"; other[1]["Position"] = "20000"; other[1]["ID"] = "2002"
        let clash = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-2-BTC-i.csv", Self.log(Array(other[0...1]), balances: Array(other[0...1])))])
        #expect(clash.status == 65 && clash.stderr.contains("trade_id '70001' of venue 'deribit' was already imported") && clash.stderr.contains("quantity"),
                "\(clash.stderr)")
        // The other order: the log first, then the native row with its fraction of a second is the same fill.
        let logFirst = directory.file("m.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", logFirst, directory.write("transaction_log-1-BTC-k.csv", Self.log(Self.rows))]).status == 0)
        let nativeAfter = try hedgeledger(["import", "trades", "--db", logFirst, native])
        #expect(nativeAfter.status == 0 && nativeAfter.stderr.contains("nothing new: 0 fills imported, 1 duplicate skipped"), "\(nativeAfter.stderr)")
        #expect(try Self.positions(logFirst) == Self.positions(db))
        // Another second is still another fill.
        let lateNative = directory.write("late.csv", "trade_id,timestamp,instrument,side,quantity,price,venue\n70001,2026-11-02T10:00:01.250Z,BTC-PERPETUAL,buy,10000,100000,deribit\n")
        let late = try hedgeledger(["import", "trades", "--db", logFirst, lateNative])
        #expect(late.status == 65 && late.stderr.contains("with a different timestamp"), "\(late.stderr)")
    }

    @Test("assert position: recorded and chained; verify and the end-of-day report flag one that does not hold")
    func assertions() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-j.csv", Self.log(Self.rows))]).status == 0)
        let holds = try hedgeledger(["assert", "position", "--db", db, "--book", "main", "--instrument", "BTC-PERPETUAL",
                                     "--quantity", "6000", "--at", "2026-11-03T12:00:00Z", "--note", "venue statement"])
        #expect(holds.status == 0 && holds.stderr.contains("holds"), "\(holds.stderr)")
        #expect(try hedgeledger(["verify", "--db", db]).status == 0)
        let fails = try hedgeledger(["assert", "position", "--db", db, "--book", "main", "--instrument", "BTC-PERPETUAL",
                                     "--quantity", "-6000", "--at", "2026-11-03T12:00:00Z"])
        #expect(fails.status == 2 && fails.stderr.contains("asserted -6000, the ledger holds 6000: DOES NOT HOLD"), "\(fails.stderr)")
        let verify = try hedgeledger(["verify", "--db", db])
        #expect(verify.status != 0 && verify.stdout.contains("assertion #2: book 'main' BTC-PERPETUAL"), "\(verify.stdout)")
        #expect(verify.stdout.contains("journal chain") && !verify.stdout.contains("journal chain         FAILED"))
        // Typos are refused before anything is written.
        let typo = try hedgeledger(["assert", "position", "--db", db, "--book", "mian", "--instrument", "BTC-PERPETUAL",
                                    "--quantity", "1", "--at", "2026-11-03T12:00:00Z"])
        #expect(typo.status == 64 && typo.stderr.contains("did you mean 'main'"), "\(typo.stderr)")
        let future = try hedgeledger(["assert", "position", "--db", db, "--book", "main", "--instrument", "BTC-PERPETUAL",
                                      "--quantity", "6000", "--at", "9999-01-01T00:00:00Z"])
        #expect(future.status == 64 && future.stderr.contains("--at 9999-01-01T00:00:00Z is after now"), "\(future.stderr)")
        let fractional = try hedgeledger(["assert", "position", "--db", db, "--book", "main", "--instrument", "BTC-PERPETUAL",
                                          "--quantity", "4000.5", "--at", "2026-11-03T12:00:00Z"])
        #expect(fractional.status == 64 && fractional.stderr.contains("quantity 4000.5 is not a multiple of BTC-PERPETUAL's contract size 10 USD"),
                "\(fractional.stderr)")
        let assertionsSoFar = try hedgeledger(["assert", "list", "--db", db, "--format", "csv"]).stdout
        #expect(assertionsSoFar.split(whereSeparator: \.isNewline).count == 3, "\(assertionsSoFar)")
        // The end-of-day report lists the failing assertion among its exceptions from its day on.
        #expect(try hedgeledger(["recompute", "--db", db]).status == 0)
        let report = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-05", "--format", "json", "--out", "-"])
        #expect(report.status == 0, "\(report.stderr)")
        let exceptions = try #require(try jsonObject(report.stdout)["exceptions"] as? [[String: Any]])
        #expect(exceptions.contains { $0["kind"] as? String == "assertion" && ($0["detail"] as? String)?.contains("asserted -6000") == true })
        #expect(verify.stdout.contains("hedgeledger assert withdraw ID --reason TEXT"), "\(verify.stdout)")
        // The mistyped one is withdrawn: kept and chained, no longer checked.
        for (arguments, status, message) in [(["9", "--reason", "typo"], 64, "there is no assertion #9; the ledger's are #1 to #2"),
                                             (["2", "--reason", " "], 64, "--reason must say why"),
                                             (["0", "--reason", "typo"], 64, "must be 1 or more"),
                                             (["2", "--reason", "typed -6000 for 6000", "--by", "ana"], 0,
                                              "withdrew assertion #2: book 'main' BTC-PERPETUAL -6000 at 2026-11-03T12:00:00Z"),
                                             (["2", "--reason", "again"], 64, "assertion #2 was already withdrawn by ana at")] {
            let result = try hedgeledger(["assert", "withdraw", "--db", db] + arguments)
            #expect(result.status == Int32(status) && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let after = try hedgeledger(["verify", "--db", db])
        #expect(after.status == 0 && after.stdout.contains("1 assertion holds (1 withdrawn)"), "\(after.stdout)")
        // `assert list` shows both, the withdrawn one with its withdrawal.
        let list = try hedgeledger(["assert", "list", "--db", db, "--format", "json"])
        #expect(list.status == 0, "\(list.stderr)")
        try ReportOutputTests().expectDocumented(list.stdout)
        let listed = try #require(try jsonObject(list.stdout)["assertions"] as? [[String: Any]])
        #expect(listed.map { "\($0["id"]!) \($0["asserted"]!) \($0["held"]!) \($0["holds"]!) \($0["withdrawn"]!) \($0["withdrawn_by"]!)" }
                == ["1 6000 6000 1 0 <null>", "2 -6000 6000 0 1 ana"], "\(listed)")
        #expect(listed[1]["holds"] as? Bool == false && listed[1]["withdrawal_reason"] as? String == "typed -6000 for 6000")
        let clean = try hedgeledger(["report", "eod", "--db", db, "--date", "2026-11-05", "--format", "json", "--out", "-"])
        let left = try #require(try jsonObject(clean.stdout)["exceptions"] as? [[String: Any]])
        #expect(!left.contains { $0["kind"] as? String == "assertion" }, "\(left)")
        // A withdrawal changed or removed behind hedgeledger's back is found.
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        for sql in ["UPDATE position_assertion_withdrawals SET reason = 'nothing to see'", "DELETE FROM position_assertion_withdrawals"] {
            let scratch = TemporaryDirectory()
            let tampered = try TamperTests().tampered(sql, tables: ["position_assertion_withdrawals"], in: scratch, from: db)
            let found = try hedgeledger(["verify", "--db", tampered])
            #expect(found.status != 0 && found.stdout.contains("journal chain") && found.stdout.contains("FAILED"), "\(sql): \(found.stdout)")
        }
    }

    @Test("sums beyond the exact range (only a hostile log makes them) are null in balances, which still answers")
    func balancesBeyondRange() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-k.csv", Self.log(Self.rows))]).status == 0)
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        // What 170,000 deposits of 10^15 make, in two rows: each a value the ledger can hold, their sum not.
        let tampered = try TamperTests().tampered("UPDATE venue_log_entries SET change = '99999999999999999999' WHERE entry_id IN ('1001', '1007')",
                                                  tables: ["venue_log_entries"], in: directory, from: db)
        let result = try hedgeledger(["balances", "--db", tampered, "--format", "json"])
        #expect(result.status == 2, "\(result.stderr)")
        try ReportOutputTests().expectDocumented(result.stdout)
        let line = try #require(try jsonObject(result.stdout)["balances"] as? [[String: Any]]).first
        #expect(line?["transfers"] is NSNull && !(line?["cash"] is NSNull) && line?["agrees"] as? Bool == false, "\(result.stdout)")
    }

    @Test("a log row or an assertion changed with the sqlite3 shell is found by verify", arguments: [
        ("UPDATE venue_log_entries SET change = '3' WHERE entry_id = '1001'", "venue_log_entries", "log rows #1 to #8 of import #1 differ"),
        ("UPDATE position_assertions SET quantity = '7000'", "position_assertions", "assertion #1 differs from what was chained as entry 2"),
    ])
    func tampering(sql: String, table: String, finding: String) throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-k.csv", Self.log(Self.rows))]).status == 0)
        #expect(try hedgeledger(["assert", "position", "--db", db, "--book", "main", "--instrument", "BTC-PERPETUAL",
                                 "--quantity", "6000", "--at", "2026-11-03T12:00:00Z"]).status == 0)
        do {
            let ledger = try Ledger(path: db, create: false, now: testNow)
            try ledger.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let tampered = try TamperTests().tampered(sql, tables: [table], in: directory, from: db)
        let verify = try hedgeledger(["verify", "--db", tampered])
        #expect(verify.status != 0 && verify.stdout.contains(finding), "\(verify.stdout)")
    }

    @Test("a wrong log is voided and its corrected file imported as the next revision; balances leave the voided rows out")
    func voidAndCorrect() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        var wrong = Self.rows
        wrong[3]["Amount"] = "5000"; wrong[3]["Position"] = "5000"   // 5000 closed where 4000 were
        let first = try hedgeledger(["import", "trades", "--db", db, "--no-check",
                                     directory.write("transaction_log-1-BTC-w.csv", Self.log(wrong))])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try hedgeledger(["void", "import", "1", "--db", db, "--reason", "wrong amount in the download"]).status == 0)
        let voided = try hedgeledger(["balances", "--db", db, "--format", "json"])
        #expect(try #require(try jsonObject(voided.stdout)["balances"] as? [[String: Any]]).isEmpty, "\(voided.stdout)")
        let corrected = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-BTC-c.csv", Self.log(Self.rows))])
        #expect(corrected.status == 0 && corrected.stderr.contains("8 log rows") && corrected.stderr.contains("4 fills added"), "\(corrected.stderr)")
        #expect(try Self.positions(db) == ["main BTC-PERPETUAL": "7000", "main BTC-27NOV26-100000-C": "-1"])
        #expect("\(try Self.balances(db)[0]["cash"]!)" == "1.54997604")
        #expect(try hedgeledger(["verify", "--db", db]).status == 0)
    }

    @Test("a row's columns, encoded on the reading thread, read back exactly: absent, empty, non-ASCII and long cells")
    func columnsRoundTrip() {
        let record = VenueLogRecord(
            venue: "deribit", account: "48213", currency: "BTC", entryID: "40000017", userSeq: 9_007_199_254_740_993,
            timeMicroseconds: -1, type: "transfer", instrument: nil, side: "", amount: "0.000000000000000001",
            position: nil, price: nil, markPrice: nil, indexPrice: "97000.5", cashFlow: "-1.5", funding: nil, feeRate: nil,
            feeCharged: "0", feeBalance: nil, change: "-1.5", balance: "123456789012345678.123456789012345678",
            equity: nil, tradeID: nil, orderID: nil, info: "vers le sous-compte « trésorerie » ₿ " + String(repeating: "x", count: 300),
            note: "")
        let columns = VenueLogColumns(record)
        #expect(columns.record(venue: "deribit", account: "48213", currency: "BTC") == record)
        // The journal's bytes of the columns: a text and a 0 byte, 0xFF for an absent one, integers in 8 bytes.
        var expected = CanonicalBytes(capacity: 0)
        expected.text("40000017"); expected.integer(9_007_199_254_740_993); expected.integer(-1); expected.text("transfer")
        #expect(columns.bytes.starts(with: expected.bytes))
        #expect(columns.bytes[expected.bytes.count] == 0xFF)  // no instrument
        #expect(columns.bytes.last == 0)  // the empty note
    }

    @Test("what a user gets wrong: another currency's instruments, a name and an option that disagree, a missing column, a sign, one wrong cell")
    func userMistakes() throws {
        let directory = TemporaryDirectory()
        let db = directory.file("l.sqlite")
        let btcRows = Self.log(Self.rows)
        let asETH = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-1-ETH-x.csv", btcRows)])
        #expect(asETH.status == 65 && asETH.stderr.contains("instrument: BTC-PERPETUAL settles in BTC, but this is the ETH log (from its file name)"),
                "\(asETH.stderr)")
        let clash = try hedgeledger(["import", "trades", "--db", db, "--account", "999",
                                     directory.write("transaction_log-777-BTC-x.csv", btcRows)])
        #expect(clash.status == 65 && clash.stderr.contains("--account 999 disagrees with the file's name, which says 777"), "\(clash.stderr)")
        let lower = try hedgeledger(["import", "trades", "--db", db, "--account", "5", "--currency", "btc", directory.write("log.csv", btcRows)])
        #expect(lower.status == 0 && lower.stderr.contains("account 5 BTC"), "\(lower.stderr)")
        let noBalance = btcRows.replacingOccurrences(of: ",Balance,", with: ",Balances,")
        let header = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-2-BTC-h.csv", noBalance)])
        #expect(header.status == 65 && header.stderr.contains("unknown column 'Balances' (did you mean 'balance'?)")
                && header.stderr.contains("missing required column balance"), "\(header.stderr)")
        var negative = Self.rows
        negative[2]["Amount"] = "-1"
        let signed = try hedgeledger(["import", "trades", "--db", db, directory.write("transaction_log-3-BTC-n.csv", Self.log(negative))])
        #expect(signed.status == 65 && signed.stderr.contains("'-1' is negative; expected the amount without a sign"), "\(signed.stderr)")
        // Account 5's log holds these trades: each case below is a first import into a ledger of its own.
        let firstTime = directory.file("first-time.sqlite")
        // One wrong Position is one error: the rows after it are checked against the ledger's own figure.
        var oneWrong = Self.rows
        oneWrong[1]["Position"] = "10010"
        let single = try hedgeledger(["import", "trades", "--db", firstTime, directory.write("transaction_log-4-BTC-p.csv", Self.log(oneWrong))])
        #expect(single.status == 65 && single.stderr.contains("refused: 1 error") && single.stderr.contains("Position: the log says 10010"), "\(single.stderr)")
        // A cell refused while reading is one error too: the rows after it, which miss its change, are not checked.
        var unreadable = Self.rows
        unreadable[1]["Price"] = "100,5"
        let refusedCell = try hedgeledger(["import", "trades", "--db", firstTime, directory.write("transaction_log-4-BTC-u.csv", Self.log(unreadable))])
        #expect(refusedCell.status == 65 && refusedCell.stderr.contains("refused: 1 error") && !refusedCell.stderr.contains("Balance:"),
                "\(refusedCell.stderr)")
        var misnamed = Self.rows
        misnamed[1]["Instrument"] = "BTC-PERPETUAK"
        let refusedName = try hedgeledger(["import", "trades", "--db", firstTime, directory.write("transaction_log-4-BTC-m.csv", Self.log(misnamed))])
        #expect(refusedName.status == 65 && refusedName.stderr.contains("refused: 1 error"), "\(refusedName.stderr)")
        // Misspelt after the file named it right: the name it knows is suggested.
        var misspelt = Self.rows
        misspelt[3]["Instrument"] = "BTC-PERPETUA"
        let suggested = try hedgeledger(["import", "trades", "--db", firstTime, directory.write("transaction_log-4-BTC-s.csv", Self.log(misspelt))])
        #expect(suggested.status == 65 && suggested.stderr.contains("did you mean 'BTC-PERPETUAL'?"), "\(suggested.stderr)")
        let newestFirst = Self.log(Array(unreadable.reversed()), balances: Self.rows)
        let refusedNewest = try hedgeledger(["import", "trades", "--db", firstTime, directory.write("transaction_log-4-BTC-r.csv", newestFirst)])
        #expect(refusedNewest.status == 65 && refusedNewest.stderr.contains("refused: 1 error"), "\(refusedNewest.stderr)")
        // A native file without fees or order ids repeats the log's fills: nothing new.
        #expect(try hedgeledger(["import", "trades", "--db", directory.file("n.sqlite"),
                                 directory.write("transaction_log-6-BTC-l.csv", btcRows)]).status == 0)
        let native = directory.write("native.csv", "trade_id,timestamp,instrument,side,quantity,price,venue\n70001,2026-11-02T10:00:00Z,BTC-PERPETUAL,buy,10000,100000,deribit\n")
        let repeated = try hedgeledger(["import", "trades", "--db", directory.file("n.sqlite"), native])
        #expect(repeated.status == 0 && repeated.stderr.contains("nothing new"), "\(repeated.stderr)")
        // Options only a log reads are said to do nothing for a native file, and refused with a mapping.
        let ignored = try hedgeledger(["import", "trades", "--db", directory.file("n.sqlite"), "--account", "6", "--no-check", native])
        #expect(ignored.status == 0
                && ignored.stderr.contains("is not a Deribit transaction log, so --account and --no-check did nothing for it"), "\(ignored.stderr)")
        let mapped = try hedgeledger(["import", "trades", "--db", directory.file("n.sqlite"), "--map", "bybit", "--no-check", native])
        #expect(mapped.status == 64 && mapped.stderr.contains("--no-check applies to Deribit transaction logs, which are read without --map"),
                "\(mapped.stderr)")
        // A refused import that would have created the ledger leaves no file behind.
        let fresh = directory.file("fresh.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", fresh, directory.write("transaction_log-9-BTC-u.csv", Self.log(unreadable))]).status == 65)
        #expect(!FileManager.default.fileExists(atPath: fresh) && !FileManager.default.fileExists(atPath: fresh + "-wal"))
        let both = try hedgeledger(["import", "trades", "--db", directory.file("n.sqlite"), "--map", "bybit", "--account", "7", "--no-check", native])
        #expect(both.status == 64 && both.stderr.contains("--account and --no-check apply to Deribit transaction logs")
                && both.stderr.contains("drop --account and --no-check"), "\(both.stderr)")
        // A fee a native file gave must be the log's.
        let feeFirst = directory.file("f.sqlite")
        #expect(try hedgeledger(["import", "trades", "--db", feeFirst, directory.write("fee.csv",
            "trade_id,timestamp,instrument,side,quantity,price,venue,fee\n70001,2026-11-02T10:00:00Z,BTC-PERPETUAL,buy,10000,100000,deribit,0.5\n")]).status == 0)
        let feeClash = try hedgeledger(["import", "trades", "--db", feeFirst, directory.write("transaction_log-7-BTC-f.csv", btcRows)])
        #expect(feeClash.status == 65 && feeClash.stderr.contains("with a different fee"), "\(feeClash.stderr)")
        // Small generated logs (fewer rows than days) are consistent and import.
        let small = try hedgeledger(["generate", "deribit-log", "--rows", "5", "--days", "20"])
        #expect(small.status == 0 && small.stdout.split(separator: "\n").count == 6, "\(small.stderr)")
    }
}
