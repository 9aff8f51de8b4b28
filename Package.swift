// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "hedgeledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HedgeLedger", targets: ["HedgeLedger"]),
        .executable(name: "hedgeledger", targets: ["hedgeledger"]),
    ],
    dependencies: [
        // The CLI's subcommands, options, help and usage errors.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 of imported files (provenance) and, later, of the hash chain.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "HedgeLedger",
            dependencies: [
                "CSQLite",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("Migrations"), .embedInCode("Mappings")]
        ),
        .executableTarget(
            name: "hedgeledger",
            dependencies: [
                "HedgeLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (bench/): built on demand with `swift build -c release --product ...`.
        .executableTarget(
            name: "greeks-benchmark",
            dependencies: ["HedgeLedger"],
            path: "bench/GreeksBenchmark"
        ),
        .testTarget(
            name: "HedgeLedgerTests",
            dependencies: ["HedgeLedger", "hedgeledger", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
