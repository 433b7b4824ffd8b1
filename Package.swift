// swift-tools-version:6.1
import PackageDescription

/// Settings every target shares: Swift 6 language mode comes with the tools version;
/// `ExistentialAny` makes every use of a protocol as a type explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "factor-risk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "factor-risk", targets: ["FactorRiskCLI"]),
        .library(name: "FactorRiskCore", targets: ["FactorRiskCore"]),
        .library(name: "FactorRiskPostgres", targets: ["FactorRiskPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Without its default traits: no swift-configuration, Foundation essentials only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The server's connection guard is a channel handler: NIO's types, and the HTTP parts Hummingbird decodes to.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
    ],
    targets: [
        // libpq, the C client library of PostgreSQL (Debian: libpq-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The domain: money, dates, currencies, the rulebook. No I/O, no SQL.
        .target(
            name: "FactorRiskCore",
            swiftSettings: swiftSettings
        ),
        // The analysts' HTML report: one self-contained page, its charts as inline SVG, its stylesheet.
        .target(
            name: "FactorRiskHTML",
            dependencies: ["FactorRiskCore"],
            // The stylesheet is compiled into the binary and written into every page.
            resources: [.embedInCode("HTMLReport.css")],
            swiftSettings: swiftSettings
        ),
        // The seeded generator of realistic portfolio bundles, for demos, load tests and benchmarks.
        .target(
            name: "FactorRiskSynthetic",
            dependencies: ["FactorRiskCore"],
            swiftSettings: swiftSettings
        ),
        // Our libpq client, the pool, the embedded cluster, migrations and the SQL of the service.
        .target(
            name: "FactorRiskPostgres",
            dependencies: ["CLibPQ", "FactorRiskCore"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedMigrations"]
        ),
        // The HTTP API: Hummingbird application, request context with the tenant, routes, error middleware.
        .target(
            name: "FactorRiskHTTP",
            dependencies: [
                "FactorRiskCore",
                "FactorRiskHTML",
                "FactorRiskPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The OpenAPI document is compiled into the binary and served at /openapi.json.
            resources: [.embedInCode("openapi.json")],
            swiftSettings: swiftSettings
        ),
        // The `factor-risk` command: a thin layer of subcommands.
        .executableTarget(
            name: "FactorRiskCLI",
            dependencies: [
                "FactorRiskCore",
                "FactorRiskHTML",
                "FactorRiskSynthetic",
                "FactorRiskPostgres",
                "FactorRiskHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Build-time tool: turns sql/NNNN_name.sql into Swift source, so the binary carries its migrations.
        .executableTarget(
            name: "EmbedSQL",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["EmbedSQL"]
        ),
        // Shared by the test targets: one private PostgreSQL cluster per test run, a fresh database per suite.
        .target(
            name: "FactorRiskTestSupport",
            dependencies: ["FactorRiskPostgres", "FactorRiskSynthetic", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/FactorRiskTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FactorRiskCoreTests",
            dependencies: ["FactorRiskCore", "FactorRiskTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FactorRiskHTMLTests",
            dependencies: ["FactorRiskHTML", "FactorRiskSynthetic", "FactorRiskTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FactorRiskSyntheticTests",
            dependencies: ["FactorRiskSynthetic", "FactorRiskTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FactorRiskPostgresTests",
            dependencies: ["FactorRiskPostgres", "FactorRiskHTML", "FactorRiskSynthetic", "FactorRiskTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FactorRiskHTTPTests",
            dependencies: [
                "FactorRiskHTTP", "FactorRiskTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FactorRiskCLITests",
            dependencies: ["FactorRiskCLI", "FactorRiskTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
