#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

/// Checked views of the C strings hosts pass in.
enum CInput {
    /// The bytes of a NUL-terminated string, checked to be valid UTF-8.
    static func bytes(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError) -> UnsafeBufferPointer<UInt8> {
        guard let p else { throw CallError(.invalidArgument, "\(name) is NULL") }
        let count = strlen(p)
        let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: count)
        if let bad = GrowthBookCore.invalidUTF8Offset(buffer) {
            throw CallError(.utf8, "\(name) is not valid UTF-8 (byte offset \(bad))")
        }
        return buffer
    }

    /// The bytes of a NUL-terminated string, not yet checked for UTF-8 (for feature-key look-ups,
    /// which check only keys that match nothing).
    @inline(__always)
    static func unvalidatedBytes(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError)
        -> UnsafeBufferPointer<UInt8>
    {
        guard let p else { throw CallError(.invalidArgument, "\(name) is NULL") }
        return UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))
    }

    static func string(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError) -> String {
        String(decoding: try bytes(p, name), as: UTF8.self)
    }

    /// Parses a JSON argument.
    static func json(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError) -> JSON {
        let b = try bytes(p, name)
        do {
            return try JSON.parse(b)
        } catch {
            throw CallError(error.kind == .invalidUTF8 ? .utf8 : .json, "\(name): \(error)")
        }
    }

    /// Parses a JSON argument that must be an object.
    static func object(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError) -> JSONObject {
        guard case .object(let o) = try json(p, name) else {
            throw CallError(.type, "\(name) must be a JSON object")
        }
        return o
    }

    /// Parses a JSON argument that must be an object into attributes (straight into their
    /// document: no tree).
    static func attributes(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError) -> Attributes {
        let b = try bytes(p, name)
        let a: Attributes?
        do {
            a = try Attributes(parsing: b)
        } catch {
            throw CallError(error.kind == .invalidUTF8 ? .utf8 : .json, "\(name): \(error)")
        }
        guard let a else { throw CallError(.type, "\(name) must be a JSON object") }
        return a
    }

    /// Parses handle options, their `attributes` member into a document of its own (see
    /// `JSON.parse(_:documentFor:)`): no tree is built for the attributes, the largest part of
    /// a per-request handle's options.
    static func options(_ p: UnsafePointer<CChar>?, _ name: StaticString) throws(CallError) -> (
        json: JSON, attributes: Document?
    ) {
        let b = try bytes(p, name)
        do throws(JSONError) {
            let (json, document) = try JSON.parse(b, documentFor: "attributes")
            return (json, document)
        } catch {
            throw CallError(error.kind == .invalidUTF8 ? .utf8 : .json, "\(name): \(error)")
        }
    }
}
