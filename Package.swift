// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "libgrowthbook",
    products: [
        // libgrowthbook.so: the C ABI. Build it with `-Xswiftc -static-stdlib` (see Makefile)
        // so that it loads on machines without the Swift toolchain.
        .library(name: "growthbook", type: .dynamic, targets: ["GrowthBookC"]),
        .library(name: "GrowthBookCore", targets: ["GrowthBookCore"]),
    ],
    targets: [
        // The evaluator: plain Swift, no Foundation, no C dependency.
        .target(
            name: "GrowthBookCore",
            swiftSettings: [
                // Release builds skip the run-time exclusivity checks on class properties (a
                // swift_beginAccess per access: a fifth of a condition's evaluation). The
                // evaluator's shared objects are immutable once published and built while
                // uniquely referenced, and debug builds (swift test) keep the checks.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
            ]
        ),
        // Remote loading (libcurl) and payload decryption (OpenSSL's libcrypto).
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "GrowthBookRemote", dependencies: ["GrowthBookCore", "CCurl", "CCrypto"]),
        // Bounded regexes for conditions: PCRE2 with match and depth limits.
        .systemLibrary(
            name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .target(name: "GrowthBookRegex", dependencies: ["GrowthBookCore", "CPCRE2"]),
        // The thin C export layer: handles, errors and memory at the boundary.
        .target(
            name: "GrowthBookC", dependencies: ["GrowthBookCore", "GrowthBookRemote", "GrowthBookRegex"],
            swiftSettings: [
                // As for the core: the per-thread state cache is touched on every call, and its
                // objects are confined to their thread (debug builds keep the checks).
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
            ]),
        .testTarget(
            name: "GrowthBookCoreTests",
            dependencies: ["GrowthBookCore"]
        ),
        .testTarget(
            name: "GrowthBookRemoteTests",
            dependencies: ["GrowthBookRemote", "GrowthBookCore"]
        ),
        .testTarget(
            name: "GrowthBookRegexTests",
            dependencies: ["GrowthBookRegex", "GrowthBookCore"]
        ),
    ]
)
