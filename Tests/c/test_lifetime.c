/*
 * test_lifetime.c -- freeing a handle from inside one of its own callbacks: the free takes
 * effect when the call that ran the callback returns (not under its feet), and the handle is
 * unusable afterwards. Likewise, replacing the features from a callback and evaluating again
 * on the same thread leaves the evaluation that ran the callback its old state.
 */
#include <string.h>

#include "growthbook.h"
#include "testutil.h"

static int tracked;

static void free_in_callback(const char *experiment_json, const char *result_json, void *user_data)
{
    (void)experiment_json;
    (void)result_json;
    tracked++;
    gb_free((gb_handle *)user_data);
}

static void log_and_free(int level, const char *message, void *user_data)
{
    (void)level;
    (void)message;
    gb_free((gb_handle *)user_data);
}

static int replaced;

/* Replaces the handle's features and evaluates again, from inside an evaluation. */
static void replace_in_callback(const char *experiment_json, const char *result_json, void *user_data)
{
    (void)experiment_json;
    (void)result_json;
    gb_handle *gb = user_data;
    replaced++;
    if (gb_set_features_json(gb, "{\"exp\": {\"defaultValue\": 5}, \"other\": {\"defaultValue\": true}}") != GB_OK)
        replaced = -100;
    if (gb_is_on(gb, "other") != 1) replaced = -100;
    char *s = gb_eval_feature_json(gb, "exp");
    if (!s || !strstr(s, "\"value\":5")) replaced = -100;
    gb_string_free(s);
}

int main(void)
{
    const char *options =
        "{\"attributes\": {\"id\": \"1\"}, \"features\": {\"exp\": {\"defaultValue\": 0,"
        " \"rules\": [{\"key\": \"e\", \"variations\": [10, 11], \"hashVersion\": 2}]}}}";

    /* Tracking callback frees the handle while gb_eval_feature_json is using it. */
    gb_handle *gb = gb_create(options);
    CHECK(gb != NULL);
    CHECK(gb_set_tracking_callback(gb, free_in_callback, gb) == GB_OK);
    char *json = gb_eval_feature_json(gb, "exp");
    CHECKF(json != NULL && strstr(json, "\"source\":\"experiment\"") != NULL, "evaluation completed: %s", json ? json : gb_last_error());
    gb_string_free(json);
    CHECK(tracked == 1);

    /* Same through the log sink, during gb_is_on. */
    gb_handle *gb2 = gb_create(options);
    CHECK(gb2 != NULL);
    CHECK(gb_set_log_callback(gb2, log_and_free, GB_LOG_DEBUG, gb2) == GB_OK);
    int rc = gb_is_on(gb2, "exp");
    CHECKF(rc == 0 || rc == 1, "gb_is_on completed: %d", rc);

    /* A callback replaces the features and evaluates: the outer evaluation finishes on the
     * features it began with (run under valgrind/ASan, this is a use-after-free if not). */
    gb_handle *g4 = gb_create(options);
    CHECK(g4 != NULL);
    CHECK(gb_set_tracking_callback(g4, replace_in_callback, g4) == GB_OK);
    json = gb_eval_feature_json(g4, "exp");
    CHECKF(json != NULL && strstr(json, "\"source\":\"experiment\"") != NULL && strstr(json, "\"key\":\"e\""),
           "outer evaluation on the old features: %s", json ? json : gb_last_error());
    gb_string_free(json);
    CHECKF(replaced == 1, "callback ran once and its calls succeeded (%d)", replaced);
    CHECK(gb_is_on(g4, "other") == 1);
    gb_free(g4);

    /* A third handle, created after the deferred frees ran, works normally. */
    gb_handle *gb3 = gb_create(options);
    CHECK(gb3 != NULL);
    CHECK(gb_is_on(gb3, "exp") >= 0);
    gb_free(gb3);
    return tu_summary();
}
