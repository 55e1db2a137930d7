/// ECMAScript RegExp (no flags, or "i"), for now read as PCRE2 reads the pattern: UTF without
/// UCP, so `\d`, `\w` and `\b` are ASCII as in a RegExp without the `u` flag (JS's `\s` is
/// wider than PCRE2's ASCII one); case-insensitive for "i". The JS dialect's own translation
/// (Annex B syntax, UTF-16 code units) is the next step of the regex-dialect work.
enum RegexDialectJS {
    static func translate(_ pattern: String, ignoreCase: Bool) -> RegexTranslation? {
        RegexTranslation(pattern: (ignoreCase ? "(?i)" : "") + pattern)
    }
}
