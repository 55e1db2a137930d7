/*
 * test_remote_reentry.c -- a host HTTP transport that calls back into the library for the
 * features it is serving must not hang (issue 12, bug 6).
 *
 *  1. During the first load of a client key, the transport calls gb_load_features on another
 *     handle with the same apiHost and clientKey: that inner load would wait for the load that
 *     called the transport. It fails at once with GB_ERR_NETWORK; the outer load completes,
 *     and a later load of the inner handle answers from the cache.
 *  2. During a background refresh (the payload cached), the transport calls gb_load_features
 *     for the same key: answered from the cache, GB_OK.
 * Run by make c-tests, and under AddressSanitizer and ThreadSanitizer (make asan, make tsan).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "growthbook.h"
#include "testutil.h"

static gb_handle *inner;
static atomic_int calls, inner_rc = 12345, inner_code = 12345, refresh_inner_rc = 12345;
static char inner_message[512];

static int transport(const char *url, const char *headers_json, gb_http_response *r, void *user_data)
{
    (void)url;
    (void)headers_json;
    (void)user_data;
    int n = atomic_fetch_add(&calls, 1);
    if (n == 0) {
        int rc = gb_load_features(inner); /* the load in flight is this thread's own */
        atomic_store(&inner_code, gb_last_error_code());
        snprintf(inner_message, sizeof inner_message, "%s", gb_last_error());
        atomic_store(&inner_rc, rc);
    } else if (n == 1) {
        atomic_store(&refresh_inner_rc, gb_load_features(inner)); /* cached by now */
    }
    static const char body[] = "{\"features\": {\"f\": {\"defaultValue\": true}}}";
    if (gb_http_response_set_status(r, 200) != GB_OK) return 1;
    return gb_http_response_set_body(r, body, strlen(body)) == GB_OK ? 0 : 1;
}

static void *load_outer(void *arg)
{
    static int rc;
    rc = gb_load_features((gb_handle *)arg);
    return &rc;
}

int main(void)
{
    const char *options = "{\"apiHost\": \"http://reentry.invalid\", \"clientKey\": \"reentry\","
                          " \"refreshInterval\": 1}";
    CHECK(gb_set_http_transport(transport, NULL) == GB_OK);
    gb_handle *outer = gb_create(options);
    inner = gb_create(options);
    CHECK(outer != NULL && inner != NULL);

    /* On a thread of its own, so a hang shows as a failed check rather than a stuck test. */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, load_outer, outer) == 0);
    int joined = 1;
    for (int waited = 0; atomic_load(&inner_rc) == 12345 || atomic_load(&calls) < 1; waited++) {
        if (waited > 1000) {
            joined = 0;
            break;
        }
        struct timespec ms = {0, 10000000L};
        nanosleep(&ms, NULL);
    }
    CHECKF(joined, "the inner gb_load_features did not return within 10 s (it waits for itself)");
    if (!joined) return tu_summary();
    void *out = NULL;
    pthread_join(t, &out);
    CHECKF(*(int *)out == GB_OK, "outer load: %d", *(int *)out);
    CHECKF(atomic_load(&inner_rc) == GB_ERR_NETWORK && atomic_load(&inner_code) == GB_ERR_NETWORK,
           "inner load: %d (%s)", atomic_load(&inner_rc), inner_message);
    CHECKF(strstr(inner_message, "transport") != NULL, "message: %s", inner_message);
    CHECK(gb_is_on(outer, "f") == 1);
    CHECK(gb_load_features(inner) == GB_OK);
    CHECK(gb_is_on(inner, "f") == 1);

    /* The refresher (refreshInterval 1) calls the transport again: the inner load is cached. */
    for (int waited = 0; waited < 400 && atomic_load(&refresh_inner_rc) == 12345; waited++) {
        struct timespec ms = {0, 10000000L};
        nanosleep(&ms, NULL);
    }
    CHECKF(atomic_load(&refresh_inner_rc) == GB_OK, "load from inside a refresh: %d",
           atomic_load(&refresh_inner_rc));

    gb_free(outer);
    gb_free(inner);
    gb_set_http_transport(NULL, NULL);
    return tu_summary();
}
