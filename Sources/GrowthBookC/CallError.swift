import GrowthBookCore
import GrowthBookRemote

/// A failed call: its code and the sentence `gb_last_error()` gives.
struct CallError: Error {
    var code: ErrorCode
    var message: String

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: GrowthBookError, context: String) {
        switch error.kind {
        case .invalidJSON(let e):
            self.init(e.kind == .invalidUTF8 ? .utf8 : .json, "\(context): \(e)")
        case .wrongType:
            self.init(.type, "\(context): \(error.message)")
        case .invalidArgument:
            self.init(.invalidArgument, "\(context): \(error.message)")
        }
    }
}

extension CallError {
    init(_ error: RemoteError) {
        switch error.kind {
        case .network: self.init(.network, error.message)
        case .http: self.init(.http, error.message)
        case .json: self.init(.json, error.message)
        case .decrypt: self.init(.decrypt, error.message)
        case .invalidArgument: self.init(.invalidArgument, error.message)
        case .wrongType: self.init(.type, error.message)
        }
    }
}
