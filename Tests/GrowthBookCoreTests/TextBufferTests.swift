@testable import GrowthBookCore
import Testing

/// The text buffer results are written into, and the short-copy and comparison routines it
/// shares with the byte spans: every length around their word-size cases.
@Suite struct TextBufferTests {
    /// Pieces of every length from 0 to 200 appended in turn (through every copy path, and
    /// growth past the initial capacity) read back as the bytes appended.
    @Test func appendsEveryLengthExactly() {
        var buffer = TextBuffer(capacity: 1)
        var expected: [UInt8] = []
        var next: UInt8 = 1
        for n in 0...200 {
            let piece = (0..<n).map { _ -> UInt8 in
                next = next &* 31 &+ 7
                return next
            }
            piece.withUnsafeBufferPointer { buffer.append($0) }
            expected += piece
            #expect(buffer.count == expected.count)
        }
        buffer.append(UInt8(ascii: "!"))
        buffer.appendLiteral("literal")
        buffer.append("stri\u{e9}ng")
        expected += Array("!literalstri\u{e9}ng".utf8)
        #expect(buffer.bytes == expected)
        #expect(buffer.capacity >= buffer.count)
        buffer.removeAll()
        #expect(buffer.count == 0 && buffer.string == "")
    }

    @Test(arguments: [
        (UInt64(0), 1, "0"), (7, 1, "7"), (10, 1, "10"), (12345, 3, "12345"), (42, 5, "00042"), (0, 3, "000"),
        (UInt64.max, 1, "18446744073709551615"),
    ])
    func digitsArePaddedOnTheLeft(_ n: UInt64, _ minimum: Int, _ expected: String) {
        var buffer = TextBuffer()
        buffer.appendDigits(n, minimumDigits: minimum)
        #expect(buffer.string == expected)
    }

    @Test func integersKeepTheirSign() {
        var buffer = TextBuffer()
        buffer.appendInteger(Int64.min)
        buffer.append(UInt8(ascii: ","))
        buffer.appendInteger(-1)
        buffer.append(UInt8(ascii: ","))
        buffer.appendInteger(Int64.max)
        #expect(buffer.string == "-9223372036854775808,-1,9223372036854775807")
    }

    /// Equal and unequal byte strings of every length up to 40, differing at every position.
    @Test func byteEqualityAtEveryLengthAndPosition() {
        for n in 0...40 {
            let a = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
            a.withUnsafeBufferPointer { pa in
                #expect(bytesEqual(pa, pa))
                let copy = Array(a)
                copy.withUnsafeBufferPointer { pc in #expect(bytesEqual(pa, pc)) }
                for i in 0..<n {
                    var b = a
                    b[i] ^= 0x40
                    b.withUnsafeBufferPointer { pb in #expect(!bytesEqual(pa, pb), "length \(n), byte \(i)") }
                }
                if n > 0 {
                    Array(a.dropLast()).withUnsafeBufferPointer { pb in #expect(!bytesEqual(pa, pb)) }
                }
            }
        }
    }

    /// A partial word holds exactly the bytes asked for.
    @Test func partialWordsHoldTheirBytesOnly() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        bytes.withUnsafeBytes { raw in
            guard let p = raw.baseAddress else { return }
            for n in 1..<8 {
                var expected: UInt64 = 0
                for i in 0..<n { expected |= UInt64(bytes[i]) << (8 * UInt64(i)) }
                #expect(loadPartialWord(p, n) == expected, "\(n) bytes")
            }
        }
    }
}
