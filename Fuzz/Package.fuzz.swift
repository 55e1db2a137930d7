
// ---- appended by Fuzz/run.sh to a copy of Package.swift in .build-fuzz/src (never to the
// real one): the libFuzzer targets, each an executable whose main() is libFuzzer's.
let fuzzTargets = [
    "fuzz_json", "fuzz_create", "fuzz_set_features", "fuzz_set_attributes", "fuzz_eval",
    "fuzz_condition", "fuzz_decrypt", "fuzz_regex", "fuzz_attributes_builder",
]
package.targets.append(.target(name: "CFuzzerDriver", path: "Fuzz/Sources/CFuzzerDriver"))
package.targets.append(
    .target(name: "FuzzSupport", dependencies: ["GrowthBookC", "GrowthBookCore"], path: "Fuzz/Sources/FuzzSupport"))
for name in fuzzTargets {
    package.targets.append(
        .executableTarget(
            name: name, dependencies: ["CFuzzerDriver", "FuzzSupport", "GrowthBookC", "GrowthBookCore"], path: "Fuzz/Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: name, targets: [name]))
}
