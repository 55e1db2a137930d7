/*
 * bench.c -- libgrowthbook's C benchmark, against the public header only, plus a
 * "straight-C floor": the same three decisions (W1 default-only, W2 force rule with
 * a condition, W3 a 50/50 experiment with FNV-1a hash v2) written directly in C with
 * an open-addressed table keyed by the feature key's bytes. The floor is what the
 * decision costs with no generality at all; each library figure is reported with its
 * distance from it.
 *
 *   bench_c speed  --data DIR [--server URL --client-key KEY] [--repeats N]
 *                  [--target-ms MS] --out FILE
 *   bench_c memory --data DIR [--evals N] --out FILE
 *   bench_c threads --data DIR --out FILE
 *   bench_c compile [--samples N] --out FILE
 *
 * threads: one handle with the 5,000 features; resident memory (RSS) once one thread has
 * evaluated on it, then with 2, 4, 8, 16 and 32 threads alive that have each evaluated 8
 * features on it once, and after gb_free while they are still alive; then the time of the
 * first gb_is_on on fresh threads of a handle already evaluated on another thread, and, after
 * gb_set_features_json of the same payload, of the first gb_is_on on each of 8 existing
 * threads (one thread at a time).
 * compile: gb_set_features_json of a generated payload of 8,000 features x 10 experiment rules
 * (80,000 rules) where every rule has its own hashAttribute, against the same rules with one
 * shared hashAttribute (the same bytes otherwise), --samples times each (default 2), and the
 * first gb_is_on after each.
 *
 * DIR holds what bench/python/bench.py writes: features-200.features.json and
 * features-5000.features.json (the "features" members of the payloads) and
 * user.json (W4's user). Results are written as JSON to FILE (read by
 * bench/python/report.py); a summary goes to stderr.
 *
 * Every figure is a list of samples (one per repeat, each a loop calibrated to run
 * about --target-ms); the report takes their median and spread.
 */
#define _GNU_SOURCE
#include <growthbook.h>

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------------- */
/* utilities                                                                 */
/* ------------------------------------------------------------------------- */

static volatile long long g_sink;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Resident set size in KiB (from /proc/self/statm). */
static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = -1;
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A field of /proc/self/status in KiB (VmHWM, VmRSS). */
static long status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

static char *read_file(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "bench_c: cannot open %s\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) { fprintf(stderr, "bench_c: cannot read %s\n", path); exit(2); }
    buf[len] = 0;
    fclose(f);
    return buf;
}

static void die(const char *what) {
    fprintf(stderr, "bench_c: %s failed: %s\n", what, gb_last_error());
    exit(1);
}

/* Feature keys of a features JSON object, in order: the top-level member names.
 * Good enough for the generated payloads (keys have no escapes). */
static int feature_keys(const char *json, char ***out) {
    int cap = 256, n = 0, depth = 0;
    char **keys = malloc(sizeof(char *) * (size_t)cap);
    const char *p = json;
    int in_str = 0, expecting_key = 0;
    const char *start = NULL;
    for (; *p; p++) {
        char c = *p;
        if (in_str) {
            if (c == '\\') { p++; continue; }
            if (c == '"') {
                in_str = 0;
                if (start) {
                    if (n == cap) { cap *= 2; keys = realloc(keys, sizeof(char *) * (size_t)cap); }
                    keys[n++] = strndup(start, (size_t)(p - start));
                    start = NULL;
                }
            }
            continue;
        }
        if (c == '"') {
            in_str = 1;
            if (depth == 1 && expecting_key) { start = p + 1; expecting_key = 0; }
        } else if (c == '{' || c == '[') {
            depth++;
            if (depth == 1) expecting_key = 1;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            expecting_key = 1;
        }
    }
    *out = keys;
    return n;
}

/* ------------------------------------------------------------------------- */
/* measurement                                                               */
/* ------------------------------------------------------------------------- */

typedef void (*loop_fn)(void *ctx, long n);

static int g_repeats = 7;
static double g_target_ms = 150.0;

/* Runs fn(ctx, n) with n calibrated to about g_target_ms, g_repeats times;
 * writes ns per operation (ops_per_iter operations per iteration) to samples. */
static int measure(loop_fn fn, void *ctx, double ops_per_iter, double *samples) {
    long n = 1;
    uint64_t t;
    for (;;) {
        uint64_t t0 = now_ns();
        fn(ctx, n);
        t = now_ns() - t0;
        if (t > 20000000ull || n > (1L << 40)) break;
        n *= (t < 1000000ull) ? 10 : 2;
    }
    double per_iter = (double)t / (double)n;
    long reps = (long)(g_target_ms * 1e6 / (per_iter > 0 ? per_iter : 1));
    if (reps < 1) reps = 1;
    for (int r = 0; r < g_repeats; r++) {
        uint64_t t0 = now_ns();
        fn(ctx, reps);
        uint64_t dt = now_ns() - t0;
        samples[r] = (double)dt / (double)reps / ops_per_iter;
    }
    return g_repeats;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *s, int n) {
    double tmp[64];
    memcpy(tmp, s, sizeof(double) * (size_t)n);
    qsort(tmp, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static FILE *g_out;
static int g_first_record = 1;

static void json_samples(const double *s, int n) {
    fputc('[', g_out);
    for (int i = 0; i < n; i++) fprintf(g_out, "%s%.4f", i ? "," : "", s[i]);
    fputc(']', g_out);
}

/* One record: {"group":..., "workload":..., "call":..., "unit":..., "samples":[...]} */
static void record(const char *group, const char *workload, const char *call, const char *unit,
                   const double *s, int n, const char *extra) {
    fprintf(g_out, "%s\n  {\"group\":\"%s\",\"workload\":\"%s\",\"call\":\"%s\",\"unit\":\"%s\",\"samples\":",
            g_first_record ? "" : ",", group, workload, call, unit);
    json_samples(s, n);
    if (extra) fprintf(g_out, ",%s", extra);
    fputc('}', g_out);
    fflush(g_out);
    g_first_record = 0;
    fprintf(stderr, "  %-6s %-5s %-34s median %12.1f %s\n", group, workload, call, median(s, n), unit);
}

/* ------------------------------------------------------------------------- */
/* the workloads                                                             */
/* ------------------------------------------------------------------------- */

static const char *W_FEATURES =
    "{\"w1\": {\"defaultValue\": true},"
    " \"w2\": {\"defaultValue\": false, \"rules\": [{\"id\": \"w2-force\","
    "   \"condition\": {\"country\": {\"$in\": [\"US\", \"CA\"]}, \"age\": {\"$gt\": 18}},"
    "   \"force\": true}]},"
    " \"w3\": {\"defaultValue\": false, \"rules\": [{\"id\": \"w3-exp\","
    "   \"variations\": [false, true], \"weights\": [0.5, 0.5], \"coverage\": 1,"
    "   \"hashAttribute\": \"id\", \"hashVersion\": 2, \"condition\": {\"country\": \"US\"}}]}}";
static const char *W_USER = "{\"id\": \"user-123\", \"country\": \"US\", \"age\": 30}";

typedef struct {
    gb_handle *h;
    const char *key;
    gb_attributes *attrs;
    gb_eval_buffer *buf;
    char **keys;     /* W4 */
    int nkeys;
    /* W5 */
    const char *server;
    const char *client_key;
    /* W6 */
    const char *features_json;
} bench_ctx;

static void loop_is_on(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) s += gb_is_on(c->h, c->key);
    g_sink += s;
}
static void loop_is_on_with(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) s += gb_is_on_with(c->h, c->key, c->attrs);
    g_sink += s;
}
static void loop_eval_value(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) s += gb_eval_value(c->h, c->key, c->buf);
    g_sink += s;
}
static void loop_eval_result(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) s += gb_eval_result(c->h, c->key, c->buf);
    g_sink += s;
}
static void loop_eval_json(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) {
        char *r = gb_eval_feature_json(c->h, c->key);
        s += r[1];
        gb_string_free(r);
    }
    g_sink += s;
}
static void loop_eval_json_with(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) {
        char *r = gb_eval_feature_with(c->h, c->key, c->attrs);
        s += r[1];
        gb_string_free(r);
    }
    g_sink += s;
}
static void loop_w4_is_on(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++)
        for (int k = 0; k < c->nkeys; k++) s += gb_is_on(c->h, c->keys[k]);
    g_sink += s;
}
static void loop_w4_eval_value(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++)
        for (int k = 0; k < c->nkeys; k++) s += gb_eval_value(c->h, c->keys[k], c->buf);
    g_sink += s;
}
static void loop_w4_eval_json(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++)
        for (int k = 0; k < c->nkeys; k++) {
            char *r = gb_eval_feature_json(c->h, c->keys[k]);
            s += r[1];
            gb_string_free(r);
        }
    g_sink += s;
}

/* W5: the reference README's web-framework pattern, per request. */
static long g_w5_user;
static void loop_w5_instance(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    char opts[1024];
    for (long i = 0; i < n; i++) {
        long u = g_w5_user++;
        snprintf(opts, sizeof opts,
                 "{\"apiHost\": \"%s\", \"clientKey\": \"%s\", \"cacheTTL\": 3600,"
                 " \"attributes\": {\"id\": \"user-%ld\", \"country\": \"US\", \"age\": 30}}",
                 c->server, c->client_key, u);
        gb_handle *h = gb_create(opts);
        if (!h) die("gb_create (W5)");
        if (gb_load_features(h) != GB_OK) die("gb_load_features (W5)");
        for (int k = 0; k < 10; k++) s += gb_is_on(h, c->keys[k]);
        gb_free(h);
    }
    g_sink += s;
}
/* W5 through per-call attributes on one shared, loaded handle. */
static void loop_w5_shared(void *p, long n) {
    bench_ctx *c = p; long s = 0;
    char attrs[256];
    for (long i = 0; i < n; i++) {
        long u = g_w5_user++;
        snprintf(attrs, sizeof attrs, "{\"id\": \"user-%ld\", \"country\": \"US\", \"age\": 30}", u);
        gb_attributes *a = gb_attributes_create(attrs);
        if (!a) die("gb_attributes_create (W5)");
        for (int k = 0; k < 10; k++) s += gb_is_on_with(c->h, c->keys[k], a);
        gb_attributes_free(a);
    }
    g_sink += s;
}

/* W6: parse and install a payload. */
static void loop_w6(void *p, long n) {
    bench_ctx *c = p;
    for (long i = 0; i < n; i++)
        if (gb_set_features_json(c->h, c->features_json) != GB_OK) die("gb_set_features_json (W6)");
}

/* ------------------------------------------------------------------------- */
/* the straight-C floor                                                      */
/* ------------------------------------------------------------------------- */

static uint32_t fnv1a(const void *data, size_t n, uint32_t h) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}
#define FNV_INIT 2166136261u

enum { FL_DEFAULT_ON = 1, FL_FORCE_IF_US_CA_ADULT = 2, FL_EXPERIMENT_US = 3 };
typedef struct { const char *key; size_t len; int kind; const char *seed; } fl_entry;
#define FL_SLOTS 64
typedef struct { fl_entry slot[FL_SLOTS]; } fl_table;
typedef struct { const char *id; size_t id_len; const char *country; double age; } fl_user;

static void fl_insert(fl_table *t, const char *key, int kind, const char *seed) {
    size_t len = strlen(key);
    uint32_t i = fnv1a(key, len, FNV_INIT) & (FL_SLOTS - 1);
    while (t->slot[i].key) i = (i + 1) & (FL_SLOTS - 1);
    t->slot[i] = (fl_entry){key, len, kind, seed};
}

/* Returns 1 when the feature is on for the user; *variation gets the W3 variation. */
__attribute__((noinline)) static int fl_is_on(const fl_table *t, const char *key, const fl_user *u, int *variation) {
    size_t len = strlen(key);
    uint32_t i = fnv1a(key, len, FNV_INIT) & (FL_SLOTS - 1);
    const fl_entry *e;
    for (;;) {
        e = &t->slot[i];
        if (!e->key) return 0;                                  /* unknown feature: off */
        if (e->len == len && memcmp(e->key, key, len) == 0) break;
        i = (i + 1) & (FL_SLOTS - 1);
    }
    switch (e->kind) {
    case FL_DEFAULT_ON:
        return 1;                                               /* {"defaultValue": true} */
    case FL_FORCE_IF_US_CA_ADULT:                               /* $in [US, CA] and $gt 18 -> force true */
        return (strcmp(u->country, "US") == 0 || strcmp(u->country, "CA") == 0) && u->age > 18;
    case FL_EXPERIMENT_US: {                                    /* country == US, then hash v2 */
        if (strcmp(u->country, "US") != 0) return 0;
        uint32_t h1 = fnv1a(u->id, u->id_len, fnv1a(e->seed, strlen(e->seed), FNV_INIT));
        char digits[16];
        int dl = snprintf(digits, sizeof digits, "%u", h1);
        uint32_t h2 = fnv1a(digits, (size_t)dl, FNV_INIT);
        double n = (double)(h2 % 10000) / 10000.0;
        int v = (n >= 0.0 && n < 0.5) ? 0 : (n >= 0.5 && n < 1.0) ? 1 : -1;
        if (variation) *variation = v;
        return v == 1;                                          /* variations [false, true] */
    }
    }
    return 0;
}

typedef struct { fl_table *t; const char *volatile key; fl_user u; } floor_ctx;
static void loop_floor(void *p, long n) {
    floor_ctx *c = p; long s = 0;
    for (long i = 0; i < n; i++) s += fl_is_on(c->t, c->key, &c->u, NULL);
    g_sink += s;
}

/* ------------------------------------------------------------------------- */
/* two threads sharing one handle                                            */
/* ------------------------------------------------------------------------- */

typedef struct {
    void *c;
    loop_fn fn;
    long n;
    pthread_barrier_t *barrier;
} thread_arg;

static void *thread_main(void *p) {
    thread_arg *a = p;
    pthread_barrier_wait(a->barrier);
    a->fn(a->c, a->n);
    return NULL;
}

/* Throughput (M ops/s) of fn with 1 and with 2 threads sharing c->h; g_repeats each. */
static void scaling(const char *workload, const char *call, loop_fn fn, void *c1, void *c2) {
    double one[64], two[64];
    /* calibrate on one thread */
    long n = 1000;
    uint64_t t;
    for (;;) {
        uint64_t t0 = now_ns(); fn(c1, n); t = now_ns() - t0;
        if (t > 20000000ull) break;
        n *= (t < 1000000ull) ? 10 : 2;
    }
    n = (long)((double)n * (g_target_ms * 1e6) / (double)t);
    for (int r = 0; r < g_repeats; r++) {
        uint64_t t0 = now_ns(); fn(c1, n); uint64_t dt = now_ns() - t0;
        one[r] = (double)n / ((double)dt / 1e9) / 1e6;

        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, 3);
        pthread_t th[2];
        thread_arg args[2] = {{c1, fn, n, &barrier}, {c2, fn, n, &barrier}};
        for (int k = 0; k < 2; k++) pthread_create(&th[k], NULL, thread_main, &args[k]);
        pthread_barrier_wait(&barrier);
        t0 = now_ns();
        for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
        dt = now_ns() - t0;
        pthread_barrier_destroy(&barrier);
        two[r] = 2.0 * (double)n / ((double)dt / 1e9) / 1e6;
    }
    fprintf(g_out, "%s\n  {\"group\":\"scaling\",\"workload\":\"%s\",\"call\":\"%s\",\"unit\":\"M/s\",\"samples\":",
            g_first_record ? "" : ",", workload, call);
    json_samples(one, g_repeats);
    fprintf(g_out, ",\"samples_2threads\":");
    json_samples(two, g_repeats);
    fputc('}', g_out);
    g_first_record = 0;
    fprintf(stderr, "  scaling %-5s %-20s 1 thread %8.2f M/s, 2 threads %8.2f M/s (x%.2f)\n", workload, call,
            median(one, g_repeats), median(two, g_repeats), median(two, g_repeats) / median(one, g_repeats));
}

/* ------------------------------------------------------------------------- */
/* modes                                                                     */
/* ------------------------------------------------------------------------- */

static int run_speed(const char *data, const char *server, const char *client_key) {
    double s[64];
    char extra[256];
    gb_handle *h = gb_create(NULL);
    if (!h || gb_set_features_json(h, W_FEATURES) != GB_OK || gb_set_attributes_json(h, W_USER) != GB_OK)
        die("setting up W1-W3");
    gb_attributes *attrs = gb_attributes_create(W_USER);
    gb_eval_buffer *buf = gb_eval_buffer_create();
    if (!attrs || !buf) die("attributes/buffer");

    /* The floor, and its agreement with the library on W1-W3 (and on W3's variation for many users). */
    fl_table table;
    memset(&table, 0, sizeof table);
    fl_insert(&table, "w1", FL_DEFAULT_ON, NULL);
    fl_insert(&table, "w2", FL_FORCE_IF_US_CA_ADULT, NULL);
    fl_insert(&table, "w3", FL_EXPERIMENT_US, "w3");
    floor_ctx fc = {&table, "w1", {"user-123", 8, "US", 30}};
    int agree = 1, checked = 0;
    const char *wk[3] = {"w1", "w2", "w3"};
    for (int k = 0; k < 3; k++)
        if (fl_is_on(&table, wk[k], &fc.u, NULL) != gb_is_on(h, wk[k])) agree = 0;
    for (int i = 0; i < 1000; i++) {
        char id[32], a[128];
        snprintf(id, sizeof id, "u%d", i * 7919);
        snprintf(a, sizeof a, "{\"id\": \"%s\", \"country\": \"US\", \"age\": 30}", id);
        gb_attributes *ua = gb_attributes_create(a);
        fl_user fu = {id, strlen(id), "US", 30};
        int var = -2;
        fl_is_on(&table, "w3", &fu, &var);
        gb_eval_with(h, "w3", ua, 0, buf);
        if (gb_eval_buffer_value(buf)->variation_id != var) agree = 0;
        gb_attributes_free(ua);
        checked++;
    }
    fprintf(stderr, "bench_c: straight-C floor agrees with the library: %s (W1-W3 + %d W3 users)\n",
            agree ? "yes" : "NO", checked);
    fprintf(g_out, "\"floor_agrees\": %s,\n\"records\": [", agree ? "true" : "false");

    for (int k = 0; k < 3; k++) {
        fc.key = wk[k];
        char W[3] = {'W', (char)('1' + k), 0};
        measure(loop_floor, &fc, 1, s);
        record("floor", W, "straight C", "ns/eval", s, g_repeats, NULL);
    }

    struct { const char *call; loop_fn fn; } calls[] = {
        {"gb_is_on", loop_is_on},
        {"gb_is_on_with", loop_is_on_with},
        {"gb_eval_value", loop_eval_value},
        {"gb_eval_result", loop_eval_result},
        {"gb_eval_feature_json", loop_eval_json},
        {"gb_eval_feature_with", loop_eval_json_with},
    };
    bench_ctx c = {h, NULL, attrs, buf, NULL, 0, server, client_key, NULL};
    for (int k = 0; k < 3; k++) {
        char W[3] = {'W', (char)('1' + k), 0};
        c.key = wk[k];
        for (size_t j = 0; j < sizeof calls / sizeof calls[0]; j++) {
            measure(calls[j].fn, &c, 1, s);
            record("c", W, calls[j].call, "ns/eval", s, g_repeats, NULL);
        }
    }

    /* Two threads on one handle (each with its own eval buffer). */
    bench_ctx c2 = c;
    c2.buf = gb_eval_buffer_create();
    for (int k = 0; k < 3; k++) {
        char W[3] = {'W', (char)('1' + k), 0};
        c.key = c2.key = wk[k];
        scaling(W, "gb_is_on", loop_is_on, &c, &c2);
    }
    c.key = c2.key = "w2";
    scaling("W2", "gb_is_on_with", loop_is_on_with, &c, &c2);
    c.key = c2.key = "w3";
    scaling("W3", "gb_eval_feature_json", loop_eval_json, &c, &c2);
    /* Control: the straight-C floor needs no shared state, so it shows how much a second
     * thread can gain on this machine at all (other load, SMT siblings). */
    floor_ctx fc1 = fc, fc2 = fc;
    fc1.key = fc2.key = "w3";
    scaling("W3", "straight C floor (control)", loop_floor, &fc1, &fc2);

    /* W4: all 200 features for one user. */
    char *f200 = read_file(data, "features-200.features.json");
    char *user = read_file(data, "user.json");
    gb_handle *h4 = gb_create(NULL);
    if (!h4 || gb_set_features_json(h4, f200) != GB_OK || gb_set_attributes_json(h4, user) != GB_OK)
        die("setting up W4");
    char **keys;
    int nkeys = feature_keys(f200, &keys);
    bench_ctx c4 = {h4, NULL, NULL, buf, keys, nkeys, server, client_key, NULL};
    snprintf(extra, sizeof extra, "\"features\":%d", nkeys);
    measure(loop_w4_is_on, &c4, nkeys, s);
    record("c", "W4", "gb_is_on", "ns/eval", s, g_repeats, extra);
    measure(loop_w4_eval_value, &c4, nkeys, s);
    record("c", "W4", "gb_eval_value", "ns/eval", s, g_repeats, extra);
    measure(loop_w4_eval_json, &c4, nkeys, s);
    record("c", "W4", "gb_eval_feature_json", "ns/eval", s, g_repeats, extra);

    /* W5 */
    if (server && client_key) {
        gb_handle *shared;
        char opts[1024];
        snprintf(opts, sizeof opts, "{\"apiHost\": \"%s\", \"clientKey\": \"%s\", \"cacheTTL\": 3600}",
                 server, client_key);
        shared = gb_create(opts);
        if (!shared || gb_load_features(shared) != GB_OK) die("W5 first load");
        bench_ctx c5 = {shared, NULL, NULL, buf, keys, nkeys, server, client_key, NULL};
        measure(loop_w5_instance, &c5, 1, s);
        record("c", "W5", "new handle+load+10 gb_is_on+free", "ns/request", s, g_repeats, NULL);
        measure(loop_w5_shared, &c5, 1, s);
        record("c", "W5", "shared handle: attrs+10 gb_is_on_with", "ns/request", s, g_repeats, NULL);
        gb_free(shared);
    }

    /* W6 */
    char *f5000 = read_file(data, "features-5000.features.json");
    gb_handle *h6 = gb_create(NULL);
    bench_ctx c6 = {h6, NULL, NULL, NULL, NULL, 0, NULL, NULL, f200};
    measure(loop_w6, &c6, 1, s);
    record("c", "W6", "gb_set_features_json 200", "ns/load", s, g_repeats, "\"features\":200");
    c6.features_json = f5000;
    measure(loop_w6, &c6, 1, s);
    record("c", "W6", "gb_set_features_json 5000", "ns/load", s, g_repeats, "\"features\":5000");
    gb_free(h6);

    fprintf(g_out, "\n]");
    gb_free(h4);
    gb_free(h);
    gb_attributes_free(attrs);
    gb_eval_buffer_free(buf);
    gb_eval_buffer_free(c2.buf);
    return 0;
}

static int run_memory(const char *data, long evals) {
    char *f5000 = read_file(data, "features-5000.features.json");
    char *f200 = read_file(data, "features-200.features.json");
    char *user = read_file(data, "user.json");
    long kb_start = rss_kb();

    /* Resident memory per loaded feature, at 5,000 features. */
    gb_handle *h = gb_create(NULL);
    if (!h) die("gb_create");
    long kb0 = rss_kb();
    if (gb_set_features_json(h, f5000) != GB_OK) die("loading 5000 features");
    long kb1 = rss_kb();
    malloc_trim(0);
    long kb1t = rss_kb();
    /* A second handle with the same payload: the steady cost of one more copy. */
    gb_handle *h2 = gb_create(NULL);
    long kb2a = rss_kb();
    if (gb_set_features_json(h2, f5000) != GB_OK) die("loading 5000 features (2)");
    malloc_trim(0);
    long kb2b = rss_kb();
    gb_free(h2);
    gb_free(h);
    malloc_trim(0);
    long kb_freed = rss_kb();
    fprintf(stderr, "bench_c: 5000 features: +%ld KiB (+%ld KiB after malloc_trim), second copy +%ld KiB; "
            "after freeing both %ld KiB (start %ld)\n", kb1 - kb0, kb1t - kb0, kb2b - kb2a, kb_freed, kb_start);

    /* Resident memory across many evaluations: W4's 200 features, 16 users through
     * per-call attributes, every 4th evaluation a full FeatureResult JSON. */
    gb_handle *h4 = gb_create(NULL);
    if (!h4 || gb_set_features_json(h4, f200) != GB_OK || gb_set_attributes_json(h4, user) != GB_OK)
        die("setting up the evaluation loop");
    char **keys;
    int nkeys = feature_keys(f200, &keys);
    gb_attributes *users[16];
    for (int u = 0; u < 16; u++) {
        char a[256];
        snprintf(a, sizeof a, "{\"id\": \"user-%d\", \"country\": \"%s\", \"age\": %d, \"version\": \"2.%d.0\","
                 " \"email\": \"u%d@example.com\", \"tags\": [\"beta\"]}", u, u % 2 ? "US" : "CA", 20 + u, u, u);
        users[u] = gb_attributes_create(a);
        if (!users[u]) die("gb_attributes_create");
    }
    /* warm-up pass, so one-time allocations are not counted as growth */
    for (int k = 0; k < nkeys; k++)
        for (int u = 0; u < 16; u++) {
            g_sink += gb_is_on_with(h4, keys[k], users[u]);
            gb_string_free(gb_eval_feature_with(h4, keys[k], users[u]));
        }
    long before = rss_kb(), max_kb = before;
    long samples[64];
    int ns = 0;
    long step = evals / 10 > 0 ? evals / 10 : 1;
    uint64_t t0 = now_ns();
    long s = 0;
    for (long i = 0; i < evals; i++) {
        const char *key = keys[i % nkeys];
        gb_attributes *a = users[(i / nkeys) & 15];
        if ((i & 3) == 3) {
            char *r = gb_eval_feature_with(h4, key, a);
            s += r[1];
            gb_string_free(r);
        } else {
            s += gb_is_on_with(h4, key, a);
        }
        if ((i + 1) % step == 0) {
            long kb = rss_kb();
            if (kb > max_kb) max_kb = kb;
            if (ns < 64) samples[ns++] = kb;
        }
    }
    g_sink += s;
    double secs = (double)(now_ns() - t0) / 1e9;
    long after = rss_kb();
    long hwm = status_kb("VmHWM");
    fprintf(stderr, "bench_c: %ld evaluations in %.1f s: RSS %ld KiB before, %ld KiB after, max %ld KiB; peak (VmHWM) %ld KiB\n",
            evals, secs, before, after, max_kb, hwm);

    fprintf(g_out, "\"memory\": {\"features\": 5000, \"rss_start_kb\": %ld, \"rss_before_load_kb\": %ld,"
            " \"rss_after_load_kb\": %ld, \"rss_after_load_trim_kb\": %ld, \"second_copy_kb\": %ld,"
            " \"rss_after_free_kb\": %ld,"
            " \"evals\": %ld, \"evals_seconds\": %.3f, \"rss_before_evals_kb\": %ld, \"rss_after_evals_kb\": %ld,"
            " \"rss_max_during_evals_kb\": %ld, \"rss_samples_kb\": [",
            kb_start, kb0, kb1, kb1t, kb2b - kb2a, kb_freed, evals, secs, before, after, max_kb);
    for (int i = 0; i < ns; i++) fprintf(g_out, "%s%ld", i ? "," : "", samples[i]);
    fprintf(g_out, "], \"peak_kb\": %ld}", hwm);

    for (int u = 0; u < 16; u++) gb_attributes_free(users[u]);
    gb_free(h4);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* threads: resident memory as threads use one handle, and the first         */
/* evaluation on a thread                                                    */
/* ------------------------------------------------------------------------- */

/* Workers that evaluate a few features on one handle once, each when its gate opens, then
 * stay alive (parked on the condition variable) until the pool quits. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int gate;        /* workers with index < gate may evaluate */
    int alive;       /* workers started and parked */
    int evaluated;   /* workers that have evaluated */
    int quit;
    gb_handle *h;
    char **keys;     /* the few features each worker evaluates */
    int nkeys;
} mem_pool;

typedef struct { mem_pool *p; int index; } mem_worker;

static void *mem_worker_main(void *arg) {
    mem_worker *w = arg;
    mem_pool *p = w->p;
    pthread_mutex_lock(&p->mu);
    p->alive++;
    pthread_cond_broadcast(&p->cv);
    while (p->gate <= w->index && !p->quit) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    long s = 0;
    for (int k = 0; k < p->nkeys; k++) s += gb_is_on(p->h, p->keys[k]);
    g_sink += s;
    pthread_mutex_lock(&p->mu);
    p->evaluated++;
    pthread_cond_broadcast(&p->cv);
    while (!p->quit) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void pool_wait(mem_pool *p, int *counter, int value) {
    pthread_mutex_lock(&p->mu);
    while (*counter < value) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Threads waiting for their turn to time their first evaluation (after the features were set
 * again), one at a time so that they do not share the 2 cores. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int turn;        /* the worker whose turn it is; -1: none yet */
    int ready;       /* workers that did their warm-up evaluation */
    int timed;       /* workers that timed their evaluations */
    gb_handle *h;
    const char *key;
} turn_pool;

typedef struct { turn_pool *p; int index; double warm_ns, first_ns, second_ns; } turn_worker;

static void *turn_worker_main(void *arg) {
    turn_worker *w = arg;
    turn_pool *p = w->p;
    uint64_t t0 = now_ns();
    g_sink += gb_is_on(p->h, p->key);
    w->warm_ns = (double)(now_ns() - t0);
    pthread_mutex_lock(&p->mu);
    p->ready++;
    pthread_cond_broadcast(&p->cv);
    while (p->turn != w->index) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    t0 = now_ns();
    g_sink += gb_is_on(p->h, p->key);
    uint64_t t1 = now_ns();
    g_sink += gb_is_on(p->h, p->key);
    uint64_t t2 = now_ns();
    w->first_ns = (double)(t1 - t0);
    w->second_ns = (double)(t2 - t1);
    pthread_mutex_lock(&p->mu);
    p->timed++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

typedef struct { gb_handle *h; const char *key; double first_ns, second_ns; } fresh_arg;

static void *fresh_thread_main(void *arg) {
    fresh_arg *a = arg;
    uint64_t t0 = now_ns();
    g_sink += gb_is_on(a->h, a->key);
    uint64_t t1 = now_ns();
    g_sink += gb_is_on(a->h, a->key);
    uint64_t t2 = now_ns();
    a->first_ns = (double)(t1 - t0);
    a->second_ns = (double)(t2 - t1);
    return NULL;
}

static void json_doubles(const char *name, const double *v, int n) {
    fprintf(g_out, "\"%s\": [", name);
    for (int i = 0; i < n; i++) fprintf(g_out, "%s%.0f", i ? "," : "", v[i]);
    fputc(']', g_out);
}

#define MAX_THREADS 32
#define FIRST_EVAL_THREADS 8
#define MEM_KEYS 8

static int run_threads(const char *data) {
    char *f5000 = read_file(data, "features-5000.features.json");
    char *user = read_file(data, "user.json");
    char **keys;
    int nkeys = feature_keys(f5000, &keys);
    if (nkeys < MEM_KEYS) { fprintf(stderr, "bench_c: features-5000 has %d features\n", nkeys); return 1; }
    char *few[MEM_KEYS];
    for (int k = 0; k < MEM_KEYS; k++) few[k] = keys[(long)k * nkeys / MEM_KEYS];

    /* 1. Resident memory: one handle, 5,000 features, used by 1, then 2, 4, ... 32 threads. */
    long kb_start = rss_kb();
    gb_handle *h = gb_create(NULL);
    if (!h || gb_set_features_json(h, f5000) != GB_OK || gb_set_attributes_json(h, user) != GB_OK)
        die("loading 5000 features (threads)");
    long s = 0;
    for (int k = 0; k < MEM_KEYS; k++) s += gb_is_on(h, few[k]);
    g_sink += s;
    long kb_one = rss_kb();
    fprintf(stderr, "bench_c: threads: RSS %ld KiB at start, %ld KiB with 5000 features loaded and evaluated on 1 thread "
            "(the 1-thread loaded size: %ld KiB)\n", kb_start, kb_one, kb_one - kb_start);

    mem_pool pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, h, few, MEM_KEYS};
    pthread_t th[MAX_THREADS];
    mem_worker wk[MAX_THREADS];
    static const int levels[] = {2, 4, 8, 16, 32};
    enum { NLEVELS = sizeof levels / sizeof levels[0] };
    long kb_idle[NLEVELS], kb_used[NLEVELS];
    int started = 0;   /* workers; the main thread is the first of the T threads */
    for (int l = 0; l < NLEVELS; l++) {
        int want = levels[l] - 1;
        for (; started < want; started++) {
            wk[started] = (mem_worker){&pool, started};
            if (pthread_create(&th[started], NULL, mem_worker_main, &wk[started]) != 0) {
                fprintf(stderr, "bench_c: pthread_create failed\n");
                return 1;
            }
        }
        pool_wait(&pool, &pool.alive, want);
        kb_idle[l] = rss_kb();                 /* the new threads exist but have not evaluated */
        pthread_mutex_lock(&pool.mu);
        pool.gate = want;
        pthread_cond_broadcast(&pool.cv);
        pthread_mutex_unlock(&pool.mu);
        pool_wait(&pool, &pool.evaluated, want);
        kb_used[l] = rss_kb();                 /* all T threads have evaluated; all still alive */
        fprintf(stderr, "bench_c: threads: %2d threads: RSS %ld KiB (%+ld KiB, %+.1f%% of the 1-thread loaded size "
                "of %ld KiB; %ld KiB before the new threads evaluated)\n", levels[l], kb_used[l], kb_used[l] - kb_one,
                100.0 * (double)(kb_used[l] - kb_one) / (double)(kb_one - kb_start), kb_one - kb_start, kb_idle[l]);
    }
    gb_free(h);
    long kb_freed = rss_kb();
    malloc_trim(0);
    long kb_freed_trim = rss_kb();
    pthread_mutex_lock(&pool.mu);
    pool.quit = 1;
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    malloc_trim(0);
    long kb_joined = rss_kb();
    fprintf(stderr, "bench_c: threads: after gb_free with %d threads alive: %ld KiB (%ld after malloc_trim); "
            "after the threads exit: %ld KiB\n", started + 1, kb_freed, kb_freed_trim, kb_joined);

    fprintf(g_out, "\"threads_memory\": {\"features\": %d, \"keys_per_thread\": %d, \"rss_start_kb\": %ld,"
            " \"rss_one_thread_kb\": %ld, \"levels\": [", nkeys, MEM_KEYS, kb_start, kb_one);
    for (int l = 0; l < NLEVELS; l++)
        fprintf(g_out, "%s{\"threads\": %d, \"rss_kb\": %ld, \"rss_threads_idle_kb\": %ld}", l ? ", " : "",
                levels[l], kb_used[l], kb_idle[l]);
    fprintf(g_out, "], \"rss_after_free_kb\": %ld, \"rss_after_free_trim_kb\": %ld, \"rss_after_join_kb\": %ld},\n",
            kb_freed, kb_freed_trim, kb_joined);

    /* 2. The first evaluation on a thread: fresh threads on a handle already evaluated on this
     * one, one after the other; then existing threads after the features are set again. */
    gb_handle *h2 = gb_create(NULL);
    if (!h2 || gb_set_features_json(h2, f5000) != GB_OK || gb_set_attributes_json(h2, user) != GB_OK)
        die("loading 5000 features (first evaluation)");
    const char *key = few[MEM_KEYS / 2];
    uint64_t t0 = now_ns();
    g_sink += gb_is_on(h2, key);
    double main_first = (double)(now_ns() - t0);
    double fresh_first[FIRST_EVAL_THREADS], fresh_second[FIRST_EVAL_THREADS];
    for (int i = 0; i < FIRST_EVAL_THREADS; i++) {
        fresh_arg a = {h2, key, 0, 0};
        pthread_t t;
        if (pthread_create(&t, NULL, fresh_thread_main, &a) != 0) { fprintf(stderr, "bench_c: pthread_create failed\n"); return 1; }
        pthread_join(t, NULL);
        fresh_first[i] = a.first_ns;
        fresh_second[i] = a.second_ns;
    }

    turn_pool tp = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, 0, 0, h2, key};
    pthread_t tt[FIRST_EVAL_THREADS];
    turn_worker tw[FIRST_EVAL_THREADS];
    for (int i = 0; i < FIRST_EVAL_THREADS; i++) {
        tw[i] = (turn_worker){&tp, i, 0, 0, 0};
        if (pthread_create(&tt[i], NULL, turn_worker_main, &tw[i]) != 0) { fprintf(stderr, "bench_c: pthread_create failed\n"); return 1; }
    }
    pthread_mutex_lock(&tp.mu);
    while (tp.ready < FIRST_EVAL_THREADS) pthread_cond_wait(&tp.cv, &tp.mu);
    pthread_mutex_unlock(&tp.mu);
    t0 = now_ns();
    if (gb_set_features_json(h2, f5000) != GB_OK) die("setting the 5000 features again");
    double reset_ns = (double)(now_ns() - t0);
    for (int i = 0; i < FIRST_EVAL_THREADS; i++) {
        pthread_mutex_lock(&tp.mu);
        tp.turn = i;
        pthread_cond_broadcast(&tp.cv);
        while (tp.timed < i + 1) pthread_cond_wait(&tp.cv, &tp.mu);
        pthread_mutex_unlock(&tp.mu);
    }
    for (int i = 0; i < FIRST_EVAL_THREADS; i++) pthread_join(tt[i], NULL);
    t0 = now_ns();
    g_sink += gb_is_on(h2, key);
    double setter_first = (double)(now_ns() - t0);
    gb_free(h2);

    double warm[FIRST_EVAL_THREADS], after_first[FIRST_EVAL_THREADS], after_second[FIRST_EVAL_THREADS];
    for (int i = 0; i < FIRST_EVAL_THREADS; i++) {
        warm[i] = tw[i].warm_ns;
        after_first[i] = tw[i].first_ns;
        after_second[i] = tw[i].second_ns;
    }
    fprintf(stderr, "bench_c: first gb_is_on on a fresh thread (5000 features, evaluated on another thread before): "
            "median %.0f ns over %d threads (their second call: %.0f ns)\n",
            median(fresh_first, FIRST_EVAL_THREADS), FIRST_EVAL_THREADS, median(fresh_second, FIRST_EVAL_THREADS));
    fprintf(stderr, "bench_c: after gb_set_features_json of the same payload (%.0f ns), the first gb_is_on on each of "
            "%d existing threads: median %.0f ns (the thread that set them: %.0f ns)\n",
            reset_ns, FIRST_EVAL_THREADS, median(after_first, FIRST_EVAL_THREADS), setter_first);
    fprintf(g_out, "\"first_eval\": {\"features\": %d, \"threads\": %d, \"first_on_loading_thread_ns\": %.0f, ",
            nkeys, FIRST_EVAL_THREADS, main_first);
    json_doubles("fresh_first_ns", fresh_first, FIRST_EVAL_THREADS);
    fputs(", ", g_out);
    json_doubles("fresh_second_ns", fresh_second, FIRST_EVAL_THREADS);
    fputs(", ", g_out);
    json_doubles("existing_warmup_ns", warm, FIRST_EVAL_THREADS);
    fprintf(g_out, ", \"reset_ns\": %.0f, ", reset_ns);
    json_doubles("after_reset_first_ns", after_first, FIRST_EVAL_THREADS);
    fputs(", ", g_out);
    json_doubles("after_reset_second_ns", after_second, FIRST_EVAL_THREADS);
    fprintf(g_out, ", \"after_reset_setting_thread_ns\": %.0f}", setter_first);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* compile: installing many experiment rules with distinct hash attributes    */
/* ------------------------------------------------------------------------- */

#ifndef COMPILE_FEATURES
#define COMPILE_FEATURES 8000
#endif
#ifndef COMPILE_RULES
#define COMPILE_RULES 10
#endif

/* COMPILE_FEATURES features of COMPILE_RULES experiment rules each; every rule's hashAttribute
 * is its own ("h00000" ... "h79999") when distinct, else "h00000" for all (the same bytes).
 * Another shape of the same 80,000 rules: -DCOMPILE_FEATURES=80000 -DCOMPILE_RULES=1. */
static char *compile_payload(int distinct) {
    size_t cap = (size_t)COMPILE_FEATURES * COMPILE_RULES * 160 + 64, len = 0;
    char *b = malloc(cap);
    if (!b) { fprintf(stderr, "bench_c: out of memory\n"); exit(2); }
    b[len++] = '{';
    for (int f = 0; f < COMPILE_FEATURES; f++) {
        len += (size_t)snprintf(b + len, cap - len, "%s\"f%04d\":{\"defaultValue\":false,\"rules\":[",
                                f ? "," : "", f);
        for (int r = 0; r < COMPILE_RULES; r++) {
            int n = f * COMPILE_RULES + r;
            len += (size_t)snprintf(b + len, cap - len,
                                    "%s{\"key\":\"e%05d\",\"hashAttribute\":\"h%05d\",\"variations\":[false,true],"
                                    "\"weights\":[0.5,0.5],\"coverage\":1,\"hashVersion\":2}",
                                    r ? "," : "", n, distinct ? n : 0);
        }
        len += (size_t)snprintf(b + len, cap - len, "]}");
    }
    b[len++] = '}';
    b[len] = 0;
    return b;
}

static int run_compile(int samples) {
    char *shared = compile_payload(0), *distinct = compile_payload(1);
    const char *user = "{\"id\": \"user-123\", \"h00000\": \"a\", \"h00001\": \"b\"}";
    double set_ns[2][64], first_ns[2][64];
    if (samples > 64) samples = 64;
    for (int i = 0; i < samples; i++) {
        for (int v = 0; v < 2; v++) {
            gb_handle *h = gb_create(NULL);
            if (!h || gb_set_attributes_json(h, user) != GB_OK) die("gb_create (compile)");
            uint64_t t0 = now_ns();
            if (gb_set_features_json(h, v ? distinct : shared) != GB_OK) die("gb_set_features_json (compile)");
            uint64_t t1 = now_ns();
            g_sink += gb_is_on(h, "f0000");
            uint64_t t2 = now_ns();
            gb_free(h);
            set_ns[v][i] = (double)(t1 - t0);
            first_ns[v][i] = (double)(t2 - t1);
            fprintf(stderr, "bench_c: compile: %d rules, %s hashAttribute: gb_set_features_json %.3f s, "
                    "then the first gb_is_on %.3f ms\n", COMPILE_FEATURES * COMPILE_RULES,
                    v ? "distinct" : "one shared", set_ns[v][i] / 1e9, first_ns[v][i] / 1e6);
        }
    }
    fprintf(g_out, "\"compile\": {\"features\": %d, \"rules_per_feature\": %d, \"bytes_shared\": %zu,"
            " \"bytes_distinct\": %zu, \"samples\": %d, ", COMPILE_FEATURES, COMPILE_RULES, strlen(shared),
            strlen(distinct), samples);
    json_doubles("shared_set_ns", set_ns[0], samples);
    fputs(", ", g_out);
    json_doubles("distinct_set_ns", set_ns[1], samples);
    fputs(", ", g_out);
    json_doubles("shared_first_eval_ns", first_ns[0], samples);
    fputs(", ", g_out);
    json_doubles("distinct_first_eval_ns", first_ns[1], samples);
    fputc('}', g_out);
    free(shared);
    free(distinct);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* redis: sticky bucketing on a Redis server on loopback                     */
/* ------------------------------------------------------------------------- */

/* The commands Redis ran, read from INFO commandstats over a socket of our own
 * (inline commands: no client library), so the round trips counted are the
 * server's, not the library's own account. */
static int g_redis_port;

static int redis_inline(const char *command, char *reply, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_redis_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect to redis");
    char line[256];
    int n = snprintf(line, sizeof line, "%s\r\nQUIT\r\n", command);
    if (write(fd, line, (size_t)n) != n) die("write to redis");
    size_t len = 0;
    ssize_t got;
    while (len + 1 < cap && (got = read(fd, reply + len, cap - 1 - len)) > 0) len += (size_t)got;
    reply[len] = 0;
    close(fd);
    return (int)len;
}

static long redis_calls(const char *command) {
    static char info[1 << 16];
    redis_inline("INFO commandstats", info, sizeof info);
    char needle[64];
    snprintf(needle, sizeof needle, "cmdstat_%s:calls=", command);
    const char *p = strstr(info, needle);
    return p ? atol(p + strlen(needle)) : 0;
}

static const char *R_FEATURES =
    "{\"r\": {\"defaultValue\": 0, \"rules\": [{\"key\": \"r-exp\", \"variations\": [0, 1, 2],"
    " \"weights\": [0.34, 0.33, 0.33], \"coverage\": 1, \"hashAttribute\": \"id\","
    " \"fallbackAttribute\": \"deviceId\", \"hashVersion\": 2, \"bucketVersion\": 1,"
    " \"meta\": [{\"key\": \"a\"}, {\"key\": \"b\"}, {\"key\": \"c\"}]}]}}";

typedef struct {
    gb_handle *h;
    long next_user;  /* new users: a counter; returning users: cycles through `users` */
    long users;
    long evals;
} redis_ctx;

/* One request: the user's attributes made, one typed evaluation, the attributes freed. */
static void loop_redis(void *p, long n) {
    redis_ctx *c = p;
    char json[96];
    gb_eval_buffer *buf = gb_eval_buffer_create();
    for (long i = 0; i < n; i++) {
        long u = c->users ? c->next_user++ % c->users : c->next_user++;
        snprintf(json, sizeof json, "{\"id\": \"u%ld\", \"deviceId\": \"d%ld\"}", u, u);
        gb_attributes *a = gb_attributes_create(json);
        if (!a || gb_eval_with(c->h, "r", a, 0, buf) < 0) die("gb_eval_with (redis)");
        g_sink += gb_eval_buffer_value(buf)->integer;
        gb_attributes_free(a);
        c->evals++;
    }
    gb_eval_buffer_free(buf);
}

static void redis_workload(const char *name, const char *options, long users) {
    char *o = malloc(strlen(R_FEATURES) + strlen(options) + 32);
    sprintf(o, "{\"features\": %s%s}", R_FEATURES, options);
    gb_handle *h = gb_create(o);
    free(o);
    if (!h) die("gb_create (redis)");
    redis_ctx c = {h, 0, users, 0};
    if (users) loop_redis(&c, users); /* every returning user assigned before measuring */
    char reply[256];
    redis_inline("CONFIG RESETSTAT", reply, sizeof reply);
    c.evals = 0;
    double s[64];
    int n = measure(loop_redis, &c, 1, s);
    long mget = redis_calls("mget"), eval = redis_calls("eval"), set = redis_calls("set");
    char extra[256];
    snprintf(extra, sizeof extra, "\"evaluations\":%ld,\"mget\":%ld,\"eval\":%ld,\"set\":%ld", c.evals, mget, eval,
             set);
    record("redis", name, "gb_attributes_create + gb_eval_with + free", "ns/op", s, n, extra);
    fprintf(stderr, "         per evaluation: %.3f MGET, %.3f EVAL (writes)\n", (double)mget / (double)c.evals,
            (double)eval / (double)c.evals);
    gb_free(h);
}

static int run_redis(const char *url) {
    const char *port = strrchr(url, ':');
    g_redis_port = port ? atoi(port + 1) : 6379;
    char opts[512];
    fprintf(g_out, "\"redis\": [");
    redis_workload("no sticky bucketing", "", 0);
    redis_workload("in-memory, new users", ", \"stickyBucketing\": true", 0);
    snprintf(opts, sizeof opts, ", \"stickyBucketing\": {\"redis\": \"%s\", \"prefix\": \"bench-new:\"}", url);
    redis_workload("redis, new users", opts, 0);
    snprintf(opts, sizeof opts, ", \"stickyBucketing\": {\"redis\": \"%s\", \"prefix\": \"bench-ret:\"}", url);
    redis_workload("redis, returning users", opts, 1000);
    fprintf(g_out, "\n]");
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    const char *data = NULL, *out = NULL, *server = NULL, *client_key = NULL, *redis = NULL;
    long evals = 10000000;
    int samples = 2;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data")) data = argv[i + 1];
        else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
        else if (!strcmp(argv[i], "--server")) server = argv[i + 1];
        else if (!strcmp(argv[i], "--client-key")) client_key = argv[i + 1];
        else if (!strcmp(argv[i], "--repeats")) g_repeats = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--target-ms")) g_target_ms = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--evals")) evals = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--samples")) samples = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--redis")) redis = argv[i + 1];
        else { fprintf(stderr, "bench_c: unknown option %s\n", argv[i]); return 2; }
    }
    if (g_repeats < 1) g_repeats = 1;
    if (g_repeats > 64) g_repeats = 64;
    int known = !strcmp(mode, "speed") || !strcmp(mode, "memory") || !strcmp(mode, "threads") || !strcmp(mode, "compile")
                || (!strcmp(mode, "redis") && redis);
    if (!out || !known || (!data && strcmp(mode, "compile") && strcmp(mode, "redis"))) {
        fprintf(stderr, "usage: bench_c speed|memory|threads --data DIR --out FILE [--server URL --client-key KEY]"
                        " [--repeats N] [--target-ms MS] [--evals N]\n"
                        "       bench_c compile --out FILE [--samples N]\n"
                        "       bench_c redis --redis redis://127.0.0.1:PORT/0 --out FILE [--repeats N] [--target-ms MS]\n");
        return 2;
    }
    g_out = fopen(out, "w");
    if (!g_out) { perror(out); return 2; }
    fprintf(g_out, "{\"library_version\": \"%s\", \"mode\": \"%s\", \"repeats\": %d, \"target_ms\": %.1f,\n",
            gb_version(), mode, g_repeats, g_target_ms);
    int rc = !strcmp(mode, "speed")     ? run_speed(data, server, client_key)
             : !strcmp(mode, "memory")  ? run_memory(data, evals)
             : !strcmp(mode, "threads") ? run_threads(data)
             : !strcmp(mode, "redis")   ? run_redis(redis)
                                        : run_compile(samples < 1 ? 1 : samples);
    fprintf(g_out, "\n}\n");
    fclose(g_out);
    return rc;
}
