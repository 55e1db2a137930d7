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
static inline CURLcode gb_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }

#endif
