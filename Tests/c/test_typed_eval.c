/*
 * test_typed_eval.c -- the typed evaluation calls for bindings (gb_eval_value, gb_eval_result,
 * gb_eval_with): gb_value's layout as the library writes it, every value type, the summary
 * returned, buffer growth, errors.
 */
#include <stddef.h>
#include <string.h>

#include "growthbook.h"
#include "testutil.h"

/* The library writes gb_value at fixed offsets (Sources/GrowthBookC/TypedEvaluationExports.swift). */
_Static_assert(offsetof(gb_value, type) == 0, "type");
_Static_assert(offsetof(gb_value, source) == 4, "source");
_Static_assert(offsetof(gb_value, on) == 8, "on");
_Static_assert(offsetof(gb_value, variation_id) == 12, "variation_id");
_Static_assert(offsetof(gb_value, integer) == 16, "integer");
_Static_assert(offsetof(gb_value, number) == 24, "number");
_Static_assert(offsetof(gb_value, length) == 32, "length");
_Static_assert(offsetof(gb_value, rule_id_length) == 40, "rule_id_length");
_Static_assert(offsetof(gb_value, result_length) == 48, "result_length");
_Static_assert(offsetof(gb_value, text) == 56, "text");
_Static_assert(sizeof(gb_value) == 64, "size");

/* The type and source fields of the summary a typed evaluation returns, and the summary of a
 * type and a source (growthbook.h's GB_SUMMARY_*). */
#define SUMMARY_TYPE(rc) ((rc) & GB_SUMMARY_TYPE_MASK)
#define SUMMARY_SOURCE(rc) (((rc) >> GB_SUMMARY_SOURCE_SHIFT) & GB_SUMMARY_SOURCE_MASK)
#define SUMMARY(type, source) ((type) | (source) << GB_SUMMARY_SOURCE_SHIFT)

static const char *FEATURES =
    "{\"null\": {}, \"f\": {\"defaultValue\": false}, \"t\": {\"defaultValue\": true},"
    " \"i\": {\"defaultValue\": -42}, \"d\": {\"defaultValue\": 2.5}, \"s\": {\"defaultValue\": \"h\\u00e9llo\"},"
    " \"a\": {\"defaultValue\": [1, \"x\"]}, \"o\": {\"defaultValue\": {\"k\": null}},"
    " \"forced\": {\"defaultValue\": 0, \"rules\": [{\"id\": \"rule-7\", \"condition\": {\"country\": \"US\"}, \"force\": 7}]},"
    " \"exp\": {\"defaultValue\": 0, \"rules\": [{\"id\": \"r-exp\", \"key\": \"e\", \"variations\": [10, 11], \"hashVersion\": 2}]},"
    " \"big\": {\"defaultValue\": \"%s\"}}";

static gb_handle *nested_gb;
static gb_eval_buffer *nested_buffer;
static int nested_rc = -100;

/* A tracking callback that evaluates into the buffer the outer evaluation is using. */
static void evaluate_in_callback(const char *experiment_json, const char *result_json, void *user_data)
{
    (void)experiment_json;
    (void)result_json;
    (void)user_data;
    nested_rc = gb_eval_result(nested_gb, "s", nested_buffer);
}

int main(void)
{
    char features[20000];
    char big[10001];
    memset(big, 'x', 10000);
    big[10000] = 0;
    snprintf(features, sizeof features, FEATURES, big);

    gb_handle *gb = gb_create("{\"attributes\": {\"id\": \"123\", \"country\": \"US\"}}");
    CHECK(gb != NULL);
    CHECK(gb_set_features_json(gb, features) == GB_OK);
    gb_eval_buffer *b = gb_eval_buffer_create();
    CHECK(b != NULL);
    const gb_value *v = gb_eval_buffer_value(b);
    CHECK(v != NULL);

    int rc;
    rc = gb_eval_value(gb, "null", b);
    CHECK(rc == SUMMARY(GB_VALUE_NULL, GB_SOURCE_DEFAULT_VALUE));
    rc = gb_eval_value(gb, "f", b);
    CHECK(rc == SUMMARY(GB_VALUE_FALSE, GB_SOURCE_DEFAULT_VALUE));
    rc = gb_eval_value(gb, "t", b);
    CHECK(rc == (SUMMARY(GB_VALUE_TRUE, GB_SOURCE_DEFAULT_VALUE) | GB_SUMMARY_ON));
    CHECK(v->on == 1 && v->variation_id == -1);
    rc = gb_eval_value(gb, "i", b);
    CHECK(SUMMARY_TYPE(rc) == GB_VALUE_INT && v->integer == -42 && v->on == 1);
    rc = gb_eval_value(gb, "d", b);
    CHECK(SUMMARY_TYPE(rc) == GB_VALUE_DOUBLE && v->number == 2.5);
    rc = gb_eval_value(gb, "s", b);
    CHECK(SUMMARY_TYPE(rc) == GB_VALUE_STRING && v->length == 6 && memcmp(v->text, "h\xc3\xa9llo", 6) == 0);
    CHECK(v->text[v->length] == 0);
    rc = gb_eval_value(gb, "a", b);
    CHECK(SUMMARY_TYPE(rc) == GB_VALUE_ARRAY && strcmp(v->text, "[1,\"x\"]") == 0);
    rc = gb_eval_value(gb, "o", b);
    CHECK(SUMMARY_TYPE(rc) == GB_VALUE_OBJECT && strcmp(v->text, "{\"k\":null}") == 0);

    /* The deciding rule's id follows the value's text. */
    rc = gb_eval_result(gb, "forced", b);
    CHECK(SUMMARY_SOURCE(rc) == GB_SOURCE_FORCE && v->integer == 7);
    CHECK(v->rule_id_length == 6 && strcmp(v->text + v->length + 1, "rule-7") == 0);
    CHECK(v->result_length == 0);

    /* An experiment's result carries the full FeatureResult JSON after the rule id. */
    rc = gb_eval_result(gb, "exp", b);
    CHECK(SUMMARY_SOURCE(rc) == GB_SOURCE_EXPERIMENT);
    CHECK(v->variation_id == 0 || v->variation_id == 1);
    {
        const char *json = v->text + v->length + 1 + v->rule_id_length + 1;
        CHECK(v->result_length == strlen(json));
        CHECK(strstr(json, "\"experimentResult\":{") != NULL);
        CHECK(strstr(json, "\"ruleId\":\"r-exp\"") != NULL);
        char *full = gb_eval_feature_json(gb, "exp");
        CHECKF(full && strcmp(full, json) == 0, "gb_eval_result JSON differs from gb_eval_feature_json");
        gb_string_free(full);
    }
    /* gb_eval_value never writes the result, but reports the same variation. */
    {
        int variation = v->variation_id;
        long long value = v->integer;
        rc = gb_eval_value(gb, "exp", b);
        CHECK(v->result_length == 0);
        CHECK(SUMMARY_SOURCE(rc) == GB_SOURCE_EXPERIMENT);
        CHECKF(v->variation_id == variation && v->integer == value, "gb_eval_value variation %d, gb_eval_result %d",
               v->variation_id, variation);
        CHECK(v->integer == 10 + v->variation_id);
    }

    /* Per-call attributes. */
    gb_attributes *ca = gb_attributes_create("{\"id\": \"123\", \"country\": \"CA\"}");
    rc = gb_eval_with(gb, "forced", ca, 0, b);
    CHECK(SUMMARY_SOURCE(rc) == GB_SOURCE_DEFAULT_VALUE && v->integer == 0 && v->rule_id_length == 0);
    rc = gb_eval_with(gb, "forced", NULL, 0, b);
    CHECK(SUMMARY_SOURCE(rc) == GB_SOURCE_FORCE);
    gb_attributes_free(ca);

    /* The buffer grows for long text. */
    rc = gb_eval_value(gb, "big", b);
    CHECK(SUMMARY_TYPE(rc) == GB_VALUE_STRING && v->length == 10000 && v->text[9999] == 'x' && v->text[10000] == 0);

    /* A callback evaluating into the same buffer during an evaluation: both complete, and the
     * buffer holds the outer result when the outer call returns. */
    {
        gb_handle *g2 = gb_create("{\"attributes\": {\"id\": \"456\"}}");
        CHECK(g2 != NULL && gb_set_features_json(g2, features) == GB_OK);
        nested_gb = g2;
        nested_buffer = b;
        CHECK(gb_set_tracking_callback(g2, evaluate_in_callback, NULL) == GB_OK);
        rc = gb_eval_result(g2, "exp", b);
        CHECK(SUMMARY_SOURCE(rc) == GB_SOURCE_EXPERIMENT);
        CHECK(SUMMARY_TYPE(nested_rc) == GB_VALUE_STRING);
        CHECK(v->integer == 10 + v->variation_id && v->result_length > 0);
        const char *json = v->text + v->length + 1 + v->rule_id_length + 1;
        CHECKF(strstr(json, "\"hashValue\":\"456\"") != NULL, "outer result kept: %s", json);
        gb_free(g2);
    }

    /* Unknown feature, errors. */
    rc = gb_eval_value(gb, "missing", b);
    CHECK(rc == SUMMARY(GB_VALUE_NULL, GB_SOURCE_UNKNOWN_FEATURE));
    CHECK(gb_eval_value(NULL, "t", b) == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_eval_value(gb, NULL, b) == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_eval_value(gb, "t", NULL) == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_eval_value(gb, "\xff", b) == GB_ERR_UTF8);
    CHECK(gb_eval_buffer_value(NULL) == NULL);

    gb_eval_buffer_free(b);
    gb_eval_buffer_free(NULL);
    gb_free(gb);
    return tu_summary();
}
