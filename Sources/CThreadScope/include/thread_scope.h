/*
 * The calling thread's CallScope (Sources/GrowthBookC/CallScope.swift), in a C thread-local
 * variable. Swift has no thread-local variables; pthread_getspecific, with the lazy global
 * holding its key, cost about thirty instructions per call, a tenth of a gb_is_on. Reading
 * this is one load.
 *
 * The initial-exec TLS model makes the read a single %fs-relative load. A library loaded with
 * dlopen (Python's ctypes does) takes such variables from the small static TLS reserve glibc
 * keeps for that purpose; this one is 8 bytes.
 */
#ifndef GB_THREAD_SCOPE_H
#define GB_THREAD_SCOPE_H

extern __thread void *gb_thread_scope_slot
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* The scope set on this thread, or NULL before the first call on it. */
static inline void *gb_thread_scope(void) { return gb_thread_scope_slot; }

static inline void gb_set_thread_scope(void *scope) { gb_thread_scope_slot = scope; }

#endif
