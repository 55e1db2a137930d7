// Shared by the libFuzzer targets in Fuzz/Sources: splitting an input into C strings, and
// checks every target applies to what the library returns (see Fuzz/README.md).
#if canImport(Glibc)
import Glibc
#endif
import GrowthBookC
import GrowthBookCore

public enum Fuzz {
    /// Splits the input at NUL bytes into exactly `count` NUL-terminated C strings (missing
    /// parts are empty; NULs after the last separator end the last part early, as in C).
    public static func parts(_ data: UnsafePointer<UInt8>?, _ size: Int, _ count: Int) -> [[CChar]] {
        var out: [[CChar]] = []
        var current: [CChar] = []
        if let data {
            for i in 0..<size {
                let b = data[i]
                if b == 0 && out.count < count - 1 {
                    current.append(0)
                    out.append(current)
                    current = []
                } else {
                    current.append(CChar(bitPattern: b))
                }
            }
        }
        current.append(0)
        out.append(current)
        while out.count < count { out.append([0]) }
        return out
    }

    /// The whole input as one C string.
    public static func string(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [CChar] {
        parts(data, size, 1)[0]
    }

    /// A string the library returned: NULL only with an error set; otherwise text that the
    /// library's own parser accepts (when `json`), then freed with gb_string_free.
    @discardableResult
    public static func take(_ s: UnsafeMutablePointer<CChar>?, json: Bool = true) -> JSON? {
        guard let s else {
            checkFailed()
            return nil
        }
        defer { gb_string_free(s) }
        guard json else { return nil }
        let text = String(cString: s)
        do {
            return try JSON.parse(text)
        } catch {
            fatalError("library returned text its own parser rejects (\(error)): \(text.prefix(500))")
        }
    }

    /// An int result: non-negative, or a negative code that gb_last_error_code agrees with.
    public static func code(_ rc: Int32) {
        if rc < 0 {
            precondition(gb_last_error_code() == rc, "rc \(rc) but gb_last_error_code \(gb_last_error_code())")
            precondition(gb_last_error().pointee != 0, "rc \(rc) with an empty gb_last_error")
            precondition(rc != -99, "GB_ERR_INTERNAL: \(String(cString: gb_last_error()))")
        }
    }

    /// After a NULL: an error code and message are set, and it is not an internal error.
    public static func checkFailed() {
        let c = gb_last_error_code()
        precondition(c < 0, "NULL returned but gb_last_error_code is \(c)")
        precondition(gb_last_error().pointee != 0, "NULL returned with an empty gb_last_error")
        precondition(c != -99, "GB_ERR_INTERNAL: \(String(cString: gb_last_error()))")
    }

    /// The keys of the handle's features (at most `limit`).
    public static func featureKeys(_ gb: OpaquePointer, limit: Int = 32) -> [String] {
        guard let f = take(gb_get_features_json(gb)), let o = f.objectValue else { return [] }
        return Array(o.keys.prefix(limit))
    }

    /// Tracking, subscription and log callbacks that do nothing, so those paths run too.
    public static func installCallbacks(_ gb: OpaquePointer) {
        code(gb_set_tracking_callback(gb, { e, r, _ in precondition(e != nil && r != nil) }, nil))
        code(gb_subscribe(gb, { e, r, _ in precondition(e != nil && r != nil) }, nil))
        code(gb_set_log_callback(gb, { _, m, _ in precondition(m != nil) }, 10, nil))
    }

    /// Evaluates `key` through every evaluation entry point, with the handle's attributes and
    /// with `attributes` (a C string of JSON, any validity) when given.
    public static func evaluate(
        _ gb: OpaquePointer, _ key: UnsafePointer<CChar>, attributes: UnsafePointer<CChar>? = nil,
        buffer: OpaquePointer
    ) {
        code(gb_is_on(gb, key))
        code(gb_is_off(gb, key))
        take(gb_eval_feature_json(gb, key))
        take(gb_get_feature_value_json(gb, key))
        code(gb_eval_value(gb, key, buffer))
        code(gb_eval_result(gb, key, buffer))
        if let attributes {
            let a = gb_attributes_create(attributes)
            if let a {
                code(gb_is_on_with(gb, key, a))
                take(gb_eval_feature_with(gb, key, a))
                code(gb_eval_with(gb, key, a, 1, buffer))
                gb_attributes_free(a)
            } else {
                checkFailed()
            }
            let r = gb_eval_feature_with_attributes_json(gb, key, attributes)
            if r == nil { checkFailed() } else { take(r) }
        }
    }

    /// The handle's aggregate state, read back (each must be valid JSON).
    public static func readBack(_ gb: OpaquePointer) {
        take(gb_get_all_results_json(gb))
        take(gb_get_attributes_json(gb))
        take(gb_get_sticky_bucket_docs_json(gb))
    }

    /// Feature definitions covering every rule kind, for targets that fuzz something else.
    public static let fixedFeatures = """
        {"flag": {"defaultValue": false, "rules": [
           {"id": "r1", "condition": {"country": {"$in": ["US", "CA"]}, "age": {"$gte": 18}}, "force": true},
           {"condition": {"email": {"$regex": "@example\\\\.com$"}}, "force": "regex"},
           {"condition": {"version": {"$vgte": "1.2.0"}, "tags": {"$elemMatch": {"$eq": "beta"}}}, "force": 3},
           {"condition": {"$or": [{"browser": "firefox"}, {"$not": {"plan": {"$exists": true}}}]}, "force": {"a": [1, 2]}},
           {"condition": {"id": {"$inGroup": "g1"}}, "force": null},
           {"force": 1, "coverage": 0.5, "hashAttribute": "id"},
           {"key": "exp", "variations": [0, 1, 2], "weights": [0.3, 0.3, 0.4], "hashAttribute": "id",
            "fallbackAttribute": "deviceId", "seed": "s", "hashVersion": 2,
            "namespace": ["ns", 0, 0.7], "filters": [{"seed": "f", "ranges": [[0, 0.8]], "attribute": "id"}],
            "meta": [{"key": "a"}, {"key": "b", "passthrough": true}, {"key": "c"}], "bucketVersion": 1}]},
         "child": {"defaultValue": "off", "rules": [
           {"parentConditions": [{"id": "flag", "condition": {"value": {"$exists": true}}, "gate": true}], "force": "on"}]},
         "sticky": {"defaultValue": 0, "rules": [{"key": "sx", "variations": [10, 20], "hashAttribute": "id",
           "fallbackAttribute": "anonymousId", "bucketVersion": 2, "minBucketVersion": 1}]}}
        """
}
