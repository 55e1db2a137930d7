/// An experiment as hosts see it: in callbacks, results and `run`. It names an experiment
/// record of a snapshot (a feature rule's, or an inline definition compiled into a snapshot of
/// its own) and keeps that snapshot alive.
public final class Experiment: Sendable {
    let snapshot: Snapshot
    let index: Int32

    init(_ snapshot: Snapshot, _ index: Int32) {
        self.snapshot = snapshot
        self.index = index
    }

    /// Compiles an inline experiment definition. Saved groups resolve `$inGroup` in its
    /// conditions.
    public convenience init(_ definition: JSONObject, savedGroups: JSONObject? = nil, semantics: Semantics = .default) {
        self.init(Snapshot.inlineExperiment(definition, savedGroups: savedGroups, semantics: semantics), 0)
    }

    var record: ExperimentRecord { snapshot.view.experiments[index] }

    private func string(_ r: StringRef) -> String { snapshot.view.string(r).string }

    public var key: String { string(record.key) }

    public var variations: [JSON] { snapshot.view.value(record.variations).json.arrayValue ?? [] }

    public var hashAttribute: String { string(record.hashAttribute) }

    public var hashVersion: Int { record.hashVersion }

    /// The reference's `Experiment.to_dict()` as compact JSON text.
    public var serialized: [UInt8] {
        let r = record.serialized
        return snapshot.view.string(r).withBuffer { Array($0) }
    }

    /// The reference's `Experiment.to_dict()`.
    public var json: JSON {
        // Written by this library from a parsed value, so it parses back.
        snapshot.view.string(record.serialized).withBuffer { (try? JSON.parse($0)) ?? .object(JSONObject()) }
    }
}
