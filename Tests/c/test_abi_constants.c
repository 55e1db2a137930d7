/*
 * test_abi_constants.c -- the numbers the library returns are the ones growthbook.h names.
 *
 * The library's Swift code keeps the header's numbers in raw-value enums (Sources/GrowthBookC:
 * ErrorCode, ValueType, SourceCode, LogLevelCode, EvalSummary). This checks them through the
 * shared library: every GB_VALUE_*, GB_SOURCE_* and GB_SUMMARY_* field of a typed evaluation
 * (against the FeatureResult JSON, which names the source in words), every GB_ERR_* code a call
 * can produce, and the GB_LOG_* levels of log messages and of min_level. GB_ERR_CALLBACK
 * (reserved), GB_ERR_NO_MEMORY and GB_ERR_INTERNAL cannot be provoked; they are compared with
 * the header in the Swift source by bindings/python/tests/test_abi_constants.py.
 */
#include <string.h>

#include "growthbook.h"
#include "testutil.h"

/* The header's own consistency: every type and source fits its summary field, and the on flag
 * lies above both (the casts: the enums are distinct types). */
_Static_assert((int)GB_VALUE_OBJECT <= (int)GB_SUMMARY_TYPE_MASK, "types fit the type field");
_Static_assert((int)GB_SOURCE_CYCLIC_PREREQUISITE <= (int)GB_SUMMARY_SOURCE_MASK, "sources fit the source field");
_Static_assert(GB_SUMMARY_TYPE_MASK < 1 << GB_SUMMARY_SOURCE_SHIFT, "the fields do not overlap");
_Static_assert(GB_SUMMARY_ON > GB_SUMMARY_SOURCE_MASK << GB_SUMMARY_SOURCE_SHIFT, "the on flag is above both");

static const char *FEATURES =
    "{\"null\": {}, \"false\": {\"defaultValue\": false}, \"true\": {\"defaultValue\": true},"
    " \"int\": {\"defaultValue\": 5}, \"zero\": {\"defaultValue\": 0}, \"double\": {\"defaultValue\": 2.5},"
    " \"string\": {\"defaultValue\": \"x\"}, \"empty\": {\"defaultValue\": \"\"},"
    " \"array\": {\"defaultValue\": [1]}, \"object\": {\"defaultValue\": {\"k\": 1}},"
    " \"forced\": {\"defaultValue\": 0, \"rules\": [{\"id\": \"r1\", \"force\": 7}]},"
    " \"exp\": {\"defaultValue\": 0, \"rules\": [{\"key\": \"e\", \"variations\": [10, 11]}]},"
    " \"gated\": {\"defaultValue\": 1, \"rules\": [{\"parentConditions\": [{\"id\": \"false\","
    "   \"condition\": {\"value\": true}, \"gate\": true}], \"force\": 2}]},"
    " \"cycle-a\": {\"defaultValue\": 1, \"rules\": [{\"parentConditions\": [{\"id\": \"cycle-b\","
    "   \"condition\": {\"value\": 1}}], \"force\": 2}]},"
    " \"cycle-b\": {\"defaultValue\": 1, \"rules\": [{\"parentConditions\": [{\"id\": \"cycle-a\","
    "   \"condition\": {\"value\": 1}}], \"force\": 2}]}}";

/* The summary's fields, read with the header's names; checks that no other bit is set. */
static void check_summary(int rc, const gb_value *v, int type, int source, int on, const char *key)
{
    CHECKF(rc >= 0, "%s: rc %d", key, rc);
    CHECKF((rc & GB_SUMMARY_TYPE_MASK) == type && v->type == type, "%s: type %d (gb_value %d), want %d", key,
           rc & GB_SUMMARY_TYPE_MASK, v->type, type);
    CHECKF(((rc >> GB_SUMMARY_SOURCE_SHIFT) & GB_SUMMARY_SOURCE_MASK) == source && v->source == source,
           "%s: source %d (gb_value %d), want %d", key, (rc >> GB_SUMMARY_SOURCE_SHIFT) & GB_SUMMARY_SOURCE_MASK,
           v->source, source);
    CHECKF(((rc & GB_SUMMARY_ON) != 0) == on && v->on == on, "%s: on flag %d (gb_value %d), want %d", key,
           (rc & GB_SUMMARY_ON) != 0, v->on, on);
    CHECKF(rc == (type | source << GB_SUMMARY_SOURCE_SHIFT | (on ? GB_SUMMARY_ON : 0)), "%s: summary %#x has other bits",
           key, rc);
}

static void test_value_types(gb_handle *gb, gb_eval_buffer *b)
{
    static const struct { const char *key; int type, on; } cases[] = {
        {"null", GB_VALUE_NULL, 0},     {"false", GB_VALUE_FALSE, 0}, {"true", GB_VALUE_TRUE, 1},
        {"int", GB_VALUE_INT, 1},       {"zero", GB_VALUE_INT, 0},    {"double", GB_VALUE_DOUBLE, 1},
        {"string", GB_VALUE_STRING, 1}, {"empty", GB_VALUE_STRING, 0}, {"array", GB_VALUE_ARRAY, 1},
        {"object", GB_VALUE_OBJECT, 1},
    };
    const gb_value *v = gb_eval_buffer_value(b);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *key = cases[i].key;
        check_summary(gb_eval_value(gb, key, b), v, cases[i].type, GB_SOURCE_DEFAULT_VALUE, cases[i].on, key);
        check_summary(gb_eval_result(gb, key, b), v, cases[i].type, GB_SOURCE_DEFAULT_VALUE, cases[i].on, key);
        CHECKF(gb_is_on(gb, key) == cases[i].on, "%s: gb_is_on disagrees with the on flag", key);
    }
}

static void test_sources(gb_handle *gb, gb_eval_buffer *b)
{
    static const struct { const char *key; int source, type, on; const char *name; } cases[] = {
        {"missing", GB_SOURCE_UNKNOWN_FEATURE, GB_VALUE_NULL, 0, "\"unknownFeature\""},
        {"int", GB_SOURCE_DEFAULT_VALUE, GB_VALUE_INT, 1, "\"defaultValue\""},
        {"forced", GB_SOURCE_FORCE, GB_VALUE_INT, 1, "\"force\""},
        {"exp", GB_SOURCE_EXPERIMENT, GB_VALUE_INT, 1, "\"experiment\""},
        {"gated", GB_SOURCE_PREREQUISITE, GB_VALUE_NULL, 0, "\"prerequisite\""},
        {"cycle-a", GB_SOURCE_CYCLIC_PREREQUISITE, GB_VALUE_NULL, 0, "\"cyclicPrerequisite\""},
    };
    const gb_value *v = gb_eval_buffer_value(b);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *key = cases[i].key;
        char *json = gb_eval_feature_json(gb, key);
        CHECKF(json_member_is(json, "source", cases[i].name), "%s: FeatureResult %s, want source %s", key,
               json ? json : "(null)", cases[i].name);
        gb_string_free(json);
        check_summary(gb_eval_value(gb, key, b), v, cases[i].type, cases[i].source, cases[i].on, key);
        check_summary(gb_eval_result(gb, key, b), v, cases[i].type, cases[i].source, cases[i].on, key);
        check_summary(gb_eval_with(gb, key, NULL, 1, b), v, cases[i].type, cases[i].source, cases[i].on, key);
    }
}

/* A failed call returns `want` and gb_last_error_code() gives it too, with a message. */
#define CHECK_CODE(expr, want)                                                                     \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        int code_ = gb_last_error_code();                                                          \
        CHECKF(rc_ == (want) && code_ == (want) && gb_last_error()[0], "%s: returned %d, last code %d, want %s (%d)", \
               #expr, rc_, code_, #want, (want));                                                  \
    } while (0)

/* A failed call returning a pointer gives NULL and sets gb_last_error_code() to `want`. */
#define CHECK_NULL_CODE(expr, want)                                                                \
    do {                                                                                           \
        char *p_ = (expr);                                                                         \
        int code_ = gb_last_error_code();                                                          \
        CHECKF(p_ == NULL && code_ == (want) && gb_last_error()[0], "%s: last code %d, want %s (%d)", #expr, code_, \
               #want, (want));                                                                     \
        gb_string_free(p_);                                                                        \
    } while (0)

/* Refuses URLs containing "refuse" (a network failure), answers 404 to the others. */
static int transport(const char *url, const char *headers, gb_http_response *response, void *user_data)
{
    (void)headers;
    (void)user_data;
    if (strstr(url, "refuse")) return 1;
    gb_http_response_set_status(response, 404);
    gb_http_response_set_body(response, "not found", 9);
    return 0;
}

static void no_track(const char *e, const char *r, void *u)
{
    (void)e;
    (void)r;
    (void)u;
}

static void test_error_codes(gb_handle *gb)
{
    CHECK(gb_set_features_json(gb, "{}") == GB_OK);
    int id = gb_subscribe(gb, no_track, NULL);
    CHECK(id > 0 && gb_unsubscribe(gb, id) == GB_OK);
    CHECK(gb_set_log_callback(gb, NULL, GB_LOG_DEBUG, NULL) == GB_OK);

    CHECK_CODE(gb_set_features_json(NULL, "{}"), GB_ERR_INVALID_ARGUMENT);
    CHECK_CODE(gb_set_features_json(gb, "\xff"), GB_ERR_UTF8);
    CHECK_CODE(gb_set_features_json(gb, "{"), GB_ERR_JSON);
    CHECK_CODE(gb_set_features_json(gb, "[]"), GB_ERR_TYPE);
    CHECK_CODE(gb_unsubscribe(gb, id), GB_ERR_NOT_FOUND);
    CHECK_NULL_CODE(gb_decrypt("m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj",
                               "Zvwv/+uhpFDznZ6SX39Yjg=="),
                    GB_ERR_DECRYPT);
    CHECK_NULL_CODE(gb_eval_feature_json(gb, NULL), GB_ERR_INVALID_ARGUMENT);

    CHECK(gb_set_http_transport(transport, NULL) == GB_OK);
    gb_clear_cache();
    gb_handle *refused = gb_create("{\"apiHost\": \"http://127.0.0.1:9\", \"clientKey\": \"sdk-refuse\"}");
    gb_handle *missing = gb_create("{\"apiHost\": \"http://127.0.0.1:9\", \"clientKey\": \"sdk-missing\"}");
    CHECK(refused != NULL && missing != NULL);
    CHECK_CODE(gb_load_features(refused), GB_ERR_NETWORK);
    CHECK_CODE(gb_load_features(missing), GB_ERR_HTTP);
    CHECK_CODE(gb_load_features(gb), GB_ERR_INVALID_ARGUMENT); /* no clientKey */
    gb_free(refused);
    gb_free(missing);
    CHECK(gb_set_http_transport(NULL, NULL) == GB_OK);
    gb_clear_cache();
}

/* Messages received, by level; anything that is not a GB_LOG_* level is counted in `other`. */
static int log_debug, log_info, log_warning, log_error, log_other;

static void on_log(int level, const char *message, void *user_data)
{
    (void)message;
    (void)user_data;
    switch (level) {
    case GB_LOG_DEBUG: log_debug++; break;
    case GB_LOG_INFO: log_info++; break;
    case GB_LOG_WARNING: log_warning++; break;
    case GB_LOG_ERROR: log_error++; break;
    default: log_other++; break;
    }
}

/* Logs at min_level while evaluating a default value (debug messages) and an unknown feature (a
 * warning). */
static void log_at(gb_handle *gb, int min_level)
{
    log_debug = log_info = log_warning = log_error = log_other = 0;
    CHECK(gb_set_log_callback(gb, on_log, min_level, NULL) == GB_OK);
    CHECK(gb_is_on(gb, "true") == 1);
    CHECK(gb_is_on(gb, "missing") == 0);
    CHECK(gb_set_log_callback(gb, NULL, GB_LOG_DEBUG, NULL) == GB_OK);
}

static void test_log_levels(gb_handle *gb)
{
    log_at(gb, GB_LOG_DEBUG);
    CHECKF(log_debug > 0 && log_warning > 0 && log_other == 0, "min GB_LOG_DEBUG: %d debug, %d warning, %d other",
           log_debug, log_warning, log_other);
    log_at(gb, GB_LOG_DEBUG + 1); /* selects the next level up, GB_LOG_INFO */
    CHECKF(log_debug == 0 && log_warning > 0 && log_other == 0, "min GB_LOG_DEBUG+1: %d debug, %d warning, %d other",
           log_debug, log_warning, log_other);
    log_at(gb, GB_LOG_INFO);
    CHECKF(log_debug == 0 && log_warning > 0 && log_other == 0, "min GB_LOG_INFO: %d debug, %d warning, %d other",
           log_debug, log_warning, log_other);
    log_at(gb, GB_LOG_WARNING);
    CHECKF(log_debug == 0 && log_info == 0 && log_warning > 0 && log_other == 0,
           "min GB_LOG_WARNING: %d debug, %d info, %d warning, %d other", log_debug, log_info, log_warning, log_other);
    log_at(gb, GB_LOG_ERROR);
    CHECKF(log_debug == 0 && log_info == 0 && log_warning == 0 && log_other == 0,
           "min GB_LOG_ERROR: %d debug, %d info, %d warning, %d other", log_debug, log_info, log_warning, log_other);
}

int main(void)
{
    CHECK(gb_last_error_code() == GB_OK); /* nothing failed on this thread yet */
    gb_handle *gb = gb_create("{\"attributes\": {\"id\": \"123\"}}");
    CHECK(gb != NULL);
    CHECK(gb_set_features_json(gb, FEATURES) == GB_OK);
    gb_eval_buffer *b = gb_eval_buffer_create();
    CHECK(b != NULL);

    test_value_types(gb, b);
    test_sources(gb, b);
    test_log_levels(gb);
    test_error_codes(gb);

    gb_eval_buffer_free(b);
    gb_free(gb);
    return tu_summary();
}
