/// The settings that name experiments by key (deprecated `overrides`, the URL's query string,
/// `forcedVariations`), compiled against a state's snapshot when the state is made: an
/// evaluation then finds what applies to a feature's experiment by the experiment's index,
/// instead of building its key as a String and searching the settings on every evaluation.
/// (Inline experiments, which belong to no snapshot, are still looked up by key.)
struct ExperimentSettings: Sendable {
    /// Copies of the experiments with their overrides applied.
    var overridden: [Int32: Snapshot] = [:]
    /// The variation the URL's query string forces (a valid index).
    var urlForced: [Int32: Int] = [:]
    /// The variation `forcedVariations` forces; -1 for a value that is no index, which puts
    /// the user in no variation (as the reference's out-of-range index does).
    var forced: [Int32: Int] = [:]

    init() {}

    init(_ settings: EvaluationSettings, for snapshot: Snapshot) {
        guard !settings.overrides.isEmpty || !settings.url.isEmpty || !settings.forcedVariations.isEmpty else { return }
        let view = snapshot.view
        for i in 0..<snapshot.experimentCount {
            let index = Int32(truncatingIfNeeded: i)
            let x = ExperimentRef(view, index, in: ObjectRef(snapshot))
            let key = view.string(x.record.key).string
            if let o = settings.overrides[key]?.objectValue, !o.isEmpty {
                overridden[index] = x.overridden(by: o, savedGroups: snapshot.savedGroups, semantics: snapshot.semantics)
            }
            if !settings.url.isEmpty,
                let qs = snapshot.semantics.rules.queryStringOverride(
                    id: key, url: settings.url, variationCount: Int(x.record.variationCount))
            {
                urlForced[index] = qs
            }
            if let v = settings.forcedVariations[key], !v.isNull {
                forced[index] = v.intValue ?? -1
            }
        }
    }
}
