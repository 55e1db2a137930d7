/*
 * test_background_free.c -- after gb_free(h) returns, nothing registered on h runs again,
 * whatever background work (the refresher, pushed updates) is in flight.
 *
 * All HTTP goes through a host transport (no network): the first request of each client key
 * answers a payload, later ones fail or answer a changed payload, so the background
 * refresher (refreshInterval 1) either logs a failure to every subscribed handle or pushes
 * new features to them (which reloads their sticky-bucket docs through the host service).
 *
 *  1. Two handles A and B on one cache entry, both logging. A's log callback, entered on the
 *     refresher thread, signals and stays in for 300 ms; meanwhile the main thread frees B
 *     (and B's user_data), then A. gb_free(A) must wait for A's callback to return, and B's
 *     callback must never be entered (it was, after its free: a heap-use-after-free under
 *     AddressSanitizer, and a failed check here).
 *  2. A handle whose log callback frees that handle, on the refresher thread: gb_free from
 *     inside the handle's own callback returns at once (no deadlock), and the callback is not
 *     called again.
 *  3. A handle with a host sticky-bucket service whose get callback, entered on the refresher
 *     thread by a pushed update, stays in for 300 ms while the main thread frees the handle:
 *     gb_free waits for it, and neither get nor save runs after gb_free returned.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "growthbook.h"
#include "testutil.h"

static pthread_t main_thread;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static int wait_for(atomic_int *flag, int ms)
{
    for (int waited = 0; waited < ms; waited += 10) {
        if (atomic_load(flag)) return 1;
        sleep_ms(10);
    }
    return atomic_load(flag) != 0;
}

static int on_background_thread(void) { return !pthread_equal(pthread_self(), main_thread); }

/* --- the transport -------------------------------------------------------------------- */

static atomic_int requests_k1, requests_k2, requests_k3;

static int answer(gb_http_response *r, const char *body)
{
    if (gb_http_response_set_status(r, 200) != GB_OK) return 1;
    return gb_http_response_set_body(r, body, strlen(body)) == GB_OK ? 0 : 1;
}

static int transport(const char *url, const char *headers_json, gb_http_response *r, void *user_data)
{
    (void)headers_json;
    (void)user_data;
    if (strstr(url, "/api/features/bgfree-k1") || strstr(url, "/api/features/bgfree-k2")) {
        atomic_int *n = strstr(url, "k1") ? &requests_k1 : &requests_k2;
        if (atomic_fetch_add(n, 1) == 0) return answer(r, "{\"features\": {\"f\": {\"defaultValue\": 1}}}");
        return 1; /* every refresh fails: logged to each subscribed handle */
    }
    if (strstr(url, "/api/features/bgfree-k3")) {
        /* first a payload with no sticky experiment, then (changing on every refresh) one
         * whose sticky-bucketed experiment hashes on deviceId: its docs are fetched */
        int n = atomic_fetch_add(&requests_k3, 1);
        if (n == 0) return answer(r, "{\"features\": {\"f\": {\"defaultValue\": 1}}}");
        char body[512];
        snprintf(body, sizeof body,
                 "{\"features\": {\"f\": {\"defaultValue\": %d, \"rules\": [{\"key\": \"e\","
                 " \"variations\": [0, 1], \"hashAttribute\": \"deviceId\", \"hashVersion\": 2,"
                 " \"bucketVersion\": 1, \"meta\": [{\"key\": \"0\"}, {\"key\": \"1\"}]}]}}}",
                 n + 1);
        return answer(r, body);
    }
    return 1;
}

/* --- 1. another thread frees a handle while the refresher calls into it ----------------- */

struct probe {
    atomic_int calls;
};

static atomic_int a_in_callback, a_callback_done, a_free_returned, b_freed;
static atomic_int a_late, b_late, b_entered;

static void slow_log(int level, const char *message, void *user_data)
{
    (void)level;
    (void)message;
    (void)user_data;
    if (atomic_load(&a_free_returned)) atomic_fetch_add(&a_late, 1);
    if (!on_background_thread() || atomic_exchange(&a_in_callback, 1)) return;
    sleep_ms(300);
    /* gb_free(A) was called during the sleep: it must not have returned yet */
    if (atomic_load(&a_free_returned)) atomic_fetch_add(&a_late, 1);
    atomic_store(&a_callback_done, 1);
}

static void probe_log(int level, const char *message, void *user_data)
{
    (void)level;
    (void)message;
    if (atomic_load(&b_freed)) atomic_fetch_add(&b_late, 1);
    atomic_store(&b_entered, 1);
    struct probe *p = user_data;
    atomic_fetch_add(&p->calls, 1); /* freed memory if gb_free(B) has returned */
}

static const char *options_for(const char *key)
{
    static char buf[256];
    snprintf(buf, sizeof buf,
             "{\"apiHost\": \"http://bgfree.invalid\", \"clientKey\": \"%s\", \"refreshInterval\": 1,"
             " \"cacheTTL\": 1000, \"attributes\": {\"id\": \"u1\", \"deviceId\": \"d1\"}}",
             key);
    return buf;
}

static void free_during_other_threads_callback(void)
{
    gb_handle *a = gb_create(options_for("bgfree-k1"));
    gb_handle *b = gb_create(options_for("bgfree-k1"));
    CHECK(a != NULL && b != NULL);
    struct probe *bp = calloc(1, sizeof *bp);
    CHECK(bp != NULL);
    CHECK(gb_set_log_callback(a, slow_log, GB_LOG_WARNING, NULL) == GB_OK);
    CHECK(gb_set_log_callback(b, probe_log, GB_LOG_WARNING, bp) == GB_OK);
    CHECKF(gb_load_features(a) == GB_OK, "load a: %s", gb_last_error());
    CHECKF(gb_load_features(b) == GB_OK, "load b: %s", gb_last_error());

    CHECKF(wait_for(&a_in_callback, 5000), "the refresher never logged to A");
    gb_free(b);
    atomic_store(&b_freed, 1);
    free(bp);
    gb_free(a);
    atomic_store(&a_free_returned, 1);
    CHECKF(atomic_load(&a_callback_done), "gb_free(A) returned while A's log callback was running");

    sleep_ms(1500); /* let the refresher finish its round and try another */
    CHECKF(atomic_load(&a_late) == 0, "A's log callback ran after gb_free(A) returned (%d times)",
           atomic_load(&a_late));
    CHECKF(atomic_load(&b_late) == 0, "B's log callback ran after gb_free(B) returned (%d times)",
           atomic_load(&b_late));
}

/* --- 2. a handle freed from its own callback on the refresher thread ------------------- */

static gb_handle *self_freeing;
static atomic_int self_calls, self_freed;

static void free_self_log(int level, const char *message, void *user_data)
{
    (void)level;
    (void)message;
    (void)user_data;
    if (!on_background_thread()) return;
    atomic_fetch_add(&self_calls, 1);
    if (atomic_exchange(&self_freed, 1) == 0) {
        gb_free(self_freeing); /* must return: this thread is the one in the callback */
        atomic_store(&self_freed, 2);
    }
}

static void free_from_own_background_callback(void)
{
    self_freeing = gb_create(options_for("bgfree-k2"));
    CHECK(self_freeing != NULL);
    CHECK(gb_set_log_callback(self_freeing, free_self_log, GB_LOG_WARNING, NULL) == GB_OK);
    CHECKF(gb_load_features(self_freeing) == GB_OK, "load: %s", gb_last_error());
    for (int waited = 0; waited < 5000 && atomic_load(&self_freed) != 2; waited += 10) sleep_ms(10);
    CHECKF(atomic_load(&self_freed) == 2, "gb_free from the handle's own background callback did not return");
    sleep_ms(1500);
    CHECKF(atomic_load(&self_calls) == 1, "the callback ran %d times (once expected)", atomic_load(&self_calls));
}

/* --- 3. a sticky-bucket callback of a pushed update --------------------------------- */

static atomic_int get_entered, get_done, sticky_free_returned, sticky_late;

static int slow_get(const char *name, const char *value, gb_buffer *out, void *user_data)
{
    (void)name;
    (void)value;
    (void)out;
    (void)user_data;
    if (atomic_load(&sticky_free_returned)) atomic_fetch_add(&sticky_late, 1);
    if (!on_background_thread() || atomic_exchange(&get_entered, 1)) return 0;
    sleep_ms(300);
    if (atomic_load(&sticky_free_returned)) atomic_fetch_add(&sticky_late, 1);
    atomic_store(&get_done, 1);
    return 0;
}

static int late_save(const char *doc, void *user_data)
{
    (void)doc;
    (void)user_data;
    if (atomic_load(&sticky_free_returned)) atomic_fetch_add(&sticky_late, 1);
    return 0;
}

static void free_during_sticky_callback(void)
{
    gb_handle *h = gb_create(options_for("bgfree-k3"));
    CHECK(h != NULL);
    CHECK(gb_set_sticky_bucket_service(h, slow_get, late_save, NULL) == GB_OK);
    CHECKF(gb_load_features(h) == GB_OK, "load: %s", gb_last_error());
    CHECKF(wait_for(&get_entered, 5000), "the pushed update never reached the sticky-bucket service");
    gb_free(h);
    atomic_store(&sticky_free_returned, 1);
    CHECKF(atomic_load(&get_done), "gb_free returned while the sticky-bucket get callback was running");
    sleep_ms(1500);
    CHECKF(atomic_load(&sticky_late) == 0, "sticky-bucket callbacks ran after gb_free returned (%d times)",
           atomic_load(&sticky_late));
}

int main(void)
{
    main_thread = pthread_self();
    CHECK(gb_set_http_transport(transport, NULL) == GB_OK);
    free_during_other_threads_callback();
    free_from_own_background_callback();
    free_during_sticky_callback();
    gb_set_http_transport(NULL, NULL);
    return tu_summary();
}
