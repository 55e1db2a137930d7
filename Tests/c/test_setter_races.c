/*
 * test_setter_races.c -- setters racing on one handle (issue 12, bugs 3 and 4), also run
 * under ThreadSanitizer (make tsan).
 *
 * 1. Lost updates: one thread sets features and reads its own value straight back while
 *    another sets saved groups in a loop. Every setter is one atomic step, so the read after
 *    a successful set sees that set's features (or a later one), never an older set.
 * 2. Sticky docs for the wrong user: a host sticky-bucket service answers slowly for u1 while
 *    another thread sets the attributes to u2. The docs fetched for u1 must not be installed
 *    for u2: the handle keeps u2's docs, gives u2's sticky variation and never saves u1's
 *    assignments under u2's identity.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"
#include <growthbook.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ---- 1. a read right after a set sees that set --------------------------------------- */
static atomic_int stop_groups;
static atomic_long group_sets;

static void *saved_groups_writer(void *p)
{
    gb_handle *gb = p;
    long i = 0;
    while (!atomic_load(&stop_groups)) {
        char groups[64];
        snprintf(groups, sizeof groups, "{\"g\": [\"u%ld\"]}", i++ % 7);
        if (gb_set_saved_groups_json(gb, groups) == GB_OK) atomic_fetch_add(&group_sets, 1);
    }
    return NULL;
}

static void test_no_lost_updates(void)
{
    gb_handle *gb = gb_create("{\"features\": {\"f\": {\"defaultValue\": -1}}}");
    CHECK(gb != NULL);
    pthread_t writer;
    CHECK(pthread_create(&writer, NULL, saved_groups_writer, gb) == 0);
    int stale = 0, failed = 0, rounds = 0;
    double deadline = now() + 3.0;
    for (int i = 0; i < 20000 && now() < deadline; i++, rounds++) {
        char features[160], expected[16];
        /* the feature also names the saved group, so each set compiles against the groups */
        snprintf(features, sizeof features,
                 "{\"f\": {\"defaultValue\": %d, \"rules\": [{\"condition\": {\"id\": {\"$inGroup\": \"g\"}},"
                 " \"force\": -2}]}}", i);
        snprintf(expected, sizeof expected, "%d", i);
        if (gb_set_features_json(gb, features) != GB_OK) { failed++; continue; }
        char *v = gb_get_feature_value_json(gb, "f");
        if (!v || strcmp(v, expected) != 0) stale++;
        gb_string_free(v);
    }
    atomic_store(&stop_groups, 1);
    pthread_join(writer, NULL);
    CHECK(failed == 0);
    CHECKF(stale == 0, "%d of %d reads right after gb_set_features_json saw older features", stale, rounds);
    printf("[races] %d feature sets read back with %ld saved-group sets racing: %d stale\n", rounds,
           atomic_load(&group_sets), stale);
    gb_free(gb);
}

/* ---- 2. sticky docs are installed only for the attributes they were fetched for -------- */
static atomic_int u1_fetch_started, u2_set_done;
static atomic_int saves_of_u2_with_u1s_variation;

static int slow_get(const char *attribute_name, const char *attribute_value, gb_buffer *doc_out, void *user_data)
{
    (void)user_data;
    if (strcmp(attribute_name, "id") != 0) return 0;
    if (strcmp(attribute_value, "u1") == 0) {
        atomic_store(&u1_fetch_started, 1);
        /* answer only after the other thread has moved the handle to u2 */
        for (int i = 0; i < 500 && !atomic_load(&u2_set_done); i++) sleep_ms(2);
        return gb_buffer_set(doc_out, "{\"attributeName\": \"id\", \"attributeValue\": \"u1\","
                                      " \"assignments\": {\"exp__0\": \"1\"}}") == GB_OK ? 0 : 1;
    }
    if (strcmp(attribute_value, "u2") == 0)
        return gb_buffer_set(doc_out, "{\"attributeName\": \"id\", \"attributeValue\": \"u2\","
                                      " \"assignments\": {\"exp__0\": \"0\"}}") == GB_OK ? 0 : 1;
    return 0;
}

static int record_save(const char *doc_json, void *user_data)
{
    (void)user_data;
    if (strstr(doc_json, "\"u2\"") && strstr(doc_json, "\"exp__0\":\"1\"")) atomic_fetch_add(&saves_of_u2_with_u1s_variation, 1);
    return 0;
}

static void *set_u1(void *p)
{
    gb_handle *gb = p;
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"u1\"}") == GB_OK);
    return NULL;
}

static void test_sticky_docs_follow_their_user(void)
{
    gb_handle *gb = gb_create(
        "{\"features\": {\"f\": {\"defaultValue\": -1, \"rules\": [{\"key\": \"exp\", \"variations\": [0, 1],"
        " \"meta\": [{\"key\": \"0\"}, {\"key\": \"1\"}], \"hashAttribute\": \"id\", \"coverage\": 1}]}},"
        " \"attributes\": {\"id\": \"nobody\"}}");
    CHECK(gb != NULL);
    CHECK(gb_set_sticky_bucket_service(gb, slow_get, record_save, NULL) == GB_OK);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, set_u1, gb) == 0);
    for (int i = 0; i < 1000 && !atomic_load(&u1_fetch_started); i++) sleep_ms(1);
    CHECK(atomic_load(&u1_fetch_started));
    CHECK(gb_set_attributes_json(gb, "{\"id\": \"u2\"}") == GB_OK);
    atomic_store(&u2_set_done, 1);
    pthread_join(t, NULL);

    /* the handle is u2's, with u2's docs: u2's sticky variation (0), never u1's (1) */
    char *v = gb_get_feature_value_json(gb, "f");
    CHECKF(v && strcmp(v, "0") == 0, "u2 evaluated to %s, expected its sticky variation 0", v ? v : "(NULL)");
    gb_string_free(v);
    char *docs = gb_get_sticky_bucket_docs_json(gb);
    CHECKF(docs && !strstr(docs, "\"u1\""), "u1's docs installed for u2: %s", docs ? docs : "(NULL)");
    gb_string_free(docs);
    CHECK(atomic_load(&saves_of_u2_with_u1s_variation) == 0);
    gb_free(gb);
}

int main(void)
{
    test_no_lost_updates();
    test_sticky_docs_follow_their_user();
    return tu_summary();
}
