import CCrypto

/// The one message of every failure past the input's format: bad padding, a plain text that
/// is not UTF-8 or has a NUL byte, and (FeaturePayload) one that is not a JSON object. Telling
/// them apart would tell whoever forges ciphertexts how far each got (a padding oracle).
let decryptionFailedMessage = "decryption failed: wrong key or corrupt payload"

/// Decrypts an encrypted GrowthBook payload: `"<base64 iv>.<base64 ciphertext>"`, AES-128-CBC
/// with PKCS#7 padding, under a base64 key; the plain text must be UTF-8 without NUL bytes (it
/// becomes a C string).
public func decryptPayload(_ encrypted: String, key: String) throws(RemoteError) -> String {
    let parts = encrypted.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2 else {
        throw RemoteError(.decrypt, "encrypted payload must be \"<iv>.<ciphertext>\"")
    }
    guard let keyBytes = Base64.decode(key) else { throw RemoteError(.decrypt, "decryption key is not valid base64") }
    guard keyBytes.count == 16 else {
        throw RemoteError(.decrypt, "decryption key must be 16 bytes (AES-128), got \(keyBytes.count)")
    }
    guard let iv = Base64.decode(String(parts[0])), iv.count == 16 else {
        throw RemoteError(.decrypt, "encrypted payload has an invalid IV")
    }
    guard let ciphertext = Base64.decode(String(parts[1])), !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
        throw RemoteError(.decrypt, "encrypted payload has an invalid ciphertext")
    }
    // libcrypto takes an int length.
    guard ciphertext.count < Int(Int32.max) - 16 else {
        throw RemoteError(.decrypt, "encrypted payload is too large (\(ciphertext.count) bytes)")
    }
    guard let ctx = EVP_CIPHER_CTX_new() else { throw RemoteError(.decrypt, "out of memory in libcrypto") }
    defer { EVP_CIPHER_CTX_free(ctx) }
    var plain = [UInt8](repeating: 0, count: ciphertext.count + 16)
    var written: Int32 = 0
    var final: Int32 = 0
    let ok = keyBytes.withUnsafeBufferPointer { k in
        iv.withUnsafeBufferPointer { v in
            ciphertext.withUnsafeBufferPointer { c in
                plain.withUnsafeMutableBufferPointer { p -> Bool in
                    guard EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), nil, k.baseAddress, v.baseAddress) == 1,
                        EVP_DecryptUpdate(ctx, p.baseAddress, &written, c.baseAddress, Int32(c.count)) == 1,
                        let base = p.baseAddress,
                        EVP_DecryptFinal_ex(ctx, base + Int(written), &final) == 1
                    else { return false }
                    return true
                }
            }
        }
    }
    ERR_clear_error()
    guard ok else { throw RemoteError(.decrypt, decryptionFailedMessage) }
    plain.removeSubrange(Int(written + final)...)
    guard !plain.contains(0), let text = String(validating: plain, as: UTF8.self) else {
        throw RemoteError(.decrypt, decryptionFailedMessage)
    }
    return text
}
