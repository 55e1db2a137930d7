import Synchronization

/// Where sticky bucket assignments persist. A doc is
/// `{"attributeName": …, "attributeValue": …, "assignments": {"<experiment>__<bucketVersion>": "<variation key>"}}`.
public protocol StickyBucketService: AnyObject, Sendable {
    /// The doc for one attribute name and value, or nil.
    func assignments(attributeName: String, attributeValue: String) -> JSONObject?
    func saveAssignments(_ doc: JSONObject)
    /// Docs for several attributes at once, keyed `"name||value"`. The default asks one by one.
    func allAssignments(_ attributes: [(name: String, value: String)]) -> [String: JSONObject]
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

    func store(_ key: String, _ doc: JSONObject) {
        docs.withLock { $0[key] = doc }
    }

    public var snapshot: [String: JSONObject] { docs.withLock { $0 } }

    /// Whether these docs were loaded for exactly these identifier attributes.
    func matches(_ other: [(name: String, value: String)]) -> Bool {
        attributes.count == other.count
            && zip(attributes, other).allSatisfy { $0.0.name == $0.1.name && $0.0.value == $0.1.value }
    }
}
