import Synchronization

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What makes GET requests: libcurl by default, or a host-supplied transport.
public protocol HTTPTransport: Sendable {
    func get(url: String, headers: [(String, String)], timeout: Double) -> Result<HTTPResponse, RemoteError>
}

/// The process-wide transport choice.
public enum HTTPTransports {
    private static let custom = Mutex<(any HTTPTransport)?>(nil)

    /// Replaces the transport for every later request; nil restores libcurl.
    public static func setCustom(_ transport: (any HTTPTransport)?) {
        custom.withLock { $0 = transport }
    }

    static var current: any HTTPTransport {
        custom.withLock { $0 } ?? CurlTransport.shared
    }
}

/// The User-Agent of every request.
let userAgent = "libgrowthbook/0.1.0"

/// Bodies larger than this are refused (a feature payload is kilobytes to a few megabytes).
let maxBodyBytes = 64 * 1024 * 1024
