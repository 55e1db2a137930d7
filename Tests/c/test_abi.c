/*
 * test_abi.c -- the C ABI's contract: happy paths, NULL arguments, invalid
 * UTF-8, malformed and wrongly shaped JSON, and that a handle survives every
 * failed call unchanged. Uses only the public header.
 *
 * Prints one line per failed check on stderr and a closing line
 * "N passed, N failed" on stdout; exits nonzero if any check failed.
 */
#include <growthbook.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* --- error checks --------------------------------------------------------- */

static void check_err_(int rc, int want, int need_offset, const char *what,
                       const char *file, int line)
{
    int code = gb_last_error_code(); /* before gb_last_error(): the message */
    const char *msg = gb_last_error(); /* is valid until the next gb_ call */
    int ok = rc == want && code == want && msg != NULL && msg[0] != 0;
    if (ok && need_offset) ok = strstr(msg, "offset") != NULL;
    if (ok) tu_passed++;
    else
        tu_fail(file, line, "%s: returned %d, last code %d, message \"%s\"; want %d%s",
                what, rc, code, msg ? msg : "(NULL)", want,
                need_offset ? " and a message mentioning the offset" : "");
}

/* An int-returning call fails with `code`, and the thread's last error says so. */
#define CHECK_ERR(expr, code) check_err_((expr), (code), 0, #expr, __FILE__, __LINE__)
/* Same, for GB_ERR_JSON, whose message must mention the byte offset. */
#define CHECK_JSON_ERR(expr) check_err_((expr), GB_ERR_JSON, 1, #expr, __FILE__, __LINE__)

/* A pointer-returning call fails: NULL, last code `code`, non-empty message.
 * free_fn releases an unexpected non-NULL result. */
#define CHECK_NULL_ERR(expr, code, free_fn)                                   \
    do {                                                                      \
        void *p_ = (void *)(expr);                                            \
        check_err_(p_ == NULL ? (code) : 12345, (code),                       \
                   (code) == GB_ERR_JSON, #expr, __FILE__, __LINE__);         \
        if (p_) free_fn(p_);                                                  \
    } while (0)

static void free_string(void *p) { gb_string_free(p); }
static void free_handle(void *p) { gb_free(p); }
static void free_attrs(void *p) { gb_attributes_free(p); }

/* A string result is non-NULL and its member `key` equals `want`. */
static const char *show(const char *s) { return s ? s : "(NULL)"; }

#define CHECK_MEMBER(json, key, want)                                         \
    CHECKF(json_member_is((json), (key), (want)),                             \
           "member %s of %s is not %s", (key), show(json), (want))

#define CHECK_CONTAINS(json, frag)                                            \
    CHECKF(json_contains((json), (frag)), "%s does not contain %s", show(json), (frag))

#define CHECK_STREQ(got, want)                                                \
    CHECKF((got) != NULL && strcmp((got), (want)) == 0, "got \"%s\", want \"%s\"", \
           show(got), (want))

/* --- fixtures ------------------------------------------------------------- */

static const char *GOOD_FEATURES =
    "{\"kill\": {\"defaultValue\": true},"
    " \"off-flag\": {\"defaultValue\": false},"
    " \"color\": {\"defaultValue\": \"blue\"},"
    " \"geo\": {\"defaultValue\": false, \"rules\": [{\"id\": \"geo-rule\","
    "    \"condition\": {\"country\": {\"$in\": [\"US\", \"CA\"]}}, \"force\": true}]},"
    " \"exp-flag\": {\"defaultValue\": \"ctl\", \"rules\": [{\"key\": \"exp1\","
    "    \"variations\": [\"a\", \"b\"], \"weights\": [0.5, 0.5], \"hashAttribute\": \"id\"}]}}";

/* id "123" hashes to 0.617 for exp1 (variation 1, "b"); "1" to 0.39 (0, "a"). */
static const char *GOOD_ATTRIBUTES = "{\"id\": \"123\", \"country\": \"US\"}";

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_abi: timed out (deadlock?)\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(2);
    _exit(2);
}

/* --- the state a handle must keep across failed calls ---------------------- */

static char *good_eval_geo, *good_eval_color, *good_eval_exp, *good_attrs,
    *good_features;

static void remember_good(gb_handle *gb)
{
    good_eval_geo = gb_eval_feature_json(gb, "geo");
    good_eval_color = gb_eval_feature_json(gb, "color");
    good_eval_exp = gb_eval_feature_json(gb, "exp-flag");
    good_attrs = gb_get_attributes_json(gb);
    good_features = gb_get_features_json(gb);
    CHECK(good_eval_geo && good_eval_color && good_eval_exp && good_attrs && good_features);
    CHECK_MEMBER(good_eval_geo, "value", "true");
    CHECK_MEMBER(good_eval_exp, "value", "\"b\"");
}

static int same(char *got, const char *want)
{
    int ok = got && want && strcmp(got, want) == 0;
    gb_string_free(got);
    return ok;
}

static void check_unchanged_(gb_handle *gb, const char *what, const char *file, int line)
{
    int ok = gb_is_on(gb, "kill") == 1 && gb_is_on(gb, "geo") == 1 &&
             gb_is_on(gb, "off-flag") == 0 && gb_is_off(gb, "off-flag") == 1 &&
             same(gb_eval_feature_json(gb, "geo"), good_eval_geo) &&
             same(gb_eval_feature_json(gb, "color"), good_eval_color) &&
             same(gb_eval_feature_json(gb, "exp-flag"), good_eval_exp) &&
             same(gb_get_attributes_json(gb), good_attrs) &&
             same(gb_get_features_json(gb), good_features);
    if (ok) tu_passed++;
    else tu_fail(file, line, "handle state changed after failed call with %s", what);
}
#define CHECK_UNCHANGED(gb, what) check_unchanged_((gb), (what), __FILE__, __LINE__)

/* Feed `bad` to every setter of the handle and to every parser; all fail
 * with `code` and the handle keeps its state. */
static void feed_bad_(gb_handle *gb, const char *bad, int code, const char *label,
                      const char *file, int line)
{
    int nj = code == GB_ERR_JSON;
    int i = -7;
    char buf[200];
#define E(expr) check_err_((expr), code, nj, #expr, file, line)
#define N(expr, free_fn)                                                      \
    do {                                                                      \
        void *p_ = (void *)(expr);                                            \
        check_err_(p_ == NULL ? code : 12345, code, nj, #expr, file, line);   \
        if (p_) free_fn(p_);                                                  \
    } while (0)
    snprintf(buf, sizeof buf, "%s (reported at %s:%d)", label, file, line);

    E(gb_set_features_json(gb, bad));
    CHECK_UNCHANGED(gb, buf);
    E(gb_set_attributes_json(gb, bad));
    CHECK_UNCHANGED(gb, buf);
    E(gb_set_saved_groups_json(gb, bad));
    CHECK_UNCHANGED(gb, buf);
    E(gb_set_forced_variations_json(gb, bad));
    CHECK_UNCHANGED(gb, buf);
    E(gb_set_overrides_json(gb, bad));
    CHECK_UNCHANGED(gb, buf);
    N(gb_create(bad), free_handle);
    N(gb_attributes_create(bad), free_attrs);
    N(gb_eval_feature_with_attributes_json(gb, "geo", bad), free_string);
    CHECK_UNCHANGED(gb, buf);
    N(gb_run_experiment_json(gb, bad), free_string);
    N(gb_run_experiment_with_include_json(gb, bad, NULL, NULL), free_string);
    CHECK_UNCHANGED(gb, buf);
    E(gb_eval_condition_json(bad, "{}", NULL));
    E(gb_eval_condition_json("{}", bad, NULL));
    E(gb_eval_condition_json("{}", "{}", bad));
    E(gb_choose_variation(0.5, bad, &i));
    CHECK(i == -7);
    E(gb_in_namespace("1", bad));
#undef E
#undef N
}
#define FEED_BAD(gb, bad, code, label) feed_bad_((gb), (bad), (code), (label), __FILE__, __LINE__)

/* --- callbacks -------------------------------------------------------------- */

static gb_handle *track_gb;
static int track_calls, track_reentrant_ok = 1;
static char last_track_exp[4096], last_track_res[4096];

static void on_track(const char *experiment_json, const char *result_json, void *user_data)
{
    track_calls++;
    if (user_data != (void *)&track_calls) track_reentrant_ok = 0;
    snprintf(last_track_exp, sizeof last_track_exp, "%s", experiment_json ? experiment_json : "");
    snprintf(last_track_res, sizeof last_track_res, "%s", result_json ? result_json : "");
    if (track_gb) {
        /* Call back into the library on the same handle: must not deadlock. */
        char *s;
        if (gb_is_on(track_gb, "kill") != 1) track_reentrant_ok = 0;
        s = gb_eval_feature_json(track_gb, "exp-flag");
        if (!s) track_reentrant_ok = 0;
        gb_string_free(s);
        s = gb_get_all_results_json(track_gb);
        if (!s) track_reentrant_ok = 0;
        gb_string_free(s);
        s = gb_get_attributes_json(track_gb);
        if (!s) track_reentrant_ok = 0;
        gb_string_free(s);
    }
}

static int sub_calls[2];
static char last_sub_res[4096];
static gb_handle *sub_gb;
static int sub_reentrant_ok = 1;

static void on_sub(const char *experiment_json, const char *result_json, void *user_data)
{
    int *counter = user_data;
    (*counter)++;
    (void)experiment_json;
    snprintf(last_sub_res, sizeof last_sub_res, "%s", result_json ? result_json : "");
    if (sub_gb) {
        char *s = gb_get_feature_value_json(sub_gb, "kill");
        if (!s) sub_reentrant_ok = 0;
        gb_string_free(s);
    }
}

static int log_calls, log_bad, log_depth;
static gb_handle *log_gb;

static void on_log(int level, const char *message, void *user_data)
{
    log_calls++;
    if (user_data != (void *)&log_calls || !message || !message[0] ||
        level < GB_LOG_DEBUG || level > GB_LOG_ERROR)
        log_bad++;
    if (log_gb && log_depth == 0) {
        /* Re-enter once (evaluating may log again; don't recurse forever). */
        log_depth++;
        if (gb_is_on(log_gb, "kill") != 1) log_bad++;
        log_depth--;
    }
}

static int include_calls;
static char include_key[256];

static int include_fn(const char *experiment_key, void *user_data)
{
    include_calls++;
    snprintf(include_key, sizeof include_key, "%s", experiment_key ? experiment_key : "");
    return *(int *)user_data;
}

/* Host sticky bucket service holding at most one doc, keyed by value. */
struct sticky_store {
    const char *serve_name, *serve_value, *serve_doc; /* what get returns */
    int get_calls, save_calls, get_fail;
    char last_get_name[64], last_get_value[64];
    char saved[4096];
};

static int sticky_get(const char *name, const char *value, gb_buffer *out, void *user_data)
{
    struct sticky_store *st = user_data;
    st->get_calls++;
    snprintf(st->last_get_name, sizeof st->last_get_name, "%s", name ? name : "");
    snprintf(st->last_get_value, sizeof st->last_get_value, "%s", value ? value : "");
    if (st->get_fail) return 1;
    if (gb_buffer_set(out, NULL) != GB_ERR_INVALID_ARGUMENT) st->get_fail = -100;
    if (st->serve_doc && name && value && strcmp(name, st->serve_name) == 0 &&
        strcmp(value, st->serve_value) == 0)
        return gb_buffer_set(out, st->serve_doc) == GB_OK ? 0 : 1;
    return 0;
}

static int sticky_save(const char *doc, void *user_data)
{
    struct sticky_store *st = user_data;
    st->save_calls++;
    snprintf(st->saved, sizeof st->saved, "%s", doc ? doc : "");
    return 0;
}

static void dummy_track(const char *e, const char *r, void *u) { (void)e; (void)r; (void)u; }
static void dummy_log(int l, const char *m, void *u) { (void)l; (void)m; (void)u; }
static int dummy_get(const char *n, const char *v, gb_buffer *b, void *u) { (void)n; (void)v; (void)b; (void)u; return 0; }
static int dummy_save(const char *d, void *u) { (void)d; (void)u; return 0; }

/* --- tests ------------------------------------------------------------------- */

static void test_version(void)
{
    const char *v = gb_version();
    CHECK(v != NULL && v[0] != 0);
    CHECK_STREQ(v, GB_VERSION);
    CHECK(GB_ABI_VERSION == 1);
    CHECK(gb_last_error() != NULL);
}

static void test_null_arguments(void)
{
    gb_handle *gb = gb_create(NULL);
    gb_attributes *at = gb_attributes_create("{\"id\":\"1\"}");
    const char *exp = "{\"key\":\"e\",\"variations\":[0,1]}";
    double d = -7;
    int i = -7;
    char *s;

    CHECK(gb != NULL);
    CHECK(at != NULL);

    /* Freeing NULL is fine. */
    gb_string_free(NULL);
    gb_free(NULL);
    gb_attributes_free(NULL);
    CHECK(1);

    CHECK_ERR(gb_set_features_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_features_json(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_saved_groups_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_saved_groups_json(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_attributes_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_attributes_json(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_forced_variations_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_forced_variations_json(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_overrides_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_overrides_json(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_overrides_json(gb, "[]"), GB_ERR_TYPE);
    CHECK_ERR(gb_set_url(NULL, "http://x"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_url(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_qa_mode(NULL, 1), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_enabled(NULL, 1), GB_ERR_INVALID_ARGUMENT);
    CHECK_NULL_ERR(gb_get_attributes_json(NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_get_features_json(NULL), GB_ERR_INVALID_ARGUMENT, free_string);

    CHECK_ERR(gb_is_on(NULL, "f"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_is_on(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_is_off(NULL, "f"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_is_off(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_NULL_ERR(gb_eval_feature_json(NULL, "f"), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_eval_feature_json(gb, NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_get_feature_value_json(NULL, "f"), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_get_feature_value_json(gb, NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_run_experiment_json(NULL, exp), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_run_experiment_json(gb, NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_get_all_results_json(NULL), GB_ERR_INVALID_ARGUMENT, free_string);

    CHECK_NULL_ERR(gb_attributes_create(NULL), GB_ERR_INVALID_ARGUMENT, free_attrs);
    CHECK_ERR(gb_is_on_with(NULL, "f", at), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_is_on_with(gb, NULL, at), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_is_on_with(gb, "f", NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_NULL_ERR(gb_eval_feature_with(NULL, "f", at), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_eval_feature_with(gb, NULL, at), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_eval_feature_with(gb, "f", NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_eval_feature_with_attributes_json(NULL, "f", "{}"), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_eval_feature_with_attributes_json(gb, NULL, "{}"), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_eval_feature_with_attributes_json(gb, "f", NULL), GB_ERR_INVALID_ARGUMENT, free_string);

    CHECK_ERR(gb_set_tracking_callback(NULL, dummy_track, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_set_tracking_callback(gb, NULL, NULL) == GB_OK); /* removing none is fine */
    CHECK_ERR(gb_subscribe(NULL, dummy_track, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_subscribe(gb, NULL, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_unsubscribe(NULL, 1), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_unsubscribe(gb, 12345), GB_ERR_NOT_FOUND);
    CHECK_ERR(gb_set_log_callback(NULL, dummy_log, GB_LOG_DEBUG, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_set_log_callback(gb, NULL, GB_LOG_DEBUG, NULL) == GB_OK);

    CHECK_ERR(gb_buffer_set(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_sticky_bucket_service(NULL, dummy_get, dummy_save, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_set_sticky_bucket_service(gb, NULL, NULL, NULL) == GB_OK);
    CHECK_ERR(gb_use_in_memory_sticky_bucket_service(NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_NULL_ERR(gb_get_sticky_bucket_docs_json(NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_ERR(gb_refresh_sticky_buckets(NULL, 1), GB_ERR_INVALID_ARGUMENT);
    CHECK_NULL_ERR(gb_run_experiment_with_include_json(NULL, exp, NULL, NULL), GB_ERR_INVALID_ARGUMENT, free_string);
    CHECK_NULL_ERR(gb_run_experiment_with_include_json(gb, NULL, NULL, NULL), GB_ERR_INVALID_ARGUMENT, free_string);

    CHECK_ERR(gb_eval_condition_json(NULL, "{}", NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_eval_condition_json("{}", NULL, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_eval_condition_json("{}", "{}", NULL) == 1); /* NULL saved groups is fine */
    /* under a named semantics: NULL is the default; an unknown name is an error */
    CHECK(gb_eval_condition_semantics_json(NULL, "{}", "{}", NULL) == 1);
    CHECK_ERR(gb_eval_condition_semantics_json("python", "{}", "{}", NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_eval_condition_semantics_json("js", NULL, "{}", NULL), GB_ERR_INVALID_ARGUMENT);
    /* where the references differ: 1.1.0 decides by $or alone, JS ANDs every key */
    CHECK(gb_eval_condition_semantics_json("python-1.1.0", "{\"$or\": [{\"a\": 1}], \"b\": 2}",
                                           "{\"a\": 1, \"b\": 3}", NULL) == 1);
    CHECK(gb_eval_condition_semantics_json("js", "{\"$or\": [{\"a\": 1}], \"b\": 2}", "{\"a\": 1, \"b\": 3}",
                                           NULL) == 0);
    CHECK_ERR(gb_hash(NULL, "a", 1, &d), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_hash("", NULL, 1, &d), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_hash("", "a", 1, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(d == -7);
    CHECK_ERR(gb_choose_variation(0.5, NULL, &i), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_choose_variation(0.5, "[[0,1]]", NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(i == -7);
    CHECK_ERR(gb_in_namespace(NULL, "[\"n\",0,1]"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_in_namespace("1", NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_get_query_string_override(NULL, "http://x?a=1", 2, &i), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_get_query_string_override("a", NULL, 2, &i), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_get_query_string_override("a", "http://x?a=1", 2, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(i == -7);
    CHECK_NULL_ERR(gb_padded_version_string(NULL), GB_ERR_INVALID_ARGUMENT, free_string);

    /* NULL weights means equal weights. */
    s = gb_get_bucket_ranges_json(2, 1.0, NULL);
    {
        double r[8];
        CHECK(s && json_numbers(s, r, 8) == 4 && r[0] == 0 && r[1] == 0.5 && r[2] == 0.5 && r[3] == 1);
    }
    gb_string_free(s);

    /* The last error is per thread and follows the latest failure. */
    CHECK_ERR(gb_is_on(NULL, "f"), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_attributes_json(gb, "[]"), GB_ERR_TYPE);

    gb_attributes_free(at);
    gb_free(gb);
}

static void test_happy_path(void)
{
    char opts[4096];
    gb_handle *gb;
    char *s, *attrs_before;
    gb_attributes *ca;

    snprintf(opts, sizeof opts, "{\"attributes\": %s, \"features\": %s, \"someFutureOption\": 1}",
             GOOD_ATTRIBUTES, GOOD_FEATURES);
    gb = gb_create(opts);
    CHECKF(gb != NULL, "gb_create failed: %s", gb_last_error());
    if (!gb) return;

    CHECK(gb_is_on(gb, "kill") == 1);
    CHECK(gb_is_off(gb, "kill") == 0);
    CHECK(gb_is_on(gb, "off-flag") == 0);
    CHECK(gb_is_off(gb, "off-flag") == 1);
    CHECK(gb_is_on(gb, "color") == 1);
    CHECK(gb_is_on(gb, "geo") == 1); /* country US */
    CHECK(gb_is_on(gb, "nope") == 0);
    CHECK(gb_is_off(gb, "nope") == 1);

    s = gb_eval_feature_json(gb, "kill");
    CHECK_MEMBER(s, "value", "true");
    CHECK_MEMBER(s, "source", "\"defaultValue\"");
    CHECK_MEMBER(s, "on", "true");
    CHECK_MEMBER(s, "off", "false");
    CHECK_MEMBER(s, "ruleId", "\"\"");
    CHECK(!json_has(s, "experiment"));
    gb_string_free(s);

    s = gb_eval_feature_json(gb, "geo");
    CHECK_MEMBER(s, "value", "true");
    CHECK_MEMBER(s, "source", "\"force\"");
    CHECK_MEMBER(s, "ruleId", "\"geo-rule\"");
    gb_string_free(s);

    s = gb_eval_feature_json(gb, "nope");
    CHECK_MEMBER(s, "value", "null");
    CHECK_MEMBER(s, "source", "\"unknownFeature\"");
    CHECK_MEMBER(s, "on", "false");
    CHECK_MEMBER(s, "off", "true");
    CHECK_MEMBER(s, "ruleId", "\"\"");
    gb_string_free(s);

    s = gb_get_feature_value_json(gb, "nope");
    CHECK_STREQ(s, "null");
    gb_string_free(s);
    s = gb_get_feature_value_json(gb, "color");
    CHECK_STREQ(s, "\"blue\"");
    gb_string_free(s);
    s = gb_get_feature_value_json(gb, "kill");
    CHECK_STREQ(s, "true");
    gb_string_free(s);

    /* Experiment rule: id 123 hashes to 0.617 -> variation 1. */
    s = gb_eval_feature_json(gb, "exp-flag");
    CHECK_MEMBER(s, "value", "\"b\"");
    CHECK_MEMBER(s, "source", "\"experiment\"");
    CHECK_MEMBER(s, "on", "true");
    {
        char *e = json_get(s, "experiment"), *r = json_get(s, "experimentResult");
        CHECK_MEMBER(e, "key", "\"exp1\"");
        CHECK_MEMBER(e, "variations", "[\"a\",\"b\"]");
        CHECK_MEMBER(r, "featureId", "\"exp-flag\"");
        CHECK_MEMBER(r, "variationId", "1");
        CHECK_MEMBER(r, "inExperiment", "true");
        CHECK_MEMBER(r, "value", "\"b\"");
        CHECK_MEMBER(r, "hashUsed", "true");
        CHECK_MEMBER(r, "hashAttribute", "\"id\"");
        CHECK_MEMBER(r, "hashValue", "\"123\"");
        CHECK_MEMBER(r, "key", "\"1\"");
        CHECK_MEMBER(r, "stickyBucketUsed", "false");
        CHECK_MEMBER(r, "bucket", "0.617");
        free(e);
        free(r);
    }
    gb_string_free(s);

    /* Inline experiment. */
    s = gb_run_experiment_json(gb, "{\"key\": \"inline\", \"variations\": [10, 20]}");
    CHECKF(s != NULL, "gb_run_experiment_json: %s", gb_last_error());
    CHECK_MEMBER(s, "featureId", "null");
    CHECK_MEMBER(s, "inExperiment", "true");
    CHECK_MEMBER(s, "hashValue", "\"123\"");
    CHECK(json_member_is(s, "value", "10") || json_member_is(s, "value", "20"));
    gb_string_free(s);

    s = gb_get_all_results_json(gb);
    {
        char *x = json_get(s, "exp1"), *xr = json_get(x, "result");
        CHECKF(x != NULL, "all results %s lack exp1 (feature rule experiment)", show(s));
        CHECK_MEMBER(xr, "variationId", "1");
        CHECK_MEMBER(xr, "featureId", "\"exp-flag\"");
        free(x);
        free(xr);
    }
    {
        char *i = json_get(s, "inline");
        char *e = json_get(i, "experiment"), *r = json_get(i, "result");
        CHECKF(i != NULL, "all results %s lack the inline experiment", s ? s : "(NULL)");
        CHECK_MEMBER(e, "key", "\"inline\"");
        CHECK_MEMBER(r, "inExperiment", "true");
        CHECK_MEMBER(r, "hashValue", "\"123\"");
        free(i);
        free(e);
        free(r);
    }
    gb_string_free(s);

    /* Condition on country: false for FR. */
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"123\", \"country\": \"FR\"}") == GB_OK);
    CHECK(gb_is_on(gb, "geo") == 0);
    s = gb_eval_feature_json(gb, "geo");
    CHECK_MEMBER(s, "source", "\"defaultValue\"");
    CHECK_MEMBER(s, "ruleId", "\"\"");
    gb_string_free(s);
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"123\", \"country\": \"CA\"}") == GB_OK);
    CHECK(gb_is_on(gb, "geo") == 1);
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"123\", \"country\": \"FR\"}") == GB_OK);

    s = gb_get_attributes_json(gb);
    CHECK_MEMBER(s, "country", "\"FR\"");
    CHECK_MEMBER(s, "id", "\"123\"");
    gb_string_free(s);
    s = gb_get_features_json(gb);
    CHECK_CONTAINS(s, "\"geo-rule\"");
    CHECK(json_has(s, "kill"));
    gb_string_free(s);

    /* Per-call attributes never touch the handle's. */
    attrs_before = gb_get_attributes_json(gb);
    ca = gb_attributes_create("{\"id\": \"9\", \"country\": \"CA\"}");
    CHECKF(ca != NULL, "gb_attributes_create: %s", gb_last_error());
    CHECK(gb_is_on_with(gb, "geo", ca) == 1);
    CHECK(gb_is_on(gb, "geo") == 0);
    s = gb_eval_feature_with(gb, "geo", ca);
    CHECK_MEMBER(s, "source", "\"force\"");
    CHECK_MEMBER(s, "ruleId", "\"geo-rule\"");
    gb_string_free(s);
    s = gb_eval_feature_with_attributes_json(gb, "geo", "{\"country\": \"US\"}");
    CHECK_MEMBER(s, "value", "true");
    gb_string_free(s);
    s = gb_eval_feature_with_attributes_json(gb, "geo", "{\"country\": \"DE\"}");
    CHECK_MEMBER(s, "value", "false");
    CHECK_MEMBER(s, "source", "\"defaultValue\"");
    gb_string_free(s);
    s = gb_eval_feature_with_attributes_json(gb, "exp-flag", "{\"id\": \"1\"}");
    CHECK_MEMBER(s, "value", "\"a\""); /* id 1 -> 0.39 -> variation 0 */
    gb_string_free(s);
    s = gb_get_attributes_json(gb);
    CHECKF(s && attrs_before && strcmp(s, attrs_before) == 0,
           "handle attributes changed by per-call evaluation: %s -> %s",
           attrs_before ? attrs_before : "(NULL)", s ? s : "(NULL)");
    gb_string_free(s);
    gb_string_free(attrs_before);
    gb_attributes_free(ca);

    /* Forced variations, query-string overrides, QA mode, enabled. */
    CHECK(gb_set_forced_variations_json(gb, "{\"exp1\": 0}") == GB_OK);
    s = gb_eval_feature_json(gb, "exp-flag");
    CHECK_MEMBER(s, "value", "\"a\"");
    CHECK_CONTAINS(s, "\"hashUsed\":false");
    gb_string_free(s);
    CHECK(gb_set_forced_variations_json(gb, "{}") == GB_OK);
    s = gb_get_feature_value_json(gb, "exp-flag");
    CHECK_STREQ(s, "\"b\"");
    gb_string_free(s);

    /* Overrides replace an inline experiment's fields (those growthbook 1.1.0's
     * Experiment.update takes) from the next run on. */
    {
        const char *exp = "{\"key\": \"ov\", \"variations\": [0, 1]}";
        CHECK(gb_set_overrides_json(gb, "{\"ov\": {\"force\": 1}}") == GB_OK);
        s = gb_run_experiment_json(gb, exp);
        CHECK_MEMBER(s, "value", "1");
        CHECK_CONTAINS(s, "\"hashUsed\":false");
        gb_string_free(s);
        CHECK(gb_set_overrides_json(gb, "{\"ov\": {\"status\": \"stopped\"}}") == GB_OK);
        s = gb_run_experiment_json(gb, exp);
        CHECK_CONTAINS(s, "\"inExperiment\":false");
        gb_string_free(s);
        CHECK(gb_set_overrides_json(gb, "{}") == GB_OK);
    }

    CHECK(gb_set_url(gb, "http://example.com/?exp1=0") == GB_OK);
    s = gb_get_feature_value_json(gb, "exp-flag");
    CHECK_STREQ(s, "\"a\"");
    gb_string_free(s);
    CHECK(gb_set_url(gb, "") == GB_OK);
    s = gb_get_feature_value_json(gb, "exp-flag");
    CHECK_STREQ(s, "\"b\"");
    gb_string_free(s);

    CHECK(gb_set_qa_mode(gb, 1) == GB_OK);
    s = gb_eval_feature_json(gb, "exp-flag");
    CHECK_MEMBER(s, "value", "\"ctl\"");
    CHECK_MEMBER(s, "source", "\"defaultValue\"");
    gb_string_free(s);
    CHECK(gb_set_qa_mode(gb, 0) == GB_OK);
    CHECK(gb_set_enabled(gb, 0) == GB_OK);
    s = gb_eval_feature_json(gb, "exp-flag");
    CHECK_MEMBER(s, "value", "\"ctl\"");
    gb_string_free(s);
    CHECK(gb_is_on(gb, "kill") == 1); /* disabled still evaluates flags */
    CHECK(gb_set_enabled(gb, 1) == GB_OK);
    s = gb_get_feature_value_json(gb, "exp-flag");
    CHECK_STREQ(s, "\"b\"");
    gb_string_free(s);

    /* Saved groups. */
    CHECK(gb_set_features_json(gb, "{\"grp\": {\"defaultValue\": false, \"rules\": "
                                   "[{\"condition\": {\"id\": {\"$inGroup\": \"beta\"}}, \"force\": true}]}}") == GB_OK);
    CHECK(gb_is_on(gb, "grp") == 0);
    CHECK(gb_set_saved_groups_json(gb, "{\"beta\": [\"7\", \"123\"]}") == GB_OK);
    CHECK(gb_is_on(gb, "grp") == 1);
    CHECK(gb_is_on(gb, "kill") == 0); /* replaced features: kill is gone */

    gb_free(gb);

    /* Options: savedGroups, forcedVariations, qaMode, url. */
    gb = gb_create("{\"attributes\": {\"id\": \"123\"}, \"savedGroups\": {\"beta\": [\"123\"]},"
                   " \"forcedVariations\": {\"f-exp\": 1},"
                   " \"features\": {\"grp\": {\"defaultValue\": false, \"rules\": "
                   "[{\"condition\": {\"id\": {\"$inGroup\": \"beta\"}}, \"force\": true}]},"
                   " \"forced\": {\"defaultValue\": 0, \"rules\": [{\"key\": \"f-exp\", \"variations\": [0, 7]}]}}}");
    CHECKF(gb != NULL, "gb_create: %s", gb_last_error());
    CHECK(gb_is_on(gb, "grp") == 1);
    s = gb_get_feature_value_json(gb, "forced");
    CHECK_STREQ(s, "7");
    gb_string_free(s);
    gb_free(gb);

    /* A forced variation that is not an index is refused alike at creation and when set. */
    CHECK(gb_create("{\"forcedVariations\": {\"e\": \"x\"}}") == NULL);
    CHECK(gb_last_error_code() == GB_ERR_TYPE);
    gb = gb_create(NULL);
    CHECK_ERR(gb_set_forced_variations_json(gb, "{\"e\": \"x\"}"), GB_ERR_TYPE);
    CHECK(gb_set_forced_variations_json(gb, "{\"e\": 1, \"f\": null}") == GB_OK);
    gb_free(gb);

    /* An empty seed is no seed: the rule hashes with the experiment key (the references give "B"). */
    gb = gb_create("{\"attributes\": {\"id\": \"alice\"}, \"features\": {\"banner\": {\"defaultValue\": \"x\","
                   " \"rules\": [{\"seed\": \"\", \"variations\": [\"A\", \"B\"]}]}}}");
    CHECKF(gb != NULL, "gb_create: %s", gb_last_error());
    s = gb_get_feature_value_json(gb, "banner");
    CHECK_STREQ(s, "\"B\"");
    gb_string_free(s);
    s = gb_run_experiment_json(gb, "{\"key\": \"banner\", \"variations\": [\"A\", \"B\"], \"seed\": \"\"}");
    CHECK(s != NULL && strstr(s, "\"value\":\"B\"") != NULL);
    gb_string_free(s);
    gb_free(gb);

    gb = gb_create("{\"qaMode\": true, \"attributes\": {\"id\": \"123\"}, \"features\": {\"e\": "
                   "{\"defaultValue\": 0, \"rules\": [{\"key\": \"e\", \"variations\": [1, 2]}]}}}");
    CHECK(gb != NULL);
    s = gb_get_feature_value_json(gb, "e");
    CHECK_STREQ(s, "0");
    gb_string_free(s);
    gb_free(gb);

    gb = gb_create("{\"enabled\": false, \"attributes\": {\"id\": \"123\"}, \"features\": {\"e\": "
                   "{\"defaultValue\": 0, \"rules\": [{\"key\": \"e\", \"variations\": [1, 2]}]}}}");
    CHECK(gb != NULL);
    s = gb_get_feature_value_json(gb, "e");
    CHECK_STREQ(s, "0");
    gb_string_free(s);
    gb_free(gb);

    gb = gb_create("{\"url\": \"http://example.com/?e=1\", \"attributes\": {\"id\": \"1\"}, \"features\": {\"e\": "
                   "{\"defaultValue\": 0, \"rules\": [{\"key\": \"e\", \"variations\": [1, 2]}]}}}");
    CHECK(gb != NULL);
    s = gb_get_feature_value_json(gb, "e");
    CHECK_STREQ(s, "2");
    gb_string_free(s);
    gb_free(gb);
}

/* Deprecated options still honoured: overrides and groups. */
static void test_deprecated_options(void)
{
    gb_handle *gb = gb_create("{\"attributes\": {\"id\": \"123\"}, \"overrides\": {\"ov\": {\"coverage\": 0}},"
                              " \"groups\": {\"beta\": false, \"staff\": true}}");
    char *s;
    CHECKF(gb != NULL, "gb_create: %s", gb_last_error());
    if (!gb) return;
    s = gb_run_experiment_json(gb, "{\"key\": \"ov\", \"variations\": [0, 1]}");
    CHECK_MEMBER(s, "inExperiment", "false");
    gb_string_free(s);
    s = gb_run_experiment_json(gb, "{\"key\": \"g1\", \"variations\": [0, 1], \"groups\": [\"beta\"]}");
    CHECK_MEMBER(s, "inExperiment", "false");
    gb_string_free(s);
    s = gb_run_experiment_json(gb, "{\"key\": \"g2\", \"variations\": [0, 1], \"groups\": [\"staff\"]}");
    CHECK_MEMBER(s, "inExperiment", "true");
    CHECK_MEMBER(s, "bucket", "0.41");
    gb_string_free(s);
    gb_free(gb);
}

/* The last error belongs to the thread whose call failed. */
static void *fail_on_other_thread(void *arg)
{
    int *out = arg;
    out[0] = gb_set_attributes_json(NULL, "{}") == GB_ERR_INVALID_ARGUMENT;
    out[1] = gb_eval_condition_json("{", "{}", NULL) == GB_ERR_JSON && gb_last_error_code() == GB_ERR_JSON;
    return NULL;
}

static void test_thread_local_error(void)
{
    pthread_t th;
    int results[2] = {0, 0};
    char mine[512];
    CHECK_ERR(gb_set_attributes_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    snprintf(mine, sizeof mine, "%s", gb_last_error());
    CHECK(pthread_create(&th, NULL, fail_on_other_thread, results) == 0);
    pthread_join(th, NULL);
    CHECK(results[0] && results[1]);
    CHECK(gb_last_error_code() == GB_ERR_INVALID_ARGUMENT);
    CHECK_STREQ(gb_last_error(), mine);
}

static void test_bad_input(void)
{
    char opts[4096];
    gb_handle *gb;
    char *deep;
    size_t n = 100000, k;
    int i;

    snprintf(opts, sizeof opts, "{\"attributes\": %s, \"features\": %s}", GOOD_ATTRIBUTES, GOOD_FEATURES);
    gb = gb_create(opts);
    CHECKF(gb != NULL, "gb_create: %s", gb_last_error());
    if (!gb) return;
    remember_good(gb);

    /* Invalid UTF-8 in JSON documents. */
    FEED_BAD(gb, "\xff\xfe", GB_ERR_UTF8, "bare 0xff 0xfe");
    FEED_BAD(gb, "{\"id\": \"\xff\xfe\"}", GB_ERR_UTF8, "0xff 0xfe in a string");
    FEED_BAD(gb, "{\"id\": \"\xc0\xaf\"}", GB_ERR_UTF8, "overlong 2-byte '/'");
    FEED_BAD(gb, "{\"id\": \"\xe0\x80\xaf\"}", GB_ERR_UTF8, "overlong 3-byte '/'");
    FEED_BAD(gb, "{\"id\": \"\xed\xa0\x80\"}", GB_ERR_UTF8, "encoded lone surrogate");
    FEED_BAD(gb, "{\"\xed\xa0\x80\": 1}", GB_ERR_UTF8, "lone surrogate in a key");
    FEED_BAD(gb, "{\"id\": \"\xe2\x82\"}", GB_ERR_UTF8, "truncated 3-byte sequence");
    FEED_BAD(gb, "{\"id\": \"\xf4\x90\x80\x80\"}", GB_ERR_UTF8, "code point above U+10FFFF");

    /* Malformed JSON. */
    FEED_BAD(gb, "", GB_ERR_JSON, "empty");
    FEED_BAD(gb, "   ", GB_ERR_JSON, "only whitespace");
    FEED_BAD(gb, "{", GB_ERR_JSON, "truncated {");
    FEED_BAD(gb, "{\"a\":", GB_ERR_JSON, "truncated after colon");
    FEED_BAD(gb, "{\"a\": 1", GB_ERR_JSON, "missing }");
    FEED_BAD(gb, "{\"a\": 1} x", GB_ERR_JSON, "trailing garbage");
    FEED_BAD(gb, "{}{}", GB_ERR_JSON, "two values");
    FEED_BAD(gb, "[1,]", GB_ERR_JSON, "trailing comma in array");
    FEED_BAD(gb, "{\"a\": [1,]}", GB_ERR_JSON, "nested trailing comma");
    FEED_BAD(gb, "{\"a\": 1,}", GB_ERR_JSON, "trailing comma in object");
    FEED_BAD(gb, "{\"a\": \"b", GB_ERR_JSON, "unterminated string");
    FEED_BAD(gb, "{\"a\": \"b\\\"}", GB_ERR_JSON, "unterminated string after escape");
    FEED_BAD(gb, "hello", GB_ERR_JSON, "bare word");
    FEED_BAD(gb, "{\"a\": tru}", GB_ERR_JSON, "misspelt literal");
    FEED_BAD(gb, "{a: 1}", GB_ERR_JSON, "unquoted key");
    FEED_BAD(gb, "{'a': 1}", GB_ERR_JSON, "single quotes");
    FEED_BAD(gb, "{\"a\" 1}", GB_ERR_JSON, "missing colon");
    FEED_BAD(gb, "{\"a\": \"\\x\"}", GB_ERR_JSON, "bad escape");

    /* 100000-deep nesting: unterminated, balanced, and objects. */
    deep = malloc(2 * n + 16);
    CHECK(deep != NULL);
    if (deep) {
        memset(deep, '[', n);
        deep[n] = 0;
        FEED_BAD(gb, deep, GB_ERR_JSON, "100000 x [ unterminated");
        memset(deep + n, ']', n);
        deep[2 * n] = 0;
        FEED_BAD(gb, deep, GB_ERR_JSON, "100000-deep balanced arrays");
        /* {"a":{"a":...1...}} */
        {
            size_t depth = 20000, pos = 0;
            for (k = 0; k < depth; k++) {
                memcpy(deep + pos, "{\"a\":", 5);
                pos += 5;
            }
            deep[pos++] = '1';
            memset(deep + pos, '}', depth);
            pos += depth;
            deep[pos] = 0;
            FEED_BAD(gb, deep, GB_ERR_JSON, "20000-deep objects");
        }
        /* 200 levels is within the limit (256): accepted. */
        {
            size_t pos, depth = 120;
            static const char prefix[] = "{\"id\": \"123\", \"country\": \"US\", \"deep\": ";
            memcpy(deep, prefix, sizeof prefix - 1);
            pos = sizeof prefix - 1;
            memset(deep + pos, '[', depth);
            pos += depth;
            memset(deep + pos, ']', depth);
            pos += depth;
            deep[pos++] = '}';
            deep[pos] = 0;
            CHECKF(gb_set_attributes_json(gb, deep) == GB_OK,
                   "121-deep attributes rejected: %s", gb_last_error());
            CHECK(gb_is_on(gb, "geo") == 1);
            CHECK(gb_set_attributes_json(gb, GOOD_ATTRIBUTES) == GB_OK);
            CHECK_UNCHANGED(gb, "restoring attributes");
        }
        free(deep);
    }

    /* Invalid UTF-8 in keys and plain strings. */
    {
        static const char *bad[] = {"\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "ok\xe2\x82"};
        gb_attributes *at = gb_attributes_create("{\"country\": \"US\"}");
        double d = -7;
        for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            const char *b = bad[k];
            i = -7;
            CHECK_ERR(gb_is_on(gb, b), GB_ERR_UTF8);
            CHECK_ERR(gb_is_off(gb, b), GB_ERR_UTF8);
            CHECK_NULL_ERR(gb_eval_feature_json(gb, b), GB_ERR_UTF8, free_string);
            CHECK_NULL_ERR(gb_get_feature_value_json(gb, b), GB_ERR_UTF8, free_string);
            CHECK_ERR(gb_is_on_with(gb, b, at), GB_ERR_UTF8);
            CHECK_NULL_ERR(gb_eval_feature_with(gb, b, at), GB_ERR_UTF8, free_string);
            CHECK_NULL_ERR(gb_eval_feature_with_attributes_json(gb, b, "{}"), GB_ERR_UTF8, free_string);
            CHECK_ERR(gb_set_url(gb, b), GB_ERR_UTF8);
            CHECK_UNCHANGED(gb, "invalid UTF-8 key");
            CHECK_ERR(gb_hash(b, "a", 1, &d), GB_ERR_UTF8);
            CHECK_ERR(gb_hash("", b, 1, &d), GB_ERR_UTF8);
            CHECK_ERR(gb_in_namespace(b, "[\"n\", 0, 1]"), GB_ERR_UTF8);
            CHECK_ERR(gb_get_query_string_override(b, "http://x?a=1", 2, &i), GB_ERR_UTF8);
            CHECK_ERR(gb_get_query_string_override("a", b, 2, &i), GB_ERR_UTF8);
            CHECK_NULL_ERR(gb_padded_version_string(b), GB_ERR_UTF8, free_string);
            CHECK(d == -7 && i == -7);
        }
        gb_attributes_free(at);
    }

    /* Valid JSON of the wrong shape. */
    {
        static const char *not_objects[] = {"[]", "42", "\"x\"", "null", "true", "[{\"a\": 1}]"};
        for (k = 0; k < sizeof not_objects / sizeof not_objects[0]; k++) {
            const char *b = not_objects[k];
            CHECK_ERR(gb_set_attributes_json(gb, b), GB_ERR_TYPE);
            CHECK_ERR(gb_set_features_json(gb, b), GB_ERR_TYPE);
            CHECK_ERR(gb_set_forced_variations_json(gb, b), GB_ERR_TYPE);
            CHECK_ERR(gb_set_saved_groups_json(gb, b), GB_ERR_TYPE);
            CHECK_UNCHANGED(gb, b);
            CHECK_NULL_ERR(gb_create(b), GB_ERR_TYPE, free_handle);
            CHECK_NULL_ERR(gb_attributes_create(b), GB_ERR_TYPE, free_attrs);
            CHECK_NULL_ERR(gb_eval_feature_with_attributes_json(gb, "geo", b), GB_ERR_TYPE, free_string);
            CHECK_NULL_ERR(gb_run_experiment_json(gb, b), GB_ERR_TYPE, free_string);
            CHECK_ERR(gb_eval_condition_json("{}", b, NULL), GB_ERR_TYPE);
            CHECK_UNCHANGED(gb, b);
        }
        CHECK_NULL_ERR(gb_create("{\"attributes\": []}"), GB_ERR_TYPE, free_handle);
        CHECK_NULL_ERR(gb_create("{\"features\": 42}"), GB_ERR_TYPE, free_handle);
        /* the semantics option: a known name, or GB_ERR_INVALID_ARGUMENT (the message lists them) */
        CHECK_NULL_ERR(gb_create("{\"semantics\": 1}"), GB_ERR_TYPE, free_handle);
        CHECK_NULL_ERR(gb_create("{\"semantics\": \"python\"}"), GB_ERR_INVALID_ARGUMENT, free_handle);
        CHECK(strstr(gb_last_error(), "\"python-1.1.0\"") != NULL && strstr(gb_last_error(), "\"js\"") != NULL);
        {
            gb_handle *named = gb_create("{\"semantics\": \"python-1.1.0\"}");
            CHECK(named != NULL);
            gb_free(named);
            named = gb_create("{\"semantics\": \"js\"}");
            CHECK(named != NULL);
            gb_free(named);
        }
        CHECK_ERR(gb_in_namespace("1", "{}"), GB_ERR_TYPE);
        CHECK_ERR(gb_choose_variation(0.5, "{}", &i), GB_ERR_TYPE);
        CHECK_UNCHANGED(gb, "wrong shapes");
    }

    /* The handle still works normally afterwards. */
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"123\", \"country\": \"FR\"}") == GB_OK);
    CHECK(gb_is_on(gb, "geo") == 0);
    CHECK(gb_set_features_json(gb, "{}") == GB_OK);
    CHECK(gb_is_on(gb, "kill") == 0);

    gb_string_free(good_eval_geo);
    gb_string_free(good_eval_color);
    gb_string_free(good_eval_exp);
    gb_string_free(good_attrs);
    gb_string_free(good_features);
    gb_free(gb);
}

static void test_tracking(void)
{
    char opts[4096];
    gb_handle *gb;
    char *s;
    gb_attributes *same_user;
    int i;

    snprintf(opts, sizeof opts, "{\"attributes\": %s, \"features\": %s}", GOOD_ATTRIBUTES, GOOD_FEATURES);
    gb = gb_create(opts);
    CHECK(gb != NULL);
    if (!gb) return;
    track_gb = gb;
    CHECK(gb_set_tracking_callback(gb, on_track, &track_calls) == GB_OK);

    /* Flags without experiments track nothing. */
    CHECK(gb_is_on(gb, "kill") == 1);
    CHECK(gb_is_on(gb, "geo") == 1);
    CHECK(track_calls == 0);

    {
        /* The first full result fires tracking, whose callback asks for a full result on
         * this thread while the outer one is being written: both must come out whole. */
        char *first = gb_eval_feature_json(gb, "exp-flag");
        char *again = gb_eval_feature_json(gb, "exp-flag");
        CHECK(track_calls == 1);
        CHECKF(first && again && strcmp(first, again) == 0, "result written around a nested call differs: %s vs %s",
               first ? first : "(NULL)", again ? again : "(NULL)");
        gb_string_free(first);
        gb_string_free(again);
    }
    for (i = 0; i < 5; i++) CHECK(gb_is_on(gb, "exp-flag") == 1);
    for (i = 0; i < 3; i++) {
        s = gb_eval_feature_json(gb, "exp-flag");
        CHECK(s != NULL);
        gb_string_free(s);
    }
    CHECKF(track_calls == 1, "tracking fired %d times for one assignment", track_calls);
    CHECK(track_reentrant_ok);
    CHECK_MEMBER(last_track_exp, "key", "\"exp1\"");
    CHECK_MEMBER(last_track_res, "variationId", "1");
    CHECK_MEMBER(last_track_res, "inExperiment", "true");
    CHECK_MEMBER(last_track_res, "hashAttribute", "\"id\"");
    CHECK_MEMBER(last_track_res, "hashValue", "\"123\"");
    CHECK_MEMBER(last_track_res, "featureId", "\"exp-flag\"");
    CHECK_MEMBER(last_track_res, "value", "\"b\"");

    /* Same user through per-call attributes: same assignment, no new call. */
    same_user = gb_attributes_create("{\"id\": \"123\"}");
    CHECK(gb_is_on_with(gb, "exp-flag", same_user) == 1);
    gb_attributes_free(same_user);
    /* Inline experiment with the same key, user and variation: deduplicated. */
    s = gb_run_experiment_json(gb, "{\"key\": \"exp1\", \"variations\": [0, 1]}");
    CHECK_MEMBER(s, "variationId", "1");
    gb_string_free(s);
    CHECKF(track_calls == 1, "tracking fired %d times, want 1", track_calls);

    /* A new user: one more call, then deduplicated again. */
    s = gb_eval_feature_with_attributes_json(gb, "exp-flag", "{\"id\": \"1\"}");
    CHECK_MEMBER(s, "value", "\"a\"");
    gb_string_free(s);
    CHECKF(track_calls == 2, "tracking fired %d times, want 2", track_calls);
    CHECK_MEMBER(last_track_res, "hashValue", "\"1\"");
    CHECK_MEMBER(last_track_res, "variationId", "0");
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"1\"}") == GB_OK);
    CHECK(gb_is_on(gb, "exp-flag") == 1);
    CHECKF(track_calls == 2, "tracking fired %d times, want 2", track_calls);
    CHECK(track_reentrant_ok);

    /* Removing the callback. */
    CHECK(gb_set_tracking_callback(gb, NULL, NULL) == GB_OK);
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"3\"}") == GB_OK);
    CHECK(gb_is_on(gb, "exp-flag") == 1);
    CHECK(track_calls == 2);

    track_gb = NULL;
    gb_free(gb);
}

static void test_subscriptions(void)
{
    gb_handle *gb = gb_create("{\"attributes\": {\"id\": \"123\"}}");
    const char *exp = "{\"key\": \"exp1\", \"variations\": [\"a\", \"b\"]}";
    int id1, id2;
    char *s;

    CHECK(gb != NULL);
    if (!gb) return;
    sub_gb = gb;
    id1 = gb_subscribe(gb, on_sub, &sub_calls[0]);
    id2 = gb_subscribe(gb, on_sub, &sub_calls[1]);
    CHECK(id1 > 0 && id2 > 0 && id1 != id2);

    s = gb_run_experiment_json(gb, exp); /* first assignment: a change */
    CHECK_MEMBER(s, "variationId", "1");
    gb_string_free(s);
    CHECKF(sub_calls[0] == 1 && sub_calls[1] == 1, "subscribers called %d, %d times", sub_calls[0], sub_calls[1]);
    CHECK_MEMBER(last_sub_res, "variationId", "1");
    s = gb_run_experiment_json(gb, exp); /* no change */
    gb_string_free(s);
    CHECK(sub_calls[0] == 1 && sub_calls[1] == 1);

    CHECK(gb_set_attributes_json(gb, "{\"id\": \"1\"}") == GB_OK);
    s = gb_run_experiment_json(gb, exp); /* variation 1 -> 0: a change */
    CHECK_MEMBER(s, "variationId", "0");
    gb_string_free(s);
    CHECKF(sub_calls[0] == 2 && sub_calls[1] == 2, "subscribers called %d, %d times", sub_calls[0], sub_calls[1]);
    CHECK_MEMBER(last_sub_res, "variationId", "0");

    CHECK(gb_unsubscribe(gb, id1) == GB_OK);
    CHECK_ERR(gb_unsubscribe(gb, id1), GB_ERR_NOT_FOUND);
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"123\"}") == GB_OK);
    s = gb_run_experiment_json(gb, exp); /* 0 -> 1: only the second hears it */
    gb_string_free(s);
    CHECKF(sub_calls[0] == 2 && sub_calls[1] == 3, "subscribers called %d, %d times", sub_calls[0], sub_calls[1]);
    CHECK(gb_unsubscribe(gb, id2) == GB_OK);
    CHECK(sub_reentrant_ok);
    sub_gb = NULL;
    gb_free(gb);
}

static void test_logging(void)
{
    gb_handle *gb = gb_create("{\"features\": {\"kill\": {\"defaultValue\": true}}}");
    int before;

    CHECK(gb != NULL);
    if (!gb) return;
    log_gb = gb;
    CHECK(gb_is_on(gb, "unknown-1") == 0);
    CHECK(log_calls == 0); /* silent by default */

    CHECK(gb_set_log_callback(gb, on_log, GB_LOG_DEBUG, &log_calls) == GB_OK);
    CHECK(gb_is_on(gb, "unknown-2") == 0);
    CHECKF(log_calls >= 1, "no log message for an unknown feature at GB_LOG_DEBUG");
    CHECK(log_bad == 0);

    /* Above the unknown-feature message's level: nothing for it. */
    CHECK(gb_set_log_callback(gb, on_log, GB_LOG_ERROR, &log_calls) == GB_OK);
    before = log_calls;
    CHECK(gb_is_on(gb, "unknown-3") == 0);
    CHECK(log_calls == before);

    CHECK(gb_set_log_callback(gb, NULL, GB_LOG_DEBUG, NULL) == GB_OK);
    CHECK(gb_is_on(gb, "unknown-4") == 0);
    CHECK(log_calls == before);

    /* The process-wide callback: for handles without their own, at its level. */
    CHECK(gb_set_default_log_callback(on_log, GB_LOG_DEBUG, &log_calls) == GB_OK);
    before = log_calls;
    CHECK(gb_is_on(gb, "unknown-5") == 0);
    CHECKF(log_calls > before, "the default log callback got no message");
    gb_handle *fresh = gb_create(NULL); /* made after it: no setup of its own */
    before = log_calls;
    CHECK(gb_is_on(fresh, "unknown-6") == 0);
    CHECKF(log_calls > before, "a new handle did not log to the default callback");
    CHECK(gb_set_log_callback(fresh, on_log, GB_LOG_ERROR, &log_calls) == GB_OK); /* its own wins */
    before = log_calls;
    CHECK(gb_is_on(fresh, "unknown-7") == 0);
    CHECK(log_calls == before);
    CHECK(gb_set_default_log_callback(on_log, GB_LOG_ERROR, &log_calls) == GB_OK); /* its level */
    CHECK(gb_is_on(gb, "unknown-8") == 0);
    CHECK(log_calls == before);
    CHECK(gb_set_default_log_callback(NULL, GB_LOG_DEBUG, NULL) == GB_OK);
    CHECK(gb_is_on(gb, "unknown-9") == 0);
    CHECK(log_calls == before);
    CHECK(log_bad == 0);
    gb_free(fresh);
    log_gb = NULL;
    gb_free(gb);
}

static void test_include(void)
{
    gb_handle *gb = gb_create("{\"attributes\": {\"id\": \"123\"}}");
    const char *exp = "{\"key\": \"incl-exp\", \"variations\": [0, 1]}";
    int answer;
    char *s;

    CHECK(gb != NULL);
    if (!gb) return;
    answer = 0;
    s = gb_run_experiment_with_include_json(gb, exp, include_fn, &answer);
    CHECK_MEMBER(s, "inExperiment", "false");
    CHECK_MEMBER(s, "variationId", "0");
    gb_string_free(s);
    CHECK(include_calls == 1);
    CHECK_STREQ(include_key, "incl-exp");

    answer = -1; /* "raised": excluded */
    s = gb_run_experiment_with_include_json(gb, exp, include_fn, &answer);
    CHECK_MEMBER(s, "inExperiment", "false");
    gb_string_free(s);

    answer = 1;
    s = gb_run_experiment_with_include_json(gb, exp, include_fn, &answer);
    CHECK_MEMBER(s, "inExperiment", "true");
    CHECK_MEMBER(s, "hashUsed", "true");
    gb_string_free(s);
    CHECK(include_calls == 3);

    s = gb_run_experiment_with_include_json(gb, exp, NULL, NULL);
    CHECK_MEMBER(s, "inExperiment", "true");
    gb_string_free(s);
    gb_free(gb);
}

/* From the spec fixtures' stickyBucket cases. */
#define STICKY_FEATURES                                                              \
    "{\"exp1\": {\"defaultValue\": \"control\", \"rules\": [{\"key\": \"feature-exp\"," \
    " \"seed\": \"feature-exp\", \"hashAttribute\": \"id\", \"fallbackAttribute\": \"deviceId\"," \
    " \"hashVersion\": 2, \"bucketVersion\": 0, \"condition\": {\"country\": \"USA\"},"  \
    " \"variations\": [\"control\", \"red\", \"blue\"],"                               \
    " \"meta\": [{\"key\": \"0\"}, {\"key\": \"1\"}, {\"key\": \"2\"}], \"coverage\": 1," \
    " \"weights\": [0.3334, 0.3333, 0.3333], \"phase\": \"0\"}]}}"
#define STICKY_ATTRS "{\"deviceId\": \"d123\", \"anonymousId\": \"ses123\", \"foo\": \"bar\", \"country\": \"USA\"}"

static void test_sticky(void)
{
    gb_handle *gb;
    char *s, *r;
    struct sticky_store st;

    /* Built-in service, seeded empty: hashes to red and stores it. */
    gb = gb_create("{\"attributes\": " STICKY_ATTRS ", \"features\": " STICKY_FEATURES
                   ", \"stickyBucketAssignmentDocs\": {}}");
    CHECKF(gb != NULL, "gb_create: %s", gb_last_error());
    if (!gb) return;
    s = gb_eval_feature_json(gb, "exp1");
    CHECK_MEMBER(s, "value", "\"red\"");
    r = json_get(s, "experimentResult");
    CHECK_MEMBER(r, "stickyBucketUsed", "false");
    CHECK_MEMBER(r, "hashAttribute", "\"deviceId\"");
    CHECK_MEMBER(r, "bucket", "0.6468");
    free(r);
    gb_string_free(s);
    s = gb_get_sticky_bucket_docs_json(gb);
    r = json_get(s, "deviceId||d123");
    CHECK_MEMBER(r, "attributeName", "\"deviceId\"");
    CHECK_MEMBER(r, "attributeValue", "\"d123\"");
    CHECK_MEMBER(r, "assignments", "{\"feature-exp__0\":\"1\"}");
    free(r);
    gb_string_free(s);
    gb_free(gb);

    /* Built-in service seeded with a doc: the stored bucket wins. */
    gb = gb_create("{\"attributes\": " STICKY_ATTRS ", \"features\": " STICKY_FEATURES
                   ", \"stickyBucketAssignmentDocs\": {\"deviceId||d123\": {\"attributeName\": \"deviceId\","
                   " \"attributeValue\": \"d123\", \"assignments\": {\"feature-exp__0\": \"2\"}}}}");
    CHECK(gb != NULL);
    s = gb_eval_feature_json(gb, "exp1");
    CHECK_MEMBER(s, "value", "\"blue\"");
    CHECK_CONTAINS(s, "\"stickyBucketUsed\":true");
    gb_string_free(s);
    gb_free(gb);

    /* Host service returning a doc. */
    memset(&st, 0, sizeof st);
    st.serve_name = "deviceId";
    st.serve_value = "d123";
    st.serve_doc = "{\"attributeName\": \"deviceId\", \"attributeValue\": \"d123\","
                   " \"assignments\": {\"feature-exp__0\": \"2\"}}";
    gb = gb_create("{\"attributes\": " STICKY_ATTRS ", \"features\": " STICKY_FEATURES "}");
    CHECK(gb != NULL);
    CHECK(gb_set_sticky_bucket_service(gb, sticky_get, sticky_save, &st) == GB_OK);
    CHECK(gb_refresh_sticky_buckets(gb, 1) == GB_OK);
    CHECK(st.get_calls >= 1);
    CHECK(st.get_fail == 0); /* gb_buffer_set(out, NULL) was refused */
    s = gb_eval_feature_json(gb, "exp1");
    CHECK_MEMBER(s, "value", "\"blue\"");
    CHECK_CONTAINS(s, "\"stickyBucketUsed\":true");
    gb_string_free(s);
    s = gb_get_sticky_bucket_docs_json(gb);
    CHECK_CONTAINS(s, "\"deviceId||d123\"");
    gb_string_free(s);
    CHECK(gb_set_sticky_bucket_service(gb, NULL, NULL, NULL) == GB_OK);
    gb_free(gb);

    /* Host service holding another user's doc: hash, then save ours. */
    memset(&st, 0, sizeof st);
    st.serve_name = "deviceId";
    st.serve_value = "d456";
    st.serve_doc = "{\"attributeName\": \"deviceId\", \"attributeValue\": \"d456\","
                   " \"assignments\": {\"feature-exp__0\": \"2\"}}";
    gb = gb_create("{\"attributes\": " STICKY_ATTRS ", \"features\": " STICKY_FEATURES "}");
    CHECK(gb != NULL);
    CHECK(gb_set_sticky_bucket_service(gb, sticky_get, sticky_save, &st) == GB_OK);
    CHECK(gb_refresh_sticky_buckets(gb, 1) == GB_OK);
    CHECK_STREQ(st.last_get_name, "deviceId");
    CHECK_STREQ(st.last_get_value, "d123");
    s = gb_eval_feature_json(gb, "exp1");
    CHECK_MEMBER(s, "value", "\"red\"");
    CHECK_CONTAINS(s, "\"stickyBucketUsed\":false");
    gb_string_free(s);
    CHECKF(st.save_calls >= 1, "sticky save not called");
    CHECK_MEMBER(st.saved, "attributeValue", "\"d123\"");
    CHECK_MEMBER(st.saved, "assignments", "{\"feature-exp__0\":\"1\"}");

    /* A failing get is logged and treated as no doc. */
    st.get_fail = 1;
    CHECK(gb_refresh_sticky_buckets(gb, 1) == GB_OK);
    CHECK(gb_is_on(gb, "exp1") == 1);
    gb_free(gb);

    /* Built-in service switched on after creation. */
    gb = gb_create("{\"attributes\": " STICKY_ATTRS ", \"features\": " STICKY_FEATURES "}");
    CHECK(gb != NULL);
    CHECK(gb_use_in_memory_sticky_bucket_service(gb) == GB_OK);
    s = gb_get_feature_value_json(gb, "exp1");
    CHECK_STREQ(s, "\"red\"");
    gb_string_free(s);
    s = gb_get_sticky_bucket_docs_json(gb);
    CHECK_CONTAINS(s, "\"feature-exp__0\":\"1\"");
    gb_string_free(s);
    gb_free(gb);
}

static void test_spec_helpers(void)
{
    /* Expected values from Tests/fixtures/cases-latest.json. */
    static const struct { const char *seed, *value; int version; double want; } hashes[] = {
        {"", "a", 1, 0.22},          {"", "b", 1, 0.077},     {"b", "a", 1, 0.946},
        {"ef", "d", 1, 0.652},       {"asdf", "8952klfjas09ujk", 1, 0.549},
        {"", "123", 1, 0.011},       {"", "___)((*\":&", 1, 0.563},
        {"seed", "a", 2, 0.0505},    {"seed", "b", 2, 0.2696}, {"foo", "ab", 2, 0.2575},
    };
    double d;
    int i;
    size_t k;
    char *s;
    double nums[16];

    for (k = 0; k < sizeof hashes / sizeof hashes[0]; k++) {
        d = -1;
        CHECKF(gb_hash(hashes[k].seed, hashes[k].value, hashes[k].version, &d) == 1 &&
                   fabs(d - hashes[k].want) < 1e-9,
               "gb_hash(\"%s\", \"%s\", %d) = %g, want %g", hashes[k].seed, hashes[k].value,
               hashes[k].version, d, hashes[k].want);
    }
    d = -7;
    CHECK(gb_hash("abc", "def", 99, &d) == 0);
    CHECK(d == -7);

    s = gb_padded_version_string("1.2.3");
    CHECK_STREQ(s, "    1-    2-    3-~");
    gb_string_free(s);

    s = gb_get_equal_weights_json(2);
    CHECK(s && json_numbers(s, nums, 16) == 2 && nums[0] == 0.5 && nums[1] == 0.5);
    CHECK(json_contains(s, "[") && s[0] != 0);
    gb_string_free(s);
    s = gb_get_equal_weights_json(4);
    CHECK(s && json_numbers(s, nums, 16) == 4 && nums[3] == 0.25);
    gb_string_free(s);
    s = gb_get_equal_weights_json(-1);
    CHECK(s && json_numbers(s, nums, 16) == 0 && json_contains(s, "[]"));
    gb_string_free(s);

    s = gb_get_bucket_ranges_json(2, 0.5, NULL);
    CHECK(s && json_numbers(s, nums, 16) == 4 && nums[0] == 0 && nums[1] == 0.25 &&
          nums[2] == 0.5 && nums[3] == 0.75);
    gb_string_free(s);
    s = gb_get_bucket_ranges_json(3, 0.2, "[0.2, 0.3, 0.5]");
    CHECK(s && json_numbers(s, nums, 16) == 6 && fabs(nums[1] - 0.04) < 1e-9 &&
          fabs(nums[3] - 0.26) < 1e-9 && fabs(nums[5] - 0.6) < 1e-9);
    gb_string_free(s);
    s = gb_get_bucket_ranges_json(2, 1, "[0.7, 0.6]"); /* invalid weights: equal */
    CHECK(s && json_numbers(s, nums, 16) == 4 && nums[1] == 0.5 && nums[3] == 1);
    gb_string_free(s);

    CHECK(gb_choose_variation(0.6, "[[0, 0.5], [0.5, 1]]", &i) == GB_OK && i == 1);
    CHECK(gb_choose_variation(0.2, "[[0, 0.5], [0.5, 1]]", &i) == GB_OK && i == 0);
    CHECK(gb_choose_variation(0.4, "[[0, 0.25], [0.5, 0.75]]", &i) == GB_OK && i == -1);
    CHECK(gb_choose_variation(0.5, "[[0, 0.5], [0.5, 0.5], [0.5, 1]]", &i) == GB_OK && i == 2);

    CHECK(gb_in_namespace("1", "[\"namespace1\", 0, 0.4]") == 0);
    CHECK(gb_in_namespace("1", "[\"namespace1\", 0.4, 1]") == 1);
    CHECK(gb_in_namespace("3", "[\"namespace2\", 0, 0.4]") == 1);

    i = -7;
    CHECK(gb_get_query_string_override("my-test", "http://example.com?my-test=1", 2, &i) == 1 && i == 1);
    CHECK(gb_get_query_string_override("my-test", "http://example.com?foo=bar&my-test=0&x=1", 2, &i) == 1 && i == 0);
    CHECK(gb_get_query_string_override("my-test", "http://example.com?my-test=5", 6, &i) == 1 && i == 5);
    i = -7;
    CHECK(gb_get_query_string_override("my-test", "http://example.com?my-test=5", 5, &i) == 0 && i == -7);
    CHECK(gb_get_query_string_override("my-test", "", 2, &i) == 0);
    CHECK(gb_get_query_string_override("my-test", "http://example.com?my-test=foo", 2, &i) == 0);
    CHECK(i == -7);

    CHECK(gb_eval_condition_json("{\"country\": {\"$in\": [\"US\", \"CA\"]}}", "{\"country\": \"CA\"}", NULL) == 1);
    CHECK(gb_eval_condition_json("{\"country\": {\"$in\": [\"US\", \"CA\"]}}", "{\"country\": \"FR\"}", NULL) == 0);
    CHECK(gb_eval_condition_json("{\"age\": {\"$gt\": 18}}", "{\"age\": 21}", NULL) == 1);
    CHECK(gb_eval_condition_json("{\"v\": {\"$vgte\": \"1.10.0\"}}", "{\"v\": \"1.9.9\"}", NULL) == 0);
    CHECK(gb_eval_condition_json("{\"email\": {\"$regex\": \"@example\\\\.com$\"}}",
                                 "{\"email\": \"a@example.com\"}", NULL) == 1);
    CHECK(gb_eval_condition_json("{\"id\": {\"$inGroup\": \"g\"}}", "{\"id\": 2}", "{\"g\": [1, 2]}") == 1);
    CHECK(gb_eval_condition_json("{\"id\": {\"$inGroup\": \"g\"}}", "{\"id\": 3}", "{\"g\": [1, 2]}") == 0);
    CHECK(gb_eval_condition_json("{\"id\": {\"$inGroup\": \"g\"}}", "{\"id\": 2}", NULL) == 0);
}

/* gb_set_features_from: one compiled feature set shared by handles, each with
 * its own attributes; later updates stay apart; profiles must agree. */
static void test_shared_features(void)
{
    gb_handle *source = gb_create(
        "{\"features\": {\"geo\": {\"defaultValue\": false, \"rules\": "
        "[{\"condition\": {\"country\": \"US\"}, \"force\": true}]}},"
        " \"savedGroups\": {\"g\": [\"u1\"]}}");
    gb_handle *us = gb_create("{\"attributes\": {\"country\": \"US\"}}");
    gb_handle *fr = gb_create("{\"attributes\": {\"country\": \"FR\"}}");
    gb_handle *py = gb_create("{\"semantics\": \"" GB_SEMANTICS_PYTHON_1_1_0 "\"}");
    CHECK(source && us && fr && py);
    if (!source || !us || !fr || !py) goto out;
    CHECK(gb_set_features_from(us, source) == GB_OK);
    CHECK(gb_set_features_from(fr, source) == GB_OK);
    CHECK(gb_is_on(us, "geo") == 1);
    CHECK(gb_is_on(fr, "geo") == 0);
    CHECK(gb_is_on(source, "geo") == 0); /* source has no attributes */
    /* the saved groups come with the features they were compiled against */
    CHECK(gb_set_features_json(source, "{\"grp\": {\"defaultValue\": false, \"rules\": "
                                       "[{\"condition\": {\"id\": {\"$inGroup\": \"g\"}}, \"force\": true}]}}")
          == GB_OK);
    CHECK(gb_set_attributes_json(us, "{\"id\": \"u1\"}") == GB_OK);
    CHECK(gb_is_on(us, "grp") == 0); /* unknown in us: taken before the update */
    CHECK(gb_set_features_from(us, source) == GB_OK);
    CHECK(gb_is_on(us, "grp") == 1);
    CHECK(gb_is_on(us, "geo") == 0); /* replaced, as by gb_set_features_json */
    /* an update of the copy does not reach the source */
    CHECK(gb_set_features_json(us, "{}") == GB_OK);
    CHECK(gb_set_attributes_json(source, "{\"id\": \"u1\"}") == GB_OK);
    CHECK(gb_is_on(source, "grp") == 1);
    CHECK(gb_set_features_from(source, source) == GB_OK);
    CHECK(gb_is_on(source, "grp") == 1);
    /* a feature set is compiled for one profile; the handle keeps its state */
    CHECK_ERR(gb_set_features_from(py, source), GB_ERR_INVALID_ARGUMENT);
    CHECK(strstr(gb_last_error(), "semantics") != NULL);
    CHECK_ERR(gb_set_features_from(NULL, source), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_features_from(fr, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_is_on(fr, "geo") == 0);
out:
    gb_free(source);
    gb_free(us);
    gb_free(fr);
    gb_free(py);
}

/* gb_attributes_builder: typed values give the attributes their JSON gives; a call that
 * does not fit is refused and changes nothing; the builder is reused after a finish;
 * gb_set_attributes installs (and shares) attributes. */
static void test_attributes_builder(void)
{
    const char *features =
        "{\"adult\":{\"defaultValue\":false,\"rules\":[{\"condition\":{\"age\":{\"$gte\":18},"
        "\"tags\":{\"$elemMatch\":{\"$eq\":\"beta\"}},\"orders\":{\"$elemMatch\":{\"qty\":{\"$gt\":1}}}},\"force\":true}]},"
        "\"big\":{\"defaultValue\":false,\"rules\":[{\"condition\":{\"n\":123456789012345678901234567890},"
        "\"force\":true}]}}";
    gb_handle *gb = gb_create("{\"semantics\":\"python-1.1.0\"}");
    CHECK(gb != NULL);
    CHECK(gb_set_features_json(gb, features) == GB_OK);
    gb_attributes_builder *b = gb_attributes_builder_create();
    CHECK(b != NULL);

    /* refused calls first: each leaves the builder as it was */
    CHECK_ERR(gb_attributes_builder_string(b, "x", 1), GB_ERR_INVALID_ARGUMENT); /* a key is due */
    CHECK_ERR(gb_attributes_builder_end_object(b), GB_ERR_INVALID_ARGUMENT);     /* the top stays open */
    CHECK_ERR(gb_attributes_builder_end_array(b), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_attributes_builder_key(b, "\xff", 1), GB_ERR_UTF8);
    CHECK_ERR(gb_attributes_builder_key(b, NULL, 3), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_attributes_builder_key(NULL, "id", 2), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_attributes_builder_key(b, "id", 2) == GB_OK);
    CHECK_ERR(gb_attributes_builder_key(b, "id", 2), GB_ERR_INVALID_ARGUMENT); /* a value is due */
    CHECK_NULL_ERR(gb_attributes_builder_finish(b), GB_ERR_INVALID_ARGUMENT, free_attrs);
    CHECK_ERR(gb_attributes_builder_double(b, NAN), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_attributes_builder_double(b, INFINITY), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_attributes_builder_string(b, "a\xc3", 2), GB_ERR_UTF8);
    const char *bad_literals[] = {"", "-", "01", "1.5", "1e3", "+1", "--1", "12a"};
    for (size_t i = 0; i < sizeof bad_literals / sizeof bad_literals[0]; i++)
        CHECK_ERR(gb_attributes_builder_integer_literal(b, bad_literals[i], strlen(bad_literals[i])),
                  GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_attributes_builder_string(b, "u\0v", 3) == GB_OK); /* a NUL inside is a character */
    CHECK(gb_attributes_builder_key(b, "age", 3) == GB_OK);
    CHECK(gb_attributes_builder_int(b, 30) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "tags", 4) == GB_OK);
    CHECK(gb_attributes_builder_begin_array(b) == GB_OK);
    CHECK_ERR(gb_attributes_builder_key(b, "k", 1), GB_ERR_INVALID_ARGUMENT); /* no keys in arrays */
    CHECK_ERR(gb_attributes_builder_end_object(b), GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_attributes_builder_string(b, "beta", 4) == GB_OK);
    CHECK(gb_attributes_builder_null(b) == GB_OK);
    CHECK(gb_attributes_builder_end_array(b) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "orders", 6) == GB_OK);
    CHECK(gb_attributes_builder_begin_array(b) == GB_OK);
    CHECK(gb_attributes_builder_begin_object(b) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "qty", 3) == GB_OK);
    CHECK_NULL_ERR(gb_attributes_builder_finish(b), GB_ERR_INVALID_ARGUMENT, free_attrs); /* open */
    CHECK(gb_attributes_builder_int(b, 2) == GB_OK);
    CHECK(gb_attributes_builder_end_object(b) == GB_OK);
    CHECK(gb_attributes_builder_end_array(b) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "score", 5) == GB_OK);
    CHECK(gb_attributes_builder_double(b, 72.5) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "ok", 2) == GB_OK);
    CHECK(gb_attributes_builder_bool(b, 1) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "n", 1) == GB_OK);
    CHECK(gb_attributes_builder_integer_literal(b, "123456789012345678901234567890", 30) == GB_OK);
    CHECK(gb_attributes_builder_key(b, "small", 5) == GB_OK);
    CHECK(gb_attributes_builder_integer_literal(b, "-42", 3) == GB_OK); /* fits: an integer */
    CHECK(gb_attributes_builder_key(b, "age", 3) == GB_OK); /* again: first position, last value */
    CHECK(gb_attributes_builder_int(b, 41) == GB_OK);
    gb_attributes *a = gb_attributes_builder_finish(b);
    CHECK(a != NULL);

    const char *json =
        "{\"id\":\"u\\u0000v\",\"age\":41,\"tags\":[\"beta\",null],\"orders\":[{\"qty\":2}],\"score\":72.5,"
        "\"ok\":true,\"n\":123456789012345678901234567890,\"small\":-42}";
    gb_attributes *parsed = gb_attributes_create(json);
    CHECK(parsed != NULL);
    const char *keys[] = {"adult", "big"};
    for (size_t i = 0; i < 2; i++) {
        char *x = gb_eval_feature_with(gb, keys[i], a);
        char *y = gb_eval_feature_with(gb, keys[i], parsed);
        CHECKF(x && y && strcmp(x, y) == 0, "%s: built %s, parsed %s", keys[i], show(x), show(y));
        CHECK_MEMBER(x, "value", "true");
        gb_string_free(x);
        gb_string_free(y);
    }

    /* installed with gb_set_attributes, released at once: the handle keeps its reference */
    CHECK(gb_set_attributes(gb, a) == GB_OK);
    gb_attributes_free(a);
    char *got = gb_get_attributes_json(gb);
    char *want = NULL;
    {
        gb_handle *g2 = gb_create(NULL);
        CHECK(gb_set_attributes_json(g2, json) == GB_OK);
        want = gb_get_attributes_json(g2);
        gb_free(g2);
    }
    CHECKF(got && want && strcmp(got, want) == 0, "attributes: %s, want %s", show(got), show(want));
    gb_string_free(got);
    gb_string_free(want);
    CHECK(gb_is_on(gb, "adult") == 1);
    CHECK(gb_set_attributes(gb, parsed) == GB_OK); /* equal: the state stays */
    CHECK(gb_is_on(gb, "adult") == 1);
    CHECK_ERR(gb_set_attributes(gb, NULL), GB_ERR_INVALID_ARGUMENT);
    CHECK_ERR(gb_set_attributes(NULL, parsed), GB_ERR_INVALID_ARGUMENT);
    gb_attributes_free(parsed);

    /* reused: the next attributes start empty */
    CHECK(gb_attributes_builder_key(b, "age", 3) == GB_OK);
    CHECK(gb_attributes_builder_int(b, 5) == GB_OK);
    gb_attributes *young = gb_attributes_builder_finish(b);
    CHECK(young != NULL);
    CHECK(gb_set_attributes(gb, young) == GB_OK);
    CHECK(gb_is_on(gb, "adult") == 0);
    got = gb_get_attributes_json(gb);
    CHECKF(got && strcmp(got, "{\"age\":5}") == 0, "reused builder: %s", show(got));
    gb_string_free(got);
    gb_attributes_free(young);
    gb_attributes *empty = gb_attributes_builder_finish(b);
    CHECK(empty != NULL);
    gb_attributes_free(empty);

    /* nesting is bounded: 127 levels below the top-level object, then refused */
    int depth = 0;
    CHECK(gb_attributes_builder_key(b, "deep", 4) == GB_OK);
    while (gb_attributes_builder_begin_array(b) == GB_OK) depth++;
    CHECKF(depth == 127, "depth %d", depth);
    CHECK(gb_last_error_code() == GB_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < depth; i++) CHECK(gb_attributes_builder_end_array(b) == GB_OK);
    gb_attributes *deep = gb_attributes_builder_finish(b);
    CHECK(deep != NULL);
    gb_attributes_free(deep);

    gb_attributes_builder_free(b);
    gb_attributes_builder_free(NULL);
    gb_free(gb);
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    alarm(120);

    test_version();
    test_null_arguments();
    test_happy_path();
    test_deprecated_options();
    test_thread_local_error();
    test_bad_input();
    test_tracking();
    test_subscriptions();
    test_logging();
    test_include();
    test_sticky();
    test_spec_helpers();
    test_shared_features();
    test_attributes_builder();
    return tu_summary();
}
