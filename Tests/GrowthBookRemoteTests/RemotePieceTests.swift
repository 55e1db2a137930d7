import GrowthBookCore
import Testing

@testable import GrowthBookRemote

@Suite struct ServerSentEventParserTests {
    @Test func eventsSplitAcrossChunksAndLineEndings() {
        var p = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in [": hello\r\n", "event: features\r\ndata: {\"a\":", "1}\r\n\r", "\nevent: x\n", "data: l1\ndata: l2\n\n",
            "data: plain\n\n"]
        {
            events += p.feed(Array(chunk.utf8))
        }
        #expect(
            events == [
                ServerSentEvent(name: "features", data: "{\"a\":1}"), ServerSentEvent(name: "x", data: "l1\nl2"),
                ServerSentEvent(name: "message", data: "plain"),
            ])
    }
}

extension ServerSentEventParserTests {
    /// An event past the size limit is dropped whole, its memory released, and the stream goes
    /// on with the next event.
    @Test func oversizedEventsAreDroppedWhole() {
        var p = ServerSentEventParser(maxEventBytes: 64)
        var events: [ServerSentEvent] = []
        events += p.feed(Array("event: features\ndata: ".utf8))
        for _ in 0..<1000 { events += p.feed(Array(String(repeating: "x", count: 100).utf8)) }
        events += p.feed(Array("\ndata: more of the same event\n\nevent: features\ndata: {}\n\n".utf8))
        #expect(events == [ServerSentEvent(name: "features", data: "{}")])
    }
}

@Suite struct RemoteConfigTests {
    @Test func readsOptionsAndNormalisesTheHost() throws {
        let c = try RemoteConfig(options: [
            "apiHost": "https://example.com//", "clientKey": "sdk-1", "cacheTTL": 5, "streaming": true,
            "refreshInterval": 1e300,
        ])
        #expect(c.featuresURL == "https://example.com/api/features/sdk-1")
        #expect(c.streamURL == "https://example.com/sub/sdk-1")
        #expect(c.cacheTTL == 5)
        #expect(c.streaming)
        #expect(c.refreshInterval == 365 * 86_400)
        #expect(RemoteConfig().featuresURL == "https://cdn.growthbook.io/api/features/")
        #expect(try RemoteConfig(options: ["refreshInterval": 0.01]).refreshInterval == 1)
        #expect(try RemoteConfig(options: ["refreshInterval": 0]).refreshInterval == 0)
        #expect(try RemoteConfig(options: ["refreshInterval": 2.5]).refreshInterval == 2.5)
        #expect(throws: RemoteError.self) { try RemoteConfig(options: ["timeout": 0]) }
        #expect(throws: RemoteError.self) { try RemoteConfig(options: ["cacheTTL": -1]) }
        #expect(throws: RemoteError.self) { try RemoteConfig(options: ["clientKey": 5]) }
    }
}

@Suite struct FeaturePayloadTests {
    static let key = "Zvwv/+uhpFDznZ6SX28Yjg=="
    static let encrypted = "m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj"

    @Test func plainAndEncryptedPayloads() throws {
        let plain = try FeaturePayload(body: Array(#"{"features":{"f":{"defaultValue":1}},"savedGroups":{"g":[1]}}"#.utf8), from: "t")
        let fs = try plain.featureSet(decryptionKey: "")
        #expect(fs.defaultValue("f") == 1)
        #expect(fs.savedGroups?["g"] == [1])
        let enc = try FeaturePayload(json: ["encryptedFeatures": .string(Self.encrypted)], from: "t")
        #expect(try enc.featureSet(decryptionKey: Self.key).defaultValue("feature") == true)
        #expect(throws: RemoteError.self) { try enc.featureSet(decryptionKey: "") }
        #expect(throws: RemoteError.self) { try enc.featureSet(decryptionKey: "Zvwv/+uhpFDznZ6SX39Yjg==") }
    }

    @Test func badPayloads() {
        for (body, kind) in [("{\"features\":", RemoteError.Kind.json), ("[]", .json), ("{\"other\":1}", .http)] {
            do {
                _ = try FeaturePayload(body: Array(body.utf8), from: "t")
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.kind == kind, "\(body)")
            }
        }
    }
}

@Suite struct CurlProtocolTests {
    /// An https URL may only go (and be redirected) to https: no downgrade to plain http;
    /// anything but http and https is refused before a connection is made.
    @Test func onlyHTTPAndHTTPSWithoutDowngrade() {
        #expect(CurlTransport.allowedProtocols(for: "https://cdn.growthbook.io/api/features/k") == "https")
        #expect(CurlTransport.allowedProtocols(for: "HTTPS://example.com") == "https")
        #expect(CurlTransport.allowedProtocols(for: "http://127.0.0.1:8080/x") == "http,https")
        #expect(CurlTransport.allowedProtocols(for: "127.0.0.1:8080/x") == "http,https")
        for url in ["ftp://example.com/x", "file:///etc/passwd", "gopher://h/", "dict://h/", "scp://h/x"] {
            #expect(CurlTransport.allowedProtocols(for: url) == nil)
        }
    }
}

@Suite struct RefreshBackoffTests {
    /// After failures the wait grows exponentially, stays in [interval, cap], and is jittered.
    @Test func exponentialWithJitter() {
        #expect(CacheEntry.retryDelay(after: 1, failures: 0) == 1)
        var seen = Set<Double>()
        for failures in 1...40 {
            let upper = min(Double(1 << min(failures, 20)), CacheEntry.maxBackoff)
            for _ in 0..<50 {
                let d = CacheEntry.retryDelay(after: 1, failures: failures)
                #expect(d >= max(1, upper / 2) && d <= upper)
                seen.insert(d)
            }
        }
        #expect(seen.count > 100)  // jittered, not one fixed schedule
        // An interval longer than the cap is never shortened.
        #expect(CacheEntry.retryDelay(after: 3_600, failures: 5) == 3_600)
    }
}

extension ServerSentEventParserTests {
    /// An event made of many short `data:` lines is buffered in about the bytes of its data, not
    /// a String per line (which made a 64 MiB event peak at 294 MB; issue 12): 8 MiB of
    /// "data: x" lines are held in at most half of that (the values and newlines, 2 MiB, in a
    /// buffer grown by doubling; a String per line held 17.5 MB), and the event comes out whole.
    @Test func manyShortDataLinesBufferCompactly() {
        let lines = 1 << 20
        let chunk = Array(String(repeating: "data: x\n", count: 4096).utf8)
        var p = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for _ in 0..<(lines / 4096) { events += p.feed(chunk) }
        let input = lines * 8
        #expect(events.isEmpty)
        // (A capacity is what malloc made usable, which can be a few bytes over a power of two:
        // 4,194,320 was seen; a page of slack keeps the bound about the buffer, not malloc.)
        #expect(
            p.bufferedBytes <= input / 2 + 4096, "holds \(p.bufferedBytes) bytes for \(input) bytes of short data lines")
        events += p.feed(Array("\n".utf8))
        #expect(events.count == 1)
        #expect(events.first?.data.utf8.count == lines * 2 - 1)
        #expect(p.bufferedBytes < 4096, "the buffers are released with the event (\(p.bufferedBytes) bytes kept)")
    }

    /// One long data line is held once, at about its size.
    @Test func oneLongDataLineBuffersOnce() {
        var p = ServerSentEventParser()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 65536)
        _ = p.feed(Array("data: ".utf8))
        for _ in 0..<128 { _ = p.feed(piece) }
        #expect(p.bufferedBytes <= 2 * 128 * 65536, "holds \(p.bufferedBytes) bytes for 8 MiB in one line")
        let events = p.feed(Array("\n\n".utf8))
        #expect(events.first?.data.utf8.count == 128 * 65536)
    }

    /// Fields as the format defines them: no colon (the whole line names the field, value
    /// empty), one optional space after the colon, unknown fields and comments ignored, the
    /// last event name wins, an event with no data is not dispatched, an empty data line is.
    @Test func fieldEdgeCases() {
        var p = ServerSentEventParser()
        let events = p.feed(Array("data\n\nevent: a\nevent:b\nid: 7\nretry: 5\n: c\ndata:  two spaces\n\nevent: none\n\ndata:\n\n".utf8))
        #expect(
            events == [
                ServerSentEvent(name: "message", data: ""), ServerSentEvent(name: "b", data: " two spaces"),
                ServerSentEvent(name: "message", data: ""),
            ])
    }
}

@Suite struct HeaderValueTests {
    /// A header line ends in "\r\n", which Swift reads as one Character: it must be trimmed
    /// all the same (an ETag sent back with a CRLF inside would be a malformed request).
    @Test func headerValuesLoseTheirLineEnd() {
        #expect(Substring(" \"abc\"\r\n").trimmingSpaces == "\"abc\"")
        #expect(Substring("\tv \n").trimmingSpaces == "v")
        #expect(Substring("v\r").trimmingSpaces == "v")
    }
}
