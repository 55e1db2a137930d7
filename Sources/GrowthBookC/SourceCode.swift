import GrowthBookCore

/// The GB_SOURCE_* codes of growthbook.h, value for value (Tests/c/test_abi_constants.c checks them
/// through the library, bindings/python/tests/test_abi_constants.py against the header).
enum SourceCode: Int32 {
    case unknownFeature = 0
    case defaultValue = 1
    case force = 2
    case experiment = 3
    case prerequisite = 4
    case cyclicPrerequisite = 5

    init(_ source: FeatureSource) {
        switch source {
        case .unknownFeature: self = .unknownFeature
        case .defaultValue: self = .defaultValue
        case .force: self = .force
        case .experiment: self = .experiment
        case .prerequisite: self = .prerequisite
        case .cyclicPrerequisite: self = .cyclicPrerequisite
        }
    }
}
