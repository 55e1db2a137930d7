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
    /// The text of the evaluation being stored (value, rule id, full result, each ended by a
    /// NUL), reused between calls.
    let scratch = TextBufferLender(capacity: 256)

    init?() {
        guard let v = calloc(1, Layout.size), let t = malloc(256) else { return nil }
        value = v
        text = t.assumingMemoryBound(to: CChar.self)
        capacity = 256
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

    /// What one evaluation tells the C struct besides its text.
    struct Summary {
        var value = TypedValue.null
        var source = FeatureSource.unknownFeature
        var on = false
        var variationId = -1
        var valueLength = 0
        var ruleIdLength = 0
        var resultLength = 0
    }

    /// Writes the outcome's value, rule id and (with `withResult`, for a value from an
    /// experiment) full result into `text`, each ended by a NUL, straight from the evaluation.
    static func describe(_ outcome: borrowing FeatureOutcome, withResult: Bool, into text: inout TextBuffer) -> Summary {
        var r = Summary()
        text.removeAll()
        r.value = outcome.writeTypedValue(to: &text)
        r.valueLength = text.count
        text.append(0)
        let start = text.count
        if outcome.writeRuleId(to: &text) { r.ruleIdLength = text.count - start }
        text.append(0)
        if withResult && outcome.source == .experiment {
            let before = text.count
            outcome.writeResult(to: &text)
            r.resultLength = text.count - before
        }
        text.append(0)
        r.source = outcome.source
        r.on = outcome.isOn
        r.variationId = outcome.variationId
        return r
    }

    /// Stores `summary` and `text` (as `describe` wrote them) in the C struct; returns the
    /// summary code.
    func store(_ summary: Summary, text scratch: borrowing TextBuffer) throws(CallError) -> Int32 {
        let type: ValueType
        var integer: Int64 = 0
        var number = 0.0
        switch summary.value {
        case .null: type = .null
        case .bool(let b): type = b ? .true : .false
        case .int(let i):
            type = .int
            integer = i
        case .double(let d):
            type = .double
            number = d
        case .string: type = .string
        case .array: type = .array
        case .object: type = .object
        }
        let valueLength = summary.valueLength
        let ruleIdLength = summary.ruleIdLength
        let resultLength = summary.resultLength
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
        scratch.withBytes { s in
            if let base = s.baseAddress { memcpy(text, base, s.count) }
        }
        let source = SourceCode(summary.source)
        let on: Int32 = summary.on ? 1 : 0
        value.storeBytes(of: type.rawValue, toByteOffset: Layout.type, as: Int32.self)
        value.storeBytes(of: source.rawValue, toByteOffset: Layout.source, as: Int32.self)
        value.storeBytes(of: on, toByteOffset: Layout.on, as: Int32.self)
        let variation = Int32(truncatingIfNeeded: summary.variationId)
        value.storeBytes(of: variation, toByteOffset: Layout.variationId, as: Int32.self)
        value.storeBytes(of: integer, toByteOffset: Layout.integer, as: Int64.self)
        value.storeBytes(of: number, toByteOffset: Layout.number, as: Double.self)
        value.storeBytes(of: valueLength, toByteOffset: Layout.length, as: Int.self)
        value.storeBytes(of: ruleIdLength, toByteOffset: Layout.ruleIdLength, as: Int.self)
        value.storeBytes(of: resultLength, toByteOffset: Layout.resultLength, as: Int.self)
        return EvalSummary.make(type, source, on: summary.on)
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
        return try b.scratch.with { (text: inout TextBuffer) throws(CallError) in
            var summary = EvalBuffer.Summary()
            try evaluate(p, key, attributesHandle: attrs) { outcome in
                summary = EvalBuffer.describe(outcome, withResult: withResult, into: &text)
            }
            return try b.store(summary, text: text)
        }
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
