/// The hedge settings in force at a moment for every (book, underlying) the ledger knows (from
/// its positions or its recorded settings), and, for one book, every version on record.
public struct BookSettingsReport: Sendable {
    public struct InForce: Sendable {
        public var settings: HedgeSettings
        /// nil: no version recorded by then, the defaults apply.
        public var stored: StoredHedgeSettings?
    }

    public var asOf: Timestamp
    public var book: String?
    public var inForce: [InForce]
    /// Every version of `book`, oldest effective first; empty when no book was asked for.
    public var versions: [StoredHedgeSettings]

    public static func build(ledger: Ledger, at time: Timestamp, book: String? = nil) throws -> BookSettingsReport {
        var pairs = Set(try ledger.positions.bookUnderlyings().map { "\($0.book)\u{0}\($0.underlying)" })
        let versions = try ledger.bookSettings.versions()
        for stored in versions { pairs.insert("\(stored.settings.book)\u{0}\(stored.settings.underlying)") }
        let keys = pairs.map { $0.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init) }
            .map { (book: $0[0], underlying: $0[1]) }
            .sorted { ($0.book, $0.underlying) < ($1.book, $1.underlying) }
        if let book, !keys.contains(where: { $0.book == book }) {
            throw UnknownFilterValue(option: "book", value: book, known: Array(Set(keys.map(\.book))).sorted())
        }
        var inForce: [InForce] = []
        for key in keys where book == nil || key.book == book {
            let stored = try ledger.bookSettings.inForce(book: key.book, underlying: key.underlying, at: time)
            inForce.append(InForce(settings: stored?.settings ?? .defaults(book: key.book, underlying: key.underlying), stored: stored))
        }
        return BookSettingsReport(asOf: time, book: book, inForce: inForce,
                                  versions: book.map { book in
                                      versions.filter { $0.settings.book == book }
                                          .sorted { ($0.settings.effective, $0.id) < ($1.settings.effective, $1.id) }
                                  } ?? [])
    }

    public static let listSchema = Report.Schema(name: "hedgeledger.books", version: 1)
    public static let showSchema = Report.Schema(name: "hedgeledger.book-settings", version: 1)

    /// `book list`: one section, the settings in force.
    public var listReport: Report {
        Report(schema: Self.listSchema, asOf: asOf, sections: [inForceTable(name: "books", title: "Books and their hedge settings at \(asOf.iso8601) (\(Self.defaultsNote))")])
    }

    /// `book show NAME`: the settings in force, then every version.
    public var showReport: Report {
        var history = Table(name: "versions", title: "Every version of book '\(book ?? "")', oldest effective first", columns: [
            .init("version"), .init("underlying"), .init("effective"), .init("hedged_delta"), .init("target_delta"),
            .init("hedge_instruments"), .init("recorded_at"), .init("recorded_by"),
        ])
        for stored in versions {
            let settings = stored.settings
            history.rows.append([
                .integer(Int(stored.id)), .text(settings.underlying), .time(settings.effective),
                settings.hedgedDelta.map { .text($0.rawValue) } ?? .empty, .amount(settings.targetDelta),
                settings.hedgeInstruments.map { .text($0.joined(separator: ",")) } ?? .empty,
                .time(stored.recordedAt), .text(stored.recordedBy),
            ])
        }
        return Report(schema: Self.showSchema, asOf: asOf, parameters: [("book", book.map(Table.Cell.text) ?? .empty)],
                      sections: [inForceTable(name: "in_force", title: "Hedge settings of book '\(book ?? "")' at \(asOf.iso8601) (\(Self.defaultsNote))"), history])
    }

    private func inForceTable(name: String, title: String) -> Table {
        var table = Table(name: name, title: title, columns: [
            .init("book"), .init("underlying"), .init("version"), .init("effective"), .init("hedged_delta"),
            .init("target_delta"), .init("hedge_instruments"),
        ])
        for entry in inForce {
            let settings = entry.settings
            table.rows.append([
                .text(settings.book), .text(settings.underlying), entry.stored.map { .integer(Int($0.id)) } ?? .empty,
                entry.stored.map { .time($0.settings.effective) } ?? .empty,
                settings.hedgedDelta.map { .text($0.rawValue) } ?? .empty, .amount(settings.targetDelta),
                settings.hedgeInstruments.map { .text($0.joined(separator: ",")) } ?? .empty,
            ])
        }
        return table
    }

    /// What an empty setting means, for the tables' titles (JSON documents it as null).
    static let defaultsNote = "empty: the default (hedged delta net for coin-settled options, plain otherwise; hedge instruments the book's non-option instruments of the underlying)"
}
