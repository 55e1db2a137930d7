import CCrypto
import GrowthBookCore

/// The one message of every failure past the input's format: bad padding, a plain text that
/// is not UTF-8 or has a NUL byte, and (FeaturePayload) one that is not a JSON object. Telling
/// them apart would tell whoever forges ciphertexts how far each got (a padding oracle).
let decryptionFailedMessage = "decryption failed: wrong key or corrupt payload"

/// Decrypts an encrypted GrowthBook payload: `"<base64 iv>.<base64 ciphertext>"`, AES-128-CBC
/// with PKCS#7 padding, under a base64 key; the plain text must be UTF-8 without NUL bytes (it
/// becomes a C string).
public func decryptPayload(_ encrypted: String, key: String) throws(RemoteError) -> String {
    var e = encrypted
    let plain = try e.withUTF8 { b in
        Result { () throws(RemoteError) -> [UInt8] in try decryptPayload(utf8: b, key: key) }
    }.get()
    // Checked to be UTF-8 already.
    return String(decoding: plain, as: UTF8.self)
}

/// `decryptPayload` on the encrypted text's bytes, giving the plain text's bytes (checked to
/// be UTF-8 without NUL). Memory: one buffer, the size of the ciphertext, which is decoded
/// into and decrypted in place; the text is read where it is (a 32 MiB payload peaked at 5x
/// its size when each step made a copy).
public func decryptPayload(utf8 encrypted: UnsafeBufferPointer<UInt8>, key: String) throws(RemoteError) -> [UInt8] {
    let dots = encrypted.indices.filter { encrypted[$0] == UInt8(ascii: ".") }
    guard dots.count == 1, let dot = dots.first else {
        throw RemoteError(.decrypt, "encrypted payload must be \"<iv>.<ciphertext>\"")
    }
    guard let keyBytes = Base64.decode(key) else { throw RemoteError(.decrypt, "decryption key is not valid base64") }
    guard keyBytes.count == 16 else {
        throw RemoteError(.decrypt, "decryption key must be 16 bytes (AES-128), got \(keyBytes.count)")
    }
    guard let iv = Base64.decode(encrypted[..<dot]), iv.count == 16 else {
        throw RemoteError(.decrypt, "encrypted payload has an invalid IV")
    }
    // Room for the block EVP_DecryptUpdate may write beyond the input's length.
    guard var buffer = Base64.decode(encrypted[(dot + 1)...], extraCapacity: 16), !buffer.isEmpty,
        buffer.count % 16 == 0
    else {
        throw RemoteError(.decrypt, "encrypted payload has an invalid ciphertext")
    }
    // libcrypto takes an int length.
    guard buffer.count < Int(Int32.max) - 16 else {
        throw RemoteError(.decrypt, "encrypted payload is too large (\(buffer.count) bytes)")
    }
    guard let ctx = EVP_CIPHER_CTX_new() else { throw RemoteError(.decrypt, "out of memory in libcrypto") }
    defer { EVP_CIPHER_CTX_free(ctx) }
    let length = buffer.count
    buffer.append(contentsOf: repeatElement(0, count: 16))  // within the reserved capacity
    var written: Int32 = 0
    var final: Int32 = 0
    // CBC decryption in place: EVP allows the output to be the input buffer itself.
    let ok = keyBytes.withUnsafeBufferPointer { k in
        iv.withUnsafeBufferPointer { v in
            buffer.withUnsafeMutableBufferPointer { p -> Bool in
                guard let base = p.baseAddress,
                    EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), nil, k.baseAddress, v.baseAddress) == 1,
                    EVP_DecryptUpdate(ctx, base, &written, base, Int32(length)) == 1,
                    EVP_DecryptFinal_ex(ctx, base + Int(written), &final) == 1
                else { return false }
                return true
            }
        }
    }
    ERR_clear_error()
    guard ok else { throw RemoteError(.decrypt, decryptionFailedMessage) }
    buffer.removeSubrange(Int(written + final)...)
    let valid = buffer.withUnsafeBufferPointer { b in !b.contains(0) && invalidUTF8Offset(b) == nil }
    guard valid else { throw RemoteError(.decrypt, decryptionFailedMessage) }
    return buffer
}
