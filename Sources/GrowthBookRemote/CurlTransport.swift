import CCurl

/// HTTP GET through libcurl: TLS verification on, connect and total timeouts, only http and
/// https (an https URL: only https, redirects included), redirects followed (at most 5),
/// compressed responses accepted, a body size cap.
final class CurlTransport: HTTPTransport {
    static let shared = CurlTransport()

    /// libcurl's global initialisation is not thread-safe: done once, here.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static let connectTimeout: Double = 5

    /// Collects the response while libcurl runs.
    final class Sink {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        var tooLarge = false
        /// For streaming: called with each chunk instead of collecting; false aborts.
        var onData: (([UInt8]) -> Bool)? = nil
        /// For streaming: polled about once a second; true aborts.
        var shouldStop: (() -> Bool)? = nil
        /// The stop epoch of the background thread making the transfer (nil on a host's
        /// thread): stopping that thread aborts the transfer.
        var backgroundEpoch: Int? = nil

        /// Whether the transfer is to be aborted.
        var aborted: Bool {
            if let e = backgroundEpoch, BackgroundThreads.isStopped(e) { return true }
            return shouldStop?() == true
        }
    }

    func get(url: String, headers: [(String, String)], timeout: Double) -> Result<HTTPResponse, RemoteError> {
        let sink = Sink()
        // A request always has a total limit (0 would mean none: that is for streams only).
        let limit = timeout.isNaN ? RemoteConfig().timeout : max(timeout, RemoteConfig.minimumTimeout)
        return perform(url: url, headers: headers, timeout: limit, sink: sink).map { status in
            HTTPResponse(status: status, headers: sink.headers, body: sink.body)
        }
    }

    /// The protocols a request for `url` may use, itself and every redirect: "https" for an
    /// https URL (no downgrade to http on a redirect), "http,https" for an http one, nil for any
    /// other scheme (refused). A URL without a scheme is one libcurl reads as http.
    static func allowedProtocols(for url: String) -> String? {
        // The scheme: letters, digits, "+", "-", "." up to "://".
        let bytes = Array(url.utf8)
        var i = 0
        while i < bytes.count, bytes[i] != UInt8(ascii: ":") {
            let b = bytes[i] | 0x20  // lower case (for letters)
            let isSchemeByte =
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9"))
                || bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".")
            if !isSchemeByte { return "http,https" }
            i += 1
        }
        guard i > 0, bytes.count >= i + 3, bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/")
        else { return "http,https" }
        switch String(decoding: bytes[..<i], as: UTF8.self).lowercased() {
        case "https": return "https"
        case "http": return "http,https"
        default: return nil
        }
    }

    /// Runs one request; returns the HTTP status. `timeout` 0 means none (streaming).
    func perform(url: String, headers: [(String, String)], timeout: Double, sink: Sink) -> Result<Int, RemoteError> {
        guard Self.initialized else { return .failure(RemoteError(.network, "libcurl failed to initialise")) }
        guard let protocols = Self.allowedProtocols(for: url) else {
            return .failure(RemoteError(.network, "request to \(url) refused: only http and https URLs are loaded"))
        }
        sink.backgroundEpoch = BackgroundThreads.currentEpoch()
        if sink.aborted { return .failure(RemoteError(.network, "request to \(url) not made: background work was stopped")) }
        guard let curl = curl_easy_init() else { return .failure(RemoteError(.network, "libcurl: out of memory")) }
        defer { curl_easy_cleanup(curl) }
        guard gb_curl_restrict_protocols(curl, protocols == "https" ? 1 : 0) == CURLE_OK else {
            return .failure(RemoteError(.network, "request to \(url) refused: libcurl cannot restrict it to http and https"))
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        defer { curl_slist_free_all(list) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let box = Unmanaged.passUnretained(sink).toOpaque()

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errbuf in
            gb_curl_setopt_string(curl, CURLOPT_URL, url)
            gb_curl_setopt_long(curl, CURLOPT_HTTPGET, 1)
            gb_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
            gb_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1)
            gb_curl_setopt_long(curl, CURLOPT_MAXREDIRS, 5)
            gb_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
            gb_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
            gb_curl_setopt_string(curl, CURLOPT_USERAGENT, userAgent)
            gb_curl_setopt_string(curl, CURLOPT_ACCEPT_ENCODING, "")
            gb_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(Self.connectTimeout * 1000))
            if timeout > 0 {
                gb_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, max(1, Int((min(timeout, 86_400) * 1000).rounded(.up))))
            } else {
                // A stream: no total timeout, but a connection silent for 10 minutes is dead.
                gb_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
                gb_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, 600)
            }
            gb_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, list)
            gb_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errbuf.baseAddress)
            gb_curl_setopt_write(curl, CURLOPT_WRITEFUNCTION, { data, size, count, user in
                guard let user, let data else { return 0 }
                let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
                let n = size * count
                let chunk = UnsafeRawBufferPointer(start: data, count: n)
                if let onData = sink.onData {
                    return onData(Array(chunk)) ? n : 0
                }
                if sink.body.count + n > maxBodyBytes {
                    sink.tooLarge = true
                    return 0
                }
                sink.body.append(contentsOf: chunk)
                return n
            })
            gb_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, box)
            gb_curl_setopt_write(curl, CURLOPT_HEADERFUNCTION, { data, size, count, user in
                guard let user, let data else { return 0 }
                let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
                let n = size * count
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
                if line.hasPrefix("HTTP/") {
                    sink.headers.removeAll()  // a new response (after a redirect)
                } else if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingSpaces
                    sink.headers[name] = value
                }
                return n
            })
            gb_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, box)
            if sink.shouldStop != nil || sink.backgroundEpoch != nil {
                gb_curl_setopt_long(curl, CURLOPT_NOPROGRESS, 0)
                gb_curl_setopt_xferinfo(curl) { user, _, _, _, _ in
                    guard let user else { return 0 }
                    let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
                    return sink.aborted ? 1 : 0
                }
                gb_curl_setopt_pointer(curl, CURLOPT_XFERINFODATA, box)
            }
            if let epoch = sink.backgroundEpoch { TransferSockets.track(curl, epoch: epoch) }
            return withExtendedLifetime(sink) { curl_easy_perform(curl) }
        }
        var status = 0
        gb_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        if code != CURLE_OK {
            if sink.tooLarge {
                return .failure(RemoteError(.http, "response body larger than \(maxBodyBytes) bytes from \(url)"))
            }
            let detail = errorBuffer.withUnsafeBufferPointer { b in
                String(decoding: b.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(RemoteError(.network, "request to \(url) failed: \(reason)"))
        }
        return .success(status)
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        // "\r\n" is one Character (one grapheme cluster), equal to neither "\r" nor "\n".
        while let l = s.last, l == " " || l == "\t" || l == "\r\n" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
