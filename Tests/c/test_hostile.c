/*
 * test_hostile.c -- hostile and odd inputs through the public ABI, each with the outcome
 * documented in docs/hostile-inputs.md asserted, and the cost of the big ones measured
 * (printed as "[hostile] ..." lines; the docs quote them).
 *
 * Rows: nesting 100,000 deep, a 100 MB string, a 1,000,000-element $in, a regex with
 * catastrophic backtracking, NaN / Infinity / -0 / numbers beyond 2^53, duplicate keys,
 * lone surrogates and invalid UTF-8, non-objects where objects are expected, empty keys, and
 * a 5,000-level prerequisite chain, the regex budget of a call, and the deepest inputs on a
 * 64 KiB thread stack.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"
#include <growthbook.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static char *xmalloc(size_t n)
{
    char *p = malloc(n);
    if (!p) abort();
    return p;
}

/* The "value" of a feature as compact JSON text (caller frees), or NULL. */
static char *value_of(gb_handle *gb, const char *key)
{
    char *s = gb_get_feature_value_json(gb, key);
    char *c = json_compact(s);
    gb_string_free(s);
    return c;
}

/* The "source" of a feature's evaluation (static buffer). */
static const char *source_of(gb_handle *gb, const char *key)
{
    static char src[64];
    char *s = gb_eval_feature_json(gb, key);
    const char *p = s ? strstr(s, "\"source\"") : NULL;
    src[0] = 0;
    if (p) {
        p = strchr(p + 8, '"');
        if (p) {
            size_t i = 0;
            for (p++; *p && *p != '"' && i + 1 < sizeof src; p++) src[i++] = *p;
            src[i] = 0;
        }
    }
    gb_string_free(s);
    return src;
}

static int value_is(gb_handle *gb, const char *key, const char *expected)
{
    char *v = value_of(gb, key);
    int ok = v && strcmp(v, expected) == 0;
    if (!ok) fprintf(stderr, "  %s: value %s, expected %s\n", key, v ? v : "(null)", expected);
    free(v);
    return ok;
}

/* ---- nesting 100,000 deep: GB_ERR_JSON at every JSON entry point ------------------------ */
static void test_deep_nesting(void)
{
    size_t depth = 100000;
    char *arr = xmalloc(2 * depth + 1), *obj = xmalloc(depth * 6 + 16), *wrapped;
    size_t i, n = 0;
    for (i = 0; i < depth; i++) arr[i] = '[';
    for (i = 0; i < depth; i++) arr[depth + i] = ']';
    arr[2 * depth] = 0;
    for (i = 0; i < depth; i++) { memcpy(obj + n, "{\"a\":", 5); n += 5; }
    obj[n++] = '1';
    for (i = 0; i < depth; i++) obj[n++] = '}';
    obj[n] = 0;

    gb_handle *gb = gb_create("{\"features\": {\"f\": {\"defaultValue\": 1}}, \"attributes\": {\"id\": \"1\"}}");
    double t = now();
    CHECK(gb_create(arr) == NULL && gb_last_error_code() == GB_ERR_JSON);
    char limit[16];
    sprintf(limit, "%d", GB_MAX_JSON_DEPTH);
    CHECK(strstr(gb_last_error(), limit) != NULL);
    CHECK(gb_create(obj) == NULL && gb_last_error_code() == GB_ERR_JSON);
    CHECK(gb_set_features_json(gb, obj) == GB_ERR_JSON);
    CHECK(gb_set_attributes_json(gb, obj) == GB_ERR_JSON);
    CHECK(gb_set_saved_groups_json(gb, obj) == GB_ERR_JSON);
    CHECK(gb_attributes_create(obj) == NULL && gb_last_error_code() == GB_ERR_JSON);
    CHECK(gb_eval_condition_json(obj, "{}", NULL) == GB_ERR_JSON);
    CHECK(gb_eval_condition_json("{}", obj, NULL) == GB_ERR_JSON);
    CHECK(gb_run_experiment_json(gb, obj) == NULL && gb_last_error_code() == GB_ERR_JSON);
    /* the same value nested inside an otherwise valid document */
    wrapped = xmalloc(strlen(arr) + 64);
    sprintf(wrapped, "{\"f\": {\"defaultValue\": %s}}", arr);
    CHECK(gb_set_features_json(gb, wrapped) == GB_ERR_JSON);
    double elapsed = now() - t;
    /* a failed call changes nothing */
    CHECK(value_is(gb, "f", "1"));
    printf("[hostile] nesting 100000 deep: GB_ERR_JSON from 10 entry points in %.4f s total\n", elapsed);

    /* the limit itself: GB_MAX_JSON_DEPTH levels parse, one more does not (the value sits
     * at depth 2: the features object, the feature) */
    char *ok = xmalloc(2 * GB_MAX_JSON_DEPTH + 64), *bad = xmalloc(2 * GB_MAX_JSON_DEPTH + 64);
    n = (size_t)sprintf(ok, "{\"f\": {\"defaultValue\": ");
    strcpy(bad, ok);
    size_t levels = GB_MAX_JSON_DEPTH - 2;
    for (i = 0; i < levels; i++) ok[n + i] = '[';
    for (i = 0; i < levels; i++) ok[n + levels + i] = ']';
    strcpy(ok + n + 2 * levels, "}}");
    for (i = 0; i < levels + 1; i++) bad[n + i] = '[';
    for (i = 0; i < levels + 1; i++) bad[n + levels + 1 + i] = ']';
    strcpy(bad + n + 2 * levels + 2, "}}");
    CHECK(gb_set_features_json(gb, ok) == GB_OK);
    CHECK(gb_set_features_json(gb, bad) == GB_ERR_JSON);
    free(ok); free(bad); free(wrapped); free(arr); free(obj);
    gb_free(gb);
}

/* ---- a 100 MB string: accepted; evaluation is linear in its length -------------------- */
static void test_huge_string(void)
{
    size_t len = 100u * 1024 * 1024;
    char *attrs = xmalloc(len + 64), *key = xmalloc(len + 1);
    size_t n = (size_t)sprintf(attrs, "{\"id\": \"");
    memset(attrs + n, 'a', len);
    strcpy(attrs + n + len, "\"}");
    memset(key, 'k', len);
    key[len] = 0;

    gb_handle *gb = gb_create(NULL);
    CHECK(gb_set_features_json(gb,
        "{\"eq\": {\"defaultValue\": 0, \"rules\": [{\"condition\": {\"id\": \"x\"}, \"force\": 1}]},"
        " \"re\": {\"defaultValue\": 0, \"rules\": [{\"condition\": {\"id\": {\"$regex\": \"^a{3}\"}}, \"force\": 1}]},"
        " \"exp\": {\"defaultValue\": -1, \"rules\": [{\"key\": \"e\", \"variations\": [0, 1], \"hashAttribute\": \"id\"}]}}") == GB_OK);
    double t0 = now();
    CHECK(gb_set_attributes_json(gb, attrs) == GB_OK);
    double t1 = now();
    CHECK(value_is(gb, "eq", "0"));
    double t2 = now();
    CHECK(value_is(gb, "re", "1"));
    double t3 = now();
    int rc = gb_is_on(gb, "exp"); /* hashes the 100 MB id */
    double t4 = now();
    CHECK(rc == 0 || rc == 1);
    CHECK(gb_is_on(gb, key) == 0); /* a 100 MB feature key: unknown feature */
    double t5 = now();
    printf("[hostile] 100 MB string: set_attributes %.3f s, $eq eval %.3f s, anchored $regex eval %.3f s,"
           " experiment (hash) eval %.3f s, 100 MB feature key lookup %.3f s\n",
           t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4);
    gb_free(gb);
    free(attrs); free(key);
}

/* ---- a 1,000,000-element $in --------------------------------------------------------- */
static void test_huge_in(void)
{
    size_t count = 1000000, n;
    char *features = xmalloc(count * 12 + 256);
    n = (size_t)sprintf(features, "{\"f\": {\"defaultValue\": 0, \"rules\": [{\"condition\": {\"n\": {\"$in\": [");
    for (size_t i = 0; i < count; i++) n += (size_t)sprintf(features + n, i ? ",%zu" : "%zu", i * 2);
    strcpy(features + n, "]}}, \"force\": 1}]}}");
    gb_handle *gb = gb_create(NULL);
    gb_attributes *hit = gb_attributes_create("{\"n\": 1999998}");
    gb_attributes *miss = gb_attributes_create("{\"n\": 1999999}");
    double t0 = now();
    CHECK(gb_set_features_json(gb, features) == GB_OK);
    double t1 = now();
    CHECK(gb_is_on_with(gb, "f", hit) == 1);
    double t2 = now();
    CHECK(gb_is_on_with(gb, "f", miss) == 0);
    double t3 = now();
    for (int i = 0; i < 1000; i++) gb_is_on_with(gb, "f", miss);
    double t4 = now();
    printf("[hostile] 1,000,000-element $in (%zu bytes of JSON): set_features %.3f s, first eval (hit) %.6f s,"
           " eval (miss) %.6f s, mean of 1000 evals %.2f us\n",
           strlen(features), t1 - t0, t2 - t1, t3 - t2, (t4 - t3) / 1000 * 1e6);
    /* the condition helper compiles the condition on every call */
    char *cond = strstr(features, "{\"n\"");
    cond[strlen(cond) - strlen(", \"force\": 1}]}}")] = 0;
    t0 = now();
    CHECK(gb_eval_condition_json(cond, "{\"n\": 4}", NULL) == 1);
    printf("[hostile] 1,000,000-element $in through gb_eval_condition_json (parse + compile + eval): %.3f s\n",
           now() - t0);
    gb_attributes_free(hit);
    gb_attributes_free(miss);
    gb_free(gb);
    free(features);
}

/* ---- catastrophic backtracking: (a+)+$ against "aaaa...b" ------------------------------
 * Regex conditions run on PCRE2 with a match limit (1,000,000 backtracking steps) and a depth
 * limit: a search that reaches them stops, and the condition fails, as in the reference a
 * raised exception makes it fail. So the time is bounded whatever the input length. */
static void test_catastrophic_regex(void)
{
    int lengths[] = {8, 16, 20, 30, 100, 100000};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        int n = lengths[i];
        char *attrs = malloc((size_t)n + 32);
        if (!attrs) abort();
        int k = sprintf(attrs, "{\"s\": \"");
        memset(attrs + k, 'a', (size_t)n);
        strcpy(attrs + k + n, "b\"}");
        double t = now();
        int rc = gb_eval_condition_json("{\"s\": {\"$regex\": \"(a+)+$\"}}", attrs, NULL);
        double d = now() - t;
        CHECK(rc == 0);
        CHECKF(d < 1.0, "(a+)+$ vs %d a's + b took %.3f s: not bounded", n, d);
        /* a search that gives up is a $regex that fails, so its $not passes, as fast */
        int nrc = gb_eval_condition_json("{\"s\": {\"$not\": {\"$regex\": \"(a+)+$\"}}}", attrs, NULL);
        CHECK(nrc == 1);
        printf("[hostile] catastrophic regex (a+)+$ vs %d a's + b: %.4f s\n", n, d);
        free(attrs);
    }
    /* the same pattern against a matching or short input is fast and right */
    CHECK(gb_eval_condition_json("{\"s\": {\"$regex\": \"(a+)+$\"}}", "{\"s\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", NULL) == 1);
    /* an invalid pattern never matches (and never errors) */
    CHECK(gb_eval_condition_json("{\"s\": {\"$regex\": \"(\"}}", "{\"s\": \"(\"}", NULL) == 0);
}

/* ---- the regex budget of a call ------------------------------------------------------ */
static int g_budget_warnings;
static void count_budget_warnings(int level, const char *message, void *user_data)
{
    (void)user_data;
    if (level == GB_LOG_WARNING && strstr(message, "budget")) g_budget_warnings++;
}

/* A feature of `misses` rules whose regex does not match, then one that does. */
static char *regex_rules(int misses)
{
    char *f = xmalloc((size_t)misses * 80 + 256);
    size_t n = (size_t)sprintf(f, "{\"f\": {\"defaultValue\": \"default\", \"rules\": [");
    for (int i = 0; i < misses; i++)
        n += (size_t)sprintf(f + n, "{\"condition\": {\"e\": {\"$regex\": \"^miss%d\"}}, \"force\": %d},", i, i);
    sprintf(f + n, "{\"condition\": {\"e\": {\"$regex\": \"^a\"}}, \"force\": \"hit\"}]}}");
    return f;
}

static void test_regex_budget(void)
{
    /* A subject of 4 bytes is given the smallest step limit, 10,000, so a call's budget of
     * 4,000,000 steps pays for exactly 400 searches: the 401st is refused (it fails). */
    gb_handle *gb = gb_create(NULL);
    CHECK(gb_set_log_callback(gb, count_budget_warnings, GB_LOG_WARNING, NULL) == GB_OK);
    CHECK(gb_set_attributes_json(gb, "{\"e\": \"aaaa\"}") == GB_OK);
    char *within = regex_rules(399), *beyond = regex_rules(400);
    CHECK(gb_set_features_json(gb, within) == GB_OK);
    CHECK(value_is(gb, "f", "\"hit\""));
    CHECK(g_budget_warnings == 0);
    CHECK(gb_set_features_json(gb, beyond) == GB_OK);
    CHECK(value_is(gb, "f", "\"default\""));
    CHECKF(g_budget_warnings == 1, "%d budget warnings, expected 1 for the call", g_budget_warnings);
    /* every call starts with a full budget */
    CHECK(gb_set_features_json(gb, within) == GB_OK);
    CHECK(value_is(gb, "f", "\"hit\""));
    CHECK(value_is(gb, "f", "\"hit\""));
    CHECK(g_budget_warnings == 1);
    CHECK(gb_eval_condition_json("{\"e\": {\"$regex\": \"^a\"}}", "{\"e\": \"aaaa\"}", NULL) == 1);
    free(within);
    free(beyond);

    /* The payloads: 1,000 rules with a backtracking pattern (an alternation PCRE2
     * cannot make possessive), and one feature naming a regex-rule prerequisite 2,000 times.
     * Bounded by the budget (timed and printed, not asserted). */
    size_t cap = 1000 * 96 + 256;
    char *f = xmalloc(cap);
    size_t n = (size_t)sprintf(f, "{\"f\": {\"defaultValue\": 0, \"rules\": [");
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(f + n, "%s{\"condition\": {\"e\": {\"$regex\": \"^(a|aa)+$\"}}, \"force\": %d}", i ? "," : "", i + 1);
    strcpy(f + n, "]}}");
    CHECK(gb_set_features_json(gb, f) == GB_OK);
    CHECK(gb_set_attributes_json(gb, "{\"e\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}") == GB_OK);
    double t = now();
    CHECK(value_is(gb, "f", "0"));
    double d1 = now() - t;
    free(f);

    cap = 2000 * 64 + 512;
    f = xmalloc(cap);
    n = (size_t)sprintf(f, "{\"p\": {\"defaultValue\": 0, \"rules\": [{\"condition\": {\"e\": {\"$regex\": \"^(a|aa)+$\"}}, \"force\": 1}]},"
                           " \"f\": {\"defaultValue\": \"off\", \"rules\": [{\"parentConditions\": [");
    for (int i = 0; i < 2000; i++) n += (size_t)sprintf(f + n, "%s{\"id\": \"p\", \"condition\": {\"value\": 0}}", i ? "," : "");
    strcpy(f + n, "], \"force\": \"on\"}]}}");
    /* js semantics: the parent is evaluated all 2,000 times (python-1.1.0 calls its second
     * visit a cycle at once) */
    gb_handle *js = gb_create("{\"semantics\": \"js\", \"attributes\": {\"e\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"}}");
    CHECK(js != NULL && gb_set_features_json(js, f) == GB_OK);
    t = now();
    CHECK(value_is(js, "f", "\"on\""));
    double d2 = now() - t;
    gb_free(js);
    free(f);
    printf("[hostile] regex budget: 1,000 rules of ^(a|aa)+$ vs 28 a's + '!': %.4f s; a regex-rule prerequisite named"
           " 2,000 times: %.4f s\n", d1, d2);
    gb_free(gb);
}

/* ---- every call within a 64 KiB thread stack ----------------------------------------- */
/* A condition nested `levels` deep, each level `open` ... `close` around {"a":1}. */
static char *nested(int levels, const char *open, const char *leaf, const char *close)
{
    size_t cap = (size_t)levels * (strlen(open) + strlen(close)) + strlen(leaf) + 1;
    char *s = xmalloc(cap);
    size_t n = 0;
    for (int i = 0; i < levels; i++) n += (size_t)sprintf(s + n, "%s", open);
    n += (size_t)sprintf(s + n, "%s", leaf);
    for (int i = 0; i < levels; i++) n += (size_t)sprintf(s + n, "%s", close);
    return s;
}

static int g_small_stack_failures;

/* Sets features whose one rule has `condition`, evaluates every way, on the calling thread. */
static void deep_calls(const char *condition, const char *attributes, const char *value)
{
    size_t cap = 2 * strlen(condition) + strlen(value) + 256;
    char *f = xmalloc(cap);
    snprintf(f, cap, "{\"f\": {\"defaultValue\": %s, \"rules\": [{\"condition\": %s, \"force\": 1}]},"
                     " \"g\": {\"defaultValue\": 0, \"rules\": [{\"parentConditions\": [{\"id\": \"f\", \"condition\": %s}],"
                     " \"force\": 2}]}}", value, condition, condition);
    gb_handle *gb = gb_create(NULL);
    if (!gb || gb_set_features_json(gb, f) != GB_OK || gb_set_attributes_json(gb, attributes) != GB_OK) {
        g_small_stack_failures++;
        fprintf(stderr, "  small stack: set-up failed: %s\n", gb_last_error());
    }
    (void)gb_is_on(gb, "f");
    (void)gb_is_on(gb, "g");
    gb_string_free(gb_eval_feature_json(gb, "f"));
    gb_string_free(gb_eval_feature_json(gb, "g"));
    gb_string_free(gb_get_features_json(gb));
    (void)gb_eval_condition_json(condition, attributes, NULL);
    gb_free(gb);
    free(f);
}

static void *small_stack_thread(void *arg)
{
    (void)arg;
    /* the deepest of each shape the nesting limit lets through (a parent condition sits at
     * depth 6: features, feature, rules, rule, parentConditions, its entry) */
    int room = GB_MAX_JSON_DEPTH - 6;  /* levels a parent condition may take (see deep_calls) */
    char *and = nested((room - 1) / 2, "{\"$and\": [", "{\"a\": 1}", "]}");
    char *not = nested(room - 1, "{\"$not\": ", "{\"a\": 1}", "}");
    char *elem = nested((room - 1) / 2, "{\"a\": {\"$elemMatch\": ", "{\"a\": 1}", "}}");
    char *value = nested(GB_MAX_JSON_DEPTH - 2, "[", "1", "]");
    char *deep_attributes = nested(GB_MAX_JSON_DEPTH - 1, "{\"a\": ", "1", "}");
    deep_calls(and, "{\"a\": 1}", "0");
    deep_calls(not, "{\"a\": 1}", "0");
    deep_calls(elem, deep_attributes, "0");
    deep_calls("{\"a\": 1}", deep_attributes, value);
    free(and); free(not); free(elem); free(value); free(deep_attributes);
    /* a prerequisite chain at its limit (64 levels) */
    char *chain = xmalloc(70 * 200);
    size_t n = 0;
    chain[n++] = '{';
    for (int i = 0; i < 70; i++) {
        if (i + 1 < 70)
            n += (size_t)sprintf(chain + n, "%s\"f%d\": {\"defaultValue\": false, \"rules\": [{\"parentConditions\": [{\"id\": \"f%d\","
                                 " \"condition\": {\"value\": true}}], \"force\": true}]}", i ? ", " : "", i, i + 1);
        else
            n += (size_t)sprintf(chain + n, ", \"f%d\": {\"defaultValue\": true}", i);
    }
    strcpy(chain + n, "}");
    gb_handle *gb = gb_create(NULL);
    if (gb_set_features_json(gb, chain) != GB_OK) g_small_stack_failures++;
    for (int i = 0; i < 8; i++) {
        char key[16];
        sprintf(key, "f%d", i);
        (void)gb_is_on(gb, key);
    }
    gb_free(gb);
    free(chain);
    return NULL;
}

/* The promise is for the shipped library; AddressSanitizer's redzones make every frame several
 * times larger, so its build gets a proportionally larger stack. */
#if defined(__SANITIZE_ADDRESS__)
#define SMALL_STACK_KIB 512
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMALL_STACK_KIB 512
#endif
#endif
#ifndef SMALL_STACK_KIB
#define SMALL_STACK_KIB 64
#endif

static void test_small_stack(void)
{
    pthread_attr_t attr;
    pthread_t t;
    CHECK(pthread_attr_init(&attr) == 0);
    CHECK(pthread_attr_setstacksize(&attr, SMALL_STACK_KIB * 1024) == 0);
    CHECK(pthread_create(&t, &attr, small_stack_thread, NULL) == 0);
    CHECK(pthread_join(t, NULL) == 0);  /* a stack overflow would have killed the process */
    CHECK(g_small_stack_failures == 0);
    pthread_attr_destroy(&attr);
    printf("[hostile] the deepest conditions, values, attributes and prerequisite chain on a %d KiB thread stack: ok\n",
           SMALL_STACK_KIB);
}

/* ---- NaN / Infinity / -0 / beyond 2^53 ------------------------------------------------ */
static void test_numbers(void)
{
    gb_handle *gb = gb_create("{\"features\": {\"f\": {\"defaultValue\": \"kept\"}}}");
    const char *rejected[] = {"NaN", "Infinity", "-Infinity", "1e400", "-1e400", "nan", "+1", "01", NULL};
    for (int i = 0; rejected[i]; i++) {
        char b[128];
        sprintf(b, "{\"f\": {\"defaultValue\": %s}}", rejected[i]);
        CHECKF(gb_set_features_json(gb, b) == GB_ERR_JSON, "%s accepted", rejected[i]);
    }
    CHECK(value_is(gb, "f", "\"kept\""));
    struct { const char *in, *out; } kept[] = {
        {"-0", "0"}, {"-0.0", "-0.0"}, {"1e-400", "0.0"},
        {"9007199254740993", "9007199254740993"},                 /* 2^53 + 1, exact (int64) */
        {"9223372036854775807", "9223372036854775807"},           /* int64 max, exact */
        {"9223372036854775808", "9223372036854775808"},           /* beyond int64: kept as written */
        {"-9223372036854775809", "-9223372036854775809"},         /* (compared as a double in js) */
        {"18446744073709551616", "18446744073709551616"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {NULL, NULL}};
    for (int i = 0; kept[i].in; i++) {
        char b[128];
        sprintf(b, "{\"f\": {\"defaultValue\": %s}}", kept[i].in);
        CHECKF(gb_set_features_json(gb, b) == GB_OK, "%s rejected", kept[i].in);
        CHECKF(value_is(gb, "f", kept[i].out), "%s", kept[i].in);
    }
    /* comparisons: python-1.1.0 compares integers exactly; js as JavaScript's numbers
     * (doubles: 2^53 + 1 is 2^53); -0 equals 0 in both */
    CHECK(gb_eval_condition_semantics_json(GB_SEMANTICS_PYTHON_1_1_0, "{\"x\": {\"$eq\": 9007199254740993}}", "{\"x\": 9007199254740992}", NULL) == 0);
    CHECK(gb_eval_condition_semantics_json(GB_SEMANTICS_PYTHON_1_1_0, "{\"x\": {\"$gt\": 9007199254740992}}", "{\"x\": 9007199254740993}", NULL) == 1);
    CHECK(gb_eval_condition_semantics_json(GB_SEMANTICS_JS, "{\"x\": {\"$eq\": 9007199254740993}}", "{\"x\": 9007199254740992}", NULL) == 1);
    CHECK(gb_eval_condition_semantics_json(GB_SEMANTICS_JS, "{\"x\": {\"$gt\": 9007199254740992}}", "{\"x\": 9007199254740993}", NULL) == 0);
    CHECK(gb_eval_condition_json("{\"x\": 0}", "{\"x\": -0.0}", NULL) == 1);
    CHECK(gb_eval_condition_json("{\"x\": {\"$lt\": 0}}", "{\"x\": -0.0}", NULL) == 0);
    /* NaN and infinities through the C double parameters */
    char *s = gb_get_bucket_ranges_json(2, NAN, NULL);
    CHECK(s && strcmp(s, "[[0.0,0.0],[0.5,0.5]]") == 0); /* NaN coverage counts as 0 */
    gb_string_free(s);
    s = gb_get_bucket_ranges_json(2, INFINITY, NULL);
    CHECK(s && strcmp(s, "[[0.0,0.5],[0.5,1.0]]") == 0); /* clamped to 1 */
    gb_string_free(s);
    s = gb_get_bucket_ranges_json(2, -0.0, NULL);
    CHECK(s && strcmp(s, "[[0.0,0.0],[0.5,0.5]]") == 0);
    gb_string_free(s);
    int out = 7;
    CHECK(gb_choose_variation(NAN, "[[0,0.5],[0.5,1]]", &out) == GB_OK && out == -1);
    CHECK(gb_choose_variation(INFINITY, "[[0,0.5],[0.5,1]]", &out) == GB_OK && out == -1);
    CHECK(gb_choose_variation(-0.0, "[[0,0.5],[0.5,1]]", &out) == GB_OK && out == 0);
    CHECK(gb_get_bucket_ranges_json(1000000000, 1, NULL) == NULL && gb_last_error_code() == GB_ERR_INVALID_ARGUMENT);
    gb_free(gb);
}

/* ---- duplicate keys: the last one wins, at every level -------------------------------- */
static void test_duplicate_keys(void)
{
    gb_handle *gb = gb_create(NULL);
    CHECK(gb_set_features_json(gb, "{\"f\": {\"defaultValue\": 1}, \"f\": {\"defaultValue\": 2}}") == GB_OK);
    CHECK(value_is(gb, "f", "2"));
    CHECK(gb_set_features_json(gb, "{\"f\": {\"defaultValue\": 1, \"defaultValue\": 3}}") == GB_OK);
    CHECK(value_is(gb, "f", "3"));
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"a\", \"id\": \"b\"}") == GB_OK);
    char *a = gb_get_attributes_json(gb);
    char *c = json_compact(a);
    CHECK(c && strcmp(c, "{\"id\":\"b\"}") == 0);
    free(c);
    gb_string_free(a);
    CHECK(gb_eval_condition_json("{\"x\": 1, \"x\": 2}", "{\"x\": 2}", NULL) == 1);
    gb_free(gb);
}

/* ---- lone surrogates and invalid UTF-8: GB_ERR_UTF8 ------------------------------------ */
static void test_utf8(void)
{
    gb_handle *gb = gb_create("{\"features\": {\"f\": {\"defaultValue\": \"kept\"}}}");
    const char *bad_json[] = {
        "{\"f\": {\"defaultValue\": \"\\ud800\"}}",         /* lone high surrogate escape */
        "{\"f\": {\"defaultValue\": \"x\\udc00\"}}",        /* lone low surrogate escape */
        "{\"f\": {\"defaultValue\": \"\\ud800\\u0041\"}}",  /* high surrogate + non-surrogate */
        "{\"f\": {\"defaultValue\": \"\xff\"}}",             /* invalid byte */
        "{\"f\": {\"defaultValue\": \"\xc0\x80\"}}",         /* overlong NUL */
        "{\"f\": {\"defaultValue\": \"\xed\xa0\x80\"}}",     /* encoded surrogate */
        "{\"f\": {\"defaultValue\": \"\xf4\x90\x80\x80\"}}", /* beyond U+10FFFF */
        "{\"f\": {\"defaultValue\": \"\xe2\x82\"}}",         /* truncated sequence */
        NULL};
    for (int i = 0; bad_json[i]; i++) {
        CHECKF(gb_set_features_json(gb, bad_json[i]) == GB_ERR_UTF8, "case %d: %d %s", i, gb_last_error_code(), gb_last_error());
        CHECK(strstr(gb_last_error(), "byte offset") != NULL);
        CHECK(gb_set_attributes_json(gb, bad_json[i]) == GB_ERR_UTF8);
        CHECK(gb_eval_condition_json(bad_json[i], "{}", NULL) == GB_ERR_UTF8);
    }
    CHECK(value_is(gb, "f", "\"kept\""));
    CHECK(gb_is_on(gb, "\xc0\x80") == GB_ERR_UTF8);
    CHECK(gb_eval_feature_json(gb, "\xff") == NULL && gb_last_error_code() == GB_ERR_UTF8);
    CHECK(gb_decrypt("\xff", "k") == NULL && gb_last_error_code() == GB_ERR_UTF8);
    /* a surrogate pair is one character */
    CHECK(gb_set_features_json(gb, "{\"f\": {\"defaultValue\": \"\\ud83d\\ude00\"}}") == GB_OK);
    CHECK(value_is(gb, "f", "\"\xf0\x9f\x98\x80\""));
    gb_free(gb);
}

/* ---- non-objects where objects are expected ------------------------------------------ */
static void test_non_objects(void)
{
    const char *not_objects[] = {"[]", "null", "1", "\"s\"", "true", NULL};
    gb_handle *gb = gb_create("{\"features\": {\"f\": {\"defaultValue\": \"kept\"}}}");
    for (int i = 0; not_objects[i]; i++) {
        const char *v = not_objects[i];
        CHECK(gb_create(v) == NULL && gb_last_error_code() == GB_ERR_TYPE);
        CHECK(gb_set_features_json(gb, v) == GB_ERR_TYPE);
        CHECK(gb_set_attributes_json(gb, v) == GB_ERR_TYPE);
        CHECK(gb_set_saved_groups_json(gb, v) == GB_ERR_TYPE);
        CHECK(gb_set_forced_variations_json(gb, v) == GB_ERR_TYPE);
        CHECK(gb_attributes_create(v) == NULL && gb_last_error_code() == GB_ERR_TYPE);
        CHECK(gb_eval_condition_json(v, "{}", NULL) == GB_ERR_TYPE);
        CHECK(gb_eval_condition_json("{}", v, NULL) == GB_ERR_TYPE);
        CHECK(gb_run_experiment_json(gb, v) == NULL && gb_last_error_code() == GB_ERR_TYPE);
    }
    CHECK(value_is(gb, "f", "\"kept\""));
    /* options members of the wrong type */
    CHECK(gb_create("{\"features\": []}") == NULL && gb_last_error_code() == GB_ERR_TYPE);
    CHECK(gb_create("{\"attributes\": 5}") == NULL && gb_last_error_code() == GB_ERR_TYPE);
    /* inside a feature set, wrong shapes are ignored like unknown keys (the reference SDK's
     * behaviour): a definition that is not an object is a feature with no default (null), a
     * "rules" that is not an array has no rules, a rule that is not an object is skipped, a
     * condition that is not an object is no condition */
    CHECK(gb_set_features_json(gb, "{\"f\": 5}") == GB_OK);
    CHECK(value_is(gb, "f", "null"));
    CHECK(strcmp(source_of(gb, "f"), "defaultValue") == 0);
    CHECK(gb_set_features_json(gb, "{\"f\": {\"defaultValue\": 1, \"rules\": {}}}") == GB_OK);
    CHECK(value_is(gb, "f", "1"));
    CHECK(gb_set_features_json(gb, "{\"f\": {\"defaultValue\": 1, \"rules\": [5, \"x\", null]}}") == GB_OK);
    CHECK(value_is(gb, "f", "1"));
    CHECK(gb_set_features_json(gb, "{\"f\": {\"defaultValue\": 1, \"rules\": [{\"condition\": [], \"force\": 2}]}}") == GB_OK);
    CHECK(value_is(gb, "f", "2"));
    gb_free(gb);
}

/* ---- empty keys: ordinary keys --------------------------------------------------------- */
static void test_empty_keys(void)
{
    gb_handle *gb = gb_create(NULL);
    CHECK(gb_set_features_json(gb,
        "{\"\": {\"defaultValue\": 7, \"rules\": [{\"condition\": {\"\": \"e\"}, \"force\": 8}]}}") == GB_OK);
    CHECK(value_is(gb, "", "7"));
    CHECK(strcmp(source_of(gb, ""), "defaultValue") == 0);
    CHECK(gb_set_attributes_json(gb, "{\"\": \"e\"}") == GB_OK);
    CHECK(value_is(gb, "", "8"));
    CHECK(gb_is_on(gb, "") == 1);
    CHECK(gb_eval_condition_json("{\"\": {\"$exists\": true}}", "{\"\": 0}", NULL) == 1);
    /* an experiment hashed on an empty attribute name / value: not in the experiment */
    char *r = gb_run_experiment_json(gb, "{\"key\": \"\", \"variations\": [0, 1], \"hashAttribute\": \"\"}");
    CHECK(r != NULL);
    gb_string_free(r);
    r = gb_run_experiment_json(gb, "{\"key\": \"e\", \"variations\": [0, 1], \"hashAttribute\": \"missing\"}");
    CHECK(r && strstr(r, "\"inExperiment\":false") != NULL);
    gb_string_free(r);
    gb_free(gb);
}

/* ---- a 5,000-level prerequisite chain: cut at depth 64, cyclicPrerequisite -------------- */
static void test_prerequisite_chain(void)
{
    int levels = 5000;
    char *features = xmalloc((size_t)levels * 160 + 64);
    size_t n = 0;
    features[n++] = '{';
    for (int i = 0; i < levels; i++) {
        if (i + 1 < levels)
            n += (size_t)sprintf(features + n,
                "%s\"f%d\": {\"defaultValue\": false, \"rules\": [{\"parentConditions\": [{\"id\": \"f%d\","
                " \"condition\": {\"value\": true}}], \"force\": true}]}", i ? ", " : "", i, i + 1);
        else
            n += (size_t)sprintf(features + n, ", \"f%d\": {\"defaultValue\": true}", i);
    }
    strcpy(features + n, "}");
    gb_handle *gb = gb_create(NULL);
    double t0 = now();
    CHECK(gb_set_features_json(gb, features) == GB_OK);
    double t1 = now();
    CHECK(strcmp(source_of(gb, "f0"), "cyclicPrerequisite") == 0);
    CHECK(value_is(gb, "f0", "null"));
    double t2 = now();
    /* a chain of 10 (f4990 -> ... -> f4999) is evaluated normally */
    CHECK(strcmp(source_of(gb, "f4990"), "force") == 0);
    CHECK(value_is(gb, "f4990", "true"));
    /* exactly at the limit: f(4999-64) needs 64 levels of parents */
    char key[16];
    sprintf(key, "f%d", levels - 1 - 63);
    CHECK(strcmp(source_of(gb, key), "force") == 0);
    sprintf(key, "f%d", levels - 1 - 64);
    CHECKF(strcmp(source_of(gb, key), "cyclicPrerequisite") == 0, "%s: %s", key, source_of(gb, key));
    double t3 = now();
    for (int i = 0; i < 100; i++) gb_is_on(gb, "f0");
    double t4 = now();
    printf("[hostile] 5,000-level prerequisite chain: set_features %.3f s, eval of the chain head %.6f s"
           " (cyclicPrerequisite), mean of 100 evals %.6f s\n", t1 - t0, t2 - t1, (t4 - t3) / 100);
    /* a real cycle */
    CHECK(gb_set_features_json(gb,
        "{\"a\": {\"defaultValue\": 1, \"rules\": [{\"parentConditions\": [{\"id\": \"b\", \"condition\": {\"value\": 1}}], \"force\": 2}]},"
        " \"b\": {\"defaultValue\": 1, \"rules\": [{\"parentConditions\": [{\"id\": \"a\", \"condition\": {\"value\": 1}}], \"force\": 2}]}}") == GB_OK);
    CHECK(strcmp(source_of(gb, "a"), "cyclicPrerequisite") == 0);
    gb_free(gb);
    free(features);
}

int main(void)
{
    test_deep_nesting();
    test_huge_string();
    test_huge_in();
    test_catastrophic_regex();
    test_regex_budget();
    test_small_stack();
    test_numbers();
    test_duplicate_keys();
    test_utf8();
    test_non_objects();
    test_empty_keys();
    test_prerequisite_chain();
    return tu_summary();
}
