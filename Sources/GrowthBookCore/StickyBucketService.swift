import Synchronization

/// Where sticky bucket assignments persist. A doc is
/// `{"attributeName": …, "attributeValue": …, "assignments": {"<experiment>__<bucketVersion>": "<variation key>"}}`.
public protocol StickyBucketService: AnyObject, Sendable {
    /// The doc for one attribute name and value, or nil.
    func assignments(attributeName: String, attributeValue: String) -> JSONObject?
    func saveAssignments(_ doc: JSONObject)
    /// Docs for several attributes at once, keyed `"name||value"`. The default asks one by one.
    func allAssignments(_ attributes: [(name: String, value: String)]) -> [String: JSONObject]
    /// Whether the docs an evaluation changes are saved together when it ends
    /// (`saveAssignments(_:)` with all of them: one round trip for a remote store) rather
    /// than each as it is assigned (the reference's order, kept for host services). Default false.
    var buffersWrites: Bool { get }
    /// Saves several docs; the default saves them one by one.
    func saveAssignments(_ docs: [JSONObject])
}

extension StickyBucketService {
    public func allAssignments(_ attributes: [(name: String, value: String)]) -> [String: JSONObject] {
        var docs: [String: JSONObject] = [:]
        for (name, value) in attributes {
            if let doc = assignments(attributeName: name, attributeValue: value), !doc.isEmpty {
                docs[stickyDocKey(name, value)] = doc
            }
        }
        return docs
    }

    public var buffersWrites: Bool { false }

    public func saveAssignments(_ docs: [JSONObject]) {
        for doc in docs { saveAssignments(doc) }
    }
}

func stickyDocKey(_ name: String, _ value: String) -> String { name + "||" + value }

/// The built-in service: docs kept in memory, keyed `"name||value"`.
public final class InMemoryStickyBucketService: StickyBucketService {
    private let docs: Mutex<JSONObject>

    public init(docs: JSONObject = JSONObject()) {
        self.docs = Mutex(docs)
    }

    public func assignments(attributeName: String, attributeValue: String) -> JSONObject? {
        let key = stickyDocKey(attributeName, attributeValue)
        return docs.withLock { $0[key]?.objectValue }
    }

    public func saveAssignments(_ doc: JSONObject) {
        let key = stickyDocKey(doc["attributeName"]?.pythonString ?? "", doc["attributeValue"]?.pythonString ?? "")
        docs.withLock { $0[key] = .object(doc) }
    }

    /// Every doc, keyed `"name||value"`.
    public var allDocs: JSONObject { docs.withLock { $0 } }
}

/// The sticky bucket docs one user's evaluations read and update: loaded from the service for
/// the user's identifier attributes, updated as assignments are saved.
public final class StickyBucketDocs: Sendable {
    let service: any StickyBucketService
    private let docs: Mutex<[String: JSONObject]>
    /// Docs changed and not saved yet (a service that `buffersWrites`), in the order changed.
    private let unsaved = Mutex<[(key: String, doc: JSONObject)]>([])
    private let hasUnsaved = Atomic<Bool>(false)
    /// The identifier attributes the docs were loaded for.
    public let attributes: [(name: String, value: String)]

    public init(service: any StickyBucketService, attributes: [(name: String, value: String)]) {
        self.service = service
        self.attributes = attributes
        self.docs = Mutex(service.allAssignments(attributes))
    }

    func assignments(_ key: String) -> JSONObject? {
        docs.withLock { $0[key]?["assignments"]?.objectValue }
    }

    /// Keeps a changed doc and saves it: now, or at the evaluation's end (`saveUnsaved`)
    /// when the service buffers writes.
    func save(_ key: String, _ doc: JSONObject) {
        docs.withLock { $0[key] = doc }
        guard service.buffersWrites else {
            service.saveAssignments(doc)
            return
        }
        unsaved.withLock { list in
            if let i = list.firstIndex(where: { $0.key == key }) { list[i].doc = doc } else { list.append((key, doc)) }
        }
        hasUnsaved.store(true, ordering: .releasing)
    }

    /// Saves the docs changed since the last call, all in one `saveAssignments(_:)` (called
    /// with no lock held). Costs one atomic load when nothing changed.
    func saveUnsaved() {
        guard hasUnsaved.load(ordering: .acquiring) else { return }
        let list = unsaved.withLock { list -> [(key: String, doc: JSONObject)] in
            hasUnsaved.store(false, ordering: .relaxed)
            defer { list.removeAll() }
            return list
        }
        if !list.isEmpty { service.saveAssignments(list.map { $0.doc }) }
    }

    public var snapshot: [String: JSONObject] { docs.withLock { $0 } }

    /// Whether these docs were loaded for exactly these identifier attributes.
    func matches(_ other: [(name: String, value: String)]) -> Bool {
        attributes.count == other.count
            && zip(attributes, other).allSatisfy { $0.0.name == $0.1.name && $0.0.value == $0.1.value }
    }
}
