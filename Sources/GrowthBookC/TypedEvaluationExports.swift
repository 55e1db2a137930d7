#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

// Typed evaluation for bindings: a feature's value described without JSON for scalars, into a
// reusable per-thread buffer, through calls with few arguments.

/// What a `gb_eval_buffer *` points to: a C `gb_value` (malloc'd, so its address is stable for
/// the host) and the text storage its `text` field points into.
final class EvalBuffer {
    // One buffer is used by one thread at a time (the header's rule), and every field is
    // touched on every call: no run-time exclusivity checks (a swift_beginAccess each).
    static let live: UInt64 = 0x6762_5f65_7662_7566  // "gb_evbuf"
    @exclusivity(unchecked) var marker = EvalBuffer.live
    /// sizeof(gb_value) == 64 on LP64.
    let value: UnsafeMutableRawPointer
    @exclusivity(unchecked) var text: UnsafeMutablePointer<CChar>
    @exclusivity(unchecked) var capacity: Int
    @exclusivity(unchecked) var scratch: [UInt8] = []
    /// The full result's JSON for the evaluation being stored, reused between calls.
    @exclusivity(unchecked) var resultText: [UInt8] = []

    init?() {
        guard let v = calloc(1, Layout.size), let t = malloc(256) else { return nil }
        value = v
        text = t.assumingMemoryBound(to: CChar.self)
        capacity = 256
        scratch.reserveCapacity(256)
        value.storeBytes(of: UnsafePointer(text), toByteOffset: Layout.text, as: UnsafePointer<CChar>.self)
    }

    deinit {
        free(value)
        free(text)
    }

    /// Byte offsets of `gb_value`'s fields (include/growthbook.h); Tests/c checks them with
    /// offsetof, so the header and this stay in step.
    enum Layout {
        static let type = 0
        static let source = 4
        static let on = 8
        static let variationId = 12
        static let integer = 16
        static let number = 24
        static let length = 32
        static let ruleIdLength = 40
        static let resultLength = 48
        static let text = 56
        static let size = 64
    }

    /// Describes `result` (and, when `resultText` is non-empty, the full result's JSON) in the
    /// C struct; returns the summary.
    func store(_ result: FeatureValue, resultText: [UInt8]) throws(CallError) -> Int32 {
        let type: ValueType
        var integer: Int64 = 0
        var number = 0.0
        scratch.removeAll(keepingCapacity: true)
        switch result.value {
        case .null: type = .null
        case .bool(let b): type = b ? .true : .false
        case .int(let i):
            type = .int
            integer = i
        case .double(let d):
            type = .double
            number = d
        case .string(let s):
            type = .string
            scratch.append(contentsOf: s.utf8)
        case .array:
            type = .array
            result.value.write(to: &scratch)
        case .object:
            type = .object
            result.value.write(to: &scratch)
        }
        let valueLength = scratch.count
        scratch.append(0)
        var ruleIdLength = 0
        if let ruleId = result.ruleId {
            scratch.append(contentsOf: ruleId.utf8)
            ruleIdLength = scratch.count - valueLength - 1
        }
        scratch.append(0)
        var resultLength = 0
        if !resultText.isEmpty {
            scratch.append(contentsOf: resultText)
            resultLength = resultText.count
        }
        scratch.append(0)
        if scratch.count > capacity {
            var newCapacity = capacity
            while newCapacity < scratch.count { newCapacity *= 2 }
            guard let t = realloc(text, newCapacity) else {
                throw CallError(.noMemory, "out of memory growing the evaluation buffer to \(newCapacity) bytes")
            }
            text = t.assumingMemoryBound(to: CChar.self)
            capacity = newCapacity
            value.storeBytes(of: UnsafePointer(text), toByteOffset: Layout.text, as: UnsafePointer<CChar>.self)
        }
        scratch.withUnsafeBufferPointer { s in
            if let base = s.baseAddress { memcpy(text, base, s.count) }
        }
        let source = SourceCode(result.source)
        let on: Int32 = result.on ? 1 : 0
        value.storeBytes(of: type.rawValue, toByteOffset: Layout.type, as: Int32.self)
        value.storeBytes(of: source.rawValue, toByteOffset: Layout.source, as: Int32.self)
        value.storeBytes(of: on, toByteOffset: Layout.on, as: Int32.self)
        let variation = Int32(truncatingIfNeeded: result.variationId)
        value.storeBytes(of: variation, toByteOffset: Layout.variationId, as: Int32.self)
        value.storeBytes(of: integer, toByteOffset: Layout.integer, as: Int64.self)
        value.storeBytes(of: number, toByteOffset: Layout.number, as: Double.self)
        value.storeBytes(of: valueLength, toByteOffset: Layout.length, as: Int.self)
        value.storeBytes(of: ruleIdLength, toByteOffset: Layout.ruleIdLength, as: Int.self)
        value.storeBytes(of: resultLength, toByteOffset: Layout.resultLength, as: Int.self)
        return EvalSummary.make(type, source, on: result.on)
    }
}

@_cdecl("gb_eval_buffer_create")
public func gb_eval_buffer_create() -> OpaquePointer? {
    guard let b = EvalBuffer() else {
        LastError.set(CallError(.noMemory, "out of memory creating an evaluation buffer"))
        return nil
    }
    return OpaquePointer(Unmanaged.passRetained(b).toOpaque())
}

@_cdecl("gb_eval_buffer_free")
public func gb_eval_buffer_free(_ p: OpaquePointer?) {
    guard let p else { return }
    let u = Unmanaged<EvalBuffer>.fromOpaque(UnsafeRawPointer(p))
    let b = u.takeUnretainedValue()
    guard b.marker == EvalBuffer.live else { return }
    b.marker = 0
    u.release()
}

@_cdecl("gb_eval_buffer_value")
public func gb_eval_buffer_value(_ p: OpaquePointer?) -> UnsafeRawPointer? {
    guard let p else { return nil }
    let b = Unmanaged<EvalBuffer>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    guard b.marker == EvalBuffer.live else { return nil }
    return UnsafeRawPointer(b.value)
}

@inline(__always)
func evaluateInto(
    _ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ attrs: OpaquePointer?, withResult: Bool, _ buffer: OpaquePointer?
) -> Int32 {
    returningCode { () throws(CallError) in
        guard let buffer else { throw CallError(.invalidArgument, "buffer is NULL") }
        let b = Unmanaged<EvalBuffer>.fromOpaque(UnsafeRawPointer(buffer)).takeUnretainedValue()
        guard b.marker == EvalBuffer.live else { throw CallError(.invalidArgument, "buffer is not a live gb_eval_buffer") }
        // The result text is built in an array taken out of the buffer for the call, so that a
        // callback using the same buffer (nested on this thread) cannot touch it meanwhile.
        var resultText: [UInt8] = []
        swap(&resultText, &b.resultText)
        resultText.removeAll(keepingCapacity: true)
        defer { b.resultText = resultText }
        var result = FeatureValue(value: .null, source: .unknownFeature, on: false, ruleId: nil, variationId: -1)
        try evaluate(p, key, attributesHandle: attrs) { outcome in
            // With the result asked for, a value from an experiment also comes with the full
            // result as JSON.
            if withResult && outcome.source == .experiment { outcome.writeResult(to: &resultText) }
            result = outcome.value
        }
        return try b.store(result, resultText: resultText)
    }
}

@_cdecl("gb_eval_value")
public func gb_eval_value(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ buffer: OpaquePointer?) -> Int32 {
    evaluateInto(p, key, nil, withResult: false, buffer)
}

@_cdecl("gb_eval_result")
public func gb_eval_result(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ buffer: OpaquePointer?) -> Int32 {
    evaluateInto(p, key, nil, withResult: true, buffer)
}

@_cdecl("gb_eval_with")
public func gb_eval_with(
    _ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ attrs: OpaquePointer?, _ withResult: Int32,
    _ buffer: OpaquePointer?
) -> Int32 {
    evaluateInto(p, key, attrs, withResult: withResult != 0, buffer)
}
