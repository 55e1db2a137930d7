#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

/// A malloc'd copy of `text` plus a NUL, for the host, freed with gb_string_free.
func makeCString(_ text: borrowing TextBuffer) throws(CallError) -> UnsafeMutablePointer<CChar> {
    let count = text.count
    guard let p = malloc(count + 1)?.assumingMemoryBound(to: CChar.self) else {
        throw CallError(.noMemory, "out of memory allocating a \(count)-byte result")
    }
    text.withBytes { b in
        if let base = b.baseAddress { memcpy(p, base, b.count) }
    }
    p[count] = 0
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
