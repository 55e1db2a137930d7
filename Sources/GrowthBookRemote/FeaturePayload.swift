import GrowthBookCore

/// A features payload of the GrowthBook API, as received: `features` or `encryptedFeatures`,
/// and optionally `savedGroups` or `encryptedSavedGroups`.
struct FeaturePayload: Sendable {
    let object: JSONObject

    /// Parses a response body; a payload with neither features nor encrypted features is an error.
    init(body: [UInt8], from url: String) throws(RemoteError) {
        let json: JSON
        do {
            json = try JSON.parse(body)
        } catch {
            throw RemoteError(.json, "malformed features JSON from \(url): \(error)")
        }
        try self.init(json: json, from: url)
    }

    init(json: JSON, from source: String) throws(RemoteError) {
        guard case .object(let o) = json else {
            throw RemoteError(.json, "features payload from \(source) is not a JSON object")
        }
        guard o["features"]?.objectValue != nil || o["encryptedFeatures"]?.stringValue != nil else {
            throw RemoteError(.http, "payload from \(source) has no features")
        }
        object = o
    }

    /// The features and saved groups, decrypted with `key` where encrypted, compiled for
    /// `semantics`.
    func featureSet(decryptionKey key: String, semantics: Semantics = .default) throws(RemoteError) -> Snapshot {
        let features = try section("features", key: key) ?? JSONObject()
        let groups = try section("savedGroups", key: key)
        // Spec 0.8.0 payloads carry the contextual bandits beside the features (the js
        // semantics reads them; python-1.1.0's rules have no bandits).
        let bandits = semantics.readsContextualBandits ? try section("contextualBandits", key: key) : nil
        return Snapshot(
            features: features, savedGroups: groups?.isEmpty == false ? groups : nil,
            contextualBandits: bandits?.isEmpty == false ? bandits : nil, semantics: semantics)
    }

    private func section(_ name: String, key: String) throws(RemoteError) -> JSONObject? {
        let encryptedName = "encrypted" + name.prefix(1).uppercased() + name.dropFirst()
        if let encrypted = object[encryptedName]?.stringValue {
            guard !key.isEmpty else {
                throw RemoteError(.decrypt, "the payload's \(name) are encrypted: set decryptionKey")
            }
            // Every failure to decrypt, or to read what was decrypted, gives one message (see
            // `decryptionFailedMessage`), naming only the section.
            let failed = RemoteError(.decrypt, "the payload's \(encryptedName): \(decryptionFailedMessage)")
            var text = encrypted
            let plain: [UInt8]
            do throws(RemoteError) {
                plain = try text.withUTF8 { b in
                    Result { () throws(RemoteError) -> [UInt8] in try decryptPayload(utf8: b, key: key) }
                }.get()
            } catch {
                // Errors of the input's format (not "<iv>.<ciphertext>", bad base64, key size)
                // say what is wrong; they tell nothing of the plain text.
                if error.message == decryptionFailedMessage { throw failed }
                throw error
            }
            guard let json = try? JSON.parse(plain), case .object(let o) = json else { throw failed }
            return o
        }
        return object[name]?.objectValue
    }
}
