import GrowthBookCore
import Testing

@testable import GrowthBookRedis

@Suite struct RedisEndpointTests {
    @Test func urlsAsRedisClientsReadThem() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1") == RedisEndpoint())
        #expect(try RedisEndpoint(url: "redis://localhost:6380/2") == RedisEndpoint(host: "localhost", port: 6380, database: 2))
        #expect(
            try RedisEndpoint(url: "redis://:p%40ss@h:1/0") == RedisEndpoint(host: "h", port: 1, password: "p@ss"))
        #expect(
            try RedisEndpoint(url: "redis://me:pw@h") == RedisEndpoint(host: "h", username: "me", password: "pw"))
        #expect(try RedisEndpoint(url: "redis://secret@h") == RedisEndpoint(host: "h", password: "secret"))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000") == RedisEndpoint(host: "::1", port: 7000))
        #expect(try RedisEndpoint(url: "redis://h/") == RedisEndpoint(host: "h"))
    }

    @Test func badURLsAreRefused() {
        for url in [
            "http://h", "rediss://h", "redis://", "redis://:pw@", "redis://h:0", "redis://h:65536", "redis://h:x",
            "redis://h/x", "redis://h/-1", "redis://[::1", "redis://:%zz@h", "redis://h/99999",
        ] {
            #expect(throws: RedisError.self, "\(url)") { try RedisEndpoint(url: url) }
        }
    }

    @Test func descriptionsHideThePassword() throws {
        #expect(try RedisEndpoint(url: "redis://u:secret@h:1/3").description == "redis://u:***@h:1/3")
    }
}

@Suite struct RedisStickyOptionsTests {
    func options(_ text: String) throws -> RedisStickyBucketService.Options {
        guard case .object(let o) = try JSON.parse(text) else { throw RedisError(.invalidURL, "not an object") }
        return try RedisStickyBucketService.Options(options: o)
    }

    @Test func optionsAndDefaults() throws {
        let o = try options(#"{"redis": "redis://h:1/2"}"#)
        #expect(o.endpoint == RedisEndpoint(host: "h", port: 1, database: 2))
        #expect(o.prefix == "" && o.ttl == 0 && o.timeout == 0.05)
        let p = try options(#"{"redis": "redis://h", "prefix": "gb:", "ttl": 1.5, "timeout": 2}"#)
        #expect(p.prefix == "gb:" && p.ttl == 2 && p.timeout == 2)
    }

    @Test func badOptionsAreRefused() {
        for text in [
            #"{}"#, #"{"redis": 1}"#, #"{"redis": "redis://h", "ttl": -1}"#, #"{"redis": "redis://h", "ttl": "1"}"#,
            #"{"redis": "redis://h", "timeout": 0}"#, #"{"redis": "redis://h", "prefix": 3}"#,
        ] {
            #expect(throws: RedisError.self, "\(text)") { try options(text) }
        }
    }

    /// What the JS service accepts as a stored document, and nothing else.
    @Test func storedDocumentsAreCheckedAsTheJSServiceChecksThem() {
        let good = #"{"attributeName":"id","attributeValue":"1","assignments":{"e__0":"a"}}"#
        #expect(RedisStickyBucketService.document(Array(good.utf8)) != nil)
        for bad in [
            "not json", "[1]", #"{"attributeValue":"1","assignments":{}}"#, #"{"attributeName":"","attributeValue":"1","assignments":{}}"#,
            #"{"attributeName":"id","assignments":{}}"#, #"{"attributeName":"id","attributeValue":"1","assignments":[]}"#,
        ] {
            #expect(RedisStickyBucketService.document(Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}
