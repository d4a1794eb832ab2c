// swift-tools-version: 6.1
import PackageDescription

// A consumer that links only the client library, with the package's traits off:
// it must build, and its resolved graph must not contain swift-nio (see check.sh).
let package = Package(
    name: "LinkageTest",
    dependencies: [
        .package(name: "boldsign-idv", path: "../..", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "LinkageCheck",
            dependencies: [.product(name: "BoldSignIDV", package: "boldsign-idv")]
        ),
    ]
)
