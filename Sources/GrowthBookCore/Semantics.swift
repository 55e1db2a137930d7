/// Which reference's rules an evaluation follows, chosen when features are compiled (the
/// `"semantics"` option of a handle): the GrowthBook references disagree with each other on a
/// few percent of inputs, and an experimentation SDK must agree exactly with the one beside it.
///
/// Each difference between the references is one named switch of `SemanticsRules`, read
/// while compiling (it picks the compiled form: an operator, a record flag), never tested per
/// evaluation. docs/semantics.md has the table of differences with an example each.
public enum Semantics: Sendable, Hashable, CaseIterable {
    /// GrowthBook's reference JavaScript SDK (spec 0.8.0): what GrowthBook's app and its other
    /// SDKs are built around.
    case js
    /// The Python `growthbook` package 1.1.0, exactly (spec 0.5.4 era).
    case python110

    /// The profile of a handle that names none.
    public static let `default` = Semantics.js

    /// The option value: "js", "python-1.1.0".
    public var name: String {
        switch self {
        case .js: return "js"
        case .python110: return "python-1.1.0"
        }
    }

    /// Whether payloads' and options' `contextualBandits` mean anything (spec 0.8.0).
    public var readsContextualBandits: Bool { rules.contextualBandits }

    public init?(name: String) {
        guard let s = Semantics.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    /// The semantics of an option's name; `invalidArgument` naming the known ones otherwise.
    public static func named(_ name: String) throws(GrowthBookError) -> Semantics {
        guard let s = Semantics(name: name) else {
            throw .invalidArgument(
                "unknown semantics \"\(name)\" (one of: \(allCases.map { "\"\($0.name)\"" }.joined(separator: ", ")))")
        }
        return s
    }
}

/// The switches that tell the references apart, one per difference (docs/semantics.md), for
/// the compiler to read. Each is named for what it changes, and says which reference does it.
struct SemanticsRules: Sendable {
    /// Spec 0.8.0's contextual bandits: a rule's `contextualVariations` (before `variations`)
    /// and `contextualBanditRef`, whose leaves choose the weights (JS). Python 1.1.0 knows
    /// neither key: a rule with only `contextualVariations` has no variations and is skipped.
    let contextualBandits: Bool
    /// `"force": null` forces the value null (JS: `"force" in rule`); Python 1.1.0 reads a
    /// null force as none (`force is not None`), so the rule is an experiment or invalid.
    let nullForceForces: Bool
    /// An experiment rule's condition is the experiment's: checked inside the assignment,
    /// after the query-string override, forcedVariations and a sticky bucket, which win over
    /// a failing condition (JS). Python 1.1.0 checks it first, as for any rule.
    let experimentRuleConditionInAssignment: Bool
    /// A hash filter whose attribute is missing or empty filters the user out, as does an
    /// unknown hashVersion, and a filter without a seed hashes with "undefined" (JS). Python
    /// 1.1.0 stops looking at the filters there and keeps the user, with "" as the seed.
    let filterWithoutValueExcludes: Bool
    /// How a hash attribute's value becomes the text hashed (`HashValueStyle`); also whose
    /// truthiness a result's `on` is: JavaScript's (`[]` and `{}` are on) or Python's (off).
    let hashValues: HashValueStyle

    /// A value's truthiness as the reference has it (`on` of a result).
    func isOn(_ v: JSON) -> Bool { hashValues == .js ? v.isJSTruthy : v.isTruthy }
    /// A condition object with `$or`, `$nor`, `$and` or `$not` is decided by the first of them
    /// alone, in that order, its other keys ignored (Python 1.1.0's `evalCondition`). JS ANDs
    /// every key.
    let logicalOperatorDecidesAlone: Bool
    /// A feature evaluated once already in this evaluation (as anyone's prerequisite) is
    /// `cyclicPrerequisite` when met again: one visited set for the whole evaluation (Python
    /// 1.1.0's `stack`, never popped). JS finds cycles on the current path only, so a
    /// prerequisite two rules share evaluates normally.
    let prerequisitesVisitedOnce: Bool
    /// A force rule's `coverage: 0` leaves everyone out without hashing (JS); Python 1.1.0
    /// hashes and keeps a user whose hash is exactly 0 (`n <= coverage`).
    let zeroCoverageExcludesAll: Bool
    /// A hash filter's `"hashVersion": null` is version 2 (JS `|| 2`); Python 1.1.0 passes
    /// None on, an unknown version, which ends the filters with the user kept.
    let nullFilterHashVersionIsTwo: Bool
    /// `$eq`/`$ne` are strict (`===`: a missing attribute equals null, 18 is not "18", 0 is not
    /// false) and `$lt`/`$lte`/`$gt`/`$gte` JavaScript's comparison (`"" >= 0`, `[2] > 1`,
    /// strings by UTF-16 code units) (JS). Python 1.1.0's `compare()` converts a non-number
    /// beside a number with `float()` (None as 0) and fails where Python raises.
    let jsComparisons: Bool
    /// A literal condition value compares as JavaScript's `evalConditionValue`: a string
    /// literal with `String(attribute)`, a number with `Number(attribute)`, a boolean with
    /// the attribute's truthiness (not null), an array or object, `{}` too, by JSON text (JS).
    /// Python 1.1.0 uses `==`, and `{}` is an operator object that always passes.
    let jsLiterals: Bool
    /// `$regex` tests any value as its `String()` (a missing attribute as "null", 123 as
    /// "123") (JS); Python 1.1.0's `re.search` of a non-string raises, so it fails.
    let jsRegexOnAnyValue: Bool
    /// `$elemMatch` skips falsy elements (0, "", false, null) (JS); Python 1.1.0 tests them.
    let jsElemMatchSkipsFalsy: Bool
    /// An attribute path goes into arrays by index (`{"a.0": 1}` matches `{"a": [1]}`) (JS's
    /// `getPath`); Python 1.1.0 goes into objects only. (JS's `a.length` is not done yet.)
    let jsPathsIntoArrays: Bool
    /// Query-string overrides read as the JS SDK does (`jsQueryStringOverride`: raw text,
    /// `parseInt`, the first match); Python 1.1.0 parses with `parse_qs` (decoded, blank
    /// values dropped) and takes digits only (`queryStringOverride`).
    let jsQueryStrings: Bool
    /// `$in`/`$nin` (and saved groups) compare items as `Array.prototype.includes` does: `1` is
    /// not `true`, arrays and objects never match (JS); Python 1.1.0 uses `==` (`1 == True`).
    let jsMembership: Bool
    /// `$ini`, `$nini`, `$alli`, `$regexi`, `$inGroup` and `$notInGroup` are operators (JS,
    /// spec 0.7 and later); Python 1.1.0 knows none of them, so they fail as unknown operators
    /// do. (`$notRegex` and `$notRegexi`, in spec 0.7.1's cases only, are unknown to both.)
    let spec07Operators: Bool
    /// Version operators pad a number's `String()` ("1" for 1.0, "0" for -0) and compare the
    /// padded strings by UTF-16 code units, with JS regexes' line ends (JS); Python 1.1.0 pads
    /// `str()` ("1.0") and compares code points, its `$` matching before a final newline.
    let jsVersionStrings: Bool
    /// Only `false` turns off an inline experiment's `active` and the `enabled` option (JS:
    /// `=== false`); Python 1.1.0 tests truthiness, so null, 0 and "" turn them off too.
    let onlyFalseDisables: Bool
    /// `"coverage": null` is 0 (JS: nobody is bucketed, a force rule keeps only a hash of
    /// exactly 0); Python 1.1.0 reads it as no coverage (everyone).
    let nullCoverageIsZero: Bool
    /// A variation whose meta key is empty (or falsy) reports its index as the key (JS:
    /// `meta[i].key || String(i)`); Python 1.1.0 reports the key as given, "" too.
    let emptyMetaKeyIsIndex: Bool
    /// `$in`/`$nin` beside an array attribute fail when either side has a list or object item
    /// (Python 1.1.0 intersects two sets, and `set()` of an unhashable item raises: the
    /// library answers false where 1.1.0 raises, docs/semantics.md row 28). JS compares items
    /// one by one.
    let unhashableMembershipFails: Bool
    /// `$all` iterates an operand that is not a list as Python does: a string's characters, an
    /// object's keys; any other operand fails (Python 1.1.0). JS requires a list.
    let allIteratesAnyOperand: Bool
    /// The dialect `$regex`, `$regexi` and an inline experiment's `url` are compiled in:
    /// JavaScript's `RegExp` (JS) or Python's `re` (Python 1.1.0), translated to PCRE2 when
    /// features are compiled (`RegexDialect`).
    let regexDialect: RegexDialect

    /// The query-string override of experiment `id` in `url`, as the reference reads it.
    func queryStringOverride(id: String, url: String, variationCount: Int) -> Int? {
        jsQueryStrings
            ? jsQueryStringOverride(id: id, url: url, variationCount: variationCount)
            : GrowthBookCore.queryStringOverride(id: id, url: url, variationCount: variationCount)
    }

    static let js = SemanticsRules(
        contextualBandits: true, nullForceForces: true, experimentRuleConditionInAssignment: true,
        filterWithoutValueExcludes: true, hashValues: .js, logicalOperatorDecidesAlone: false,
        prerequisitesVisitedOnce: false, zeroCoverageExcludesAll: true, nullFilterHashVersionIsTwo: true,
        jsComparisons: true, jsLiterals: true, jsRegexOnAnyValue: true, jsElemMatchSkipsFalsy: true,
        jsPathsIntoArrays: true, jsQueryStrings: true, jsMembership: true, spec07Operators: true, jsVersionStrings: true, onlyFalseDisables: true, nullCoverageIsZero: true,
        emptyMetaKeyIsIndex: true, unhashableMembershipFails: false, allIteratesAnyOperand: false, regexDialect: .javascript)
    static let python110 = SemanticsRules(
        contextualBandits: false, nullForceForces: false, experimentRuleConditionInAssignment: false,
        filterWithoutValueExcludes: false, hashValues: .python, logicalOperatorDecidesAlone: true,
        prerequisitesVisitedOnce: true, zeroCoverageExcludesAll: false, nullFilterHashVersionIsTwo: false,
        jsComparisons: false, jsLiterals: false, jsRegexOnAnyValue: false, jsElemMatchSkipsFalsy: false,
        jsPathsIntoArrays: false, jsQueryStrings: false, jsMembership: false, spec07Operators: false, jsVersionStrings: false, onlyFalseDisables: false, nullCoverageIsZero: false,
        emptyMetaKeyIsIndex: false, unhashableMembershipFails: true, allIteratesAnyOperand: true, regexDialect: .python)
}

extension HashValueStyle {
    /// The text a sticky-bucket doc is keyed by (`name||text`) for a hash attribute's value:
    /// Python's `str()` (1.1.0); JS's `toString`, a string as it is and anything else as
    /// `JSON.stringify` (7.0 is "7", [1] is "[1]"). Read and written alike.
    func stickyKeyText(_ v: Val) -> String {
        guard self == .js else { return v.pythonString }
        if v.kind == .string { return v.bytes.string }
        var out = TextBuffer()
        v.writeJSJSON(to: &out)
        return out.string
    }

    func stickyKeyText(_ j: JSON) -> String {
        self == .js ? (j.stringValue ?? j.jsJSON) : j.pythonString
    }
}

/// Which values of a hash attribute count as none (the user is not bucketed, a rollout
/// excludes them), how the others are written as the text hashed, and what is hashed of it.
enum HashValueStyle: UInt8, BitwiseCopyable, Sendable {
    /// Python 1.1.0: `attributes[attr] or ""`, so every falsy value (0, 0.0, -0.0, False, [],
    /// {}) is none; the rest as `str()` ("True", "7.0"); FNV over code points.
    case python
    /// JS: a value that is falsy in JavaScript (0, -0, false, "", null) is none, [] and {} are
    /// not; the rest as `String()` ("true", "7", "1,2", "[object Object]"); FNV over UTF-16
    /// code units (a character outside the BMP hashes as its two surrogates).
    case js
}

extension Semantics {
    var rules: SemanticsRules {
        switch self {
        case .js: return .js
        case .python110: return .python110
        }
    }
}
