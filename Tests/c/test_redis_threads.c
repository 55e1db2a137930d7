/* Sticky bucketing on Redis from many threads at once: one handle, its Redis service and the
 * process's connection pool shared by evaluating threads (per-call attributes: one MGET and
 * at most one write each), a thread replacing the service and the handle's attributes, and a
 * thread reloading the docs, first with Redis up, then with Redis stopped under them, then with
 * it started again. Run plainly by make c-tests and under ThreadSanitizer by make tsan.
 *
 * It starts a redis-server of its own (Debian's, installed by scripts/install-deps.sh --test)
 * on a free loopback port, in a temporary directory, and stops it. */
#define _GNU_SOURCE
#include <growthbook.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static int g_port;
static pid_t g_redis = -1;
static char g_dir[64];

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("free_port");
        exit(1);
    }
    close(fd);
    return ntohs(a.sin_port);
}

static int redis_up(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    char reply[16] = {0};
    if (ok) ok = write(fd, "PING\r\n", 6) == 6 && read(fd, reply, sizeof reply - 1) > 0 && !strncmp(reply, "+PONG", 5);
    if (fd >= 0) close(fd);
    return ok;
}

static void start_redis(void) {
    char port[16];
    snprintf(port, sizeof port, "%d", g_port);
    g_redis = fork();
    if (g_redis == 0) {
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", g_dir, "--save", "",
               "--appendonly", "no", "--logfile", "/dev/null", (char *)NULL);
        perror("exec redis-server (scripts/install-deps.sh --test installs it)");
        _exit(127);
    }
    for (int i = 0; i < 500 && !redis_up(); i++) usleep(10000);
    if (!redis_up()) {
        fprintf(stderr, "redis-server did not start on port %d\n", g_port);
        exit(1);
    }
}

static void stop_redis(void) {
    if (g_redis > 0) {
        kill(g_redis, SIGTERM);
        waitpid(g_redis, NULL, 0);
        g_redis = -1;
    }
}

static const char *FEATURES =
    "{\"f\": {\"defaultValue\": -1, \"rules\": [{\"key\": \"exp\", \"variations\": [0, 1, 2],"
    " \"weights\": [0.34, 0.33, 0.33], \"hashAttribute\": \"id\", \"hashVersion\": 2,"
    " \"meta\": [{\"key\": \"a\"}, {\"key\": \"b\"}, {\"key\": \"c\"}]}]}}";

#define THREADS 6
#define EVALS 150

static gb_handle *g_gb;
static char g_options[256];
static _Atomic int g_stop;
static int g_phase;
static int g_bad[THREADS];
static volatile long g_sink;

static void *evaluator(void *arg) {
    int t = (int)(long)arg;
    gb_eval_buffer *buf = gb_eval_buffer_create();
    char json[64];
    for (int i = 0; i < EVALS; i++) {
        /* users shared by the threads (their docs are merged on write) and users of its own */
        snprintf(json, sizeof json, "{\"id\": \"p%d-u%d\"}", g_phase, i % 2 ? i : t * 1000 + i);
        gb_attributes *a = gb_attributes_create(json);
        int rc = a ? gb_eval_with(g_gb, "f", a, 0, buf) : -1;
        const gb_value *v = gb_eval_buffer_value(buf);
        if (rc < 0 || v->integer < 0 || v->integer > 2) g_bad[t]++;
        gb_attributes_free(a);
    }
    gb_eval_buffer_free(buf);
    return NULL;
}

static void *changer(void *arg) {
    (void)arg;
    int n = 0;
    while (!g_stop) {
        char json[64];
        snprintf(json, sizeof json, "{\"id\": \"handle-user-%d\"}", n++ % 7);
        gb_set_attributes_json(g_gb, json);
        if (n % 5 == 0) gb_use_redis_sticky_bucket_service(g_gb, g_options);
        gb_refresh_sticky_buckets(g_gb, n % 2);
        free(gb_get_sticky_bucket_docs_json(g_gb));
        g_sink += gb_is_on(g_gb, "f");
        usleep(500);
    }
    return NULL;
}

static int run_phase(int phase) {
    g_phase = phase;
    g_stop = 0;
    pthread_t threads[THREADS], other;
    memset(g_bad, 0, sizeof g_bad);
    pthread_create(&other, NULL, changer, NULL);
    for (long t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, evaluator, (void *)t);
    if (phase == 1) {
        usleep(20000);
        stop_redis(); /* under the running threads */
    }
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    g_stop = 1;
    pthread_join(other, NULL);
    int bad = 0;
    for (int t = 0; t < THREADS; t++) bad += g_bad[t];
    return bad;
}

int main(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/gb-redis-test-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    g_port = free_port();
    start_redis();
    snprintf(g_options, sizeof g_options, "{\"redis\": \"redis://127.0.0.1:%d/0\", \"timeout\": 0.05}", g_port);
    char create[512];
    snprintf(create, sizeof create, "{\"stickyBucketing\": %s}", g_options);
    g_gb = gb_create(create);
    CHECK(g_gb != NULL);
    CHECK(gb_set_features_json(g_gb, FEATURES) == GB_OK);

    /* Redis up: every evaluation answers, and every user evaluated has its doc. */
    CHECK(run_phase(0) == 0);
    char *doc = gb_sticky_bucket_doc_json(g_gb, "id", "p0-u1");
    CHECK(doc != NULL && strstr(doc, "\"assignments\":{\"exp__0\":") != NULL);
    gb_string_free(doc);
    doc = gb_sticky_bucket_doc_json(g_gb, "id", "p0-u3000");
    CHECK(doc != NULL && strstr(doc, "\"exp__0\"") != NULL);
    gb_string_free(doc);

    /* Redis stopped under the threads: every evaluation still answers (without stickiness). */
    CHECK(run_phase(1) == 0);

    /* Started again on the same port: after the backoff (at most 5 s) docs are written again. */
    start_redis();
    int stored = 0;
    for (int i = 0; i < 100 && !stored; i++) {
        CHECK(run_phase(2) == 0);
        doc = gb_sticky_bucket_doc_json(g_gb, "id", "p2-u1");
        stored = doc != NULL && strstr(doc, "\"exp__0\"") != NULL;
        gb_string_free(doc);
        if (!stored) usleep(100000);
    }
    CHECK(stored);

    gb_free(g_gb);
    stop_redis();
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", g_dir);
    CHECK(system(rm) == 0);
    return tu_summary();
}
