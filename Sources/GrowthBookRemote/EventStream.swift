import GrowthBookCore
import GrowthBookRedis

/// A server-sent-events connection to `{apiHost}/sub/{clientKey}`, as the latest GrowthBook
/// SDKs keep one: each `features` event replaces the cached payload and is pushed to the
/// subscribed handles; `features-updated` asks for a fetch (coalesced with any in flight). A dropped connection is reopened
/// with exponential backoff (0.5 s doubling to 30 s). The thread ends once no live handle wants
/// the stream.
struct EventStream {
    let entry: CacheEntry
    let config: RemoteConfig

    func run(_ token: BackgroundThreads.StopToken) {
        var backoff = 0.5
        while !token.isStopped && entry.streamWanted() {
            var parser = ServerSentEventParser()
            var received = false
            let sink = CurlTransport.Sink()
            let entry = self.entry
            let config = self.config
            sink.onData = { bytes in
                received = true
                for event in parser.feed(bytes) where !token.isStopped {
                    Self.handle(event, entry: entry, config: config, token)
                }
                return !token.isStopped
            }
            sink.shouldStop = { !entry.streamWanted() }
            let result = CurlTransport.shared.perform(
                url: config.streamURL, headers: [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")],
                timeout: 0, sink: sink)
            if case .success(200) = result, received { backoff = 0.5 }
            let until = monotonicSeconds() + backoff
            while monotonicSeconds() < until {
                if !entry.streamWanted() { return }
                if !token.pause(min(0.1, until - monotonicSeconds())) { return }
            }
            backoff = min(backoff * 2, 30)
        }
    }

    static func handle(_ event: ServerSentEvent, entry: CacheEntry, config: RemoteConfig, _ token: BackgroundThreads.StopToken) {
        switch event.name {
        case "features":
            guard let json = try? JSON.parse(event.data), let payload = try? FeaturePayload(json: json, from: "stream")
            else { return }
            entry.apply(payload, token)
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
///
/// Bytes go straight into the event's buffers as they arrive: a `data` value into one byte
/// buffer (each line's value and a newline), an `event` value into the name. No line is kept
/// whole and nothing is made per line, so an event costs about the bytes of its data while it
/// is read (a String per `data:` line made a 64 MiB event of short lines peak at 294 MB), and
/// one copy more when it is dispatched as text.
struct ServerSentEventParser {
    /// Where the bytes of the current line go.
    private enum Part {
        /// The field name, up to a colon or the end of the line.
        case field
        /// Just after the colon: a space here is skipped.
        case valueStart
        /// The value of the field `target`.
        case value
    }

    private enum Target {
        case data, event, ignored
    }

    private var part = Part.field
    private var target = Target.ignored
    /// The field name so far (at most `maxFieldBytes`; a longer one is no field we read).
    private var field: [UInt8] = []
    private var lineIsEmpty = true
    private var lastWasCR = false

    private var name: [UInt8] = []
    /// Every `data` value of the event so far, each followed by a newline.
    private var data: [UInt8] = []
    private var hasData = false

    /// An event larger than this is dropped (up to the blank line that ends it) rather than
    /// buffered without bound.
    let maxEventBytes: Int
    private var eventBytes = 0
    /// Skipping the rest of an event that grew past `maxEventBytes`.
    private var dropping = false
    private var droppedLineIsEmpty = true

    private static let maxFieldBytes = 16

    init(maxEventBytes: Int = 64 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    /// The bytes of memory held for the event being read (the capacity of its buffers).
    var bufferedBytes: Int { data.capacity + name.capacity + field.capacity }

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
                continue
            }
            eventBytes += 1
            if eventBytes > maxEventBytes {
                reset()
                dropping = true
                droppedLineIsEmpty = false
                continue
            }
            take(b)
        }
        return events
    }

    /// One byte of a line (not a line ending).
    private mutating func take(_ b: UInt8) {
        defer { lineIsEmpty = false }
        switch part {
        case .field:
            if b == UInt8(ascii: ":") {
                // A line that starts with a colon is a comment: its bytes go nowhere.
                target = lineIsEmpty ? .ignored : Self.target(of: field)
                if target == .event { name.removeAll(keepingCapacity: true) }  // the last name wins
                part = lineIsEmpty ? .value : .valueStart
                field.removeAll(keepingCapacity: true)
            } else if field.count < Self.maxFieldBytes {
                field.append(b)
            } else {
                field.append(b)  // too long to be a field we read; ends as `.ignored`
                target = .ignored
                part = .value
                field.removeAll(keepingCapacity: true)
            }
        case .valueStart:
            part = .value
            if b != UInt8(ascii: " ") { append(b) }
        case .value:
            append(b)
        }
    }

    private mutating func append(_ b: UInt8) {
        switch target {
        case .data: data.append(b)
        case .event: name.append(b)
        case .ignored: break
        }
    }

    private static func target(of field: [UInt8]) -> Target {
        if field.elementsEqual("data".utf8) { return .data }
        if field.elementsEqual("event".utf8) { return .event }
        return .ignored
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer {
            part = .field
            target = .ignored
            field.removeAll(keepingCapacity: true)
            lineIsEmpty = true
        }
        if lineIsEmpty {
            defer { reset() }
            guard hasData else { return nil }
            if data.last == 0x0A { data.removeLast() }
            let eventName = name.isEmpty ? "message" : String(decoding: name, as: UTF8.self)
            return ServerSentEvent(name: eventName, data: String(decoding: data, as: UTF8.self))
        }
        if part == .field {
            // No colon: the whole line names the field, with an empty value.
            target = Self.target(of: field)
        }
        switch target {
        case .data:
            data.append(0x0A)
            hasData = true
        case .event where part == .field:
            name.removeAll()  // "event" alone: an empty name
        default:
            break
        }
        return nil
    }

    /// Starts a new event; its buffers' memory is released.
    private mutating func reset() {
        name = []
        data = []
        hasData = false
        eventBytes = 0
        part = .field
        target = .ignored
        field = []
        lineIsEmpty = true
    }
}
