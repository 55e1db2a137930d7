/*
 * instructions.c -- a minimal loop for counting instructions per call with valgrind's
 * callgrind (bench/instructions.sh runs it twice with different loop counts and divides the
 * difference, so set-up cost cancels out). Instruction counts are reproducible on a busy
 * machine, unlike times, which makes them the measure to compare changes by.
 *
 *   instructions W1|W2|W3|W4 is_on|json N
 *   instructions W6 load N
 *   instructions U create|set N
 *
 * W1-W3 are the workloads of bench/c/bench.c (user {"id":"user-123","country":"US","age":30});
 * W4 evaluates every feature of the committed payload bench/data/features-200.json (its
 * "features" member) for its "benchUser" member, the data bench/python/bench.py derives
 * features-200.features.json and user.json from. $GB_BENCH_PAYLOAD names another payload file
 * (default bench/data/features-200.json, relative to the working directory). W6 sets the
 * features of bench/data/features-5000.json ($GB_BENCH_LOAD_PAYLOAD names another) N times
 * on one handle (each set replaces the last: compiling, installing, freeing the old state).
 * U takes W4's "benchUser" (13 attributes): `create` makes and frees a gb_attributes of it
 * (per-call attributes, as a server makes per request), `set` gives it to a handle with
 * gb_set_attributes_json (parsing it and replacing the handle's state).
 * Prints the number of features evaluated per iteration (1 for W6) and a checksum.
 */
#include <growthbook.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *W_FEATURES =
    "{\"w1\":{\"defaultValue\":true},"
    "\"w2\":{\"defaultValue\":false,\"rules\":[{\"condition\":{\"country\":{\"$in\":[\"US\",\"CA\"]},"
    "\"age\":{\"$gt\":18}},\"force\":true}]},"
    "\"w3\":{\"defaultValue\":false,\"rules\":[{\"key\":\"w3\",\"variations\":[false,true],"
    "\"weights\":[0.5,0.5],\"coverage\":1,\"hashAttribute\":\"id\",\"hashVersion\":2,"
    "\"condition\":{\"country\":\"US\"}}]}}";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (b) b[n] = 0;
    fclose(f);
    return b;
}

/* The value of the top-level member `name` of the JSON object `json`, as a new string (the
 * value's text as it is), or NULL. A scanner, not a parser: enough for the generated payloads
 * (member names without escapes). */
static char *member(const char *json, const char *name)
{
    size_t nlen = strlen(name);
    int depth = 0;
    for (const char *p = json; *p; p++) {
        if (*p == '"') {
            const char *s = ++p;
            for (; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (!*p) return NULL;
            const char *q = p + 1;
            while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t') q++;
            if (depth != 1 || *q != ':' || (size_t)(p - s) != nlen || memcmp(s, name, nlen) != 0) continue;
            for (q++; *q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'; q++) {}
            /* the value: to the end of its bracket, string or scalar */
            const char *v = q, *e = q;
            int d = 0, in_str = 0;
            for (; *e; e++) {
                if (in_str) {
                    if (*e == '\\' && e[1]) e++;
                    else if (*e == '"') { in_str = 0; if (d == 0) { e++; break; } }
                } else if (*e == '"') in_str = 1;
                else if (*e == '{' || *e == '[') d++;
                else if (*e == '}' || *e == ']') { if (d == 0) break; if (--d == 0) { e++; break; } }
                else if (d == 0 && *e == ',') break;
            }
            return strndup(v, (size_t)(e - v));
        }
        if (*p == '{' || *p == '[') depth++;
        else if (*p == '}' || *p == ']') depth--;
    }
    return NULL;
}

/* The top-level member names of the JSON object `json` (up to max), into keys. */
static int member_names(const char *json, char **keys, int max)
{
    int n = 0, depth = 0;
    for (const char *p = json; *p && n < max; p++) {
        if (*p == '"') {
            const char *s = ++p;
            for (; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (!*p) break;
            const char *q = p + 1;
            while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t') q++;
            if (depth == 1 && *q == ':') keys[n++] = strndup(s, (size_t)(p - s));
        } else if (*p == '{' || *p == '[') depth++;
        else if (*p == '}' || *p == ']') depth--;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s W1|W2|W3|W4 is_on|json N\n", argv[0]);
        return 2;
    }
    const char *w = argv[1];
    int json = strcmp(argv[2], "json") == 0;
    long n = atol(argv[3]);
    gb_handle *gb = gb_create("{}");
    char *keys[256];
    int nk = 0;
    if (!gb) return 1;
    if (strcmp(w, "W6") == 0) {
        const char *path = getenv("GB_BENCH_LOAD_PAYLOAD") ? getenv("GB_BENCH_LOAD_PAYLOAD") : "bench/data/features-5000.json";
        char *payload = slurp(path);
        char *features = payload ? member(payload, "features") : NULL;
        if (!features) {
            fprintf(stderr, "instructions: cannot read the \"features\" of %s\n", path);
            return 1;
        }
        long ok = 0;
        for (long i = 0; i < n; i++) ok += gb_set_features_json(gb, features) == GB_OK;
        printf("1 %ld\n", ok);
        gb_free(gb);
        return ok == n ? 0 : 1;
    }
    if (strcmp(w, "U") == 0) {
        const char *path = getenv("GB_BENCH_PAYLOAD") ? getenv("GB_BENCH_PAYLOAD") : "bench/data/features-200.json";
        char *payload = slurp(path);
        char *user = payload ? member(payload, "benchUser") : NULL;
        if (!user) {
            fprintf(stderr, "instructions: cannot read the \"benchUser\" of %s\n", path);
            return 1;
        }
        int set = strcmp(argv[2], "set") == 0;
        long ok = 0;
        for (long i = 0; i < n; i++) {
            if (set) {
                ok += gb_set_attributes_json(gb, user) == GB_OK;
            } else {
                gb_attributes *a = gb_attributes_create(user);
                ok += a != NULL;
                gb_attributes_free(a);
            }
        }
        printf("1 %ld\n", ok);
        gb_free(gb);
        return ok == n ? 0 : 1;
    }
    if (strcmp(w, "W4") == 0) {
        const char *path = getenv("GB_BENCH_PAYLOAD") ? getenv("GB_BENCH_PAYLOAD") : "bench/data/features-200.json";
        char *payload = slurp(path);
        if (!payload) {
            fprintf(stderr, "instructions: cannot read %s (run from the repository root or set GB_BENCH_PAYLOAD)\n", path);
            return 1;
        }
        char *features = member(payload, "features");
        char *user = member(payload, "benchUser");
        if (!features || !user) {
            fprintf(stderr, "instructions: %s has no \"features\" or \"benchUser\" member\n", path);
            return 1;
        }
        if (gb_set_features_json(gb, features) != GB_OK || gb_set_attributes_json(gb, user) != GB_OK) {
            fprintf(stderr, "instructions: %s\n", gb_last_error());
            return 1;
        }
        nk = member_names(features, keys, (int)(sizeof keys / sizeof keys[0]));
    } else {
        if (gb_set_features_json(gb, W_FEATURES) != GB_OK ||
            gb_set_attributes_json(gb, "{\"id\":\"user-123\",\"country\":\"US\",\"age\":30}") != GB_OK) {
            fprintf(stderr, "instructions: %s\n", gb_last_error());
            return 1;
        }
        keys[0] = strcmp(w, "W1") == 0 ? "w1" : strcmp(w, "W2") == 0 ? "w2" : "w3";
        nk = 1;
    }
    long sink = 0;
    for (long i = 0; i < n; i++) {
        for (int k = 0; k < nk; k++) {
            if (json) {
                char *s = gb_eval_feature_json(gb, keys[k]);
                sink += s != NULL;
                gb_string_free(s);
            } else {
                sink += gb_is_on(gb, keys[k]);
            }
        }
    }
    printf("%d %ld\n", nk, sink);
    gb_free(gb);
    return 0;
}
