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
        // Evaluations read its compiled snapshots as flat records (no class properties on the
        // hot path), so it needs no compiler flags: another package can depend on it.
        .target(name: "GrowthBookCore"),
        // Remote loading (libcurl) and payload decryption (OpenSSL's libcrypto).
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Redis (hiredis's command formatter and reply reader; sockets of our own): sticky
        // bucketing and the payload cache shared by a fleet.
        .systemLibrary(
            name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(name: "GrowthBookRedis", dependencies: ["GrowthBookCore", "CHiredis"]),
        .target(name: "GrowthBookRemote", dependencies: ["GrowthBookCore", "GrowthBookRedis", "CCurl", "CCrypto"]),
        // Two C thread-local variables: the C layer's per-thread call scope, read on every
        // call, and the regex budget of the call.
        .target(name: "CThreadScope"),
        // Bounded regexes for conditions: PCRE2 with match and depth limits and a budget per call.
        .systemLibrary(
            name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .target(name: "GrowthBookRegex", dependencies: ["GrowthBookCore", "CPCRE2", "CThreadScope"]),
        // The library's destructor (dlclose, exit): stops its threads before its code is unmapped.
        .target(name: "CLibraryUnload"),
        // The thin C export layer: handles, errors and memory at the boundary.
        .target(
            name: "GrowthBookC",
            dependencies: [
                "GrowthBookCore", "GrowthBookRemote", "GrowthBookRedis", "GrowthBookRegex", "CThreadScope",
                "CLibraryUnload",
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
            name: "GrowthBookRedisTests",
            dependencies: ["GrowthBookRedis", "GrowthBookCore"]
        ),
        .testTarget(
            name: "GrowthBookRegexTests",
            dependencies: ["GrowthBookRegex", "GrowthBookCore"]
        ),
    ]
)
