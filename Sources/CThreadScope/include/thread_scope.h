/*
 * The calling thread's CallScope (Sources/GrowthBookC/CallScope.swift) and its regex budget,
 * in C thread-local variables. Swift has no thread-local variables; pthread_getspecific, with
 * the lazy global holding its key, cost about thirty instructions per call, a tenth of a
 * gb_is_on. Reading one of these is one load.
 *
 * The initial-exec TLS model makes the read a single %fs-relative load. A library loaded with
 * dlopen (Python's ctypes does) takes such variables from the small static TLS reserve glibc
 * keeps for that purpose; these take 16 bytes.
 */
#ifndef GB_THREAD_SCOPE_H
#define GB_THREAD_SCOPE_H

extern __thread void *gb_thread_scope_slot
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* The scope set on this thread, or NULL before the first call on it. */
static inline void *gb_thread_scope(void) { return gb_thread_scope_slot; }

static inline void gb_set_thread_scope(void *scope) { gb_thread_scope_slot = scope; }

/*
 * The regex work left to the current gb_ call on this thread (GrowthBookRegex's budget):
 * backtracking steps, with GB_REGEX_BUDGET_EXHAUSTED set once a search was refused or cut
 * short for want of it. The C layer refills it when an outermost call begins.
 */
#define GB_REGEX_BUDGET_EXHAUSTED (1ULL << 63)
/* The budget of one call: 4,000,000 steps, tens of milliseconds at most (docs/hostile-inputs.md). */
#define GB_REGEX_BUDGET_STEPS 4000000ULL

extern __thread unsigned long long gb_regex_budget_slot
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

static inline unsigned long long gb_regex_budget(void) { return gb_regex_budget_slot; }

static inline void gb_set_regex_budget(unsigned long long budget) { gb_regex_budget_slot = budget; }

#endif
