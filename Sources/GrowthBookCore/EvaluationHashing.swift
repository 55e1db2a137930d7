// What an evaluation hashes: the hash attribute's value (with the sticky-bucketing fallback),
// percentage rollouts and hash filters.

extension Evaluation {
    /// The attribute's value as given; null when missing.
    @inline(__always)
    func attribute(_ name: ByteSpan, hash: UInt32) -> Val {
        attributes.lookup(name, hash: hash) ?? .null
    }

    /// The reference's hash attribute choice: the attribute, or the fallback when sticky
    /// bucketing is on and the attribute's value is falsy. `usedFallback` says which.
    func hashInput(_ view: SnapshotView, _ attribute: StringRef, fallback: StringRef?) -> (value: Val, usedFallback: Bool) {
        let v = self.attribute(view.string(attribute), hash: attribute.hash)
        if !v.isTruthy(view.hashStyle), let fallback, flags.hasSticky {
            return (self.attribute(view.string(fallback), hash: fallback.hash), true)
        }
        return (v, false)
    }

    /// Calls `body` with the bytes hashed for a value, "" for a value that counts as none, as
    /// `style` has them (`HashValueStyle`). Strings and integers (numeric user ids) are hashed
    /// without building a String.
    @inline(__always)
    func withHashBytes<R>(_ v: Val, _ style: HashValueStyle, _ body: (ByteSpan) -> R) -> R {
        switch v.kind {
        case .string: return body(v.bytes)
        case .null, .false: return body(.empty)
        case .int where v.int == 0: return body(.empty)
        case .int where style == .js && v.int.magnitude > 1 << 53:
            var text = hashText(v, style)
            return text.withUTF8 { body(ByteSpan($0)) }
        case .int:
            // Python's str(int), on the stack: the decimal digits, after a "-" when negative
            // (20 bytes at most). (TextBuffer.appendDigits writes digits the same way, into the
            // heap; sharing a helper made this path's callers 20 instructions slower.)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                let n = v.int
                var magnitude = n.magnitude
                var i = digits.count
                repeat {
                    i &-= 1
                    digits[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                    magnitude /= 10
                } while magnitude > 0
                if n < 0 {
                    i &-= 1
                    digits[i] = UInt8(ascii: "-")
                }
                return body(ByteSpan(UnsafeBufferPointer(rebasing: digits[i...])))
            }
        default:
            guard v.isTruthy(style) else { return body(.empty) }
            var text = hashText(v, style)
            return text.withUTF8 { body(ByteSpan($0)) }
        }
    }

    /// The text hashed for a value `withHashBytes` writes out (out of line: a String built in
    /// the inlined function made it box its closure's context on every call).
    @inline(never)
    private func hashText(_ v: Val, _ style: HashValueStyle) -> String {
        // A JavaScript number is a double: an integer beyond 2^53 is the one nearest it.
        style == .js ? (v.kind == .int ? jsNumberString(Double(v.int)) : v.jsString) : v.pythonString
    }

    @inline(__always)
    func isIncludedInRollout(rollout i: Int32) -> Bool {
        i < 0 || isIncluded(inRollout: i)
    }

    /// `isIncludedInRollout` for a rule with a rollout (`s.rollouts[i]`).
    private func isIncluded(inRollout i: Int32) -> Bool {
        let ro = s.rollouts[i]
        if ro.excludesAll { return false }
        let input = hashInput(s, ro.hashAttribute, fallback: ro.hasFallback ? ro.fallbackAttribute : nil).value
        let style = s.hashStyle
        return withHashBytes(input, style) { value -> Bool in
            if value.isEmpty { return false }
            guard
                let n = gbHash(
                    seed: s.string(ro.seed.bytes), seedState: ro.seed.state, value: value, version: ro.hashVersion,
                    utf16: style == .js)
            else { return false }
            if ro.hasRange { return ro.range.contains(n) }
            return n <= ro.coverage
        }
    }

    func isFilteredOut(_ view: SnapshotView, _ start: Int32, _ count: Int32) -> Bool {
        var f = Int(start)
        let end = f &+ Int(count)
        while f < end {
            defer { f &+= 1 }
            let filter = view.filters[f]
            let v = attribute(view.string(filter.attribute), hash: filter.attribute.hash)
            let style = view.hashStyle
            let out = withHashBytes(v, style) { value -> Bool? in
                if value.isEmpty { return filter.withoutValueExcludes }
                guard
                    let n = gbHash(
                        seed: view.string(filter.seed.bytes), seedState: filter.seed.state, value: value,
                        version: filter.hashVersion, utf16: style == .js)
                else { return filter.withoutValueExcludes }
                var r = Int(filter.rangesStart)
                let rEnd = r &+ Int(filter.rangesCount)
                while r < rEnd {
                    if view.ranges[r].contains(n) { return nil }
                    r &+= 1
                }
                return true
            }
            switch out {
            case .some(true): return true
            case .some(false): return false
            case .none: continue
            }
        }
        return false
    }
}
