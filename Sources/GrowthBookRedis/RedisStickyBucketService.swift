import GrowthBookCore

/// Sticky bucket assignments kept in Redis, in the format of GrowthBook's own Redis services
/// (the JS SDK's `RedisStickyBucketService`, the GrowthBook proxy), so those and this library
/// share one user's assignments: the key is `prefix + attributeName + "||" + attributeValue`,
/// the value the document's JSON text,
/// `{"attributeName":…,"attributeValue":…,"assignments":{"<experiment>__<bucketVersion>":"<variation key>"}}`.
///
/// Round trips: one `MGET` loads every identifier attribute's document for an evaluation
/// context; the assignments an evaluation makes are written once at its end, every document
/// in one pipeline (`buffersWrites`). Each write merges on the server (`mergeScript`): an
/// assignment another host stored meanwhile for another experiment of the same user is kept.
///
/// Never fatal: when Redis is down, slow or answers garbage, the operation gives up within
/// `timeout`, the evaluation goes on without sticky bucketing, and a warning goes to `log`;
/// the pool then backs off and reconnects (`RedisPool`).
public final class RedisStickyBucketService: StickyBucketService {
    public struct Options: Sendable, Equatable {
        public var endpoint: RedisEndpoint
        public var prefix = ""
        /// Seconds a document lives after its last write; 0: for ever.
        public var ttl = 0
        /// Seconds one Redis operation may take (connecting included).
        public var timeout = 0.05

        public init(endpoint: RedisEndpoint) { self.endpoint = endpoint }

        /// Reads the `stickyBucketing` option object: `{"redis": URL, "prefix": "", "ttl": 0,
        /// "timeout": 0.05}`.
        public init(options o: JSONObject) throws(RedisError) {
            guard case .string(let url)? = o["redis"] else {
                throw RedisError(.invalidURL, "stickyBucketing.redis must be a redis:// URL string")
            }
            self.init(endpoint: try RedisEndpoint(url: url))
            if let v = o["prefix"], !v.isNull {
                guard case .string(let p) = v else { throw RedisError(.invalidURL, "stickyBucketing.prefix must be a string") }
                prefix = p
            }
            if let v = o["ttl"], !v.isNull {
                guard let d = v.doubleValue, d >= 0, d <= 365 * 86_400 * 100 else {
                    throw RedisError(.invalidURL, "stickyBucketing.ttl must be a number of seconds from 0 (none) up")
                }
                // Redis expiries are whole seconds; a fraction rounds up, so a TTL never means none.
                ttl = Int(d.rounded(.up))
            }
            if let v = o["timeout"], !v.isNull {
                guard let d = v.doubleValue, d >= 0.001, d <= 3600 else {
                    throw RedisError(.invalidURL, "stickyBucketing.timeout must be from 0.001 to 3600 seconds")
                }
                timeout = d
            }
        }
    }

    public let options: Options
    let pool: RedisPool
    private let log: @Sendable (LogLevel, String) -> Void

    public init(_ options: Options, log: @escaping @Sendable (LogLevel, String) -> Void) {
        self.options = options
        self.pool = RedisPool.shared(options.endpoint)
        self.log = log
    }

    public var buffersWrites: Bool { true }

    func key(_ name: String, _ value: String) -> [UInt8] { Array((options.prefix + name + "||" + value).utf8) }

    public func assignments(attributeName: String, attributeValue: String) -> JSONObject? {
        allAssignments([(attributeName, attributeValue)]).first?.value
    }

    public func allAssignments(_ attributes: [(name: String, value: String)]) -> [String: JSONObject] {
        guard !attributes.isEmpty else { return [:] }
        let command = [Array("MGET".utf8)] + attributes.map { key($0.name, $0.value) }
        let replies: [RedisReply]
        do {
            replies = try pool.run([command], timeout: options.timeout)
        } catch {
            report(error, "reading sticky bucket assignments")
            return [:]
        }
        guard case .array(let values)? = replies.first, values.count == attributes.count else {
            log(.warning, "Redis sticky bucketing: MGET answered \(Self.describe(replies.first)), not one value per key")
            return [:]
        }
        var docs: [String: JSONObject] = [:]
        for (attribute, value) in zip(attributes, values) {
            guard let bytes = value.bytes else { continue }  // no document yet
            guard let doc = Self.document(bytes) else {
                log(.warning, "Redis sticky bucketing: the value of \(String(decoding: key(attribute.name, attribute.value), as: UTF8.self)) is not an assignments document; ignored")
                continue
            }
            docs[attribute.name + "||" + attribute.value] = doc
        }
        return docs
    }

    /// A stored document, checked as the JS service checks it: an object with a truthy
    /// `attributeName`, an `attributeValue` and an object of `assignments`.
    static func document(_ bytes: [UInt8]) -> JSONObject? {
        guard case .object(let o)? = try? JSON.parse(bytes),
            o["attributeName"]?.isTruthy == true, o.contains("attributeValue"),
            case .object? = o["assignments"]
        else { return nil }
        return o
    }

    public func saveAssignments(_ doc: JSONObject) { saveAssignments([doc]) }

    /// Writes the documents in one pipeline, each merged on the server with what is stored.
    public func saveAssignments(_ docs: [JSONObject]) {
        var commands: [[[UInt8]]] = []
        for doc in docs {
            guard let name = doc["attributeName"]?.stringValue, let value = doc["attributeValue"]?.stringValue,
                case .object(let assignments)? = doc["assignments"]
            else { continue }
            var argv: [[UInt8]] = [
                Array("EVAL".utf8), Self.mergeScript, Array("1".utf8), key(name, value), Array(String(options.ttl).utf8),
                Array(name.utf8), Array(value.utf8),
            ]
            for (k, v) in assignments.pairs {
                guard let variation = v.stringValue else { continue }
                argv.append(Array(k.utf8))
                argv.append(Array(variation.utf8))
            }
            commands.append(argv)
        }
        guard !commands.isEmpty else { return }
        do {
            let replies = try pool.run(commands, timeout: options.timeout)
            for r in replies {
                if case .error(let e) = r { log(.warning, "Redis sticky bucketing: saving assignments failed: \(e)") }
            }
        } catch {
            report(error, "saving sticky bucket assignments")
        }
    }

    private func report(_ error: RedisError, _ doing: String) {
        // While the pool backs off, every evaluation would say so: that goes to debug.
        let level: LogLevel = error.kind == .backingOff ? .debug : .warning
        log(level, "Redis sticky bucketing: \(doing) failed, going on without: \(error)")
    }

    private static func describe(_ r: RedisReply?) -> String {
        switch r {
        case .error(let e)?: return "an error (\(e))"
        case .array(let a)?: return "\(a.count) values"
        case nil: return "nothing"
        default: return "a value of another kind"
        }
    }

    /// Stores one document, merged with the one stored: KEYS[1] the key; ARGV: the TTL in
    /// seconds (0: none), the attribute name and value, then experiment key / variation key
    /// pairs. The stored document's assignments for other experiments are kept (written after
    /// ours); ours win for the same experiment. The text is built as JSON.stringify writes
    /// the document (key order, no spaces); cjson escapes "/" as "\/", which is undone.
    static let mergeScript = Array(
        """
        local function enc(s) return (string.gsub(cjson.encode(s), '\\\\/', '/')) end
        local ours = {}
        local parts = {}
        for i = 4, #ARGV, 2 do
          ours[ARGV[i]] = true
          parts[#parts + 1] = enc(ARGV[i]) .. ':' .. enc(ARGV[i + 1])
        end
        local stored = redis.call('GET', KEYS[1])
        if stored then
          local ok, doc = pcall(cjson.decode, stored)
          if ok and type(doc) == 'table' and type(doc.assignments) == 'table' then
            for k, v in pairs(doc.assignments) do
              if type(k) == 'string' and type(v) == 'string' and not ours[k] then
                parts[#parts + 1] = enc(k) .. ':' .. enc(v)
              end
            end
          end
        end
        local text = '{"attributeName":' .. enc(ARGV[2]) .. ',"attributeValue":' .. enc(ARGV[3])
          .. ',"assignments":{' .. table.concat(parts, ',') .. '}}'
        local ttl = tonumber(ARGV[1])
        if ttl and ttl > 0 then
          redis.call('SET', KEYS[1], text, 'EX', ttl)
        else
          redis.call('SET', KEYS[1], text)
        end
        return 1
        """.utf8)
}
