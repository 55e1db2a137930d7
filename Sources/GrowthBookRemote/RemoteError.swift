/// Why loading or decrypting features failed.
public struct RemoteError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Connection refused or reset, DNS or TLS failure, timeout.
        case network
        /// HTTP status >= 400, or a payload without features.
        case http
        /// Malformed or truncated JSON.
        case json
        /// Wrong key, corrupt ciphertext or padding, missing key.
        case decrypt
        /// A value out of range (a remote option, a missing client key).
        case invalidArgument
        /// An option of the wrong JSON type.
        case wrongType
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
