/*
 * instructions.c -- a minimal loop for counting instructions per call with valgrind's
 * callgrind (bench/instructions.sh runs it twice with different loop counts and divides the
 * difference, so set-up cost cancels out). Instruction counts are reproducible on a busy
 * machine, unlike times, which makes them the measure to compare changes by.
 *
 *   instructions W1|W2|W3|W4 is_on|json N
 *
 * W1-W3 are the workloads of bench/c/bench.c (user {"id":"user-123","country":"US","age":30});
 * W4 evaluates every feature of DATA/features-200.features.json for DATA/user.json, where DATA
 * is $GB_BENCH_DATA (default build/bench/data, written by make bench).
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
    if (strcmp(w, "W4") == 0) {
        const char *dir = getenv("GB_BENCH_DATA") ? getenv("GB_BENCH_DATA") : "build/bench/data";
        char path[1024];
        snprintf(path, sizeof path, "%s/features-200.features.json", dir);
        char *features = slurp(path);
        snprintf(path, sizeof path, "%s/user.json", dir);
        char *user = slurp(path);
        if (!features || !user) {
            fprintf(stderr, "instructions: %s: run make bench once to write the W4 data\n", dir);
            return 1;
        }
        if (gb_set_features_json(gb, features) != GB_OK || gb_set_attributes_json(gb, user) != GB_OK) {
            fprintf(stderr, "instructions: %s\n", gb_last_error());
            return 1;
        }
        /* The features' keys, from the payload text. */
        for (char *p = features; nk < 256 && (p = strstr(p, "\"feature-")) != NULL;) {
            char *end = strchr(p + 1, '"');
            if (!end) break;
            if (end[1] == ':') keys[nk++] = strndup(p + 1, (size_t)(end - p - 1));
            p = end + 1;
        }
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
