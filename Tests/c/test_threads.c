/*
 * test_threads.c -- one handle shared by 10 threads.
 *
 * 8 threads evaluate (gb_is_on, gb_eval_feature_json, gb_is_on_with and
 * gb_eval_feature_with with per-thread gb_attributes and with one gb_attributes
 * shared by all of them,
 * gb_eval_feature_with_attributes_json) while one thread keeps replacing the
 * handle's attributes and another keeps swapping the features between two
 * sets, A and B.
 *
 * Exact answers: before the threads start, every feature is evaluated
 * single-threaded for every thread's user under set A and under set B (on a
 * separate handle). During the run, every per-call-attributes answer
 * (gb_eval_feature_with, gb_eval_feature_with_attributes_json, gb_is_on_with)
 * must equal, byte for byte, the single-threaded answer for that user under
 * one of the two sets: the set the evaluation saw. Every feature's A and B
 * answers differ (values and rule ids name their set) wherever the rules
 * apply, so an evaluation that mixed the two sets matches neither.
 *
 * Beyond that, every answer is checkable on its own:
 *
 *  - "always" is on in both sets (A: defaultValue true; B: a force rule that
 *    matches every user with an id), so gb_is_on must always give 1;
 *  - "vip" gives the same answer in both sets for each evaluating thread's
 *    attributes (A: country in US/CA; B: age > 17), so gb_is_on_with has one
 *    right answer per thread;
 *  - "geo" values name their set ("A-na", "A-default", "B-fr", "B-default"),
 *    so each FeatureResult must be internally consistent with exactly one set
 *    and, for per-call attributes, right for the thread's country under it;
 *  - "exp" is an experiment whose variations name their set ("A0"/"A1",
 *    "B0"/"B1") and whose result names the user (hashValue), so the assigned
 *    variation can be recomputed here from the hash.
 *
 * The tracking callback checks each call the same way and counts calls; at
 * the end every (user, experiment) assignment seen must have been tracked
 * exactly once.
 *
 * Prints "N passed, N failed"; exits nonzero on failure.
 */
#include <growthbook.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#define EVAL_THREADS 8
#define TOTAL_ITERATIONS 240000 /* over all evaluating threads */
#define MAX_SECONDS 120.0

static const char *FEATURES_A =
    "{\"version\": {\"defaultValue\": \"A\"},"
    " \"f\": {\"defaultValue\": true},"
    " \"always\": {\"defaultValue\": true},"
    " \"vip\": {\"defaultValue\": false, \"rules\": [{\"id\": \"A-vip\","
    "    \"condition\": {\"country\": {\"$in\": [\"US\", \"CA\"]}}, \"force\": true}]},"
    " \"geo\": {\"defaultValue\": \"A-default\", \"rules\": [{\"id\": \"A-geo\","
    "    \"condition\": {\"country\": {\"$in\": [\"US\", \"CA\"]}}, \"force\": \"A-na\"}]},"
    " \"exp\": {\"defaultValue\": \"A-none\", \"rules\": [{\"key\": \"exp-A\","
    "    \"variations\": [\"A0\", \"A1\"], \"weights\": [0.5, 0.5], \"coverage\": 1,"
    "    \"hashAttribute\": \"id\"}]}}";

static const char *FEATURES_B =
    "{\"version\": {\"defaultValue\": \"B\"},"
    " \"f\": {\"defaultValue\": false},"
    " \"always\": {\"defaultValue\": false, \"rules\": [{\"id\": \"B-always\","
    "    \"condition\": {\"id\": {\"$exists\": true}}, \"force\": true}]},"
    " \"vip\": {\"defaultValue\": false, \"rules\": [{\"id\": \"B-vip\","
    "    \"condition\": {\"age\": {\"$gt\": 17}}, \"force\": true}]},"
    " \"geo\": {\"defaultValue\": \"B-default\", \"rules\": [{\"id\": \"B-geo\","
    "    \"condition\": {\"country\": \"FR\"}, \"force\": \"B-fr\"}]},"
    " \"exp\": {\"defaultValue\": \"B-none\", \"rules\": [{\"key\": \"exp-B\","
    "    \"variations\": [\"B0\", \"B1\"], \"weights\": [0.5, 0.5], \"coverage\": 1,"
    "    \"hashAttribute\": \"id\", \"hashVersion\": 2, \"seed\": \"b-seed\"}]}}";

/* The handle's attributes alternate between these two. */
static const char *HANDLE_ATTRS[2] = {
    "{\"id\": \"u1\", \"country\": \"US\", \"age\": 30}",
    "{\"id\": \"u2\", \"country\": \"FR\", \"age\": 10}",
};

/* Per evaluating thread; "vip" is the same in both sets for each. */
static const struct { const char *id, *country; int age; int vip; } USERS[EVAL_THREADS] = {
    {"t0", "US", 30, 1}, {"t1", "FR", 10, 0}, {"t2", "CA", 40, 1},
    {"t3", "DE", 12, 0}, {"t4", "US", 50, 1}, {"t5", "JP", 3, 0},
    {"t6", "CA", 25, 1}, {"t7", "BR", 15, 0},
};

/* The features whose per-call answers are compared with the single-threaded
 * ones. */
static const char *KEYS[] = {"version", "f", "always", "vip", "geo", "exp"};
#define NUM_KEYS ((int)(sizeof KEYS / sizeof KEYS[0]))

/* expected[set][thread][key]: the FeatureResult JSON for the thread's user,
 * computed single-threaded before the run. */
static char *expected[2][EVAL_THREADS][NUM_KEYS];
static atomic_long saw_set[2]; /* per-call answers that matched set A / B */

/* Users by index: 0..5 the threads', 6 u1, 7 u2. */
#define NUM_USERS (EVAL_THREADS + 2)

static const char *user_id(int u) { return u < EVAL_THREADS ? USERS[u].id : (u == EVAL_THREADS ? "u1" : "u2"); }

static int user_index(const char *quoted_id)
{
    int u;
    char want[32];
    for (u = 0; u < NUM_USERS; u++) {
        snprintf(want, sizeof want, "\"%s\"", user_id(u));
        if (quoted_id && strcmp(quoted_id, want) == 0) return u;
    }
    return -1;
}

/* --- GrowthBook's hash, recomputed independently ---------------------------- */

static uint32_t fnv1a32(const char *s)
{
    uint32_t h = 0x811C9DC5u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x01000193u;
    }
    return h;
}

static double gbhash(const char *seed, const char *value, int version)
{
    char buf[256];
    if (version == 1) {
        snprintf(buf, sizeof buf, "%s%s", value, seed);
        return (double)(fnv1a32(buf) % 1000u) / 1000.0;
    }
    snprintf(buf, sizeof buf, "%s%s", seed, value);
    snprintf(buf, sizeof buf, "%u", (unsigned)fnv1a32(buf));
    return (double)(fnv1a32(buf) % 10000u) / 10000.0;
}

/* Expected variation of user u in set s (0 = A, 1 = B). */
static int expected_variation(int set, int u)
{
    double n = set == 0 ? gbhash("exp-A", user_id(u), 1) : gbhash("b-seed", user_id(u), 2);
    return n < 0.5 ? 0 : 1;
}

/* --- shared counters ----------------------------------------------------------- */

static atomic_int passed_n, failed_n, printed_n;
static atomic_int tracking_calls, bad_tracking;
static atomic_uint observed_mask, tracked_mask;
static atomic_int stop_writers;
/* One gb_attributes (user 0's) that every evaluating thread uses too. */
static gb_attributes *shared_attrs;
static atomic_long set_swaps, attr_swaps;

static void pass(void) { atomic_fetch_add(&passed_n, 1); }

static void fail(const char *what, const char *detail)
{
    atomic_fetch_add(&failed_n, 1);
    if (atomic_fetch_add(&printed_n, 1) < 20)
        fprintf(stderr, "FAIL: %s: %s\n", what, detail ? detail : "(NULL)");
}

static void expect(int ok, const char *what, const char *detail)
{
    if (ok) pass();
    else fail(what, detail);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Which set a string value names: 0 (A), 1 (B), or -1. */
static int set_of_value(const char *quoted)
{
    if (!quoted || quoted[0] != '"') return -1;
    if (quoted[1] == 'A') return 0;
    if (quoted[1] == 'B') return 1;
    return -1;
}

/* A FeatureResult of "geo": internally consistent with exactly one set, and
 * right for `country` when it is known (NULL: the handle's attributes, one of
 * two). Returns 1 if good. */
static int check_geo(const char *json, const char *country)
{
    char *value = json_get(json, "value"), *rule = json_get(json, "ruleId"),
         *source = json_get(json, "source"), *on = json_get(json, "on");
    int ok = 0, set = set_of_value(value);
    int forced = rule && (strcmp(rule, "\"A-geo\"") == 0 || strcmp(rule, "\"B-geo\"") == 0);
    if (set >= 0 && rule && source && on && strcmp(on, "true") == 0) {
        const char *want_forced_value = set == 0 ? "\"A-na\"" : "\"B-fr\"";
        const char *want_default_value = set == 0 ? "\"A-default\"" : "\"B-default\"";
        const char *want_rule = set == 0 ? "\"A-geo\"" : "\"B-geo\"";
        if (forced)
            ok = strcmp(rule, want_rule) == 0 && strcmp(value, want_forced_value) == 0 &&
                 strcmp(source, "\"force\"") == 0;
        else
            ok = strcmp(rule, "\"\"") == 0 && strcmp(value, want_default_value) == 0 &&
                 strcmp(source, "\"defaultValue\"") == 0;
        if (ok && country) {
            int should_force = set == 0 ? (strcmp(country, "US") == 0 || strcmp(country, "CA") == 0)
                                        : strcmp(country, "FR") == 0;
            ok = should_force == forced;
        }
    }
    free(value);
    free(rule);
    free(source);
    free(on);
    return ok;
}

/* An Experiment + Result pair (from a FeatureResult or the tracking callback)
 * for "exp": one set, a known user, the right variation and value. If
 * want_user >= 0 the result must be for that user. Returns the bit of the
 * (set, user) assignment, or 0 if bad. */
static unsigned check_exp_pair(const char *experiment, const char *result, int want_user)
{
    char *key = json_get(experiment, "key"), *hv = json_get(result, "hashValue"),
         *vid = json_get(result, "variationId"), *val = json_get(result, "value"),
         *inexp = json_get(result, "inExperiment"), *fid = json_get(result, "featureId");
    unsigned bit = 0;
    int set = key && strcmp(key, "\"exp-A\"") == 0 ? 0 : key && strcmp(key, "\"exp-B\"") == 0 ? 1 : -1;
    int u = user_index(hv);
    if (set >= 0 && u >= 0 && (want_user < 0 || u == want_user) && vid && val && inexp && fid &&
        strcmp(inexp, "true") == 0 && strcmp(fid, "\"exp\"") == 0) {
        int v = expected_variation(set, u);
        char want_vid[8], want_val[8];
        snprintf(want_vid, sizeof want_vid, "%d", v);
        snprintf(want_val, sizeof want_val, "\"%c%d\"", set == 0 ? 'A' : 'B', v);
        if (strcmp(vid, want_vid) == 0 && strcmp(val, want_val) == 0)
            bit = 1u << (set * NUM_USERS + u);
    }
    free(key);
    free(hv);
    free(vid);
    free(val);
    free(inexp);
    free(fid);
    return bit;
}

/* A FeatureResult of "exp". Returns 1 if good, and records the assignment. */
static int check_exp(const char *json, int want_user)
{
    char *value = json_get(json, "value"), *source = json_get(json, "source"),
         *e = json_get(json, "experiment"), *r = json_get(json, "experimentResult"),
         *rv = json_get(r, "value");
    unsigned bit = 0;
    if (value && source && rv && strcmp(source, "\"experiment\"") == 0 && strcmp(value, rv) == 0)
        bit = check_exp_pair(e, r, want_user);
    if (bit) atomic_fetch_or(&observed_mask, bit);
    free(value);
    free(source);
    free(e);
    free(r);
    free(rv);
    return bit != 0;
}

static void on_track(const char *experiment_json, const char *result_json, void *user_data)
{
    unsigned bit = check_exp_pair(experiment_json, result_json, -1);
    atomic_fetch_add(&tracking_calls, 1);
    if (user_data != (void *)&tracking_calls || !bit) {
        atomic_fetch_add(&bad_tracking, 1);
        fail("tracking callback got a wrong experiment/result", result_json);
        return;
    }
    if (atomic_fetch_or(&tracked_mask, bit) & bit) {
        atomic_fetch_add(&bad_tracking, 1);
        fail("tracking callback fired twice for one assignment", result_json);
    }
}

/* Per-call answer s for thread t's user and KEYS[k]: equal to the
 * single-threaded answer under A or under B. Returns the set (0, 1), or -1. */
static int exact_set(const char *s, int t, int k)
{
    if (!s) return -1;
    if (strcmp(s, expected[0][t][k]) == 0) return 0;
    if (strcmp(s, expected[1][t][k]) == 0) return 1;
    return -1;
}

static void check_exact(const char *s, int t, int k, const char *call)
{
    int set = exact_set(s, t, k);
    char what[160];
    if (set >= 0) {
        atomic_fetch_add(&saw_set[set], 1);
        pass();
        return;
    }
    snprintf(what, sizeof what, "%s(%s) for %s differs from the single-threaded answers (A: %s, B: %s)", call,
             KEYS[k], USERS[t].id, expected[0][t][k], expected[1][t][k]);
    fail(what, s);
}

/* Fills expected[][][] on a separate handle, one thread. Returns 1 if good. */
static int compute_expected(void)
{
    int set, t, k, ok = 1;
    for (set = 0; set < 2; set++) {
        char opts[4096];
        gb_handle *ref;
        snprintf(opts, sizeof opts, "{\"features\": %s}", set == 0 ? FEATURES_A : FEATURES_B);
        ref = gb_create(opts);
        if (!ref) return 0;
        for (t = 0; t < EVAL_THREADS; t++) {
            char attrs[128];
            snprintf(attrs, sizeof attrs, "{\"id\": \"%s\", \"country\": \"%s\", \"age\": %d}", USERS[t].id,
                     USERS[t].country, USERS[t].age);
            for (k = 0; k < NUM_KEYS; k++) {
                expected[set][t][k] = gb_eval_feature_with_attributes_json(ref, KEYS[k], attrs);
                if (!expected[set][t][k]) ok = 0;
            }
        }
        gb_free(ref);
    }
    /* Where a feature's rules apply, the two sets' answers differ. */
    for (t = 0; ok && t < EVAL_THREADS; t++)
        for (k = 0; k < NUM_KEYS; k++)
            if (strcmp(expected[0][t][k], expected[1][t][k]) == 0 &&
                !(strcmp(KEYS[k], "vip") == 0 && !USERS[t].vip)) {
                fprintf(stderr, "FAIL: sets A and B give the same answer for %s/%s: %s\n", USERS[t].id, KEYS[k],
                        expected[0][t][k]);
                ok = 0;
            }
    return ok;
}

/* --- threads -------------------------------------------------------------------- */

struct eval_arg {
    gb_handle *gb;
    int index;
    int iterations;
    double deadline;
    long done;
};

static void *evaluator(void *p)
{
    struct eval_arg *a = p;
    int t = a->index, i;
    char attrs_json[128];
    gb_attributes *attrs;

    snprintf(attrs_json, sizeof attrs_json, "{\"id\": \"%s\", \"country\": \"%s\", \"age\": %d}",
             USERS[t].id, USERS[t].country, USERS[t].age);
    attrs = gb_attributes_create(attrs_json);
    expect(attrs != NULL, "gb_attributes_create", gb_last_error());
    if (!attrs) return NULL;

    for (i = 0; i < a->iterations; i++) {
        char *s;
        int r;
        if ((i & 63) == 0 && now_seconds() > a->deadline) break;
        switch ((i + t) % 6) {
        case 0:
            r = gb_is_on(a->gb, "always");
            expect(r == 1, "gb_is_on(always) != 1", gb_last_error());
            r = gb_is_on(a->gb, "f");
            expect(r == 0 || r == 1, "gb_is_on(f) failed", gb_last_error());
            break;
        case 1:
            r = gb_is_on_with(a->gb, "vip", attrs);
            expect(r == USERS[t].vip, "gb_is_on_with(vip) wrong for the thread's attributes", attrs_json);
            /* Every key, exactly as single-threaded, through parsed attributes. */
            s = gb_eval_feature_with(a->gb, KEYS[(i / 6) % NUM_KEYS], attrs);
            check_exact(s, t, (i / 6) % NUM_KEYS, "gb_eval_feature_with");
            if (s && strcmp(KEYS[(i / 6) % NUM_KEYS], "exp") == 0)
                expect(check_exp(s, t), "gb_eval_feature_with(exp) wrong", s);
            gb_string_free(s);
            /* The same through the attributes every thread shares. */
            s = gb_eval_feature_with(a->gb, KEYS[(i / 6) % NUM_KEYS], shared_attrs);
            check_exact(s, 0, (i / 6) % NUM_KEYS, "gb_eval_feature_with (shared attributes)");
            gb_string_free(s);
            r = gb_is_on_with(a->gb, "vip", shared_attrs);
            expect(r == USERS[0].vip, "gb_is_on_with(vip) wrong for the shared attributes", NULL);
            break;
        case 2:
            s = gb_eval_feature_json(a->gb, "geo");
            expect(check_geo(s, NULL), "gb_eval_feature_json(geo) inconsistent", s);
            gb_string_free(s);
            break;
        case 3:
            s = gb_eval_feature_with(a->gb, "geo", attrs);
            expect(check_geo(s, USERS[t].country), "gb_eval_feature_with(geo) wrong", s);
            check_exact(s, t, 4, "gb_eval_feature_with");
            gb_string_free(s);
            break;
        case 4:
            s = gb_eval_feature_with_attributes_json(a->gb, "exp", attrs_json);
            expect(check_exp(s, t), "gb_eval_feature_with_attributes_json(exp) wrong", s);
            check_exact(s, t, 5, "gb_eval_feature_with_attributes_json");
            gb_string_free(s);
            /* Every key, exactly as single-threaded, through JSON attributes. */
            s = gb_eval_feature_with_attributes_json(a->gb, KEYS[(i / 6) % NUM_KEYS], attrs_json);
            check_exact(s, t, (i / 6) % NUM_KEYS, "gb_eval_feature_with_attributes_json");
            gb_string_free(s);
            break;
        default:
            s = gb_eval_feature_json(a->gb, "exp");
            expect(check_exp(s, -1) && (json_contains(s, "\"hashValue\":\"u1\"") ||
                                        json_contains(s, "\"hashValue\":\"u2\"")),
                   "gb_eval_feature_json(exp) wrong", s);
            gb_string_free(s);
            s = gb_get_feature_value_json(a->gb, "version");
            expect(s && (strcmp(s, "\"A\"") == 0 || strcmp(s, "\"B\"") == 0),
                   "gb_get_feature_value_json(version) wrong", s);
            gb_string_free(s);
            break;
        }
    }
    a->done = i;
    gb_attributes_free(attrs);
    return NULL;
}

static void *attribute_writer(void *p)
{
    gb_handle *gb = p;
    long n = 0;
    /* every other swap installs attributes made once (gb_set_attributes: shared, and the
     * state kept when they equal the current ones), one made by a builder */
    gb_attributes *made[2] = {gb_attributes_create(HANDLE_ATTRS[0]), NULL};
    gb_attributes_builder *b = gb_attributes_builder_create();
    expect(b && gb_attributes_builder_key(b, "id", 2) == GB_OK && gb_attributes_builder_string(b, "u2", 2) == GB_OK &&
               gb_attributes_builder_key(b, "country", 7) == GB_OK &&
               gb_attributes_builder_string(b, "FR", 2) == GB_OK && gb_attributes_builder_key(b, "age", 3) == GB_OK &&
               gb_attributes_builder_int(b, 10) == GB_OK && (made[1] = gb_attributes_builder_finish(b)) != NULL,
           "gb_attributes_builder", gb_last_error());
    gb_attributes_builder_free(b);
    while (!atomic_load(&stop_writers)) {
        int which = (int)(n & 1);
        char *s;
        if (n & 2)
            expect(gb_set_attributes(gb, made[which]) == GB_OK, "gb_set_attributes", gb_last_error());
        else
            expect(gb_set_attributes_json(gb, HANDLE_ATTRS[which]) == GB_OK, "gb_set_attributes_json",
                   gb_last_error());
        if ((n & 15) == 0) {
            /* Whatever we read back is one whole attribute set. */
            s = gb_get_attributes_json(gb);
            expect(s && ((json_member_is(s, "id", "\"u1\"") && json_member_is(s, "country", "\"US\"")) ||
                         (json_member_is(s, "id", "\"u2\"") && json_member_is(s, "country", "\"FR\""))),
                   "gb_get_attributes_json gave a mix", s);
            gb_string_free(s);
        }
        n++;
    }
    atomic_store(&attr_swaps, n);
    gb_attributes_free(made[0]);
    gb_attributes_free(made[1]);
    return NULL;
}

/* Handles holding set A and set B, shared into the evaluated handle by
 * gb_set_features_from on every other swap. */
static gb_handle *feature_sources[2];

static void *feature_writer(void *p)
{
    gb_handle *gb = p;
    long n = 0;
    while (!atomic_load(&stop_writers)) {
        int which = (int)(n & 1);
        if (n & 2)
            expect(gb_set_features_from(gb, feature_sources[which]) == GB_OK,
                   "gb_set_features_from", gb_last_error());
        else
            expect(gb_set_features_json(gb, which ? FEATURES_B : FEATURES_A) == GB_OK,
                   "gb_set_features_json", gb_last_error());
        if ((n & 7) == 0) {
            char *s = gb_get_features_json(gb);
            int a = json_contains(s, "\"exp-A\""), b = json_contains(s, "\"exp-B\"");
            expect(s && a != b, "gb_get_features_json gave a mix of A and B", s);
            gb_string_free(s);
        }
        n++;
    }
    atomic_store(&set_swaps, n);
    return NULL;
}

static int popcount(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

/* The process-wide log callback replaced while threads log through it: no race, and once
 * gb_set_default_log_callback(NULL) returns, the callback is not called again. */
static atomic_long default_log_calls;
static atomic_int default_log_stop;

static void on_default_log(int level, const char *message, void *user_data)
{
    (void)level;
    expect(message != NULL && user_data == (void *)&default_log_calls, "default log callback arguments", message);
    atomic_fetch_add(&default_log_calls, 1);
}

static void *default_log_evaluator(void *p)
{
    gb_handle *gb = p;
    while (!atomic_load(&default_log_stop)) gb_is_on(gb, "no-such-feature"); /* logs at DEBUG */
    return NULL;
}

static void test_default_log_callback(void)
{
    gb_handle *gb = gb_create(NULL);
    pthread_t threads[3];
    CHECK(gb != NULL);
    for (int t = 0; t < 3; t++) CHECK(pthread_create(&threads[t], NULL, default_log_evaluator, gb) == 0);
    for (int i = 0; i < 2000; i++)
        CHECK(gb_set_default_log_callback(i & 1 ? NULL : on_default_log, GB_LOG_DEBUG, &default_log_calls) ==
              GB_OK);
    CHECK(gb_set_default_log_callback(on_default_log, GB_LOG_DEBUG, &default_log_calls) == GB_OK);
    long before = atomic_load(&default_log_calls);
    while (atomic_load(&default_log_calls) == before) sched_yield(); /* the threads do log */
    CHECK(gb_set_default_log_callback(NULL, GB_LOG_DEBUG, NULL) == GB_OK);
    long after = atomic_load(&default_log_calls);
    for (int i = 0; i < 1000; i++) sched_yield();
    CHECKF(atomic_load(&default_log_calls) == after, "the default log callback ran after it was removed");
    atomic_store(&default_log_stop, 1);
    for (int t = 0; t < 3; t++) pthread_join(threads[t], NULL);
    gb_free(gb);
}

int main(void)
{
    pthread_t eval_threads[EVAL_THREADS], attr_thread, feat_thread;
    struct eval_arg args[EVAL_THREADS];
    gb_handle *gb;
    char opts[4096];
    double start = now_seconds();
    long total = 0;
    int t, u, s;

    /* The hash recomputed here agrees with the fixtures. */
    CHECK(gbhash("", "a", 1) == 0.22);
    CHECK(gbhash("seed", "a", 2) == 0.0505);
    /* Users land in both variations, so the test can tell them apart. */
    {
        int seen[2][2] = {{0, 0}, {0, 0}};
        for (s = 0; s < 2; s++)
            for (u = 0; u < NUM_USERS; u++) seen[s][expected_variation(s, u)] = 1;
        CHECK(seen[0][0] && seen[0][1] && seen[1][0] && seen[1][1]);
    }

    CHECKF(compute_expected(), "the single-threaded answers could not be computed: %s", gb_last_error());

    snprintf(opts, sizeof opts, "{\"features\": %s, \"attributes\": %s}", FEATURES_A, HANDLE_ATTRS[0]);
    gb = gb_create(opts);
    CHECKF(gb != NULL, "gb_create: %s", gb_last_error());
    if (!gb) return tu_summary();
    CHECK(gb_set_tracking_callback(gb, on_track, &tracking_calls) == GB_OK);

    /* Single-threaded sanity check of both sets first. */
    {
        char *r = gb_eval_feature_json(gb, "geo");
        CHECKF(check_geo(r, "US") && json_member_is(r, "value", "\"A-na\""), "set A geo: %s", r ? r : "(NULL)");
        gb_string_free(r);
        r = gb_eval_feature_json(gb, "exp");
        CHECKF(check_exp(r, EVAL_THREADS), "set A exp: %s", r ? r : "(NULL)");
        gb_string_free(r);
        CHECK(gb_set_features_json(gb, FEATURES_B) == GB_OK);
        CHECK(gb_is_on(gb, "f") == 0 && gb_is_on(gb, "always") == 1);
        r = gb_eval_feature_json(gb, "geo");
        CHECKF(check_geo(r, "US") && json_member_is(r, "value", "\"B-default\""), "set B geo: %s", r ? r : "(NULL)");
        gb_string_free(r);
        r = gb_eval_feature_json(gb, "exp");
        CHECKF(check_exp(r, EVAL_THREADS), "set B exp: %s", r ? r : "(NULL)");
        gb_string_free(r);
        CHECK(gb_set_features_json(gb, FEATURES_A) == GB_OK);
    }

    {
        char shared_json[128];
        snprintf(shared_json, sizeof shared_json, "{\"id\": \"%s\", \"country\": \"%s\", \"age\": %d}",
                 USERS[0].id, USERS[0].country, USERS[0].age);
        shared_attrs = gb_attributes_create(shared_json);
        CHECK(shared_attrs != NULL);
    }
    for (t = 0; t < EVAL_THREADS; t++) {
        args[t].gb = gb;
        args[t].index = t;
        args[t].iterations = TOTAL_ITERATIONS / EVAL_THREADS;
        args[t].deadline = start + MAX_SECONDS;
        args[t].done = 0;
        CHECK(pthread_create(&eval_threads[t], NULL, evaluator, &args[t]) == 0);
    }
    CHECK(pthread_create(&attr_thread, NULL, attribute_writer, gb) == 0);
    for (s = 0; s < 2; s++) {
        feature_sources[s] = gb_create(NULL);
        CHECK(feature_sources[s] && gb_set_features_json(feature_sources[s], s ? FEATURES_B : FEATURES_A) == GB_OK);
    }
    CHECK(pthread_create(&feat_thread, NULL, feature_writer, gb) == 0);

    for (t = 0; t < EVAL_THREADS; t++) {
        pthread_join(eval_threads[t], NULL);
        total += args[t].done;
    }
    atomic_store(&stop_writers, 1);
    pthread_join(attr_thread, NULL);
    pthread_join(feat_thread, NULL);
    gb_attributes_free(shared_attrs);
    gb_free(feature_sources[0]);
    gb_free(feature_sources[1]);

    tu_passed += atomic_load(&passed_n);
    tu_failed += atomic_load(&failed_n);

    printf("%ld evaluation iterations in %.1f s on %d threads; %ld feature swaps, %ld attribute swaps; "
           "%d tracking calls\n",
           total, now_seconds() - start, EVAL_THREADS, atomic_load(&set_swaps), atomic_load(&attr_swaps),
           atomic_load(&tracking_calls));
    printf("per-call answers equal to the single-threaded answer under set A: %ld, under set B: %ld\n",
           atomic_load(&saw_set[0]), atomic_load(&saw_set[1]));
    /* Both sets were seen, so the swaps really raced with the evaluations. */
    CHECK(atomic_load(&saw_set[0]) > 0 && atomic_load(&saw_set[1]) > 0);
    CHECKF(total == (TOTAL_ITERATIONS / EVAL_THREADS) * EVAL_THREADS,
           "only %ld iterations finished within %.0f s", total, MAX_SECONDS);
    CHECK(atomic_load(&set_swaps) > 1 && atomic_load(&attr_swaps) > 1);

    /* Every assignment seen was tracked exactly once. */
    CHECK(atomic_load(&bad_tracking) == 0);
    CHECKF(atomic_load(&tracked_mask) == atomic_load(&observed_mask),
           "tracked assignments %#x != assignments seen %#x", atomic_load(&tracked_mask),
           atomic_load(&observed_mask));
    CHECKF(atomic_load(&tracking_calls) == popcount(atomic_load(&observed_mask)),
           "%d tracking calls for %d distinct assignments", atomic_load(&tracking_calls),
           popcount(atomic_load(&observed_mask)));
    /* All per-thread users were assigned in at least one set. */
    for (u = 0; u < EVAL_THREADS; u++)
        CHECKF(atomic_load(&observed_mask) & ((1u << u) | (1u << (NUM_USERS + u))),
               "user %s never evaluated", user_id(u));

    gb_set_tracking_callback(gb, NULL, NULL);
    gb_free(gb);
    test_default_log_callback();
    for (s = 0; s < 2; s++)
        for (t = 0; t < EVAL_THREADS; t++)
            for (u = 0; u < NUM_KEYS; u++) gb_string_free(expected[s][t][u]);
    return tu_summary();
}
