/*
 * demo.c -- evaluate the bundled example features for a few users.
 *
 *   build/bin/demo examples/features.json
 *
 * Shows the whole life of a handle: load features, set a tracking callback,
 * evaluate for several users (per-call attributes, so the handle itself never
 * changes), read the FeatureResult JSON, free everything.
 */
#include <growthbook.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a minimal reader for the top-level members of a JSON object -------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* End of the JSON value starting at p (strings, literals, numbers, nesting). */
static const char *skip_value(const char *p)
{
    int depth = 0, in_str = 0;
    for (; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') {
                in_str = 0;
                if (depth == 0) return p + 1;
            }
        } else if (*p == '"') {
            in_str = 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0) return p;
            if (--depth == 0) return p + 1;
        } else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) {
            return p;
        }
    }
    return p;
}

/* Copy the raw JSON text of member `key` into out; "" if there is none. */
static const char *member(const char *json, const char *key, char *out, size_t size)
{
    const char *p = skip_ws(json);
    size_t klen = strlen(key);
    out[0] = 0;
    if (*p != '{') return out;
    p = skip_ws(p + 1);
    while (*p == '"') {
        const char *k = p + 1, *kend = skip_value(p), *v, *vend;
        int match = (size_t)(kend - k - 1) == klen && strncmp(k, key, klen) == 0;
        p = skip_ws(kend);
        if (*p != ':') break;
        v = skip_ws(p + 1);
        vend = skip_value(v);
        if (match) {
            size_t n = (size_t)(vend - v) < size - 1 ? (size_t)(vend - v) : size - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return out;
        }
        p = skip_ws(vend);
        if (*p != ',') break;
        p = skip_ws(p + 1);
    }
    return out;
}

/* Strip the quotes of a simple JSON string in place ("abc" -> abc). */
static char *unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        memmove(s, s + 1, n - 2);
        s[n - 2] = 0;
    }
    return s;
}

/* ---- the demo ---------------------------------------------------------------- */

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

/* Called once per user and experiment variation ("experiment viewed"). The
 * strings are only valid during the call. */
static void on_experiment_viewed(const char *experiment_json, const char *result_json, void *user_data)
{
    char key[128], variation[32], user[64];
    int *count = user_data;
    (*count)++;
    member(experiment_json, "key", key, sizeof key);
    member(result_json, "variationId", variation, sizeof variation);
    member(result_json, "hashValue", user, sizeof user);
    printf("    [tracking] viewed experiment %s variation %s (user %s)\n", unquote(key), variation,
           unquote(user));
}

static const char *FEATURES[] = {
    "checkout-enabled", "welcome-message", "search-config",
    "new-checkout",     "express-pay",     "button-color",
};

static const char *USERS[] = {
    "{\"id\": \"user-1001\", \"country\": \"US\", \"age\": 34, \"email\": \"jane@gmail.com\", \"appVersion\": \"2.6.1\"}",
    "{\"id\": \"user-1002\", \"country\": \"CA\", \"age\": 19, \"email\": \"sam@example.com\", \"appVersion\": \"2.4.0\"}",
    "{\"id\": \"user-1003\", \"country\": \"FR\", \"age\": 45, \"email\": \"luc@example.fr\", \"appVersion\": \"1.9.12\"}",
    "{\"id\": \"user-1004\", \"country\": \"DE\", \"age\": 28, \"email\": \"anna@web.de\", \"appVersion\": \"2.10.0\"}",
};

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/features.json";
    char *features = read_file(path);
    gb_handle *gb;
    int tracked = 0;
    size_t u, f;

    if (!features) {
        fprintf(stderr, "demo: cannot read %s\n", path);
        return 1;
    }
    printf("libgrowthbook %s (header %s, ABI %d)\n", gb_version(), GB_VERSION, GB_ABI_VERSION);

    gb = gb_create(NULL);
    if (!gb) {
        fprintf(stderr, "demo: gb_create: %s\n", gb_last_error());
        free(features);
        return 1;
    }
    if (gb_set_features_json(gb, features) != GB_OK) {
        fprintf(stderr, "demo: %s: %s\n", path, gb_last_error());
        gb_free(gb);
        free(features);
        return 1;
    }
    free(features); /* the library keeps its own copy */
    gb_set_tracking_callback(gb, on_experiment_viewed, &tracked);

    for (u = 0; u < sizeof USERS / sizeof USERS[0]; u++) {
        /* Parse the user's attributes once, evaluate every feature with them. */
        gb_attributes *attrs = gb_attributes_create(USERS[u]);
        if (!attrs) {
            fprintf(stderr, "demo: attributes: %s\n", gb_last_error());
            continue;
        }
        printf("\n%s\n", USERS[u]);
        for (f = 0; f < sizeof FEATURES / sizeof FEATURES[0]; f++) {
            char value[256], source[64], rule[64], result[1024], variation[16], in_exp[16], name[64];
            char *json = gb_eval_feature_with(gb, FEATURES[f], attrs);
            if (!json) {
                fprintf(stderr, "demo: %s: %s\n", FEATURES[f], gb_last_error());
                continue;
            }
            member(json, "value", value, sizeof value);
            member(json, "source", source, sizeof source);
            member(json, "ruleId", rule, sizeof rule);
            printf("  %-17s %-26s source=%s", FEATURES[f], value, unquote(source));
            if (unquote(rule)[0]) printf(" ruleId=%s", rule);
            if (member(json, "experimentResult", result, sizeof result)[0]) {
                member(result, "variationId", variation, sizeof variation);
                member(result, "inExperiment", in_exp, sizeof in_exp);
                printf(" variation=%s inExperiment=%s", variation, in_exp);
                if (member(result, "name", name, sizeof name)[0]) printf(" (%s)", unquote(name));
            }
            printf("\n");
            gb_string_free(json);
        }
        gb_attributes_free(attrs);
    }

    printf("\n%d experiment exposure(s) tracked\n", tracked);
    gb_free(gb);
    return 0;
}
