import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the stored exposure under candidate hedge policies and compare them; the journal is not touched.",
            discussion: """
                Each --policy is a band rule with optional trade rules: fixed:COIN, relative:FRACTION, \
                every:INTERVAL or every:INTERVAL:COIN, ww:COST:RISK_AVERSION (Whalley-Wilmott), then \
                ,lot=USD ,min=USD ,to=band-edge (for example fixed:0.5,lot=10). For each book and \
                underlying, the options are the book's own and the hedge (every non-option position) \
                is replaced by a simulated inverse perpetual, rebalanced as the policy says at each \
                stored exposure row from --from to --to (run `hedgeledger recompute` first). Per \
                policy: hedges, traded notional, cost (fees at --fee-rate on the notional), the \
                options' and the hedged P&L (per interval: δ·ΔF + ½Γ·ΔF² + θ·Δt for the options, \
                h·ΔF for the hedge, in USD), the standard deviation of the hedged P&L per interval, \
                the largest and the time-weighted mean |net delta|, and the time outside the band.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(name: .customLong("policy"), help: ArgumentHelp("A candidate policy (repeat to compare several).", valueName: "spec"))
        var specs: [String] = []

        @Option(help: ArgumentHelp("From this time: ISO-8601 with a zone, or a date.", valueName: "time"), transform: TimeArgument.parse)
        var from: Timestamp

        @Option(help: ArgumentHelp("Up to this time, inclusive.", valueName: "time"), transform: TimeArgument.parse)
        var to: Timestamp

        @Option(help: ArgumentHelp("Only this book.", valueName: "name"))
        var book: String?

        @Option(help: ArgumentHelp("Only this underlying.", valueName: "coin"))
        var underlying: String?

        @Option(help: ArgumentHelp("Fees as a fraction of the traded notional (0.0005 is 5 bp, Deribit's perpetual taker fee).", valueName: "fraction"))
        var feeRate: Double = 0.0005

        func validate() throws {
            if specs.isEmpty { throw ValidationError("give at least one --policy, for example --policy fixed:0.5 --policy ww:0.0005:0.0001") }
            if to < from { throw ValidationError("--to \(to.iso8601) is before --from \(from.iso8601)") }
            guard feeRate >= 0, feeRate < 1 else { throw ValidationError("--fee-rate must be at least 0 and below 1") }
            for spec in specs { _ = try Self.parse(spec) }
        }

        /// `kind:parameters[,lot=X][,min=X][,to=band-edge|target]`.
        static func parse(_ spec: String) throws -> HedgePolicy {
            func amount(_ text: Substring, _ what: String) throws -> ExactDecimal {
                guard case .success(let value) = DecimalSyntax.parse(String(text)) else {
                    throw ValidationError("--policy '\(spec.escapingControlCharacters)': \(what) '\(text)' is not a plain decimal")
                }
                return value
            }
            let parts = spec.split(separator: ",")
            guard let rule = parts.first else { throw ValidationError("--policy needs a band rule, such as fixed:0.5") }
            let fields = rule.split(separator: ":", omittingEmptySubsequences: false)
            let band: HedgePolicy.Band
            switch (fields.first.map(String.init), fields.count) {
            case ("fixed", 2): band = .fixed(width: try amount(fields[1], "the band"))
            case ("relative", 2): band = .relative(fraction: try amount(fields[1], "the fraction"))
            case ("every", 2): band = .schedule(seconds: try DurationArgument.seconds(String(fields[1]), option: "--policy every"), width: nil)
            case ("every", 3): band = .schedule(seconds: try DurationArgument.seconds(String(fields[1]), option: "--policy every"),
                                                width: try amount(fields[2], "the band"))
            case ("ww", 3): band = .whalleyWilmott(cost: try amount(fields[1], "the cost"), riskAversion: try amount(fields[2], "the risk aversion"))
            default:
                throw ValidationError("--policy '\(spec.escapingControlCharacters)' is not fixed:COIN, relative:FRACTION, every:INTERVAL[:COIN] or ww:COST:RISK_AVERSION")
            }
            var policy = HedgePolicy(book: "-", underlying: "-", effective: Timestamp(microseconds: 0), band: band)
            for option in parts.dropFirst() {
                let pair = option.split(separator: "=", maxSplits: 1)
                switch (pair.first.map(String.init), pair.count) {
                case ("lot", 2): policy.lot = try amount(pair[1], "the lot")
                case ("min", 2): policy.minTrade = try amount(pair[1], "the minimum trade")
                case ("to", 2):
                    guard let to = HedgePolicy.HedgeTo(rawValue: String(pair[1])) else {
                        throw ValidationError("--policy '\(spec.escapingControlCharacters)': to= takes target or band-edge")
                    }
                    policy.hedgeTo = to
                default: throw ValidationError("--policy '\(spec.escapingControlCharacters)': '\(option)' is not lot=, min= or to=")
                }
            }
            if let problem = policy.problem { throw ValidationError("--policy '\(spec.escapingControlCharacters)': \(problem)") }
            return policy
        }

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in
                let filter = PositionsReport.Filter(book: book, underlying: underlying)
                try filter.validate(in: opened)
                if let warning = try HistoryFreshness.of(opened).warning(about: .exposureHistory) { Console.message(warning) }
                let policies = try specs.map { (spec: $0, policy: try Self.parse($0)) }
                let report = try SimulationReport.build(ledger: opened, policies: policies, from: from, to: to, filter: filter, feeRate: feeRate)
                if report.entries.isEmpty { Console.message("hedgeledger: no exposure rows from \(from.iso8601) to \(to.iso8601); run `hedgeledger recompute`, or widen the range") }
                return report.report
            }
        }
    }
}
