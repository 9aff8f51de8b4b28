/// Statistics of a sample of per-interval figures (P&L): what `simulate` and the end-of-day
/// report's hedge effectiveness both measure, computed one way.
public enum SampleStatistics {
    /// The sample standard deviation (n − 1); nil below two values.
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }
}
