#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRedis

/// The process-wide cache of feature payloads, keyed by API host and client key, shared by
/// every handle.
enum FeatureCache {
    /// Guards `entries` and `known`. A pthread mutex (not a Synchronization.Mutex) because the
    /// fork handlers hold it from before fork() until after.
    private static let lock = ConditionLock()
    nonisolated(unsafe) private static var entries: [String: CacheEntry] = [:]
    /// Every entry alive, cached or not (`clear` drops entries whose streams and refreshers
    /// carry on): the fork handlers reach them all.
    nonisolated(unsafe) private static var known: [WeakEntry] = []

    private struct WeakEntry {
        weak var entry: CacheEntry?
    }

    static func entry(for config: RemoteConfig) -> CacheEntry {
        _ = forkHandlersInstalled
        return lock.withLock {
            if let e = entries[config.cacheKey] { return e }
            let e = CacheEntry(key: config.cacheKey)
            entries[config.cacheKey] = e
            known.removeAll { $0.entry == nil }
            known.append(WeakEntry(entry: e))
            return e
        }
    }

    /// Forgets every payload; entries kept alive by running streams or refreshers carry on
    /// for their handles, but new loads start afresh.
    static func clear() {
        lock.withLock { entries.removeAll() }
    }

    // MARK: fork()

    /// In a child of fork() only the forking thread exists: the parent's refreshers, streams
    /// and refresh threads are gone, with their entries still marked running (so they would
    /// never start again), and a lock one of them held at that moment would stay locked. So
    /// before fork() every entry's lock is taken (no thread is inside one then), the parent
    /// releases them afterwards, and the child releases them with every background flag reset
    /// and starts again, for the handles subscribed, the streams and refreshers they need.
    private static let forkHandlersInstalled: Bool =
        pthread_atfork(
            { FeatureCache.prepareFork() }, { FeatureCache.parentAfterFork() },
            { FeatureCache.childAfterFork() }) == 0

    /// The entries locked by `prepareFork`, in locking order.
    nonisolated(unsafe) private static var lockedForFork: [CacheEntry] = []

    /// The thread registry's locks come last (and are released first): the child restarts
    /// threads, which takes the registry's lock, only once everything is released.
    private static func prepareFork() {
        lock.lock()
        lockedForFork = known.compactMap { $0.entry }
        for e in lockedForFork { e.lock.lock() }
        BackgroundThreads.prepareFork()
    }

    private static func parentAfterFork() {
        BackgroundThreads.parentAfterFork()
        for e in lockedForFork.reversed() { e.lock.unlock() }
        lockedForFork = []
        lock.unlock()
    }

    private static func childAfterFork() {
        BackgroundThreads.childAfterFork()
        let restarts = lockedForFork.map { e -> CacheEntry.BackgroundRestart in
            e.lock.resetConditionAfterFork()
            return e.resetAfterForkLocked()
        }
        for e in lockedForFork.reversed() { e.lock.unlock() }
        let entriesToRestart = lockedForFork
        lockedForFork = []
        lock.unlock()
        for (e, restart) in zip(entriesToRestart, restarts) { e.restart(restart) }
    }
}

/// A handle that wants updates pushed (streaming or periodic refresh). Held weakly: freeing
/// the handle unsubscribes it.
struct Subscriber {
    weak var gb: GrowthBook?
    /// The handle's remote options (what a restarted stream or refresher runs with).
    let config: RemoteConfig
    var decryptionKey: String { config.decryptionKey }
    var streaming: Bool { config.streaming }
    var refreshInterval: Double { config.refreshInterval }
}

/// One cached payload and the machinery around it: single-flight loading, stale-while-
/// revalidate refreshes, ETags, compiled feature sets per decryption key, subscribers.
final class CacheEntry: @unchecked Sendable {
    let key: String
    /// Guards every `var` below.
    let lock = ConditionLock()

    private var payload: FeaturePayload? = nil
    private var generation = 0
    private var etag: String? = nil
    private var fetchedAt = 0.0
    private var loading = false
    /// The thread fetching while `loading`: a load on that same thread (a host transport
    /// calling gb_load_features for the features it is fetching) would wait for itself.
    private var loader: ThreadID? = nil
    private var failures = 0
    private var lastError = RemoteError(.network, "no request made")
    /// A refresh is running (at most one per entry: see `requestRefresh`).
    private var refreshing = false
    /// A refresh was asked for while one ran: the running one goes once more when it ends.
    private var refreshAgain = false
    /// After a failed background refresh, stale loads wait until then before trying again,
    /// so a failing server is not asked once per load.
    private var retryAt = 0.0
    /// Background refreshes that failed in a row (0 after one that succeeded): they back off.
    private var refreshFailures = 0
    private var compiled: [CompileKey: (generation: Int, features: Snapshot)] = [:]
    private var subscribers: [Subscriber] = []
    private var streamRunning = false
    private var refresherRunning = false
    /// Which start of the stream (refresher) is the current one: a thread stopped by
    /// `gb_shutdown` that ends after a later start must not mark the new one stopped.
    private var streamStart = 0
    private var refresherStart = 0

    init(key: String) {
        self.key = key
    }

    // MARK: Loading

    /// The feature set for `config`: fresh from the cache, stale while a refresh runs in the
    /// background, or fetched now (once, however many threads ask at the same time).
    func features(for config: RemoteConfig, semantics: Semantics, log: @escaping Log) throws(RemoteError) -> Snapshot {
        let (current, gen) = try payloadForLoad(config, log: log)
        return try compile(current, generation: gen, key: CompileKey(decryptionKey: config.decryptionKey, semantics: semantics))
    }

    /// A payload compiles once per decryption key and semantics (handles of one entry may
    /// differ in both).
    struct CompileKey: Hashable {
        let decryptionKey: String
        let semantics: Semantics
    }

    typealias Log = @Sendable (LogLevel, String) -> Void

    private func payloadForLoad(_ config: RemoteConfig, log: @escaping Log) throws(RemoteError) -> (FeaturePayload, Int) {
        var startRefresh = false
        var fetchNow = false
        var result: (FeaturePayload, Int)? = nil
        var waitError: RemoteError? = nil
        // A load that waits for another thread's fetch waits at most as long as a request of
        // its own could take: a fetch that never ends (a host transport that waits for this
        // very load on another thread) cannot hang it.
        let waitLimit = max(config.timeout, 0) + 1
        let deadline = monotonicSeconds() + waitLimit
        lock.withLock {
            while true {
                if let p = payload {
                    let now = monotonicSeconds()
                    if now - fetchedAt >= config.cacheTTL && !refreshing && now >= retryAt {
                        refreshing = true
                        startRefresh = true
                    }
                    result = (p, generation)
                    return
                }
                if !loading {
                    loading = true
                    loader = ThreadID.current
                    fetchNow = true
                    return
                }
                if loader?.isCurrent == true {
                    waitError = RemoteError(
                        .network,
                        "\(config.featuresURL) is being loaded on this thread already (gb_load_features "
                            + "called from inside the host HTTP transport serving that load)")
                    return
                }
                // Another thread is fetching: wait for its outcome.
                let failuresBefore = failures
                while loading {
                    let left = deadline - monotonicSeconds()
                    if left <= 0 {
                        waitError = RemoteError(
                            .network,
                            "timed out after \(waitLimit) s waiting for another thread's load of \(config.featuresURL)")
                        return
                    }
                    lock.wait(seconds: min(left, 1))
                }
                if payload == nil && failures != failuresBefore {
                    waitError = lastError
                    return
                }
            }
        }
        if let waitError { throw waitError }
        if startRefresh { startRefreshThread(config) }
        if let result { return result }
        // This thread fetches for everyone (`fetchNow` is set whenever no result was found).
        _ = fetchNow
        let outcome = obtain(config, etag: nil, log: log)
        let stored = lock.withLock { () -> Result<(FeaturePayload, Int), RemoteError> in
            defer {
                loading = false
                loader = nil
                lock.broadcast()
            }
            switch outcome {
            case .success(.some(let got)):
                install(got.payload, etag: got.etag, age: got.age(config))
                return .success((got.payload, generation))
            case .success(.none):
                failures += 1
                lastError = RemoteError(.http, "HTTP 304 without a cached payload from \(config.featuresURL)")
                return .failure(lastError)
            case .failure(let error):
                failures += 1
                lastError = error
                return .failure(error)
            }
        }
        return try stored.get()
    }

    /// Stores a new payload (lock held), fetched `age` seconds ago.
    private func install(_ p: FeaturePayload, etag tag: String?, age: Double = 0) {
        payload = p
        etag = tag
        fetchedAt = monotonicSeconds() - age
        generation += 1
        compiled.removeAll()
    }

    /// The payload compiled for one decryption key, compiled once per payload generation.
    private func compile(_ p: FeaturePayload, generation gen: Int, key: CompileKey) throws(RemoteError) -> Snapshot {
        if let hit = lock.withLock({ compiled[key] }), hit.generation == gen { return hit.features }
        let features = try p.featureSet(decryptionKey: key.decryptionKey, semantics: key.semantics)
        lock.withLock {
            if gen == generation { compiled[key] = (gen, features) }
        }
        return features
    }

    /// A payload obtained for the process cache: from the API, or from the fleet's Redis.
    struct Obtained {
        let payload: FeaturePayload
        let etag: String?
        /// Seconds it stays fresh when it came from Redis; nil: just fetched.
        var freshFor: Double? = nil

        /// How old to make it in the process cache: as fresh as Redis has it.
        func age(_ config: RemoteConfig) -> Double {
            guard let freshFor else { return 0 }
            return max(config.cacheTTL - freshFor, 0)
        }
    }

    /// The payload for a load or a refresh: `.success(nil)` when it is unchanged from `etag`.
    private func obtain(_ config: RemoteConfig, etag: String?, log: @escaping Log) -> Result<Obtained?, RemoteError> {
        guard let options = config.redisCache else {
            return fetch(config, etag: etag).map { $0.map { Obtained(payload: $0.payload, etag: $0.etag) } }
        }
        return RedisPayloadLoad(
            cache: RedisPayloadCache(options, cacheKey: config.cacheKey), config: config, etag: etag, log: log,
            fetch: { tag in self.fetch(config, etag: tag) }
        ).run()
    }

    /// GET the payload: `.success(nil)` when the server answers 304 Not Modified.
    func fetch(_ config: RemoteConfig, etag: String?) -> Result<Fetched?, RemoteError> {
        var headers = [("Accept", "application/json")]
        if let etag { headers.append(("If-None-Match", etag)) }
        let url = config.featuresURL
        switch HTTPTransports.current.get(url: url, headers: headers, timeout: config.timeout) {
        case .failure(let error):
            return .failure(error)
        case .success(let response):
            if response.status == 304 && etag != nil { return .success(nil) }
            guard response.status >= 200 && response.status < 300 else {
                return .failure(RemoteError(.http, "HTTP \(response.status) from \(url)"))
            }
            do {
                return .success(
                    Fetched(
                        payload: try FeaturePayload(body: response.body, from: url), etag: response.headers["etag"],
                        body: response.body))
            } catch {
                return .failure(error)
            }
        }
    }

    // MARK: Refreshing

    /// Asks for a background refresh. Refreshes coalesce: at most one runs per entry at a
    /// time, and asking while one runs makes it fetch once more when it ends, so a flood of
    /// `features-updated` events costs one thread and at most two requests in a row, not one
    /// each.
    func requestRefresh(_ config: RemoteConfig) {
        let start = lock.withLock { () -> Bool in
            if refreshing {
                refreshAgain = true
                return false
            }
            refreshing = true
            return true
        }
        if start { startRefreshThread(config) }
    }

    /// Runs `runRefreshes` on a new thread (`refreshing` already set by the caller); if no
    /// thread can be made, the refresh is dropped and a later request may try again.
    private func startRefreshThread(_ config: RemoteConfig) {
        if !BackgroundThreads.start(name: "gb-refresh", { token in self.runRefreshes(config, token) }) {
            lock.withLock {
                refreshing = false
                refreshAgain = false
            }
        }
    }

    /// Refreshes on the calling thread if no refresh is running (else the running one will
    /// do); for the periodic refresher.
    private func refreshUnlessRunning(_ config: RemoteConfig, _ token: BackgroundThreads.StopToken) {
        let start = lock.withLock { () -> Bool in
            if refreshing { return false }
            refreshing = true
            return true
        }
        if start { runRefreshes(config, token) }
    }

    /// Refreshes until no further refresh was asked for (or the thread is stopped), then
    /// clears `refreshing` (which the caller set).
    private func runRefreshes(_ config: RemoteConfig, _ token: BackgroundThreads.StopToken) {
        while true {
            if !token.isStopped { refresh(config, token) }
            let again = lock.withLock { () -> Bool in
                if refreshAgain && !token.isStopped {
                    refreshAgain = false
                    return true
                }
                refreshing = false
                return false
            }
            if !again { return }
        }
    }

    /// Fetches again (conditionally, with the ETag); a changed payload replaces the cached one
    /// and the features of every subscribed handle. Called only by `runRefreshes`.
    private func refresh(_ config: RemoteConfig, _ token: BackgroundThreads.StopToken) {
        let tag = lock.withLock { etag }
        let outcome = obtain(config, etag: tag) { [weak self] level, message in
            self?.forEachSubscriber(token) { gb, _ in gb.log(level, message) }
        }
        // Stopped (gb_shutdown, or the library unloading): the transfer was aborted for that.
        if token.isStopped { return }
        var changed = false
        lock.withLock {
            switch outcome {
            case .success(.some(let got)):
                install(got.payload, etag: got.etag, age: got.age(config))
                changed = true
                refreshFailures = 0
            case .success(.none):
                fetchedAt = monotonicSeconds()
                refreshFailures = 0
            case .failure:
                refreshFailures += 1
                retryAt =
                    monotonicSeconds()
                    + Self.retryDelay(after: min(max(config.cacheTTL, 1), 30), failures: refreshFailures)
            }
        }
        if case .failure(let error) = outcome {
            forEachSubscriber(token) { gb, _ in gb.log(.warning, "Background refresh of features failed: \(error)") }
        }
        if changed { pushToAll(token) }
    }

    /// Applies a payload that arrived on the stream.
    func apply(_ p: FeaturePayload, _ token: BackgroundThreads.StopToken) {
        lock.withLock { install(p, etag: nil) }
        pushToAll(token)
    }

    private func pushToAll(_ token: BackgroundThreads.StopToken) {
        guard let (p, gen) = lock.withLock({ payload.map { ($0, generation) } }) else { return }
        forEachSubscriber(token) { gb, key in
            do {
                gb.setFeatures(
                    try compile(p, generation: gen, key: CompileKey(decryptionKey: key, semantics: gb.semantics)))
            } catch {
                gb.log(.warning, "Could not apply updated features: \(error)")
            }
        }
    }

    /// Calls `body` for each live subscriber, with no lock held, until the thread is stopped.
    private func forEachSubscriber(_ token: BackgroundThreads.StopToken, _ body: (GrowthBook, String) -> Void) {
        let live = lock.withLock { () -> [(GrowthBook, String)] in
            subscribers.removeAll { $0.gb == nil }
            return subscribers.compactMap { s in s.gb.map { ($0, s.decryptionKey) } }
        }
        for (gb, key) in live where !token.isStopped { body(gb, key) }
    }

    // MARK: Subscriptions

    /// Registers a handle for pushed updates and starts the stream or refresher it needs.
    func subscribe(_ gb: GrowthBook, config: RemoteConfig) {
        var startStream = false
        var startRefresher = false
        lock.withLock {
            subscribers.removeAll { $0.gb == nil || $0.gb === gb }
            subscribers.append(Subscriber(gb: gb, config: config))
            if config.streaming && !streamRunning {
                streamRunning = true
                startStream = true
            }
            if config.refreshInterval > 0 && !refresherRunning {
                refresherRunning = true
                startRefresher = true
            }
        }
        restart(BackgroundRestart(stream: startStream ? config : nil, refresher: startRefresher ? config : nil))
    }

    /// Which background threads to start (their flags already set), and with what options.
    struct BackgroundRestart {
        var stream: RemoteConfig?
        var refresher: RemoteConfig?
    }

    /// Starts the threads of `what`; without a thread, the flag goes back down so that a
    /// later subscription tries again.
    func restart(_ what: BackgroundRestart) {
        if let config = what.stream {
            startLoop("gb-stream", starts: \.streamStart, running: \.streamRunning) { token in
                EventStream(entry: self, config: config).run(token)
            }
        }
        if let config = what.refresher {
            startLoop("gb-refresher", starts: \.refresherStart, running: \.refresherRunning) { token in
                self.runRefresher(config, token)
            }
        }
    }

    /// Starts the thread of a stream or refresher whose `running` flag is set. When `body`
    /// ends because the thread was stopped, the flag goes down, unless a later start (counted
    /// in `starts`) owns it by then; without a thread it goes down at once.
    private func startLoop(
        _ name: StaticString, starts: ReferenceWritableKeyPath<CacheEntry, Int> & Sendable,
        running: ReferenceWritableKeyPath<CacheEntry, Bool> & Sendable,
        _ body: @escaping @Sendable (BackgroundThreads.StopToken) -> Void
    ) {
        let start = lock.withLock { () -> Int in
            self[keyPath: starts] &+= 1
            return self[keyPath: starts]
        }
        let started = BackgroundThreads.start(name: name) { token in
            body(token)
            self.lock.withLock { if token.isStopped && self[keyPath: starts] == start { self[keyPath: running] = false } }
        }
        if !started { lock.withLock { self[keyPath: running] = false } }
    }

    /// In the child of fork() (the lock held, taken before fork()): no background thread of
    /// this entry exists any more; resets what they would have reset, and says which to start
    /// again for the live subscribers (with `restart`, once the lock is released).
    func resetAfterForkLocked() -> BackgroundRestart {
        // A load in flight on another thread never ends in the child; one on this thread
        // (fork() from inside a transport callback) still will.
        if loader?.isCurrent != true {
            loading = false
            loader = nil
        }
        refreshing = false
        refreshAgain = false
        subscribers.removeAll { $0.gb == nil }
        let streamer = subscribers.first { $0.streaming }
        let refresher = subscribers.filter { $0.refreshInterval > 0 }.min { $0.refreshInterval < $1.refreshInterval }
        streamRunning = streamer != nil
        refresherRunning = refresher != nil
        return BackgroundRestart(stream: streamer?.config, refresher: refresher?.config)
    }

    /// Whether any live handle still wants the stream; when none does, marks it stopped.
    func streamWanted() -> Bool {
        lock.withLock {
            subscribers.removeAll { $0.gb == nil }
            let wanted = subscribers.contains { $0.streaming }
            if !wanted { streamRunning = false }
            return wanted
        }
    }

    /// The longest a failing entry waits between background refreshes (unless its interval is
    /// longer).
    static let maxBackoff: Double = 300

    /// The wait before the next background refresh after `failures` failed ones in a row:
    /// `interval` when the last one succeeded; else exponential backoff with jitter: the
    /// interval × 2^failures, capped at `maxBackoff` (or the interval, if longer), then a
    /// random point in the upper half of that (so processes that failed together do not
    /// retry together), never less than the interval.
    static func retryDelay(after interval: Double, failures: Int) -> Double {
        guard failures > 0 else { return interval }
        let grown = interval * Double(1 << min(failures, 20))
        let capped = min(grown, max(interval, maxBackoff))
        return max(interval, capped * Double.random(in: 0.5...1))
    }

    private func runRefresher(_ config: RemoteConfig, _ token: BackgroundThreads.StopToken) {
        while let interval = refreshInterval() {
            let wait = Self.retryDelay(after: interval, failures: lock.withLock { refreshFailures })
            // Wait in short steps so that freeing the last handle stops the thread soon
            // (stopping it wakes the wait at once).
            let until = monotonicSeconds() + wait
            while monotonicSeconds() < until {
                if !token.pause(min(0.25, until - monotonicSeconds())) { return }
                if refreshInterval() == nil { return }
            }
            refreshUnlessRunning(config, token)
            if token.isStopped { return }
        }
    }

    /// The shortest refresh interval of the live subscribers (at least
    /// `RemoteConfig.minimumRefreshInterval`); nil (and the refresher marked stopped) when none
    /// wants refreshing.
    private func refreshInterval() -> Double? {
        lock.withLock {
            subscribers.removeAll { $0.gb == nil }
            guard let shortest = subscribers.map({ $0.refreshInterval }).filter({ $0 > 0 }).min() else {
                refresherRunning = false
                return nil
            }
            return max(shortest, RemoteConfig.minimumRefreshInterval)
        }
    }
}
