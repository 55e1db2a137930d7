// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
// call, so each argument type gets a typed wrapper.
#ifndef GB_CCURL_SHIM_H
#define GB_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode gb_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode gb_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode gb_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode gb_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode gb_curl_setopt_write(CURL *c, CURLoption o, curl_write_callback v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode gb_curl_setopt_xferinfo(CURL *c, curl_xferinfo_callback v) {
    return curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, v);
}
/* Only http and https, for the request and for every redirect it follows; with https_only
 * (the URL is https) only https, so no redirect downgrades to plain http. Fails (the caller
 * then refuses the request) when libcurl cannot restrict the protocols. */
static inline CURLcode gb_curl_restrict_protocols(CURL *c, int https_only) {
    const char *allowed = https_only ? "https" : "http,https";
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0: the _STR options */
    CURLcode rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, allowed);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, allowed);
#else
    long mask = https_only ? CURLPROTO_HTTPS : (CURLPROTO_HTTP | CURLPROTO_HTTPS);
    (void)allowed;
    CURLcode rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS, mask);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, mask);
#endif
}
static inline CURLcode gb_curl_setopt_opensocket(CURL *c, curl_opensocket_callback v) {
    return curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, v);
}
static inline CURLcode gb_curl_setopt_closesocket(CURL *c, curl_closesocket_callback v) {
    return curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, v);
}
static inline CURLcode gb_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }

#endif
