/*
 * testutil.h -- tiny helpers shared by the C tests: pass/fail counting and
 * just enough JSON reading to check the library's output without caring
 * about its whitespace.
 */
#ifndef GB_TESTUTIL_H
#define GB_TESTUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tu_passed, tu_failed;

static inline void tu_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tu_failed++;
    fprintf(stderr, "%s:%d: FAIL: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) tu_passed++;                                                \
        else tu_fail(__FILE__, __LINE__, "%s", #cond);                        \
    } while (0)

/* CHECK with a printf-style explanation printed on failure. */
#define CHECKF(cond, ...)                                                     \
    do {                                                                      \
        if (cond) tu_passed++;                                                \
        else tu_fail(__FILE__, __LINE__, __VA_ARGS__);                        \
    } while (0)

/* Prints the closing line and gives the exit status. */
static inline int tu_summary(void)
{
    printf("%d passed, %d failed\n", tu_passed, tu_failed);
    fflush(stdout);
    return tu_failed == 0 && tu_passed > 0 ? 0 : 1;
}

/* A copy of JSON text without whitespace outside strings (malloc'd). NULL in,
 * NULL out. */
static inline char *json_compact(const char *s)
{
    size_t n, i, j = 0;
    int in_str = 0;
    char *out;
    if (!s) return NULL;
    n = strlen(s);
    out = malloc(n + 1);
    if (!out) abort();
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            out[j++] = c;
            if (c == '\\' && i + 1 < n) out[j++] = s[++i];
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
            out[j++] = c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            out[j++] = c;
        }
    }
    out[j] = 0;
    return out;
}

/* Length of the JSON value at the start of compact text p (0 if none). */
static inline size_t json_value_len(const char *p)
{
    size_t i;
    int depth = 0, in_str = 0;
    for (i = 0;; i++) {
        char c = p[i];
        if (!c) return depth == 0 && !in_str ? i : 0;
        if (in_str) {
            if (c == '\\') {
                if (!p[i + 1]) return 0;
                i++;
            } else if (c == '"') {
                in_str = 0;
                if (depth == 0) return i + 1;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return i;
            if (--depth == 0) return i + 1;
        } else if (depth == 0 && (c == ',' || c == ':')) {
            return i;
        }
    }
}

/* The compact text of member `key` of the top-level object in JSON text
 * `json` (malloc'd), or NULL when json is not an object or has no such key. */
static inline char *json_get(const char *json, const char *key)
{
    char *c = json_compact(json), *p, *res = NULL;
    size_t klen = strlen(key);
    if (!c) return NULL;
    if (c[0] != '{') { free(c); return NULL; }
    p = c + 1;
    while (*p == '"') {
        size_t kl = json_value_len(p), vl;
        int match = kl == klen + 2 && strncmp(p + 1, key, klen) == 0;
        p += kl;
        if (*p != ':') break;
        p++;
        vl = json_value_len(p);
        if (vl == 0) break;
        if (match) {
            res = malloc(vl + 1);
            if (!res) abort();
            memcpy(res, p, vl);
            res[vl] = 0;
            break;
        }
        p += vl;
        if (*p != ',') break;
        p++;
    }
    free(c);
    return res;
}

/* Does the top-level object in json have member `key`? */
static inline int json_has(const char *json, const char *key)
{
    char *v = json_get(json, key);
    free(v);
    return v != NULL;
}

/* Does member `key` of the top-level object equal `want` (compact JSON)? */
static inline int json_member_is(const char *json, const char *key, const char *want)
{
    char *v = json_get(json, key);
    int ok = v && strcmp(v, want) == 0;
    free(v);
    return ok;
}

/* Does the compact form of json contain the compact fragment `frag`? */
static inline int json_contains(const char *json, const char *frag)
{
    char *c = json_compact(json);
    int ok = c && strstr(c, frag) != NULL;
    free(c);
    return ok;
}

/* All numbers in JSON text, in order (at most max). Returns how many. */
static inline int json_numbers(const char *json, double *out, int max)
{
    int n = 0, in_str = 0;
    const char *p = json;
    if (!p) return -1;
    while (*p) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
            p++;
        } else if (*p == '"') {
            in_str = 1;
            p++;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            char *end;
            double d = strtod(p, &end);
            if (n < max) out[n] = d;
            n++;
            p = end > p ? end : p + 1;
        } else {
            p++;
        }
    }
    return n;
}

#endif /* GB_TESTUTIL_H */
