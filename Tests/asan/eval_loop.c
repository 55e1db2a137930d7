/*
 * eval_loop.c -- N evaluations (default 1,000,000) through every evaluation entry point, for
 * the leak check (Tests/asan/run.sh runs it under AddressSanitizer + LeakSanitizer; it also
 * runs under valgrind). Every returned string, attributes object, buffer and handle is freed,
 * so a clean exit with no leak report means the library frees what it allocates.
 *
 *   eval_loop [N]
 */
#include <growthbook.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *features =
    "{\"flag\": {\"defaultValue\": false, \"rules\": ["
    "  {\"id\": \"r1\", \"condition\": {\"country\": {\"$in\": [\"US\", \"CA\"]}, \"age\": {\"$gte\": 18}}, \"force\": true},"
    "  {\"condition\": {\"email\": {\"$regex\": \"@example\\\\.com$\"}}, \"force\": \"regex\"},"
    "  {\"force\": 1, \"coverage\": 0.5, \"hashAttribute\": \"id\"},"
    "  {\"key\": \"exp\", \"variations\": [0, 1, 2], \"hashAttribute\": \"id\", \"seed\": \"s\", \"hashVersion\": 2,"
    "   \"meta\": [{\"key\": \"a\"}, {\"key\": \"b\"}, {\"key\": \"c\"}]}]},"
    " \"child\": {\"defaultValue\": \"off\", \"rules\": [{\"parentConditions\": [{\"id\": \"flag\","
    "   \"condition\": {\"value\": {\"$exists\": true}}, \"gate\": true}], \"force\": {\"on\": [1, 2]}}]},"
    " \"sticky\": {\"defaultValue\": 0, \"rules\": [{\"key\": \"sx\", \"variations\": [10, 20],"
    "   \"hashAttribute\": \"id\", \"bucketVersion\": 1}]}}";

static long tracked;
static void on_track(const char *e, const char *r, void *u) { (void)e; (void)r; (void)u; tracked++; }

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    const char *keys[] = {"flag", "child", "sticky", "missing"};
    char attrs[160];
    long done = 0, on = 0, failures = 0;
    gb_handle *gb = gb_create(NULL);
    gb_eval_buffer *buf = gb_eval_buffer_create();
    if (!gb || !buf || gb_set_features_json(gb, features) != GB_OK) {
        fprintf(stderr, "eval_loop: setup failed: %s\n", gb_last_error());
        return 1;
    }
    gb_set_tracking_callback(gb, on_track, NULL);
    gb_use_in_memory_sticky_bucket_service(gb);
    gb_attributes *a = NULL;
    while (done < n) {
        long user = done / 8;
        if (done % 8 == 0) {
            /* a new user every 8 evaluations: new per-call attributes, and (every 64th user) new
             * handle attributes, so sticky docs and tracking keys keep being created */
            gb_attributes_free(a);
            snprintf(attrs, sizeof attrs,
                     "{\"id\": \"u%ld\", \"country\": \"%s\", \"age\": %ld, \"email\": \"u%ld@example.com\"}",
                     user % 5000, user % 2 ? "US" : "FR", user % 90, user);
            a = gb_attributes_create(attrs);
            if (!a) { failures++; break; }
            if (user % 64 == 0 && gb_set_attributes_json(gb, attrs) != GB_OK) failures++;
        }
        const char *key = keys[done % 4];
        char *s;
        int rc;
        switch ((done / 4) % 2 ? done % 7 : (done + 3) % 7) {
        case 0: rc = gb_is_on_with(gb, key, a); if (rc < 0) failures++; else on += rc; break;
        case 1: s = gb_eval_feature_with(gb, key, a); if (!s) failures++; gb_string_free(s); break;
        case 2: rc = gb_eval_with(gb, key, a, 1, buf); if (rc < 0) failures++; break;
        case 3: s = gb_eval_feature_with_attributes_json(gb, key, attrs); if (!s) failures++; gb_string_free(s); break;
        case 4: rc = gb_eval_value(gb, key, buf); if (rc < 0) failures++; break;
        case 5: s = gb_eval_feature_json(gb, key); if (!s) failures++; gb_string_free(s); break;
        default: s = gb_get_feature_value_json(gb, key); if (!s) failures++; gb_string_free(s); break;
        }
        done++;
    }
    gb_attributes_free(a);
    char *results = gb_get_all_results_json(gb);
    char *docs = gb_get_sticky_bucket_docs_json(gb);
    if (!results || !docs) failures++;
    gb_string_free(results);
    gb_string_free(docs);
    gb_eval_buffer_free(buf);
    gb_free(gb);
    printf("eval_loop: %ld evaluations, %ld on, %ld tracking calls, %ld failures\n", done, on, tracked, failures);
    return failures ? 1 : 0;
}
