/// A Deribit transaction log (header version 4) of one BTC account, for tests, the demo and
/// benchmarks: a deposit, then trades in the perpetual, a future and a strip of options, a
/// daily 08:00 settlement of the futures held, and now and then a transfer. Every row's
/// Position and Balance are what the rows before it make, so the file passes the import's
/// checks. The same seed gives the same file.
public struct DeribitLogGenerator {
    public struct Settings: Sendable {
        public var rows = 10_000
        public var seed: UInt64 = 1
        public var start = Timestamp(year: 2026, month: 11, day: 2, hour: 0)
        public var days = 20
        public init() {}
    }

    public static let header = "ID,UserSeq,Date,Instrument,Type,Side,Amount,Base Amount,Position,Price,Mark Price,Index Price,Cash Flow,Funding,Fee Rate,Fee Charged,Fee Balance,Change,Balance,Equity,Trade ID,Order ID,Info,Note"

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// A Deribit expiry label (`5JAN27`) for the day `days` after `time`: every instrument
    /// traded expires after the log ends.
    private static func expiryLabel(_ time: Timestamp, plusDays days: Int) -> String {
        let iso = Timestamp(microseconds: time.microseconds + Int64(days) * 86_400_000_000).iso8601
        let year = iso.prefix(4).suffix(2), month = Int(iso.dropFirst(5).prefix(2))!, day = Int(iso.dropFirst(8).prefix(2))!
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        return "\(day)\(months[month - 1])\(year)"
    }

    public func generate(_ emit: (String) throws -> Void) throws {
        let near = Self.expiryLabel(settings.start, plusDays: settings.days + 30)
        let far = Self.expiryLabel(settings.start, plusDays: settings.days + 120)
        let futures = ["BTC-PERPETUAL", "BTC-\(near)"]
        let options = ["BTC-\(near)-90000-P", "BTC-\(near)-100000-C", "BTC-\(near)-110000-C", "BTC-\(far)-100000-C"]
        var random = SeededRandom(seed: settings.seed)
        var positions: [String: ExactDecimal] = [:]
        var balance = ExactDecimal.zero
        var sequence: Int64 = 0
        var index = 95_000.0
        let span = Int64(settings.days) * 86_400_000_000
        let step = max(span / Int64(max(settings.rows, 1)), 1)
        var time = settings.start.microseconds
        var nextSettlement = settings.start.microseconds + 8 * 3_600_000_000

        func row(_ type: String, instrument: String = "", side: String = "-", amount: ExactDecimal? = nil, position: ExactDecimal? = nil,
                 price: ExactDecimal? = nil, cashFlow: ExactDecimal, funding: ExactDecimal? = nil, fee: ExactDecimal = .zero,
                 tradeID: String = "", info: String = "", at micros: Int64) throws {
            sequence += 1
            let change = try cashFlow - fee
            try balance += change
            let date = String(Timestamp(microseconds: micros - micros % 1_000_000).iso8601.prefix(19).map { $0 == "T" ? " " : $0 })
            let indexText = ExactDecimal(approximating: index, places: 2).description
            let cells = ["\(40_000_000 + sequence)", "\(sequence)", date, instrument, type, side, amount?.description ?? "",
                         amount?.description ?? "", position?.description ?? "", price?.description ?? "", price?.description ?? "",
                         indexText, cashFlow.description, funding?.description ?? "", "", fee.description, "0", change.description,
                         balance.description, balance.description, tradeID, tradeID.isEmpty ? "" : "9\(tradeID)", info, ""]
            try emit(cells.joined(separator: ","))
        }

        try row("deposit", cashFlow: ExactDecimal(50), info: "bc1qgenerated", at: time)
        while Int(sequence) < settings.rows {
            time += step
            index *= 1 + 0.0004 * random.normal()
            // Every 08:00 passed since the last row settles the futures held.
            while time >= nextSettlement && Int(sequence) < settings.rows {
                for symbol in futures where !(positions[symbol] ?? .zero).isZero {
                    guard Int(sequence) < settings.rows else { break }
                    let held = positions[symbol]!
                    let funding = ExactDecimal(approximating: 0.000001 * random.normal(), places: 8)
                    let pnl = try ExactDecimal(approximating: 0.00001 * random.normal(), places: 8) + funding
                    try row("settlement", instrument: symbol, side: held.isNegative ? "short" : "long", position: held,
                            price: ExactDecimal(approximating: index, places: 1), cashFlow: pnl, funding: funding,
                            at: nextSettlement)
                }
                nextSettlement += 86_400_000_000
            }
            guard Int(sequence) < settings.rows else { break }
            if random.unit() < 0.002 {
                try row("transfer", cashFlow: ExactDecimal(approximating: random.unit() - 0.5, places: 4), info: "subaccount", at: time)
                continue
            }
            let isOption = random.unit() < 0.4
            let symbol = isOption ? options[Int(random.next() % UInt64(options.count))]
                : futures[Int(random.next() % UInt64(futures.count))]
            let held = positions[symbol] ?? .zero
            let buy = held.isZero ? random.unit() < 0.5 : (random.unit() < 0.6) == held.isNegative
            var amount = isOption ? ExactDecimal(units: Int128(1 + random.next() % 20) * ExactDecimal.unitsPerOne / 10)
                : ExactDecimal(Int(10 * (1 + random.next() % 500)))
            let closing = !held.isZero && buy == held.isNegative
            if closing, amount > held.magnitude { amount = held.magnitude }
            let signed = buy ? amount : -amount
            let position = try held + signed
            positions[symbol] = position
            let price: ExactDecimal, cashFlow: ExactDecimal, fee: ExactDecimal
            if isOption {
                price = ExactDecimal(units: Int128(1 + random.next() % 400) * ExactDecimal.unitsPerOne / 2000)
                cashFlow = try -(signed * price)
                fee = try (amount * ExactDecimal(units: ExactDecimal.unitsPerOne * 3 / 10_000))
            } else {
                price = ExactDecimal(approximating: index, places: 1)
                cashFlow = closing ? ExactDecimal(approximating: 0.00002 * random.normal(), places: 8) : .zero
                fee = try (amount / price * ExactDecimal(units: ExactDecimal.unitsPerOne / 2000)).rounded(toPlaces: 8) ?? .zero
            }
            let side = "\(closing ? "close" : "open") \(buy ? "buy" : "sell")"
            try row("trade", instrument: symbol, side: side, amount: amount, position: position, price: price, cashFlow: cashFlow,
                    fee: fee, tradeID: "\(200_000_000 + sequence)", at: time)
        }
    }
}
