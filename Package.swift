// swift-tools-version: 6.1
import PackageDescription

// The client library (BoldSignIDV) depends only on libcurl, swift-system, swift-log, swift-metrics and
// swift-distributed-tracing. What pulls in more sits behind a default-enabled trait, so that a consumer
// that depends on this package with `traits: []` resolves none of it (Tests/LinkageTest checks):
// - `MockServer`: the BoldSign-compatible mock server and the test suite built on it (swift-nio).
// - `Webhooks`: webhook signature verification (swift-crypto's HMAC).
// - `ServiceLifecycle`: the client as a swift-service-lifecycle `Service`.
let mockServer: TargetDependencyCondition? = .when(traits: ["MockServer"])
let webhooks: TargetDependencyCondition? = .when(traits: ["Webhooks"])
let serviceLifecycle: TargetDependencyCondition? = .when(traits: ["ServiceLifecycle"])

// One message instead of a wall of compiler errors elsewhere. BOLDSIGN_SIMULATE_UNSUPPORTED_PLATFORM
// lets CI see it on Linux (Scripts/check-unsupported-platform.sh).
#if !os(Linux) || BOLDSIGN_SIMULATE_UNSUPPORTED_PLATFORM
#error("""
    boldsign-idv supports Linux only (glibc; tested on Debian 12 with libcurl 7.88 and on Debian 11's libcurl 7.74): \
    its transport and file delivery use Linux-only interfaces (/proc/self/fd, O_PATH, SO_DOMAIN, sigtimedwait) \
    that no other platform's build is written or tested for. On macOS, build and run it in a Linux container.
    """)
#endif

let package = Package(
    name: "boldsign-idv",
    products: [
        .library(name: "BoldSignIDV", targets: ["BoldSignIDV"]),
        .library(name: "BoldSignMockServer", targets: ["BoldSignMockServer"]),
        .executable(name: "boldsign-mock", targets: ["boldsign-mock"]),
        .executable(name: "boldsign-idv", targets: ["boldsign-idv"]),
    ],
    traits: [
        .trait(
            name: "MockServer",
            description: "Builds the BoldSign-compatible mock server (pulls in swift-nio, swift-nio-ssl and swift-nio-http2)."
        ),
        .trait(
            name: "Webhooks",
            description: "Verifies BoldSign webhook signatures (pulls in swift-crypto); the mock server can then send signed webhooks."
        ),
        .trait(
            name: "ServiceLifecycle",
            description: "Makes BoldSignClient a swift-service-lifecycle Service (pulls in swift-service-lifecycle)."
        ),
        .default(enabledTraits: ["MockServer", "Webhooks", "ServiceLifecycle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            path: "Modules/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "CurlTransport",
            dependencies: [
                "CCurl",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "BoldSignIDV",
            dependencies: [
                "CurlTransport",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto", condition: webhooks),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: serviceLifecycle),
            ]
        ),
        .target(
            name: "BoldSignMockServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio", condition: mockServer),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio", condition: mockServer),
                .product(name: "NIOPosix", package: "swift-nio", condition: mockServer),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: mockServer),
                .product(name: "NIOSSL", package: "swift-nio-ssl", condition: mockServer),
                .product(name: "NIOHTTP2", package: "swift-nio-http2", condition: mockServer),
                .product(name: "Crypto", package: "swift-crypto", condition: webhooks),
            ],
            resources: [
                .embedInCode("SampleImages/id-card-front.jpg"),
                .embedInCode("SampleImages/id-card-back.jpg"),
                .embedInCode("SampleImages/selfie.png"),
            ]
        ),
        .executableTarget(
            name: "boldsign-mock",
            dependencies: [
                "BoldSignMockServer",
                "BoldSignIDV",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .target(
            name: "BatchManifest",
            dependencies: [
                "BoldSignIDV",
                "CurlTransport",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "boldsign-idv",
            dependencies: [
                "BoldSignIDV",
                "BatchManifest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "boldsign-soak",
            dependencies: [
                "BoldSignIDV",
                "BoldSignMockServer",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Benchmarks/Soak"
        ),
        .executableTarget(
            name: "boldsign-fuzz",
            dependencies: [
                "BoldSignIDV", "CurlTransport", "BatchManifest",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Fuzz/Sources"
        ),
        .testTarget(
            name: "BoldSignMockServerTests",
            dependencies: ["BoldSignMockServer", "TestSupport"]
        ),
        .testTarget(
            name: "CommandLineToolTests",
            dependencies: ["BoldSignMockServer", "TestSupport"]
        ),
        .testTarget(
            name: "CommandLineParsingTests",
            dependencies: ["boldsign-idv", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "CurlTransportTests",
            dependencies: ["CurlTransport", "CCurl", "BoldSignMockServer", "TestSupport"]
        ),
        .testTarget(
            name: "BoldSignIDVTests",
            dependencies: [
                "BoldSignIDV", "BoldSignMockServer", "TestSupport", "BatchManifest",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio", condition: mockServer),
                .product(name: "NIOPosix", package: "swift-nio", condition: mockServer),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: mockServer),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: serviceLifecycle),
                .product(name: "Crypto", package: "swift-crypto", condition: webhooks),
            ]
        ),
    ]
)
