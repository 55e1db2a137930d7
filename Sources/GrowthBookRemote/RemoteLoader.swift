import GrowthBookCore

/// Loading features from a GrowthBook API host into a context.
public enum RemoteLoader {
    /// Installs the features for `config` into `gb`: from the process-wide cache, or fetched.
    /// On failure `gb` keeps its features. With streaming or a refresh interval, `gb` also
    /// receives later updates until it is freed.
    public static func load(_ config: RemoteConfig, into gb: GrowthBook) throws(RemoteError) {
        guard !config.clientKey.isEmpty else {
            throw RemoteError(.invalidArgument, "clientKey is not set: pass it in the options of gb_create")
        }
        let entry = FeatureCache.entry(for: config)
        let features = try entry.features(for: config, semantics: gb.semantics) { [weak gb] level, message in
            gb?.log(level, message)
        }
        gb.setFeatures(features)
        gb.log(.debug, "Loaded features from \(config.featuresURL)")
        if config.streaming || config.refreshInterval > 0 {
            entry.subscribe(gb, config: config)
        }
    }

    /// Forgets every cached payload.
    public static func clearCache() {
        FeatureCache.clear()
    }
}
