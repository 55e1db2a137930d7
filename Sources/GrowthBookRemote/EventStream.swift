import GrowthBookCore

/// A server-sent-events connection to `{apiHost}/sub/{clientKey}`, as the latest GrowthBook
/// SDKs keep one: each `features` event replaces the cached payload and is pushed to the
/// subscribed handles; `features-updated` asks for a fetch (coalesced with any in flight). A dropped connection is reopened
/// with exponential backoff (0.5 s doubling to 30 s). The thread ends once no live handle wants
/// the stream.
struct EventStream {
    let entry: CacheEntry
    let config: RemoteConfig

    func run() {
        var backoff = 0.5
        while entry.streamWanted() {
            var parser = ServerSentEventParser()
            var received = false
            let sink = CurlTransport.Sink()
            let entry = self.entry
            let config = self.config
            sink.onData = { bytes in
                received = true
                for event in parser.feed(bytes) { Self.handle(event, entry: entry, config: config) }
                return true
            }
            sink.shouldStop = { !entry.streamWanted() }
            let result = CurlTransport.shared.perform(
                url: config.streamURL, headers: [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")],
                timeout: 0, sink: sink)
            if case .success(200) = result, received { backoff = 0.5 }
            let until = monotonicSeconds() + backoff
            while monotonicSeconds() < until {
                if !entry.streamWanted() { return }
                sleepSeconds(min(0.1, until - monotonicSeconds()))
            }
            backoff = min(backoff * 2, 30)
        }
    }

    static func handle(_ event: ServerSentEvent, entry: CacheEntry, config: RemoteConfig) {
        switch event.name {
        case "features":
            guard let json = try? JSON.parse(event.data), let payload = try? FeaturePayload(json: json, from: "stream")
            else { return }
            entry.apply(payload)
        case "features-updated":
            entry.requestRefresh(config)  // coalesced: one in flight per entry
        default:
            break
        }
    }
}

struct ServerSentEvent: Equatable {
    var name: String
    var data: String
}

/// The `text/event-stream` format: lines of `field: value`, an event dispatched at each blank
/// line, `:` comments ignored, `data` lines joined with newlines.
struct ServerSentEventParser {
    private var line: [UInt8] = []
    private var name = ""
    private var data: [String] = []
    private var lastWasCR = false
    /// An event larger than this is dropped (up to the blank line that ends it) rather than
    /// buffered without bound.
    let maxEventBytes: Int
    private var eventBytes = 0
    /// Skipping the rest of an event that grew past `maxEventBytes`.
    private var dropping = false
    private var droppedLineIsEmpty = true

    init(maxEventBytes: Int = 64 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    mutating func feed(_ bytes: [UInt8]) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for b in bytes {
            if b == 0x0A && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = b == 0x0D
            let endOfLine = b == 0x0A || b == 0x0D
            if dropping {
                // A blank line ends the dropped event; anything else belongs to it.
                if endOfLine {
                    if droppedLineIsEmpty { dropping = false }
                    droppedLineIsEmpty = true
                } else {
                    droppedLineIsEmpty = false
                }
                continue
            }
            if endOfLine {
                if let e = endLine() { events.append(e) }
            } else {
                line.append(b)
                eventBytes += 1
                if eventBytes > maxEventBytes {
                    line.removeAll()
                    reset()
                    dropping = true
                    droppedLineIsEmpty = false
                }
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer { reset() }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(name: name.isEmpty ? "message" : name, data: data.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        var field = Substring(text)
        var value = Substring("")
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        }
        switch field {
        case "event": name = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }

    private mutating func reset() {
        name = ""
        data.removeAll()
        eventBytes = 0
    }
}
