/*
 * test_stale_pointers.c -- a gb_buffer or gb_http_response pointer kept after its callback
 * returned (or one that never was one) gives GB_ERR_INVALID_ARGUMENT, as the header promises,
 * without the library reading or writing the memory it points to (issue 12, bug 5). The
 * pointers are opaque tokens looked up in a table of live ones, so this holds under
 * AddressSanitizer too (make asan), where reading the freed object was a heap-use-after-free.
 */
#include <string.h>

#include "growthbook.h"
#include "testutil.h"

/* --- sticky-bucket buffers ---------------------------------------------------------- */

static gb_buffer *kept_buffer;
static int live_set_rc = 12345, cross_rc = 12345;

static int get_doc(const char *name, const char *value, gb_buffer *out, void *user_data)
{
    (void)user_data;
    kept_buffer = out;
    char doc[256];
    snprintf(doc, sizeof doc,
             "{\"attributeName\": \"%s\", \"attributeValue\": \"%s\", \"assignments\": {\"e__0\": \"1\"}}", name,
             value);
    live_set_rc = gb_buffer_set(out, doc);
    /* a buffer is not a response */
    cross_rc = gb_http_response_set_status((gb_http_response *)out, 200);
    return 0;
}

static int save_doc(const char *doc, void *user_data)
{
    (void)doc;
    (void)user_data;
    return 0;
}

static void kept_buffers(void)
{
    gb_handle *gb = gb_create("{\"attributes\": {\"id\": \"u1\"}, \"features\": {\"f\": {\"defaultValue\": 0,"
                              " \"rules\": [{\"key\": \"e\", \"variations\": [0, 1], \"hashVersion\": 2,"
                              " \"bucketVersion\": 0, \"meta\": [{\"key\": \"0\"}, {\"key\": \"1\"}]}]}}}");
    CHECK(gb != NULL);
    CHECK(gb_set_sticky_bucket_service(gb, get_doc, save_doc, NULL) == GB_OK);
    CHECKF(live_set_rc == GB_OK, "gb_buffer_set inside the callback: %d", live_set_rc);
    CHECKF(cross_rc == GB_ERR_INVALID_ARGUMENT, "a buffer passed as a response: %d", cross_rc);
    CHECK(kept_buffer != NULL);
    for (int i = 0; i < 50; i++) {
        /* each refresh runs the callback again, with a new buffer, and keeps the last one */
        gb_buffer *stale = kept_buffer;
        CHECK(gb_refresh_sticky_buckets(gb, 1) == GB_OK);
        char *s = gb_eval_feature_json(gb, "f"); /* allocations that may reuse the freed memory */
        gb_string_free(s);
        int rc = gb_buffer_set(stale, "{\"attributeName\": \"id\", \"attributeValue\": \"u1\", \"assignments\": {}}");
        CHECKF(rc == GB_ERR_INVALID_ARGUMENT, "gb_buffer_set on a kept buffer: %d", rc);
        CHECK(gb_last_error_code() == GB_ERR_INVALID_ARGUMENT);
    }
    /* the sticky doc set inside the callback is the one in effect */
    char *docs = gb_get_sticky_bucket_docs_json(gb);
    CHECKF(docs && strstr(docs, "\"e__0\":\"1\""), "docs: %s", docs ? docs : gb_last_error());
    gb_string_free(docs);
    gb_free(gb);
}

/* --- host transport responses ------------------------------------------------------- */

static gb_http_response *kept_response;
static int response_cross_rc = 12345;

static int transport(const char *url, const char *headers_json, gb_http_response *r, void *user_data)
{
    (void)url;
    (void)headers_json;
    (void)user_data;
    kept_response = r;
    response_cross_rc = gb_buffer_set((gb_buffer *)r, "{}"); /* a response is not a buffer */
    static const char body[] = "{\"features\": {\"f\": {\"defaultValue\": 7}}}";
    if (gb_http_response_set_status(r, 200) != GB_OK) return 1;
    return gb_http_response_set_body(r, body, strlen(body)) == GB_OK ? 0 : 1;
}

static void kept_responses(void)
{
    CHECK(gb_set_http_transport(transport, NULL) == GB_OK);
    for (int i = 0; i < 20; i++) {
        char options[128];
        snprintf(options, sizeof options, "{\"apiHost\": \"http://stale.invalid\", \"clientKey\": \"k%d\"}", i);
        gb_handle *gb = gb_create(options);
        CHECK(gb != NULL);
        CHECKF(gb_load_features(gb) == GB_OK, "load: %s", gb_last_error());
        CHECKF(response_cross_rc == GB_ERR_INVALID_ARGUMENT, "a response passed as a buffer: %d", response_cross_rc);
        gb_http_response *stale = kept_response;
        char *s = gb_eval_feature_json(gb, "f");
        gb_string_free(s);
        CHECK(gb_http_response_set_status(stale, 200) == GB_ERR_INVALID_ARGUMENT);
        CHECK(gb_http_response_set_header(stale, "ETag", "\"x\"") == GB_ERR_INVALID_ARGUMENT);
        CHECK(gb_http_response_set_body(stale, "{}", 2) == GB_ERR_INVALID_ARGUMENT);
        CHECK(gb_is_on(gb, "f") == 1);
        gb_free(gb);
    }
    gb_set_http_transport(NULL, NULL);
}

/* --- pointers that never were buffers or responses ---------------------------------- */

static void foreign_pointers(void)
{
    static unsigned char zeros[256];
    unsigned char copy[256];
    memset(copy, 0, sizeof copy);
    CHECK(gb_buffer_set((gb_buffer *)zeros, "{}") == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_http_response_set_status((gb_http_response *)(zeros + 64), 200) == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_http_response_set_body((gb_http_response *)(zeros + 128), "x", 1) == GB_ERR_INVALID_ARGUMENT);
    CHECKF(memcmp(zeros, copy, sizeof zeros) == 0, "the library wrote into memory it was handed as a buffer");
    CHECK(gb_buffer_set(NULL, "{}") == GB_ERR_INVALID_ARGUMENT);
    CHECK(gb_http_response_set_status(NULL, 200) == GB_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    kept_buffers();
    kept_responses();
    foreign_pointers();
    return tu_summary();
}
