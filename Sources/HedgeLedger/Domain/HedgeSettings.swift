/// How one book hedges one underlying, from a moment on: which delta it hedges, to what
/// target, with which instruments. A change is a new version effective from its time; the
/// versions are never edited, so the settings at any past moment stay on record.
public struct HedgeSettings: Sendable, Hashable {
    /// Which delta of the options the hedges offset.
    public enum HedgedDelta: String, Sendable, Hashable, CaseIterable {
        /// Premium-adjusted (Deribit's `delta_total`): what a coin-settled book hedges.
        case net
        /// Black-76 delta.
        case plain
    }

    public var book: String
    public var underlying: String
    public var effective: Timestamp
    /// nil: the default, `net` for coin-settled options and `plain` for the others.
    public var hedgedDelta: HedgedDelta?
    /// Coin of the underlying.
    public var targetDelta: ExactDecimal
    /// In order, the first being the one `required_hedge` is expressed in; nil: the default,
    /// the book's non-option instruments of the underlying.
    public var hedgeInstruments: [String]?

    public init(book: String, underlying: String, effective: Timestamp, hedgedDelta: HedgedDelta? = nil,
                targetDelta: ExactDecimal = .zero, hedgeInstruments: [String]? = nil) {
        self.book = book; self.underlying = underlying; self.effective = effective
        self.hedgedDelta = hedgedDelta; self.targetDelta = targetDelta; self.hedgeInstruments = hedgeInstruments
    }

    /// The settings of a book and underlying with no version on record.
    public static func defaults(book: String, underlying: String) -> HedgeSettings {
        HedgeSettings(book: book, underlying: underlying, effective: Timestamp(microseconds: 0))
    }

    /// The delta hedged for an option: the setting, or the default for its kind (net for a
    /// coin-settled, inverse, option).
    public func hedgedDelta(inverseOption isInverse: Bool) -> HedgedDelta {
        hedgedDelta ?? (isInverse ? .net : .plain)
    }

    /// Why `instrument` cannot hedge this underlying, if it cannot.
    public func hedgeProblem(_ instrument: Instrument) -> String? {
        if instrument.kind == .option {
            return "\(instrument.symbol) is an option; hedge instruments are futures, perpetuals or spot"
        }
        if instrument.underlying != underlying {
            return "\(instrument.symbol) is an instrument of \(instrument.underlying), not \(underlying)"
        }
        return nil
    }
}
