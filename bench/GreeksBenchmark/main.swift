// Greeks throughput: Black76.greeks over a grid of option inputs, timed in this process.
// Usage: greeks-benchmark EVALUATIONS. Prints "evaluations seconds checksum".
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

let evaluations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000_000 : 10_000_000

// The same deterministic grid as bench/greeks_reference.c: 1000 distinct inputs, cycled.
var inputs: [Black76.Inputs] = []
for index in 0..<1000 {
    let strike = 60_000.0 + Double(index % 50) * 1_600
    let years = 0.002 + Double(index % 20) * 0.05
    let sigma = 0.3 + Double(index % 7) * 0.1
    inputs.append(.init(forward: 95_000, strike: strike, yearsToExpiry: years, volatility: sigma, rate: 0,
                        right: index % 2 == 0 ? .call : .put))
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

var checksum = 0.0
let start = now()
for index in 0..<evaluations {
    let greeks = Black76.greeks(inputs[index % 1000])
    checksum += greeks.delta + greeks.gamma + greeks.vega + greeks.theta + greeks.value
}
let seconds = now() - start
print(evaluations, seconds, checksum)
