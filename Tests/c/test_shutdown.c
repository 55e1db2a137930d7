/*
 * test_shutdown.c -- gb_shutdown stops and joins the library's background threads, racing
 * with the calls that start them, and the destructor that dlclose and exit() run does the same.
 *
 * All HTTP goes through a host transport (no network). Handles refresh every second
 * ("refreshInterval": 1), so each cache entry has a refresher thread, and an expired entry
 * (cacheTTL 1) starts refresh threads from loads.
 *
 *  1. Four threads create a handle on a client key of their own, load it (which starts its
 *     refresher), evaluate and free it, over and over for two seconds, while a fifth calls
 *     gb_shutdown(2000) in a loop. Every gb_shutdown returns GB_OK (the transport answers at
 *     once, so no thread is ever left inside a host callback), and every load succeeds.
 *     Under ThreadSanitizer this is the test of the thread registry's start/stop/join races.
 *  2. A refresher whose log callback stays in for 400 ms: gb_shutdown(50) returns GB_ERR_BUSY
 *     after about 50 ms, and gb_shutdown(2000) then returns GB_OK once the callback returned;
 *     no callback of the handle runs after that, and no further request is made.
 *  3. After gb_shutdown, a load starts the handle's refresher again (requests resume).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static atomic_int requests, slow_requests;

/* Every request answers a payload; "shutdown-slow" fails after its first (so the refresher
 * logs the failure to the handle). */
static int transport(const char *url, const char *headers_json, gb_http_response *r, void *user_data)
{
    (void)headers_json;
    (void)user_data;
    atomic_fetch_add(&requests, 1);
    if (strstr(url, "/shutdown-slow") && atomic_fetch_add(&slow_requests, 1) > 0) return 1;
    static const char body[] = "{\"features\": {\"f\": {\"defaultValue\": true}}}";
    if (gb_http_response_set_status(r, 200) != GB_OK) return 1;
    return gb_http_response_set_body(r, body, sizeof body - 1) == GB_OK ? 0 : 1;
}

static void options_for(char *buf, size_t size, const char *key)
{
    snprintf(buf, size,
             "{\"apiHost\": \"http://shutdown.invalid\", \"clientKey\": \"%s\", \"refreshInterval\": 1,"
             " \"cacheTTL\": 1}",
             key);
}

/* --- 1. starts racing stops ------------------------------------------------------------ */

static atomic_int racing, load_failures, evaluations;

static void *starter(void *arg)
{
    char key[64], options[256];
    snprintf(key, sizeof key, "shutdown-race-%d", (int)(long)arg);
    options_for(options, sizeof options, key);
    while (atomic_load(&racing)) {
        gb_handle *h = gb_create(options);
        if (!h) {
            atomic_fetch_add(&load_failures, 1);
            continue;
        }
        if (gb_load_features(h) != GB_OK) atomic_fetch_add(&load_failures, 1);
        if (gb_is_on(h, "f") == 1) atomic_fetch_add(&evaluations, 1);
        gb_free(h);
    }
    return NULL;
}

static void starts_race_stops(void)
{
    enum { STARTERS = 4 };
    pthread_t threads[STARTERS];
    atomic_store(&racing, 1);
    for (long i = 0; i < STARTERS; i++) CHECK(pthread_create(&threads[i], NULL, starter, (void *)i) == 0);
    int shutdowns = 0, not_ok = 0;
    double until = now_ms() + 2000;
    while (now_ms() < until) {
        int rc = gb_shutdown(2000);
        shutdowns++;
        if (rc != GB_OK) {
            if (not_ok++ == 0) fprintf(stderr, "gb_shutdown: %d %s\n", rc, gb_last_error());
        }
        sleep_ms(5);
    }
    atomic_store(&racing, 0);
    for (int i = 0; i < STARTERS; i++) pthread_join(threads[i], NULL);
    CHECKF(not_ok == 0, "%d of %d gb_shutdown calls did not return GB_OK", not_ok, shutdowns);
    CHECKF(atomic_load(&load_failures) == 0, "%d loads failed", atomic_load(&load_failures));
    CHECKF(atomic_load(&evaluations) > 0, "no evaluation ran");
    CHECKF(gb_shutdown(2000) == GB_OK, "final gb_shutdown: %s", gb_last_error());
    printf("race: %d gb_shutdown calls against %d load/evaluate/free rounds\n", shutdowns,
           atomic_load(&evaluations));
}

/* --- 2. a callback that outlasts the timeout -------------------------------------------- */

static atomic_int in_callback, callback_returned, late_calls, shut_down;

static void slow_log(int level, const char *message, void *user_data)
{
    (void)level;
    (void)message;
    (void)user_data;
    if (pthread_equal(pthread_self(), main_thread)) return;
    if (atomic_load(&shut_down)) atomic_fetch_add(&late_calls, 1);
    if (atomic_exchange(&in_callback, 1)) return;
    sleep_ms(400);
    atomic_store(&callback_returned, 1);
}

static void busy_then_ok(void)
{
    char options[256];
    options_for(options, sizeof options, "shutdown-slow");
    gb_handle *h = gb_create(options);
    CHECK(h != NULL);
    CHECK(gb_set_log_callback(h, slow_log, GB_LOG_WARNING, NULL) == GB_OK);
    CHECKF(gb_load_features(h) == GB_OK, "load: %s", gb_last_error());
    for (int waited = 0; waited < 5000 && !atomic_load(&in_callback); waited += 5) sleep_ms(5);
    CHECKF(atomic_load(&in_callback), "the refresher never logged the failed refresh");

    double t0 = now_ms();
    int rc = gb_shutdown(50);
    double took = now_ms() - t0;
    CHECKF(rc == GB_ERR_BUSY, "gb_shutdown(50) while a callback runs: %d, want GB_ERR_BUSY", rc);
    CHECKF(gb_last_error_code() == GB_ERR_BUSY, "last error code %d", gb_last_error_code());
    CHECKF(took >= 45 && took < 350, "gb_shutdown(50) took %.0f ms", took);
    CHECKF(!atomic_load(&callback_returned), "the callback returned before the timeout");

    rc = gb_shutdown(2000);
    CHECKF(rc == GB_OK, "gb_shutdown(2000): %d %s", rc, gb_last_error());
    CHECKF(atomic_load(&callback_returned), "gb_shutdown returned GB_OK with the callback still running");
    atomic_store(&shut_down, 1);
    int before = atomic_load(&requests);
    sleep_ms(2300); /* two refresh intervals */
    CHECKF(atomic_load(&late_calls) == 0, "%d callbacks after gb_shutdown", atomic_load(&late_calls));
    CHECKF(atomic_load(&requests) == before, "%d requests after gb_shutdown", atomic_load(&requests) - before);

    /* 3. a load starts the refresher again */
    CHECKF(gb_load_features(h) == GB_OK, "load after gb_shutdown: %s", gb_last_error());
    int loaded = atomic_load(&requests);
    for (int waited = 0; waited < 5000 && atomic_load(&requests) == loaded; waited += 10) sleep_ms(10);
    CHECKF(atomic_load(&requests) > loaded, "no refresh after the handle was loaded again");
    gb_free(h);
    CHECKF(gb_shutdown(2000) == GB_OK, "gb_shutdown: %s", gb_last_error());
}

int main(void)
{
    main_thread = pthread_self();
    CHECK(gb_shutdown(-1) == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_shutdown(0) == GB_OK); /* nothing to stop */
    CHECK(gb_set_http_transport(transport, NULL) == GB_OK);
    starts_race_stops();
    busy_then_ok();
    return tu_summary();
}
