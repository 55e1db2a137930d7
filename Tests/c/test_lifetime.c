/*
 * test_lifetime.c -- freeing a handle from inside one of its own callbacks: the free takes
 * effect when the call that ran the callback returns (not under its feet), and the handle is
 * unusable afterwards.
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

    /* A third handle, created after the deferred frees ran, works normally. */
    gb_handle *gb3 = gb_create(options);
    CHECK(gb3 != NULL);
    CHECK(gb_is_on(gb3, "exp") >= 0);
    gb_free(gb3);
    return tu_summary();
}
