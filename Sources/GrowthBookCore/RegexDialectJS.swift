/// ECMAScript RegExp (no flags, or "i"), for now compiled as before the dialects: the pattern
/// as PCRE2 reads it, with UCP (and CASELESS for "i").
enum RegexDialectJS {
    static func translate(_ pattern: String, ignoreCase: Bool) -> RegexTranslation? {
        RegexTranslation(pattern: "(*UCP)" + (ignoreCase ? "(?i)" : "") + pattern)
    }
}
