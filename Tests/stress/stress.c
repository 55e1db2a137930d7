/*
 * stress.c -- make stress (Tests/stress/run.sh): many threads mixing the library's calls for a
 * bounded time, with remote loading against the loopback server of stress_server.py, whose
 * client keys each inject a fault (HTTP 503, a body that is not JSON, a slow answer, a redirect
 * to ftp://, an unknown key) and whose stream pushes an event every 0.2 s, floods 200
 * features-updated events a second and drops its connections every few seconds.
 *
 *   stress <server url> <seconds>
 *
 * Threads: evaluators on one shared handle (every evaluation entry point, per-call attributes,
 * inline experiments, spec helpers); a setter replacing that handle's features, saved groups,
 * attributes and options; churners creating remote handles on random fault keys (streaming,
 * refreshing or neither), with log, tracking and sticky-bucket callbacks whose user_data is
 * freed right after gb_free (a late callback would touch freed memory, and fails the run),
 * loading, evaluating and freeing them; and a transport switcher that routes requests through
 * a host transport for a while and back to libcurl, then stops all background work
 * (gb_shutdown). The main thread samples the process's
 * resident size, threads and open descriptors once a second, and at the end (every handle
 * freed, then gb_shutdown) prints them and checks they stayed flat:
 *   - threads at most 64 during the run, and none more than at the start at the end;
 *   - descriptors at most 256 during the run, and at most 8 more than at the start at the end;
 *   - resident size grew less than 24 MiB from the end of the first third of the run to the end.
 * Prints "stress: ... ok" and exits 0, or says which check failed and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "growthbook.h"

#define EVALUATORS 3
#define CHURNERS 2

static const char *server_url;
static atomic_int stop_flag;
static atomic_long calls, loads_ok, loads_failed, late_callbacks, bad_answers, shutdowns;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static unsigned next_rand(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

/* --- process figures ------------------------------------------------------------------ */

static long count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* --- callbacks ------------------------------------------------------------------------ */

#define PROBE_MAGIC 0x5eed5eedu

struct probe {
    unsigned magic;
    atomic_int calls;
};

static void check_probe(void *user_data)
{
    struct probe *p = user_data;
    if (!p) return;
    if (p->magic != PROBE_MAGIC) atomic_fetch_add(&late_callbacks, 1);
    atomic_fetch_add(&p->calls, 1);
}

static void on_log(int level, const char *message, void *user_data)
{
    (void)level;
    (void)message;
    check_probe(user_data);
}

static void on_track(const char *experiment, const char *result, void *user_data)
{
    (void)experiment;
    (void)result;
    check_probe(user_data);
}

static int sticky_get(const char *name, const char *value, gb_buffer *out, void *user_data)
{
    (void)name;
    (void)value;
    (void)out;
    check_probe(user_data);
    return 0;
}

static int sticky_save(const char *doc, void *user_data)
{
    (void)doc;
    check_probe(user_data);
    return 0;
}

/* A host transport that answers every features request from memory (and fails one in five). */
static atomic_int transport_calls;
static int host_transport(const char *url, const char *headers, gb_http_response *r, void *user_data)
{
    (void)url;
    (void)headers;
    (void)user_data;
    int n = atomic_fetch_add(&transport_calls, 1);
    if (n % 5 == 4) return 1;
    static const char body[] = "{\"features\": {\"flag\": {\"defaultValue\": true}}}";
    if (gb_http_response_set_status(r, 200) != GB_OK) return 1;
    return gb_http_response_set_body(r, body, strlen(body)) == GB_OK ? 0 : 1;
}

/* --- threads -------------------------------------------------------------------------- */

static const char *FEATURES_A =
    "{\"flag\": {\"defaultValue\": true}, \"color\": {\"defaultValue\": \"blue\", \"rules\": ["
    "{\"condition\": {\"country\": {\"$in\": [\"US\", \"CA\"]}}, \"force\": \"na\"},"
    "{\"key\": \"exp\", \"variations\": [\"a\", \"b\"], \"hashAttribute\": \"id\", \"hashVersion\": 2}]},"
    "\"grouped\": {\"defaultValue\": 0, \"rules\": [{\"condition\": {\"id\": {\"$inGroup\": \"g\"}}, \"force\": 1}]},"
    "\"re\": {\"defaultValue\": false, \"rules\": [{\"condition\": {\"email\": {\"$regex\": \"@example\\\\.com$\"}},"
    " \"force\": true}]}}";
static const char *FEATURES_B =
    "{\"flag\": {\"defaultValue\": true}, \"color\": {\"defaultValue\": \"red\"},"
    " \"grouped\": {\"defaultValue\": 0}, \"re\": {\"defaultValue\": false}}";

static void *evaluator(void *arg)
{
    gb_handle *gb = arg;
    unsigned seed = (unsigned)(size_t)pthread_self();
    gb_eval_buffer *buf = gb_eval_buffer_create();
    char attrs[128];
    while (!atomic_load(&stop_flag)) {
        unsigned r = next_rand(&seed);
        snprintf(attrs, sizeof attrs, "{\"id\": \"u%u\", \"country\": \"%s\", \"email\": \"x%u@example.com\"}",
                 r % 1000, r % 3 ? "US" : "FR", r);
        if (gb_is_on(gb, "flag") != 1) atomic_fetch_add(&bad_answers, 1);
        gb_is_on(gb, "missing-feature");
        if (buf) gb_eval_value(gb, "color", buf);
        char *s = gb_eval_feature_json(gb, "color");
        gb_string_free(s);
        s = gb_eval_feature_with_attributes_json(gb, "re", attrs);
        gb_string_free(s);
        gb_attributes *a = gb_attributes_create(attrs);
        if (a) {
            gb_is_on_with(gb, "grouped", a);
            gb_attributes_free(a);
        }
        s = gb_run_experiment_json(gb, "{\"key\": \"inline\", \"variations\": [0, 1, 2]}");
        gb_string_free(s);
        s = gb_get_all_results_json(gb);
        gb_string_free(s);
        gb_eval_condition_json("{\"country\": {\"$in\": [\"US\"]}}", attrs, NULL);
        double h = 0;
        gb_hash("seed", "u1", 2, &h);
        atomic_fetch_add(&calls, 10);
    }
    gb_eval_buffer_free(buf);
    return NULL;
}

static void *setter(void *arg)
{
    gb_handle *gb = arg;
    unsigned seed = 7;
    int i = 0;
    while (!atomic_load(&stop_flag)) {
        unsigned r = next_rand(&seed);
        gb_set_features_json(gb, (i++ % 2) ? FEATURES_A : FEATURES_B);
        gb_set_saved_groups_json(gb, r % 2 ? "{\"g\": [\"u1\", \"u2\"]}" : "{\"g\": []}");
        gb_set_attributes_json(gb, r % 2 ? "{\"id\": \"u1\", \"country\": \"US\"}" : "{\"id\": \"u2\"}");
        gb_set_forced_variations_json(gb, r % 3 ? "{}" : "{\"exp\": 1}");
        gb_set_qa_mode(gb, 0);
        gb_set_url(gb, r % 2 ? "https://example.com/?exp=1" : "https://example.com/");
        atomic_fetch_add(&calls, 6);
        sleep_ms(2);
    }
    return NULL;
}

static const char *KEYS[] = {"ok", "e503", "garbage", "slow", "ftp", "missing", "stream"};

static void *churner(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg * 7919u + 1u;
    while (!atomic_load(&stop_flag)) {
        unsigned r = next_rand(&seed);
        const char *key = KEYS[r % (sizeof KEYS / sizeof KEYS[0])];
        int streaming = strcmp(key, "stream") == 0 && r % 2;
        int refresh = r % 3 == 0;
        char options[512];
        snprintf(options, sizeof options,
                 "{\"apiHost\": \"%s\", \"clientKey\": \"%s\", \"streaming\": %s, \"refreshInterval\": %d,"
                 " \"cacheTTL\": %d, \"timeout\": 2, \"attributes\": {\"id\": \"u%u\"}}",
                 server_url, key, streaming ? "true" : "false", refresh ? 1 : 0, (int)(r % 3), r % 50);
        gb_handle *gb = gb_create(options);
        if (!gb) {
            atomic_fetch_add(&bad_answers, 1);
            continue;
        }
        struct probe *p = calloc(1, sizeof *p);
        if (!p) abort();
        p->magic = PROBE_MAGIC;
        gb_set_log_callback(gb, on_log, GB_LOG_DEBUG, p);
        gb_set_tracking_callback(gb, on_track, p);
        if (r % 4 == 0) gb_set_sticky_bucket_service(gb, sticky_get, sticky_save, p);
        int rc = gb_load_features(gb);
        atomic_fetch_add(rc == GB_OK ? &loads_ok : &loads_failed, 1);
        for (int i = 0; i < 20; i++) {
            char *s = gb_eval_feature_json(gb, "color");
            gb_string_free(s);
        }
        sleep_ms((int)(r % 400)); /* let background work reach the handle */
        gb_free(gb);
        p->magic = 0; /* any callback after gb_free returned sees this, or ASan sees the free */
        free(p);
        atomic_fetch_add(&calls, 25);
    }
    return NULL;
}

static void *transport_switcher(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_flag)) {
        sleep_ms(1500);
        gb_set_http_transport(host_transport, NULL);
        sleep_ms(500);
        gb_set_http_transport(NULL, NULL);
        gb_clear_cache();
        /* Every stream and refresher stops (loads start them again); one may be inside the
         * host transport or a callback past the timeout: GB_ERR_BUSY */
        int rc = gb_shutdown(100);
        if (rc != GB_OK && rc != GB_ERR_BUSY) atomic_fetch_add(&bad_answers, 1);
        atomic_fetch_add(&shutdowns, 1);
    }
    return NULL;
}

/* --- main ----------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s <server url> <seconds>\n", argv[0]);
        return 2;
    }
    server_url = argv[1];
    double seconds = atof(argv[2]);
    if (seconds < 3) seconds = 3;

    /* warm up (the first calls make the library's one-time state) before the baseline */
    gb_handle *warm = gb_create(NULL);
    gb_free(warm);
    long threads0 = count_dir("/proc/self/task"), fds0 = count_dir("/proc/self/fd"), rss0 = rss_kib();

    gb_handle *shared = gb_create("{\"attributes\": {\"id\": \"u1\", \"country\": \"US\"}}");
    if (!shared || gb_set_features_json(shared, FEATURES_A) != GB_OK) {
        fprintf(stderr, "stress: setup failed: %s\n", gb_last_error());
        return 1;
    }
    struct probe *shared_probe = calloc(1, sizeof *shared_probe);
    if (!shared_probe) abort();
    shared_probe->magic = PROBE_MAGIC;
    gb_set_tracking_callback(shared, on_track, shared_probe);
    gb_subscribe(shared, on_track, shared_probe);

    pthread_t ev[EVALUATORS], ch[CHURNERS], st, tr;
    for (int i = 0; i < EVALUATORS; i++) pthread_create(&ev[i], NULL, evaluator, shared);
    for (int i = 0; i < CHURNERS; i++) pthread_create(&ch[i], NULL, churner, (void *)(size_t)(i + 1));
    pthread_create(&st, NULL, setter, shared);
    pthread_create(&tr, NULL, transport_switcher, NULL);

    double start = now_s(), end = start + seconds;
    long max_threads = 0, max_fds = 0, max_rss = 0, rss_third = -1;
    printf("stress: %.0f s, %d evaluators, %d churners, 1 setter, 1 transport switcher; baseline: "
           "%ld threads, %ld fds, %ld KiB\n",
           seconds, EVALUATORS, CHURNERS, threads0, fds0, rss0);
    while (now_s() < end) {
        sleep_ms(1000);
        long t = count_dir("/proc/self/task"), f = count_dir("/proc/self/fd"), r = rss_kib();
        if (t > max_threads) max_threads = t;
        if (f > max_fds) max_fds = f;
        if (r > max_rss) max_rss = r;
        if (rss_third < 0 && now_s() - start >= seconds / 3) rss_third = r;
        printf("stress: t=%3.0fs threads %3ld fds %3ld rss %7ld KiB calls %ld\n", now_s() - start, t, f, r,
               atomic_load(&calls));
        fflush(stdout);
    }
    atomic_store(&stop_flag, 1);
    for (int i = 0; i < EVALUATORS; i++) pthread_join(ev[i], NULL);
    for (int i = 0; i < CHURNERS; i++) pthread_join(ch[i], NULL);
    pthread_join(st, NULL);
    pthread_join(tr, NULL);
    gb_free(shared);
    shared_probe->magic = 0;
    free(shared_probe);
    gb_set_http_transport(NULL, NULL);
    gb_clear_cache();
    /* Every background thread stops and is joined (none is inside a host callback now) */
    int final_shutdown = gb_shutdown(5000);
    sleep_ms(500);

    long threads1 = count_dir("/proc/self/task"), fds1 = count_dir("/proc/self/fd"), rss1 = rss_kib();
    printf("stress: end: threads %ld (start %ld, max %ld), fds %ld (start %ld, max %ld), rss %ld KiB "
           "(start %ld, a third in %ld, max %ld); %ld calls, %ld loads ok, %ld failed as injected\n",
           threads1, threads0, max_threads, fds1, fds0, max_fds, rss1, rss0, rss_third, max_rss,
           atomic_load(&calls), atomic_load(&loads_ok), atomic_load(&loads_failed));
    int failed = 0;
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failed = 1;                                                                            \
            printf("stress: FAIL: " __VA_ARGS__);                                                  \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)
    EXPECT(atomic_load(&late_callbacks) == 0, "%ld callbacks ran after gb_free of their handle",
           atomic_load(&late_callbacks));
    EXPECT(atomic_load(&bad_answers) == 0, "%ld wrong answers", atomic_load(&bad_answers));
    EXPECT(atomic_load(&loads_ok) > 0 && atomic_load(&loads_failed) > 0, "both loads and failed loads expected");
    EXPECT(max_threads <= 64, "%ld threads at once (at most 64)", max_threads);
    EXPECT(final_shutdown == GB_OK, "the final gb_shutdown(5000): %d", final_shutdown);
    EXPECT(threads1 <= threads0, "%ld threads at the end, %ld at the start", threads1, threads0);
    EXPECT(max_fds <= 256, "%ld descriptors at once (at most 256)", max_fds);
    EXPECT(fds1 <= fds0 + 8, "%ld descriptors at the end, %ld at the start", fds1, fds0);
    EXPECT(rss_third < 0 || rss1 - rss_third < 24 * 1024, "resident size grew %ld KiB after the first third",
           rss1 - rss_third);
    if (!failed) printf("stress: threads, descriptors and resident size flat; ok\n");
    return failed;
}
