/// A feature set compiled once into flat records (see `FlatStorage` and `CompiledRecords`):
/// what one `set_features` installs, immutable, evaluated by any number of threads at once with
/// no copy, no lock and no reference counting. Built off to the side and swapped in whole, so
/// evaluations in flight finish on the one they began with.
///
/// Every value the features hold is a node of one document (`values`); every condition is a
/// node range of one program (`conditions`); features are found by the key's bytes through an
/// open-addressed table.
public final class Snapshot: Sendable {
    let values: Document
    let conditions: ConditionProgram
    let features: FlatBuffer<FeatureRecord>
    let rules: FlatBuffer<RuleRecord>
    let rollouts: FlatBuffer<RolloutRecord>
    let experiments: FlatBuffer<ExperimentRecord>
    let labels: FlatBuffer<LabelRecord>
    let filters: FlatBuffer<FilterRecord>
    let parents: FlatBuffer<ParentRecord>
    let banditLeaves: FlatBuffer<BanditLeafRecord>
    let ranges: FlatBuffer<BucketRange>
    let strings: FlatBuffer<StringRef>
    /// Open-addressed table of features by key, sized to a power of two, at most 3/4 full.
    let slots: FlatBuffer<KeySlot>
    let urlRegexRefs: FlatBuffer<ObjectRef<CompiledRegex>>
    /// Keeps the URL-targeting regexes `urlRegexRefs` names alive.
    private let urlRegexes: [CompiledRegex]

    /// The saved groups the conditions were compiled against.
    public let savedGroups: JSONObject?
    /// The reference whose rules the features were compiled for.
    public let semantics: Semantics
    /// The contextual bandit definitions (`contextualBandits`: ref → definition) the rules
    /// were compiled against (js semantics).
    public let contextualBandits: JSONObject?
    /// Attributes that identify users for sticky bucketing, derived from the experiment rules.
    public let stickyIdentifierAttributes: [String]
    /// The definitions as given, as compact JSON text (for `json` and for recompiling against
    /// other saved groups): text costs a fraction of a tree.
    private let definitionsText: FlatBuffer<UInt8>

    /// Every view an evaluation reads, made once.
    private let tables: FlatBox<SnapshotTables>
    var view: SnapshotView { SnapshotView(tables.ref) }

    public static let empty = Snapshot(features: JSONObject(), savedGroups: nil, semantics: .default)
    private static let emptyPython110 = Snapshot(features: JSONObject(), savedGroups: nil, semantics: .python110)

    /// No features, for a handle of `semantics`: one shared instance per profile (a handle is
    /// created with it, and creating handles per request must not compile anything).
    public static func empty(_ semantics: Semantics) -> Snapshot {
        switch semantics {
        case .js: return empty
        case .python110: return emptyPython110
        }
    }

    public var experimentCount: Int { experiments.count }

    fileprivate init(_ b: consuming SnapshotBuilder, definitionsText: borrowing TextBuffer) {
        values = b.values.finish()
        conditions = b.conditions.finish()
        features = FlatBuffer(b.features)
        rules = FlatBuffer(b.rules)
        rollouts = FlatBuffer(b.rollouts)
        experiments = FlatBuffer(b.experiments)
        labels = FlatBuffer(b.labels)
        filters = FlatBuffer(b.filters)
        parents = FlatBuffer(b.parents)
        banditLeaves = FlatBuffer(b.banditLeaves)
        ranges = FlatBuffer(b.ranges)
        strings = FlatBuffer(b.strings)
        urlRegexes = b.urlRegexes
        urlRegexRefs = FlatBuffer(b.urlRegexes.map { ObjectRef($0) })
        savedGroups = b.savedGroups
        semantics = b.semantics
        contextualBandits = b.contextualBandits
        stickyIdentifierAttributes = b.stickyIdentifiers
        self.definitionsText = definitionsText.withBytes { FlatBuffer(copying: $0) }

        // The key table: at most three quarters full (a probe is short: each slot carries
        // bits of its key's hash).
        var capacity = 8
        while capacity * 3 < b.features.count * 4 { capacity <<= 1 }
        var table = [KeySlot](repeating: .none, count: capacity)
        let mask = capacity - 1
        let bytes = values.bytes.view
        for (i, f) in b.features.enumerated() {
            let h = bytes.bytes(Int(f.key.offset), Int(f.key.count)).wordHash
            var slot = Int(truncatingIfNeeded: h) & mask
            while table[slot].feature >= 0 { slot = (slot + 1) & mask }
            table[slot] = KeySlot(tag: KeySlot.tag(h), feature: Int32(truncatingIfNeeded: i))
        }
        slots = FlatBuffer(table)

        tables = FlatBox(SnapshotTables(
            values: values.view, conditions: ConditionReader(conditions, values: values.view),
            features: features.view, rules: rules.view, rollouts: rollouts.view, experiments: experiments.view,
            labels: labels.view,
            filters: filters.view, parents: parents.view, banditLeaves: banditLeaves.view, ranges: ranges.view,
            strings: strings.view,
            slots: slots.view, urlRegexes: urlRegexRefs.view, hashStyle: b.switches.hashValues,
            prerequisitesVisitedOnce: b.switches.prerequisitesVisitedOnce))
    }

    /// Compiles feature definitions (an object of feature key → definition).
    public convenience init(
        features definitions: JSONObject, savedGroups: JSONObject?, contextualBandits: JSONObject? = nil,
        semantics: Semantics
    ) {
        var b = SnapshotBuilder(savedGroups: savedGroups, contextualBandits: contextualBandits, semantics: semantics)
        for (key, definition) in definitions.pairs { b.addFeature(key, definition) }
        var text = TextBuffer()
        JSON.object(definitions).write(to: &text)
        self.init(b, definitionsText: text)
    }

    /// Compiles features straight from JSON text, one feature at a time: each feature's tree is
    /// parsed, compiled and dropped before the next is parsed, so the whole payload is never
    /// held as a tree. Nil when the text is not an object.
    public static func compile(
        featuresText bytes: UnsafeBufferPointer<UInt8>, savedGroups: JSONObject?, contextualBandits: JSONObject? = nil,
        semantics: Semantics
    ) throws(JSONError) -> Snapshot? {
        var b = SnapshotBuilder(savedGroups: savedGroups, contextualBandits: contextualBandits, semantics: semantics)
        b.values.reserve(forTextBytes: bytes.count)
        var seen = Set<String>()
        var duplicate = false
        var hadWhitespace = true
        let isObject = try JSON.forEachMember(bytes, hadWhitespace: &hadWhitespace) { key, value in
            if !seen.insert(key).inserted { duplicate = true }
            if duplicate { return }
            b.addFeature(key, value)
        }
        guard isObject else { return nil }
        if duplicate {
            // A key given twice (the later value replaces the earlier in place): the tree
            // has those semantics.
            let tree = try JSON.parse(bytes)
            return Snapshot(
                features: tree.objectValue ?? JSONObject(), savedGroups: savedGroups,
                contextualBandits: contextualBandits, semantics: semantics)
        }
        // The definitions as given: the text just parsed (so it parses again), without its
        // whitespace (compact text, as the API sends, is copied as it is). Copying it costs a
        // fraction of writing the parsed trees out again.
        var text = TextBuffer(capacity: bytes.count)
        if hadWhitespace { appendWithoutWhitespace(bytes, to: &text) } else { text.append(bytes) }
        return Snapshot(b, definitionsText: text)
    }

    /// Compiles an inline experiment definition into a snapshot of its own (no features).
    static func inlineExperiment(_ definition: JSONObject, savedGroups: JSONObject?, semantics: Semantics) -> Snapshot {
        var b = SnapshotBuilder(savedGroups: savedGroups, contextualBandits: nil, semantics: semantics)
        b.addInlineExperiment(definition)
        return Snapshot(b, definitionsText: TextBuffer(capacity: 0))
    }

    /// The same features compiled against other saved groups.
    public func with(savedGroups groups: JSONObject?) -> Snapshot {
        let compiled = definitionsText.view.bytes(0, definitionsText.count).withBuffer { text in
            try? Snapshot.compile(
                featuresText: text, savedGroups: groups, contextualBandits: contextualBandits, semantics: semantics)
        }
        if let compiled { return compiled }
        return Snapshot(
            features: json.objectValue ?? JSONObject(), savedGroups: groups, contextualBandits: contextualBandits,
            semantics: semantics)
    }

    /// The feature definitions as given.
    public var json: JSON {
        // Text this library parsed or wrote, so it parses back.
        let text = definitionsText.view.bytes(0, definitionsText.count)
        return text.withBuffer { (try? JSON.parse($0)) ?? .object(JSONObject()) }
    }

    /// The index of the feature whose key has exactly these bytes.
    public func index(ofKey key: UnsafeBufferPointer<UInt8>) -> Int? {
        let i = view.index(ofKey: ByteSpan(key))
        return i < 0 ? nil : i
    }

    public func index(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { index(ofKey: $0) }
    }

    /// The default value of the feature with this key, nil when there is none.
    public func defaultValue(_ key: String) -> JSON? {
        guard let i = index(of: key) else { return nil }
        return view.value(view.features[i].defaultValue).json
    }

}

/// The views of a snapshot's storage, kept out of line in the snapshot (see `SnapshotView`).
struct SnapshotTables: BitwiseCopyable {
    let values: DocView
    let conditions: ConditionReader
    let features: FlatView<FeatureRecord>
    let rules: FlatView<RuleRecord>
    let rollouts: FlatView<RolloutRecord>
    let experiments: FlatView<ExperimentRecord>
    let labels: FlatView<LabelRecord>
    let filters: FlatView<FilterRecord>
    let parents: FlatView<ParentRecord>
    let banditLeaves: FlatView<BanditLeafRecord>
    let ranges: FlatView<BucketRange>
    let strings: FlatView<StringRef>
    let slots: FlatView<KeySlot>
    let urlRegexes: FlatView<ObjectRef<CompiledRegex>>
    let hashStyle: HashValueStyle
    /// `SemanticsRules.prerequisitesVisitedOnce`.
    let prerequisitesVisitedOnce: Bool
}

/// A slot of the feature key table: the feature (-1: empty) and bits of its key's hash, so
/// that a probe compares key bytes only when the hashes agree.
struct KeySlot: FlatRecord {
    var tag: UInt32
    var feature: Int32

    static var none: KeySlot { KeySlot(tag: 0, feature: -1) }

    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) }
}

/// What an evaluation reads of a snapshot: one pointer to its tables of views. Valid while the
/// snapshot is alive.
struct SnapshotView: Sendable {
    private let tables: FlatRef<SnapshotTables>

    init(_ tables: FlatRef<SnapshotTables>) { self.tables = tables }

    var values: DocView { tables.pointee.values }
    var conditions: ConditionReader { tables.pointee.conditions }
    var features: FlatView<FeatureRecord> { tables.pointee.features }
    var rules: FlatView<RuleRecord> { tables.pointee.rules }
    var rollouts: FlatView<RolloutRecord> { tables.pointee.rollouts }
    var experiments: FlatView<ExperimentRecord> { tables.pointee.experiments }
    var labels: FlatView<LabelRecord> { tables.pointee.labels }
    var filters: FlatView<FilterRecord> { tables.pointee.filters }
    var parents: FlatView<ParentRecord> { tables.pointee.parents }
    var banditLeaves: FlatView<BanditLeafRecord> { tables.pointee.banditLeaves }
    var ranges: FlatView<BucketRange> { tables.pointee.ranges }
    var strings: FlatView<StringRef> { tables.pointee.strings }
    var slots: FlatView<KeySlot> { tables.pointee.slots }
    var urlRegexes: FlatView<ObjectRef<CompiledRegex>> { tables.pointee.urlRegexes }
    var hashStyle: HashValueStyle { tables.pointee.hashStyle }
    var prerequisitesVisitedOnce: Bool { tables.pointee.prerequisitesVisitedOnce }

    /// The index of the feature with exactly these key bytes, or -1.
    @inline(__always)
    func index(ofKey key: ByteSpan) -> Int {
        let slots = self.slots
        let size = slots.count
        let mask = size &- 1
        let h = key.wordHash
        let tag = KeySlot.tag(h)
        var slot = Int(truncatingIfNeeded: h) & mask
        var probes = 0
        while probes < size {
            let e = slots[slot]
            if e.feature < 0 { return -1 }
            if e.tag == tag {
                let k = features[e.feature].key
                if Int(k.count) == key.count && values.span(k) == key { return Int(e.feature) }
            }
            slot = (slot &+ 1) & mask
            probes &+= 1
        }
        return -1
    }

    @inline(__always)
    func string(_ r: StringRef) -> ByteSpan { values.span(r) }

    @inline(__always)
    func value(_ node: Int32) -> Val { Val(values, node) }
}

/// Compiles definitions into a snapshot's records. One parser per definition kind: a rule's
/// fields are read once, and its experiment is built from what the rule read plus the fields
/// only experiments have.
private struct SnapshotBuilder: ~Copyable {
    var values = DocumentBuilder()
    var conditions: ConditionProgramBuilder
    var features: [FeatureRecord] = []
    var rules: [RuleRecord] = []
    var rollouts: [RolloutRecord] = []
    var experiments: [ExperimentRecord] = []
    var labels: [LabelRecord] = []
    var filters: [FilterRecord] = []
    var parents: [ParentRecord] = []
    var banditLeaves: [BanditLeafRecord] = []
    var ranges: [BucketRange] = []
    var strings: [StringRef] = []
    var urlRegexes: [CompiledRegex] = []
    let savedGroups: JSONObject?
    let contextualBandits: JSONObject?
    let semantics: Semantics
    let switches: SemanticsRules
    var stickyIdentifiers: [String] = []
    /// `stickyIdentifiers` as a set: compiling stays linear in the number of distinct hash
    /// attributes.
    private var stickySeen = Set<String>()

    init(savedGroups: JSONObject?, contextualBandits: JSONObject?, semantics: Semantics) {
        self.savedGroups = savedGroups
        self.contextualBandits = contextualBandits
        self.semantics = semantics
        switches = semantics.rules
        conditions = ConditionProgramBuilder(switches)
    }

    mutating func addFeature(_ key: String, _ definition: JSON) {
        let o = definition.objectValue ?? JSONObject()
        let defaultValue = o["defaultValue"] ?? .null
        let ruleList = o["rules"]?.arrayValue ?? []
        let keyRef = values.string(key)
        let defaultNode = values.addShared(defaultValue)
        var compiled: [RuleRecord] = []
        compiled.reserveCapacity(ruleList.count)
        for r in ruleList { compiled.append(compileRule(r.objectValue ?? JSONObject(), featureKey: key)) }
        let start = Int32(truncatingIfNeeded: rules.count)
        rules.append(contentsOf: compiled)
        features.append(
            FeatureRecord(
                key: keyRef, defaultValue: defaultNode, rulesStart: start,
                rulesCount: Int32(truncatingIfNeeded: compiled.count), defaultIsOn: switches.isOn(defaultValue),
                hasPrerequisites: compiled.contains { $0.parentsCount > 0 }))
    }

    private mutating func seed(_ s: String) -> SeedRef {
        var state = fnvOffsetBasis
        if switches.hashValues == .js {
            for unit in s.utf16 { state = (state ^ UInt32(unit)) &* 0x0100_0193 }
        } else {
            fnv1a32(s, into: &state)
        }
        return SeedRef(bytes: values.string(s), state: state)
    }

    private mutating func condition(_ json: JSON) -> Int32 {
        json.isTruthy ? conditions.compileCondition(json, savedGroups: savedGroups, values: &values) : -1
    }

    /// A rule's or experiment's hash attribute: "id" when missing or empty, as both references
    /// read it (JS `hashAttribute || "id"`, Python 1.1.0 `attr or "id"`).
    private func hashAttributeName(_ json: JSON?) -> String {
        guard let name = json?.stringValue, !name.isEmpty else { return "id" }
        return name
    }

    /// Hash filters: a non-empty array, else none.
    private mutating func filterList(_ json: JSON?) -> (start: Int32, count: Int32) {
        guard case .array(let items)? = json, !items.isEmpty else { return (0, 0) }
        let start = Int32(truncatingIfNeeded: filters.count)
        for item in items {
            let o = item.objectValue ?? JSONObject()
            let r = rangeList((o["ranges"]?.arrayValue ?? []).compactMap { BucketRange(json: $0) })
            let excludes = switches.filterWithoutValueExcludes
            // JS concatenates a missing seed as "undefined" (null as "null"); Python 1.1.0
            // `get("seed", "")`.
            let seedText: String
            switch o["seed"] {
            case .string(let s)?: seedText = s
            case .null?: seedText = excludes ? "null" : ""
            default: seedText = excludes ? "undefined" : ""
            }
            filters.append(
                FilterRecord(
                    attribute: values.string(o["attribute"]?.stringValue ?? "id"), seed: seed(seedText),
                    hashVersion: filterHashVersion(o["hashVersion"]), rangesStart: r.start, rangesCount: r.count,
                    withoutValueExcludes: excludes))
        }
        return (start, Int32(truncatingIfNeeded: filters.count) - start)
    }

    /// A hash filter's version: JS `hashVersion || 2` (`SemanticsRules.nullFilterHashVersionIsTwo`);
    /// Python 1.1.0 `get("hashVersion", 2)`: 2 when missing, else the value, null or a
    /// non-integer being an unknown version (0).
    private func filterHashVersion(_ json: JSON?) -> Int {
        if switches.nullFilterHashVersionIsTwo { return json?.intValue.flatMap { $0 == 0 ? nil : $0 } ?? 2 }
        guard let json else { return 2 }
        return json.intValue ?? 0
    }

    private mutating func rangeList(_ list: [BucketRange]) -> (start: Int32, count: Int32) {
        let start = Int32(truncatingIfNeeded: ranges.count)
        ranges.append(contentsOf: list)
        return (start, Int32(truncatingIfNeeded: list.count))
    }

    private mutating func parentList(_ json: JSON?) -> (start: Int32, count: Int32) {
        guard case .array(let items)? = json else { return (0, 0) }
        let start = Int32(truncatingIfNeeded: parents.count)
        for item in items {
            guard let o = item.objectValue, let id = o["id"]?.stringValue else { continue }
            let c = o["condition"]
            let compiled: Int32 =
                c.flatMap { $0.isNull ? nil : conditions.compileCondition($0, savedGroups: savedGroups, values: &values) }
                ?? -1
            parents.append(ParentRecord(id: values.string(id), condition: compiled, gate: o["gate"]?.isTruthy ?? false))
        }
        return (start, Int32(truncatingIfNeeded: parents.count) - start)
    }

    /// A feature rule, read once.
    private mutating func compileRule(_ o: JSONObject, featureKey: String) -> RuleRecord {
        var r = RuleRecord.none
        if let id = o["id"]?.stringValue, !id.isEmpty {
            r.id = values.string(id)
            r.hasId = true
        }
        let conditionJSON = o["condition"] ?? .null
        r.condition = condition(conditionJSON)
        (r.parentsStart, r.parentsCount) = parentList(o["parentConditions"])
        let filtersJSON = o["filters"] ?? .null
        (r.filtersStart, r.filtersCount) = filterList(filtersJSON)
        let force = o["force"].flatMap { $0.isNull && !switches.nullForceForces ? nil : $0 }
        if let force {
            r.force = values.addShared(force)
            r.forceIsOn = switches.isOn(force)
        }
        let coverage = coverageOf(o["coverage"])
        let range = o["range"].flatMap { BucketRange(json: $0) }
        let seedText = o["seed"]?.stringValue
        let hashAttribute = hashAttributeName(o["hashAttribute"])
        let disableSticky = o["disableStickyBucketing"]?.isTruthy ?? false
        let fallback = o["fallbackAttribute"]?.stringValue
        let fallbackAttribute = disableSticky || fallback?.isEmpty == true ? nil : fallback
        let hashVersion = hashVersionOf(o["hashVersion"], js: switches.hashValues == .js)
        if coverage != nil || range != nil {
            var ro = RolloutRecord.none
            if let coverage {
                ro.hasCoverage = true
                ro.coverage = coverage
            }
            if let range {
                ro.hasRange = true
                ro.range = range
            }
            ro.seed = seed(seedText.flatMap { $0.isEmpty ? nil : $0 } ?? featureKey)
            ro.hashAttribute = values.string(hashAttribute)
            if let fallbackAttribute {
                ro.fallbackAttribute = values.string(fallbackAttribute)
                ro.hasFallback = true
            }
            ro.hashVersion = hashVersion
            // (`coverage === 0` in JS: a null coverage, read as 0, still hashes)
            ro.excludesAll = switches.zeroCoverageExcludesAll && o["coverage"]?.doubleValue == 0 && range == nil
            rollouts.append(ro)
            r.rollout = Int32(truncatingIfNeeded: rollouts.count - 1)
        }
        // `contextualVariations ?? variations` where contextual bandits are known.
        var variationsJSON = o["variations"]
        if switches.contextualBandits, let cv = o["contextualVariations"], !cv.isNull { variationsJSON = cv }
        if force == nil, case .array(let variations)? = variationsJSON {
            // Who checks the condition: the experiment's assignment (after the overrides), or
            // the rule, before it runs the experiment; never both.
            let inAssignment = switches.experimentRuleConditionInAssignment
            let shared = ExperimentFields(
                condition: inAssignment ? r.condition : -1, conditionJSON: conditionJSON,
                filters: (r.filtersStart, r.filtersCount),
                filtersJSON: filtersJSON, coverage: coverage, seedText: seedText, hashAttribute: hashAttribute,
                fallbackAttribute: fallbackAttribute, disableStickyBucketing: disableSticky,
                hashVersion: hashVersion)
            if switches.contextualBandits, let bandit = banditDefinition(o["contextualBanditRef"]) {
                compileBandit(bandit, rule: o, variations: variations, featureKey: featureKey, shared: shared, into: &r)
            } else {
                r.experiment = experiment(o, variations: variations, featureKey: featureKey, shared: shared)
            }
            if inAssignment { r.condition = -1 }
            noteStickyIdentifiers(hashAttribute, fallbackAttribute, variationCount: variations.count)
        }
        return r
    }

    /// A rule's or experiment's `coverage`: nil when missing; JavaScript reads `null` as 0
    /// (`n <= null`, ranges of width `null * w`), Python 1.1.0 as missing
    /// (`SemanticsRules.nullCoverageIsZero`).
    private func coverageOf(_ json: JSON?) -> Double? {
        if let d = json?.doubleValue { return d }
        return switches.nullCoverageIsZero && json?.isNull == true ? 0 : nil
    }

    /// A variation's result key: its meta key, or its index (`SemanticsRules.emptyMetaKeyIsIndex`).
    private func labelKey(_ key: JSON?, index i: Int) -> String {
        if switches.emptyMetaKeyIsIndex {
            guard let key, key.isJSTruthy else { return String(i) }
            if let s = key.stringValue { return s }
            let doc = Document(key)  // the Val reads the document in place: kept alive while it does
            return withExtendedLifetime(doc) { doc.root.jsString }
        }
        return key.map { $0.pythonString } ?? String(i)
    }

    /// The definition a `contextualBanditRef` names; nil (a plain experiment on the rule's
    /// weights, with no bandit metadata) for no ref or a dangling one.
    private func banditDefinition(_ ref: JSON?) -> JSONObject? {
        guard let name = ref?.stringValue, !name.isEmpty else { return nil }
        return contextualBandits?[name]?.objectValue
    }

    /// A contextual bandit rule: one experiment per leaf (the rule's, with the leaf's weights
    /// and the leaf's metadata) and one for users no leaf matches (leaf -1, the rule's weights,
    /// reported as the equal weights when it has none). Leaves are tried in order at evaluation.
    private mutating func compileBandit(
        _ bandit: JSONObject, rule o: JSONObject, variations: [JSON], featureKey: String, shared: ExperimentFields,
        into r: inout RuleRecord
    ) {
        let version = bandit["banditVersion"]  // as given: absent stays absent, null stays null
        var leaves: [BanditLeafRecord] = []
        if case .array(let contexts)? = bandit["contexts"] {
            for item in contexts {
                let leaf = item.objectValue ?? JSONObject()
                var definition = o
                definition["weights"] = leaf["weights"] ?? .null
                let meta = BanditMeta(
                    leafId: leaf["leafId"] ?? .null, variationWeights: leaf["weights"] ?? .null, banditVersion: version)
                let e = banditExperiment(
                    definition, meta: meta, variations: variations, featureKey: featureKey, shared: shared)
                leaves.append(BanditLeafRecord(condition: condition(leaf["condition"] ?? .null), experiment: e))
            }
        }
        let ruleWeights = o["weights"].flatMap { $0.isNull ? nil : $0 }
        let reported = ruleWeights ?? .array(equalWeights(variations.count).map { .double($0) })
        let fallback = BanditMeta(leafId: .int(-1), variationWeights: reported, banditVersion: version)
        r.experiment = banditExperiment(o, meta: fallback, variations: variations, featureKey: featureKey, shared: shared)
        r.banditLeavesStart = Int32(truncatingIfNeeded: banditLeaves.count)
        r.banditLeavesCount = Int32(truncatingIfNeeded: leaves.count)
        banditLeaves.append(contentsOf: leaves)
    }

    /// What a contextual bandit's hashed results carry.
    struct BanditMeta {
        let leafId: JSON
        let variationWeights: JSON
        /// Nil when the definition has none (the results then have none either).
        let banditVersion: JSON?
    }

    /// A bandit leaf's experiment: with the metadata, then the same without it (for users not
    /// hashed into it), which the first names. Returns the first.
    private mutating func banditExperiment(
        _ o: JSONObject, meta: BanditMeta, variations: [JSON], featureKey: String?, shared: ExperimentFields
    ) -> Int32 {
        let withMeta = experiment(o, variations: variations, featureKey: featureKey, shared: shared, bandit: meta)
        experiments[Int(withMeta)].withoutBandit = experiment(
            o, variations: variations, featureKey: featureKey, shared: shared)
        return withMeta
    }

    private mutating func noteStickyIdentifiers(_ attribute: String, _ fallback: String?, variationCount: Int) {
        guard variationCount > 0 else { return }
        if stickySeen.insert(attribute).inserted { stickyIdentifiers.append(attribute) }
        if let fallback, stickySeen.insert(fallback).inserted { stickyIdentifiers.append(fallback) }
    }

    /// An inline experiment (`run`): all of its fields are its own.
    mutating func addInlineExperiment(_ o: JSONObject) {
        let conditionJSON = o["condition"] ?? .null
        let filtersJSON = o["filters"] ?? .null
        let disableSticky = o["disableStickyBucketing"]?.isTruthy ?? false
        let fallback = o["fallbackAttribute"]?.stringValue
        let shared = ExperimentFields(
            condition: condition(conditionJSON), conditionJSON: conditionJSON, filters: filterList(filtersJSON),
            filtersJSON: filtersJSON, coverage: coverageOf(o["coverage"]), seedText: o["seed"]?.stringValue,
            hashAttribute: hashAttributeName(o["hashAttribute"]),
            fallbackAttribute: disableSticky || fallback?.isEmpty == true ? nil : fallback,
            disableStickyBucketing: disableSticky, hashVersion: hashVersionOf(o["hashVersion"], js: switches.hashValues == .js))
        let variations = o["variations"]?.arrayValue ?? []
        // An experiment carrying `contextualBandit` (a bandit rule's, given back to `run` or
        // overridden): its results carry the metadata, with the weights it runs on.
        if switches.contextualBandits, let cb = o["contextualBandit"]?.objectValue {
            let weights = o["weights"].flatMap { $0.isNull ? nil : $0 }
            let meta = BanditMeta(
                leafId: cb["leafId"] ?? .null, variationWeights: weights ?? cb["variationWeights"] ?? .null,
                banditVersion: cb["banditVersion"])
            _ = banditExperiment(o, meta: meta, variations: variations, featureKey: nil, shared: shared)  // index 0
            return
        }
        _ = experiment(o, variations: variations, featureKey: nil, shared: shared)
    }

    /// The fields a rule and its experiment share, read once by whichever reads the definition.
    struct ExperimentFields {
        let condition: Int32
        let conditionJSON: JSON
        let filters: (start: Int32, count: Int32)
        let filtersJSON: JSON
        let coverage: Double?
        let seedText: String?
        let hashAttribute: String
        let fallbackAttribute: String?
        let disableStickyBucketing: Bool
        let hashVersion: Int
    }

    /// An experiment: a rule's (`featureKey` set: its key defaults to the feature's, and the
    /// rule's parents, force, status, URL and groups are not the experiment's) or an inline one.
    private mutating func experiment(
        _ o: JSONObject, variations: [JSON], featureKey: String?, shared: ExperimentFields, bandit: BanditMeta? = nil
    ) -> Int32 {
        var e = ExperimentRecord.none
        let inline = featureKey == nil
        let ruleKey = o["key"]?.stringValue ?? ""
        let key = ruleKey.isEmpty ? (featureKey ?? "") : ruleKey
        e.key = values.string(key)
        e.variations = values.addShared(.array(variations))
        e.variationCount = Int32(truncatingIfNeeded: variations.count)
        var on: UInt64 = 0
        for (i, v) in variations.prefix(64).enumerated() where switches.isOn(v) { on |= 1 << UInt64(i) }
        e.variationsOn = on
        let weightsJSON = o["weights"] ?? .null
        let weights = weightsJSON.arrayValue.flatMap { list -> [Double]? in
            let numbers = list.compactMap { $0.doubleValue }
            return numbers.count == list.count ? numbers : nil
        }
        // (`SemanticsRules.onlyFalseDisables`)
        let onlyFalse = switches.onlyFalseDisables
        e.active = inline ? (o["active"].map { onlyFalse ? $0 != .bool(false) : $0.isTruthy } ?? true) : true
        let status = inline ? (o["status"]?.stringValue ?? "running") : "running"
        e.status = values.string(status)
        e.isDraftOrInactive = status == "draft" || !e.active
        e.isStopped = status == "stopped"
        e.condition = shared.condition
        let parentsJSON = inline ? (o["parentConditions"] ?? .null) : .null
        if inline { (e.parentsStart, e.parentsCount) = parentList(parentsJSON) }
        let namespaceJSON = o["namespace"] ?? .null
        if let ns = Namespace(json: namespaceJSON) {
            e.hasNamespace = true
            e.namespaceSeed = seed("__" + ns.id)
            e.namespaceStart = ns.start
            e.namespaceEnd = ns.end
        }
        let forceJSON = inline ? (o["force"] ?? .null) : .null
        if let force = forceJSON.intValue {
            e.force = force
            e.hasForce = true
        }
        e.hashAttribute = values.string(shared.hashAttribute)
        if let fallback = shared.fallbackAttribute {
            e.fallbackAttribute = values.string(fallback)
            e.hasFallback = true
        }
        e.disableStickyBucketing = shared.disableStickyBucketing
        e.hashVersion = shared.hashVersion
        let rangesJSON = o["ranges"] ?? .null
        let given = rangesJSON.arrayValue.flatMap { list -> [BucketRange]? in
            let r = list.compactMap { BucketRange(json: $0) }
            return r.count == list.count && !r.isEmpty ? r : nil
        }
        let effective = given ?? bucketRanges(count: variations.count, coverage: shared.coverage ?? 1, weights: weights)
        (e.rangesStart, e.rangesCount) = rangeList(effective)
        let metaJSON = o["meta"] ?? .null
        let metaList = metaJSON.arrayValue
        if let metaList { e.meta = values.addShared(.array(metaList)) }
        e.labelsStart = Int32(truncatingIfNeeded: labels.count)
        for i in variations.indices {
            let m = i < (metaList?.count ?? 0) ? metaList?[i].objectValue : nil
            let name = m?["name"].map { $0.pythonString }
            labels.append(
                LabelRecord(
                    key: values.string(labelKey(m?["key"], index: i)),
                    name: name.map { values.string($0) } ?? .none, hasName: name != nil,
                    passthrough: m?["passthrough"]?.isTruthy ?? false))
        }
        (e.filtersStart, e.filtersCount) = shared.filters
        // `seed or key`, as every reference SDK hashes: an empty seed is no seed.
        e.seed = seed(shared.seedText.flatMap { $0.isEmpty ? nil : $0 } ?? key)
        e.bucketVersion = o["bucketVersion"]?.intValue ?? 0
        e.minBucketVersion = o["minBucketVersion"]?.intValue ?? 0
        let urlPattern = inline ? o["url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } : nil
        if let urlPattern {
            e.hasURLPattern = true
            e.urlPattern = values.string(urlPattern)
            // In the semantics' dialect (a pattern that does not compile targets every URL).
            if let regex = CompiledRegex(urlPattern, dialect: switches.regexDialect) {
                urlRegexes.append(regex)
                e.urlRegex = Int32(truncatingIfNeeded: urlRegexes.count - 1)
            }
        }
        let groups = inline ? o["groups"]?.arrayValue?.compactMap { $0.stringValue } : nil
        if let groups {
            e.hasGroups = true
            e.groupsStart = Int32(truncatingIfNeeded: strings.count)
            for g in groups { strings.append(values.string(g)) }
            e.groupsCount = Int32(truncatingIfNeeded: groups.count)
        }
        // The reference's to_dict(), written straight out (fields given as null, or not given,
        // are null), in its order.
        var text = TextBuffer(capacity: 512)
        text.appendLiteral(#"{"key":"#)
        JSON.writeString(key, to: &text)
        func member(_ name: StaticString, _ value: JSON) {
            text.appendLiteral(",\"")
            text.appendLiteral(name)
            text.appendLiteral("\":")
            value.write(to: &text)
        }
        member("variations", .array(variations))
        member("weights", weightsJSON)
        member("active", .bool(e.active))
        let coverageJSON = o["coverage"] ?? .null
        member("coverage", coverageJSON.isTruthy ? coverageJSON : .int(1))
        member("condition", shared.conditionJSON)
        member("namespace", namespaceJSON)
        member("force", forceJSON)
        member("hashAttribute", .string(shared.hashAttribute))
        // As given when truthy (2.0 stays 2.0), else 1.
        let hashVersionJSON = o["hashVersion"] ?? .null
        member("hashVersion", hashVersionJSON.isTruthy ? hashVersionJSON : .int(1))
        member("ranges", rangesJSON)
        member("meta", metaList.map { JSON.array($0) } ?? metaJSON)
        member("filters", shared.filtersJSON)
        member("seed", shared.seedText.map { .string($0) } ?? .null)
        member("name", o["name"]?.stringValue.map { .string($0) } ?? .null)
        member("phase", o["phase"]?.stringValue.map { .string($0) } ?? .null)
        if let fallback = shared.fallbackAttribute { member("fallbackAttribute", .string(fallback)) }
        if shared.disableStickyBucketing { member("disableStickyBucketing", .bool(true)) }
        if e.bucketVersion != 0 { member("bucketVersion", .int(Int64(e.bucketVersion))) }
        if e.minBucketVersion != 0 { member("minBucketVersion", .int(Int64(e.minBucketVersion))) }
        if parentsJSON.isTruthy { member("parentConditions", parentsJSON) }
        if let bandit {
            // `,"contextualBandit":{…}` in the experiment, the same members in its results.
            var members = TextBuffer(capacity: 64)
            members.appendLiteral(#","leafId":"#)
            bandit.leafId.write(to: &members)
            members.appendLiteral(#","variationWeights":"#)
            bandit.variationWeights.write(to: &members)
            if let version = bandit.banditVersion {
                members.appendLiteral(#","banditVersion":"#)
                version.write(to: &members)
            }
            text.appendLiteral(#","contextualBandit":{"#)
            members.withBytes { text.append(UnsafeBufferPointer(rebasing: $0.dropFirst())) }
            text.append(UInt8(ascii: "}"))
            e.banditMembers = members.withBytes { values.rawBytes($0) }
        }
        text.append(UInt8(ascii: "}"))
        e.serialized = text.withBytes { values.rawBytes($0) }
        experiments.append(e)
        return Int32(truncatingIfNeeded: experiments.count - 1)
    }
}
