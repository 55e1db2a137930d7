#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

/// A malloc'd copy of `text` plus a NUL, for the host, freed with gb_string_free.
func makeCString(_ text: borrowing TextBuffer) throws(CallError) -> UnsafeMutablePointer<CChar> {
    try text.withBytes { (b: UnsafeBufferPointer<UInt8>) throws(CallError) in try makeCString(buffer: b) }
}

/// A malloc'd copy of `bytes` plus a NUL, for the host, freed with gb_string_free.
func makeCString(bytes: [UInt8]) throws(CallError) -> UnsafeMutablePointer<CChar> {
    try bytes.withUnsafeBufferPointer { (b: UnsafeBufferPointer<UInt8>) throws(CallError) in try makeCString(buffer: b) }
}

private func makeCString(buffer b: UnsafeBufferPointer<UInt8>) throws(CallError) -> UnsafeMutablePointer<CChar> {
    guard let p = malloc(b.count + 1)?.assumingMemoryBound(to: CChar.self) else {
        throw CallError(.noMemory, "out of memory allocating a \(b.count)-byte result")
    }
    if let base = b.baseAddress { memcpy(p, base, b.count) }
    p[b.count] = 0
    return p
}

/// A malloc'd copy of `s` for the host, freed with gb_string_free.
func makeCString(_ s: String) throws(CallError) -> UnsafeMutablePointer<CChar> {
    var s = s
    let result: UnsafeMutablePointer<CChar>? = s.withUTF8 { bytes in
        guard let p = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
        if let base = bytes.baseAddress {
            memcpy(p, base, bytes.count)
        }
        p[bytes.count] = 0
        return p
    }
    guard let result else { throw CallError(.noMemory, "out of memory allocating a \(s.utf8.count)-byte result") }
    return result
}
