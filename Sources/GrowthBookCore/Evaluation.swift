/// One evaluation: the reference's `eval_feature` and `run`, step by step, for one user against
/// one state. A value built on the caller's stack for the call, holding views of the snapshot
/// and the attributes and unowned references to the state's objects (which the caller keeps
/// alive): it copies nothing, takes no lock and, on the common paths, counts no reference.
struct Evaluation {
    let s: SnapshotView
    let attributes: Val
    let flags: SettingsFlags
    let context: ObjectRef<EvaluationContext>
    /// The state's snapshot, for the experiment objects callbacks and results get.
    let snapshot: ObjectRef<Snapshot>
    let sticky: ObjectRef<StickyBucketDocs>

    /// Prerequisite chains deeper than this evaluate as `cyclicPrerequisite`, so a hostile
    /// payload cannot exhaust the stack.
    static let maxPrerequisiteDepth = 64
    /// More prerequisite evaluations than this in one top-level evaluation count as cyclic.
    static let maxPrerequisiteEvaluations = 10_000

    /// An evaluation of `context`'s snapshot for `attributes` (the context's own when nil),
    /// with `sticky` docs (the context's when nil). Reads only plain values of the context:
    /// no reference is counted.
    @inline(__always)
    init(_ context: EvaluationContext, attributes: Attributes?, sticky: StickyBucketDocs?) {
        let inputs = context.inputs
        s = inputs.snapshot
        snapshot = inputs.snapshotRef
        self.context = ObjectRef(context)
        if let attributes {
            // A plain value of the attributes object: no reference counted on it (every
            // thread evaluating with one gb_attributes reads it).
            self.attributes = attributes.root
        } else {
            self.attributes = inputs.attributes
        }
        var f = inputs.flags
        if let sticky {
            self.sticky = ObjectRef(sticky)
            f.hasSticky = true
        } else {
            self.sticky = inputs.sticky
        }
        // Without a sink of its own, the process-wide one's level, read once per evaluation
        // (so the test at each log site stays one comparison: the rule walk recurses through
        // prerequisites, and its frames must stay small).
        if f.usesDefaultLog { f.logThreshold = DefaultLogSink.threshold.load(ordering: .relaxed) }
        flags = f
    }

    @inline(__always)
    func logs(_ level: LogLevel) -> Bool { level.rawValue >= flags.logThreshold }

    @inline(__always)
    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard logs(level) else { return }
        let text = message()
        _ = context.with { $0.hooks.log(level, text) }
    }

    func string(_ r: StringRef) -> String { s.string(r).string }
}
