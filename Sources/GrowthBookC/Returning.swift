import GrowthBookCore

// The wrappers every export runs its body in: a thrown CallError turned into the C result (a
// code or NULL) and the thread's last error. (The regex engine is installed by gb_create and
// by the handle-free calls that compile patterns: see Engines.swift.)

/// Runs a call returning an int code; a thrown CallError becomes its code and the last error.
@inline(__always)
func returningCode(_ body: () throws(CallError) -> Int32) -> Int32 {
    do {
        return try body()
    } catch {
        LastError.set(error)
        return error.code.rawValue
    }
}

/// Runs a call returning a new C string; a thrown CallError becomes NULL and the last error.
@inline(__always)
func returningString(_ body: () throws(CallError) -> String) -> UnsafeMutablePointer<CChar>? {
    do {
        return try makeCString(body())
    } catch {
        LastError.set(error)
        return nil
    }
}

/// Runs a call that writes JSON text; the bytes become a new C string.
@inline(__always)
func returningText(_ body: (inout TextBuffer) throws(CallError) -> Void) -> UnsafeMutablePointer<CChar>? {
    // The text is built in this thread's reusable buffer (a fresh one when a callback inside
    // this call asks for text too), then copied into the C string the host owns.
    CallScope.current._withUnsafeGuaranteedRef { scope in
        do throws(CallError) {
            return try scope.text.with { (out: inout TextBuffer) throws(CallError) in
                try body(&out)
                return try makeCString(out)
            }
        } catch {
            LastError.set(error)
            return nil
        }
    }
}
