/*
 * test_fixtures.c -- every category of GrowthBook's SDK spec fixtures
 * (Tests/fixtures/cases-0.5.4.json, cases-latest.json and cases-0.8.0.json), run
 * through the public C ABI only: include/growthbook.h and the built libgrowthbook.so.
 * Each file runs under the semantics it is the contract of (the "semantics" option of
 * every handle): spec 0.5.4 under "python-1.1.0" (the Python growthbook 1.1.0 era), 0.7.1
 * (cases-latest) and 0.8.0 under "js" (GrowthBook's JS SDK).
 *
 * The fixture files are read with cJSON (Debian's libcjson-dev); results are
 * parsed with it too and compared structurally (object key order and
 * whitespace do not matter; numbers compare numerically, so 1 equals 1.0).
 *
 *   build/bin/test_fixtures [fixtures-dir]      (default: Tests/fixtures)
 *
 * Prints a line per file and category,
 *   [fixtures-c] cases-latest.json (semantics js) feature: 46 passed, 0 failed
 * the failing cases on stderr, and a closing line "N passed, N failed".
 * Exits nonzero if any case failed, or if a file has a category this runner
 * does not know (so a new category is never silently ignored).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <growthbook.h>

#include <cJSON.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *FILES[] = {"cases-0.5.4.json", "cases-latest.json", "cases-0.8.0.json"};

/* Tests/fixtures/semantics.json: file -> the semantics it is the contract of (every fixture
 * runner reads it). */
static cJSON *semantics_by_file;

static const char *semantics_of(const char *file)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(semantics_by_file, file);
    return cJSON_IsString(name) ? name->valuestring : NULL;
}

/* Tests/fixtures/contradictions.json: file -> category -> case name -> {"expected", "why"}, the
 * cases that contradict their file's semantics, checked against that expectation instead. */
static cJSON *contradictions;

/* The expected value of a case: the file's, or its contradiction's (printed with the reason). */
static const cJSON *expected_of(const char *file, const char *category, const char *name, const cJSON *file_value)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(contradictions, file), category), name);
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(c, "expected");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(c, "why");
    if (!expected) return file_value;
    printf("[fixtures-c] %s %s \"%s\" contradicts %s: %s\n", file, category, name, semantics_of(file),
           cJSON_IsString(why) ? why->valuestring : "");
    return expected;
}

/* The semantics of the file being run: every handle is created with it. */
static const char *semantics = "js";

/* Categories that are not run, with the reason printed in the summary. */
static const struct { const char *category, *reason; } SKIPPED[] = {
    {"urlRedirect", "browser auto-experiments (URL redirects), not part of a server-side evaluator"},
};

static int total_passed, total_failed;

/* --- per-category tally ------------------------------------------------------ */

struct tally {
    const char *file, *category;
    int passed, failed;
};

#define MAX_PRINTED_FAILURES 25

static void check(struct tally *t, int ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (ok) {
        t->passed++;
        return;
    }
    if (t->failed++ < MAX_PRINTED_FAILURES) {
        fprintf(stderr, "FAIL [%s %s] %s: ", t->file, t->category, name ? name : "?");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
}

static void report(const struct tally *t)
{
    printf("[fixtures-c] %s (semantics %s) %s: %d passed, %d failed\n", t->file, semantics, t->category, t->passed,
           t->failed);
    total_passed += t->passed;
    total_failed += t->failed;
}

/* --- JSON helpers -------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = 0;
    fclose(f);
    return buf;
}

/* Compact JSON text of an item (malloc'd by cJSON; release with cJSON_free). */
static char *text(const cJSON *item)
{
    char *s = item ? cJSON_PrintUnformatted(item) : NULL;
    if (!s) {
        s = cJSON_malloc(5);
        if (!s) abort();
        memcpy(s, "null", 5);
    }
    return s;
}

/* Parse a string the library returned, then release it. NULL in, NULL out. */
static cJSON *parse_owned(char *s)
{
    cJSON *j;
    if (!s) return NULL;
    j = cJSON_Parse(s);
    gb_string_free(s);
    return j;
}

static int is_null(const cJSON *j) { return j == NULL || cJSON_IsNull(j); }

/* Python's truthiness of a JSON value: null, false, 0, "", [] and {} are false. */
static int truthy(const cJSON *j)
{
    if (is_null(j) || cJSON_IsFalse(j)) return 0;
    if (cJSON_IsTrue(j)) return 1;
    if (cJSON_IsNumber(j)) return j->valuedouble != 0;
    if (cJSON_IsString(j)) return j->valuestring && j->valuestring[0];
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) return j->child != NULL;
    return 1;
}

/* Structural equality: same types (true/false as booleans), numbers equal as
 * doubles, strings byte-equal, arrays element by element, objects with the
 * same set of keys (in any order) and equal members. */
static int json_equal(const cJSON *a, const cJSON *b)
{
    if (is_null(a) || is_null(b)) return is_null(a) && is_null(b);
    if (cJSON_IsBool(a) || cJSON_IsBool(b))
        return cJSON_IsBool(a) && cJSON_IsBool(b) && cJSON_IsTrue(a) == cJSON_IsTrue(b);
    if (cJSON_IsNumber(a) || cJSON_IsNumber(b))
        return cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a) || cJSON_IsString(b))
        return cJSON_IsString(a) && cJSON_IsString(b) && strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsArray(a) || cJSON_IsArray(b)) {
        const cJSON *x = a->child, *y = b->child;
        if (!(cJSON_IsArray(a) && cJSON_IsArray(b))) return 0;
        for (; x && y; x = x->next, y = y->next)
            if (!json_equal(x, y)) return 0;
        return x == NULL && y == NULL;
    }
    if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
        const cJSON *x;
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return 0;
        for (x = a->child; x; x = x->next) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !json_equal(x, y)) return 0;
        }
        return 1;
    }
    return 0;
}

static double round6(double x) { return round(x * 1e6) / 1e6; }

/* Arrays of numbers (or of arrays of numbers), equal after rounding every
 * number to 6 decimals. */
static int rounded_equal(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) return round6(a->valuedouble) == round6(b->valuedouble);
    if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!rounded_equal(x, y)) return 0;
        return x == NULL && y == NULL;
    }
    return 0;
}

static const cJSON *at(const cJSON *array, int i) { return cJSON_GetArrayItem(array, i); }
static const char *str_at(const cJSON *array, int i)
{
    const cJSON *j = at(array, i);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}
static const char *case_name(const cJSON *c) { return str_at(c, 0); }

/* --- the reference's normalisation of an expected Experiment ----------------- */

static void add_copy(cJSON *o, const char *key, const cJSON *value)
{
    cJSON_AddItemToObject(o, key, value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull());
}

/* What Python's Experiment(**e).to_dict() gives for e (growthbook 1.1.0):
 * every field, with the constructor's defaults and "x or default" rules, and
 * the optional fields only when truthy. */
static cJSON *normalized_experiment(const cJSON *e)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *v;
#define GET(k) cJSON_GetObjectItemCaseSensitive(e, k)
    add_copy(o, "key", GET("key"));
    add_copy(o, "variations", GET("variations"));
    add_copy(o, "weights", GET("weights"));
    v = GET("active");
    if (v) add_copy(o, "active", v);
    else cJSON_AddTrueToObject(o, "active");
    v = GET("coverage");
    if (truthy(v)) add_copy(o, "coverage", v);
    else cJSON_AddNumberToObject(o, "coverage", 1);
    add_copy(o, "condition", GET("condition"));
    add_copy(o, "namespace", GET("namespace"));
    add_copy(o, "force", GET("force"));
    v = GET("hashAttribute");
    if (truthy(v)) add_copy(o, "hashAttribute", v);
    else cJSON_AddStringToObject(o, "hashAttribute", "id");
    v = GET("hashVersion");
    if (truthy(v)) add_copy(o, "hashVersion", v);
    else cJSON_AddNumberToObject(o, "hashVersion", 1);
    add_copy(o, "ranges", GET("ranges"));
    add_copy(o, "meta", GET("meta"));
    add_copy(o, "filters", GET("filters"));
    add_copy(o, "seed", GET("seed"));
    add_copy(o, "name", GET("name"));
    add_copy(o, "phase", GET("phase"));
    if (truthy(v = GET("fallbackAttribute"))) add_copy(o, "fallbackAttribute", v);
    if (truthy(GET("disableStickyBucketing"))) cJSON_AddTrueToObject(o, "disableStickyBucketing");
    if (truthy(v = GET("bucketVersion"))) add_copy(o, "bucketVersion", v);
    if (truthy(v = GET("minBucketVersion"))) add_copy(o, "minBucketVersion", v);
    if (truthy(v = GET("parentConditions"))) add_copy(o, "parentConditions", v);
    /* spec 0.8.0: a contextual bandit's metadata (the js semantics writes it) */
    if ((v = GET("contextualBandit"))) add_copy(o, "contextualBandit", v);
#undef GET
    return o;
}

/* The expected FeatureResult as the reference's test compares it: its
 * "experiment" normalised as above; for spec 0.5.4, an absent "ruleId" is ""
 * (0.5.4 omits an empty ruleId, the latest spec and this library always write
 * it; see Tests/GrowthBookCoreTests/SpecDifferenceTests.swift). */
static cJSON *normalized_feature_result(const cJSON *expected, const char *file)
{
    cJSON *o = cJSON_Duplicate(expected, 1);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(expected, "experiment");
    if (cJSON_IsObject(e)) cJSON_ReplaceItemInObjectCaseSensitive(o, "experiment", normalized_experiment(e));
    if (strcmp(file, "cases-0.5.4.json") == 0 && !cJSON_GetObjectItemCaseSensitive(o, "ruleId"))
        cJSON_AddStringToObject(o, "ruleId", "");
    return o;
}

/* --- categories ------------------------------------------------------------------ */

/* [name, condition, attributes, expected, savedGroups?] */
static void run_eval_condition(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        char *cond = text(at(c, 1)), *attrs = text(at(c, 2));
        char *groups = cJSON_GetArraySize(c) > 4 ? text(at(c, 4)) : NULL;
        int want = cJSON_IsTrue(expected_of(t->file, t->category, case_name(c), at(c, 3)));
        int got = gb_eval_condition_semantics_json(semantics, cond, attrs, groups);
        check(t, got == want, case_name(c), "got %d (%s), want %d; condition %s attributes %s", got,
              got < 0 ? gb_last_error() : "", want, cond, attrs);
        cJSON_free(cond);
        cJSON_free(attrs);
        cJSON_free(groups);
    }
}

/* {"lt": [[a, b, expected], ...], "gt": [...], "eq": [...]}: compare the padded
 * version strings with strcmp. */
static void run_version_compare(struct tally *t, const cJSON *groups)
{
    const cJSON *group, *c;
    cJSON_ArrayForEach(group, groups)
    {
        const char *op = group->string;
        cJSON_ArrayForEach(c, group)
        {
            const char *a = str_at(c, 0), *b = str_at(c, 1);
            int want = cJSON_IsTrue(at(c, 2)), got, cmp;
            char *pa = a ? gb_padded_version_string(a) : NULL, *pb = b ? gb_padded_version_string(b) : NULL;
            char name[256];
            snprintf(name, sizeof name, "%s %s %s", op, a ? a : "?", b ? b : "?");
            if (!pa || !pb) {
                check(t, 0, name, "gb_padded_version_string failed: %s", gb_last_error());
            } else {
                cmp = strcmp(pa, pb);
                got = strcmp(op, "lt") == 0 ? cmp < 0 : strcmp(op, "gt") == 0 ? cmp > 0 : cmp == 0;
                check(t, got == want, name, "got %d (\"%s\" vs \"%s\"), want %d", got, pa, pb, want);
            }
            gb_string_free(pa);
            gb_string_free(pb);
        }
    }
}

/* [seed, value, version, expected|null] */
static void run_hash(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const char *seed = str_at(c, 0), *value = str_at(c, 1);
        const cJSON *want = at(c, 3);
        double out = -1;
        int rc = gb_hash(seed ? seed : "", value ? value : "", at(c, 2) ? at(c, 2)->valueint : 0, &out);
        char name[256];
        snprintf(name, sizeof name, "\"%s\" \"%s\" v%d", seed ? seed : "", value ? value : "",
                 at(c, 2) ? at(c, 2)->valueint : 0);
        if (is_null(want))
            check(t, rc == 0, name, "got rc %d (%g), want no hash (0)", rc, out);
        else
            check(t, rc == 1 && out == want->valuedouble, name, "got rc %d %.17g, want %.17g", rc, out,
                  want->valuedouble);
    }
}

/* [name, [numVariations, coverage, weights|null], expected ranges] */
static void run_bucket_range(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *args = at(c, 1), *weights = at(args, 2);
        char *w = is_null(weights) ? NULL : text(weights);
        char *s = gb_get_bucket_ranges_json(at(args, 0)->valueint, at(args, 1)->valuedouble, w);
        char *shown = s ? strdup(s) : NULL, *want = text(at(c, 2));
        cJSON *got = parse_owned(s);
        check(t, got && rounded_equal(got, at(c, 2)), case_name(c), "got %s, want %s",
              shown ? shown : gb_last_error(), want);
        free(shown);
        cJSON_free(want);
        cJSON_Delete(got);
        cJSON_free(w);
    }
}

/* [name, n, ranges, expected index] */
static void run_choose_variation(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        char *ranges = text(at(c, 2));
        int out = -12345, rc = gb_choose_variation(at(c, 1)->valuedouble, ranges, &out);
        int want = at(c, 3)->valueint;
        check(t, rc == GB_OK && out == want, case_name(c), "got rc %d index %d, want %d", rc, out, want);
        cJSON_free(ranges);
    }
}

/* [name, id, url, numVariations, expected|null] */
static void run_query_string(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *want = at(c, 4);
        int out = -12345;
        int rc = gb_get_query_string_override(str_at(c, 1), str_at(c, 2), at(c, 3)->valueint, &out);
        if (is_null(want))
            check(t, rc == 0, case_name(c), "got rc %d index %d, want no override", rc, out);
        else
            check(t, rc == 1 && out == want->valueint, case_name(c), "got rc %d index %d, want %d", rc, out,
                  want->valueint);
    }
}

/* [name, userId, namespace, expected] */
static void run_in_namespace(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        char *ns = text(at(c, 2));
        int want = cJSON_IsTrue(at(c, 3)), got = gb_in_namespace(str_at(c, 1), ns);
        check(t, got == want, case_name(c), "got %d, want %d", got, want);
        cJSON_free(ns);
    }
}

/* [numVariations, expected weights] */
static void run_equal_weights(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        char name[32], *s = gb_get_equal_weights_json(at(c, 0)->valueint);
        char *shown = s ? strdup(s) : NULL;
        cJSON *got = parse_owned(s);
        snprintf(name, sizeof name, "n=%d", at(c, 0)->valueint);
        check(t, got && rounded_equal(got, at(c, 1)), name, "got %s", shown ? shown : gb_last_error());
        free(shown);
        cJSON_Delete(got);
    }
}

/* [name, encrypted, key, expected|null] */
static void run_decrypt(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *want = at(c, 3);
        char *got = gb_decrypt(str_at(c, 1), str_at(c, 2));
        if (is_null(want))
            check(t, got == NULL, case_name(c), "got \"%s\", want NULL", got);
        else
            check(t, got && strcmp(got, want->valuestring) == 0, case_name(c), "got %s, want \"%s\"",
                  got ? got : gb_last_error(), want->valuestring);
        gb_string_free(got);
    }
}

static gb_handle *create(const cJSON *ctx)
{
    cJSON *with = cJSON_IsObject(ctx) ? cJSON_Duplicate(ctx, 1) : cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(with, "semantics");
    cJSON_AddStringToObject(with, "semantics", semantics);
    char *opts = text(with);
    gb_handle *gb = gb_create(opts);
    cJSON_free(opts);
    cJSON_Delete(with);
    return gb;
}

/* [name, context, featureKey, expected FeatureResult] */
static void run_feature(struct tally *t, const cJSON *cases, const char *file)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        gb_handle *gb = create(at(c, 1));
        char *s = gb ? gb_eval_feature_json(gb, str_at(c, 2)) : NULL;
        char *shown = s ? strdup(s) : strdup(gb_last_error());
        cJSON *got = parse_owned(s), *want = normalized_feature_result(at(c, 3), file);
        char *want_text = text(want);
        check(t, got && json_equal(got, want), case_name(c), "\n      got      %s\n      expected %s", shown,
              want_text);
        cJSON_free(want_text);
        free(shown);
        cJSON_Delete(got);
        cJSON_Delete(want);
        gb_free(gb);
    }
}

/* [name, context, experiment, value, inExperiment, hashUsed] */
static void run_run(struct tally *t, const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        gb_handle *gb = create(at(c, 1));
        char *exp = text(at(c, 2));
        char *s = gb ? gb_run_experiment_json(gb, exp) : NULL;
        char *shown = s ? strdup(s) : strdup(gb_last_error());
        cJSON *got = parse_owned(s);
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(got, "value");
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(got, "inExperiment");
        const cJSON *hashed = cJSON_GetObjectItemCaseSensitive(got, "hashUsed");
        int ok = got && value && cJSON_IsBool(in) && cJSON_IsBool(hashed) && json_equal(value, at(c, 3)) &&
                 cJSON_IsTrue(in) == cJSON_IsTrue(at(c, 4)) && cJSON_IsTrue(hashed) == cJSON_IsTrue(at(c, 5));
        char *want_value = text(at(c, 3));
        check(t, ok, case_name(c), "got %s; want value %s inExperiment %d hashUsed %d", shown, want_value,
              cJSON_IsTrue(at(c, 4)), cJSON_IsTrue(at(c, 5)));
        cJSON_free(want_value);
        cJSON_free(exp);
        free(shown);
        cJSON_Delete(got);
        gb_free(gb);
    }
}

/* Spec 0.5.4: [name, context, featureKey, expectedResult|null, expectedDocs];
 * latest: [name, context, initialDocs[], featureKey, expectedResult|null,
 * expectedDocs]. The built-in service is seeded through the options: the
 * context's stickyBucketAssignmentDocs plus the initial docs, keyed
 * "attributeName||attributeValue" as the service keys them. */
static void run_sticky_bucket(struct tally *t, const cJSON *cases, const char *file)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        int latest = cJSON_GetArraySize(c) == 6;
        const cJSON *initial = latest ? at(c, 2) : NULL, *doc;
        const char *key = str_at(c, latest ? 3 : 2);
        const cJSON *want_result = at(c, latest ? 4 : 3), *want_docs = at(c, latest ? 5 : 4);
        cJSON *ctx = cJSON_Duplicate(at(c, 1), 1), *docs, *got = NULL, *got_docs = NULL;
        const cJSON *got_result = NULL;
        gb_handle *gb;
        char *s, *shown = NULL, *shown_docs = NULL;
        int ok, seeded;

        docs = cJSON_DetachItemFromObjectCaseSensitive(ctx, "stickyBucketAssignmentDocs");
        seeded = docs != NULL || cJSON_GetArraySize(initial) > 0;
        if (!docs) docs = cJSON_CreateObject();
        cJSON_ArrayForEach(doc, initial)
        {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "attributeName");
            const cJSON *value = cJSON_GetObjectItemCaseSensitive(doc, "attributeValue");
            char k[512];
            snprintf(k, sizeof k, "%s||%s", cJSON_IsString(name) ? name->valuestring : "",
                     cJSON_IsString(value) ? value->valuestring : "");
            cJSON_DeleteItemFromObjectCaseSensitive(docs, k);
            cJSON_AddItemToObject(docs, k, cJSON_Duplicate(doc, 1));
        }
        if (seeded) cJSON_AddItemToObject(ctx, "stickyBucketAssignmentDocs", docs);
        else cJSON_Delete(docs);

        gb = create(ctx);
        if (gb && !seeded && gb_use_in_memory_sticky_bucket_service(gb) != GB_OK) {
            gb_free(gb);
            gb = NULL;
        }
        s = gb ? gb_eval_feature_json(gb, key) : NULL;
        shown = s ? strdup(s) : strdup(gb_last_error());
        got = parse_owned(s);
        got_result = cJSON_GetObjectItemCaseSensitive(got, "experimentResult");
        s = gb ? gb_get_sticky_bucket_docs_json(gb) : NULL;
        shown_docs = s ? strdup(s) : strdup(gb_last_error());
        got_docs = parse_owned(s);

        ok = got != NULL && got_docs != NULL && json_equal(got_result, want_result);
        if (ok && !latest) {
            ok = json_equal(got_docs, want_docs);
        } else if (ok) {
            cJSON_ArrayForEach(doc, want_docs)
            {
                if (!json_equal(cJSON_GetObjectItemCaseSensitive(got_docs, doc->string), doc)) ok = 0;
            }
        }
        {
            char *wr = text(want_result), *wd = text(want_docs);
            check(t, ok, case_name(c),
                  "\n      got      %s\n               docs %s\n      expected result %s\n               docs %s",
                  shown, shown_docs, wr, wd);
            cJSON_free(wr);
            cJSON_free(wd);
        }
        (void)file;
        free(shown);
        free(shown_docs);
        cJSON_Delete(got);
        cJSON_Delete(got_docs);
        cJSON_Delete(ctx);
        gb_free(gb);
    }
}

/* --- driver ------------------------------------------------------------------------ */

static int run_file(const char *dir, const char *file)
{
    char path[4096];
    char *raw;
    cJSON *all, *cat;
    int unknown = 0;
    size_t i;

    semantics = semantics_of(file);
    if (!semantics) {
        fprintf(stderr, "test_fixtures: %s/semantics.json names no semantics for %s\n", dir, file);
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    raw = read_file(path);
    if (!raw) {
        fprintf(stderr, "test_fixtures: cannot read %s\n", path);
        return 1;
    }
    all = cJSON_Parse(raw);
    free(raw);
    if (!cJSON_IsObject(all)) {
        fprintf(stderr, "test_fixtures: %s is not a JSON object (cJSON stopped near: %.40s)\n", path,
                cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
        cJSON_Delete(all);
        return 1;
    }

    if (!cJSON_GetObjectItemCaseSensitive(all, "versionCompare"))
        printf("[fixtures-c] %s versionCompare: not in this file\n", file);

    cJSON_ArrayForEach(cat, all)
    {
        struct tally t = {file, cat->string, 0, 0};
        const char *name = cat->string;
        int skipped = 0;
        if (strcmp(name, "specVersion") == 0) continue;
        for (i = 0; i < sizeof SKIPPED / sizeof SKIPPED[0]; i++)
            if (strcmp(name, SKIPPED[i].category) == 0) {
                printf("[fixtures-c] %s %s: %d skipped: %s\n", file, name, cJSON_GetArraySize(cat),
                       SKIPPED[i].reason);
                skipped = 1;
            }
        if (skipped) continue;

        if (strcmp(name, "evalCondition") == 0) run_eval_condition(&t, cat);
        else if (strcmp(name, "versionCompare") == 0) run_version_compare(&t, cat);
        else if (strcmp(name, "hash") == 0) run_hash(&t, cat);
        else if (strcmp(name, "getBucketRange") == 0) run_bucket_range(&t, cat);
        else if (strcmp(name, "chooseVariation") == 0) run_choose_variation(&t, cat);
        else if (strcmp(name, "getQueryStringOverride") == 0) run_query_string(&t, cat);
        else if (strcmp(name, "inNamespace") == 0) run_in_namespace(&t, cat);
        else if (strcmp(name, "getEqualWeights") == 0) run_equal_weights(&t, cat);
        else if (strcmp(name, "decrypt") == 0) run_decrypt(&t, cat);
        else if (strcmp(name, "feature") == 0) run_feature(&t, cat, file);
        /* spec 0.8.0: feature cases whose rules are contextual bandits */
        else if (strcmp(name, "contextualBandit") == 0) run_feature(&t, cat, file);
        else if (strcmp(name, "run") == 0) run_run(&t, cat);
        else if (strcmp(name, "stickyBucket") == 0) run_sticky_bucket(&t, cat, file);
        else {
            printf("[fixtures-c] %s %s: UNKNOWN category, not run (teach test_fixtures.c about it)\n", file,
                   name);
            unknown = 1;
            continue;
        }
        if (t.passed + t.failed == 0) {
            printf("[fixtures-c] %s %s: no cases\n", file, name);
            unknown = 1;
            continue;
        }
        report(&t);
    }
    cJSON_Delete(all);
    return unknown;
}

/* dir/name parsed as a JSON object, or NULL (said on stderr). */
static cJSON *read_object(const char *dir, const char *name)
{
    char path[4096];
    char *raw;
    cJSON *o;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    raw = read_file(path);
    o = raw ? cJSON_Parse(raw) : NULL;
    free(raw);
    if (!cJSON_IsObject(o)) {
        fprintf(stderr, "test_fixtures: cannot read %s\n", path);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "Tests/fixtures";
    int problems = 0;
    size_t i;

    printf("libgrowthbook %s, cJSON %s\n", gb_version(), cJSON_Version());
    semantics_by_file = read_object(dir, "semantics.json");
    contradictions = read_object(dir, "contradictions.json");
    if (!semantics_by_file || !contradictions) {
        cJSON_Delete(semantics_by_file);
        cJSON_Delete(contradictions);
        return 1;
    }
    for (i = 0; i < sizeof FILES / sizeof FILES[0]; i++) problems |= run_file(dir, FILES[i]);
    cJSON_Delete(semantics_by_file);
    cJSON_Delete(contradictions);
    printf("%d passed, %d failed\n", total_passed, total_failed);
    return total_failed == 0 && total_passed > 0 && !problems ? 0 : 1;
}
